"""Content-addressed file storage (SPEC P12): every upload of every feature goes through here.

A file is read in chunks (never whole into memory) into a temporary file in the store, hashed on
the way, refused as soon as it passes the size limit of its use, its type sniffed from the bytes
(never from the name or the browser's Content-Type), and finally renamed to its SHA-256 digest:
`$HUB_DATA_DIR/files/<sha256>`, outside `static/`, so only the serving view in
`hub/files/serve.py` can hand it out. Identical content is stored once.

Features keep their own rows (name, title, owner) with the `StoredFile` values returned here.
"""
from __future__ import annotations

import codecs
import hashlib
import os
import re
import shutil
import tempfile
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Iterable

import filetype
from flask import current_app
from flask_babel import lazy_gettext as _l

CHUNK = 64 * 1024
HEAD = 8192  # what filetype needs to recognise every format below
NAME_MAX = 120


@dataclass(frozen=True)
class FileType:
    code: str
    mime: str
    extension: str
    label: str


# The types the hub accepts anywhere. SVG is deliberately absent: it is a script-capable document
# (inline <script>, event handlers, external references), and serving it back from our origin would
# hand an uploader a way to run script in other people's sessions.
TYPES: dict[str, FileType] = {t.code: t for t in (
    FileType("pdf", "application/pdf", ".pdf", "PDF"),
    FileType("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", ".docx", "Word (.docx)"),
    FileType("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx", "Excel (.xlsx)"),
    FileType("pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation", ".pptx",
             "PowerPoint (.pptx)"),
    FileType("csv", "text/csv; charset=utf-8", ".csv", "CSV (UTF-8)"),
    FileType("png", "image/png", ".png", "PNG"),
    FileType("jpeg", "image/jpeg", ".jpg", "JPEG"),
)}

# The main part that makes a ZIP an Office Open XML document of each kind.
_OFFICE_PARTS = {"docx": "word/document.xml", "xlsx": "xl/workbook.xml", "pptx": "ppt/presentation.xml"}
_BY_EXTENSION = {".jpeg": "jpeg", ".jpg": "jpeg", **{t.extension: t.code for t in TYPES.values()}}


@dataclass(frozen=True)
class UploadRule:
    """What one use accepts: e.g. library attachments, organisation logos, MDF proofs."""

    types: tuple[str, ...]
    max_bytes: int

    def __post_init__(self):
        unknown = set(self.types) - set(TYPES)
        if unknown:
            raise ValueError(f"unknown file types {sorted(unknown)}")

    @property
    def accept(self) -> str:
        """For <input type=file accept=...>: a hint to the browser's picker, never trusted."""
        return ",".join(sorted({TYPES[c].extension for c in self.types} | {TYPES[c].mime.split(";")[0]
                                                                          for c in self.types}))

    def labels(self) -> str:
        return ", ".join(TYPES[c].label for c in self.types)


@dataclass(frozen=True)
class StoredFile:
    sha256: str
    size: int
    type: str          # a key of TYPES
    content_type: str  # exactly what is served
    name: str          # safe display / download name, with the extension of the sniffed type


class UploadRefused(ValueError):
    """The file is not accepted; `message` says why, for the person who sent it."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


# --- where files live -------------------------------------------------------------------------------

def store_dir() -> Path:
    path = Path(current_app.config["DATA_DIR"]) / "files"
    path.mkdir(parents=True, exist_ok=True)
    return path


_SHA = re.compile(r"[0-9a-f]{64}")


def path_of(sha256: str) -> Path:
    if not _SHA.fullmatch(sha256 or ""):
        raise ValueError("not a SHA-256 hex digest")
    return store_dir() / sha256


def exists(sha256: str) -> bool:
    return _SHA.fullmatch(sha256 or "") is not None and path_of(sha256).is_file()


def adopt_legacy_dir(data_dir: Path) -> None:
    """Up to 0.1.0 only the library stored files, in `library-files/`, named the same way (by
    digest). Move that folder's files into the shared store once, so nothing has to be re-uploaded."""
    legacy = data_dir / "library-files"
    if not legacy.is_dir():
        return
    target = data_dir / "files"
    target.mkdir(parents=True, exist_ok=True)
    for entry in legacy.iterdir():
        if _SHA.fullmatch(entry.name) and entry.is_file():
            os.replace(entry, target / entry.name)
    try:
        legacy.rmdir()
    except OSError:
        pass  # something else lives there (e.g. a stray .part): leave it for the operator


# --- names ---------------------------------------------------------------------------------------------

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_RESERVED = re.compile(r'[<>:"|?*]')
_SPACES = re.compile(r"\s+")


def safe_name(filename: str | None, file_type: str, fallback: str = "file") -> str:
    """A download name made from what the uploader's browser sent: only its last path component
    (whether the separator was / or \\), control characters and NUL dropped, characters that are
    reserved on Windows replaced, at most NAME_MAX characters, and ending in the extension of the
    type the content really is. The name is only ever a label: files are stored by digest."""
    raw = unicodedata.normalize("NFC", filename or "")
    raw = _CONTROL.sub("", raw)
    raw = re.split(r"[/\\]", raw)[-1]
    raw = _SPACES.sub(" ", _RESERVED.sub("_", raw)).strip(" .")
    ext = TYPES[file_type].extension
    stem, dot, given_ext = raw.rpartition(".")
    if not dot:
        stem = raw
    elif _BY_EXTENSION.get("." + given_ext.lower()) != file_type:
        stem = raw  # ".pdf" on a spreadsheet stays part of the name; the real extension follows
    stem = stem.strip(" .") or fallback
    stem = stem[:NAME_MAX - len(ext)].rstrip(" .") or fallback
    return stem + ext


def unique_name(name: str, taken: Iterable[str]) -> str:
    """`name`, or "name (2).ext", "name (3).ext"… when the owner already has a file of that name."""
    used = {n.lower() for n in taken}
    if name.lower() not in used:
        return name
    stem, ext = os.path.splitext(name)
    n = 2
    while True:
        suffix = f" ({n})"
        candidate = stem[:NAME_MAX - len(ext) - len(suffix)] + suffix + ext
        if candidate.lower() not in used:
            return candidate
        n += 1


# --- sniffing --------------------------------------------------------------------------------------------

class _TextCheck:
    """UTF-8 without NUL bytes, checked chunk by chunk (a multi-byte letter may straddle two chunks)."""

    def __init__(self):
        self.decoder = codecs.getincrementaldecoder("utf-8")()
        self.ok = True

    def feed(self, chunk: bytes, final: bool = False) -> None:
        if not self.ok:
            return
        if b"\x00" in chunk:
            self.ok = False
            return
        try:
            self.decoder.decode(chunk, final)
        except UnicodeDecodeError:
            self.ok = False


def _sniff(head: bytes, path: Path, text_ok: bool) -> str | None:
    """The type code the content is, or None. Office documents are ZIPs: the archive's own table of
    contents decides which (never extracted, so a ZIP bomb costs nothing here)."""
    kind = filetype.guess(head)
    code = kind.extension if kind else None
    if code in ("zip", "docx", "xlsx", "pptx"):
        try:
            with zipfile.ZipFile(path) as archive:
                names = set(archive.namelist())
        except (zipfile.BadZipFile, OSError, ValueError):
            return None
        if "[Content_Types].xml" not in names:
            return None
        found = [c for c, part in _OFFICE_PARTS.items() if part in names]
        return found[0] if len(found) == 1 else None
    if code == "jpg":
        return "jpeg"
    if code in TYPES:
        return code
    if code is None and text_ok and head and not head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        return "csv"  # UTF-8 text that is not markup (an SVG or HTML page is no table)
    return None


def _refuse_type(rule: UploadRule):
    return UploadRefused(_l("This file is not of an accepted type (accepted: %(types)s). The type is "
                            "read from the file's content, not from its name.", types=rule.labels()))


def _size_text(size: int) -> str:
    return f"{size / 1024 / 1024:.0f} MB" if size >= 1024 * 1024 else f"{size // 1024} KB"


def save(stream: BinaryIO, filename: str | None, rule: UploadRule) -> StoredFile:
    """Store what `stream` yields under its digest if it is of an accepted type and not too large;
    otherwise raise UploadRefused (nothing is kept)."""
    directory = store_dir()
    digest = hashlib.sha256()
    size = 0
    head = b""
    text = _TextCheck()
    fd, tmp_name = tempfile.mkstemp(dir=directory, prefix=".upload-", suffix=".part")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out:
            while True:
                chunk = stream.read(CHUNK)
                if not chunk:
                    break
                size += len(chunk)
                if size > rule.max_bytes:
                    raise UploadRefused(_l("This file is too large: at most %(max)s.",
                                           max=_size_text(rule.max_bytes)))
                if len(head) < HEAD:
                    head += chunk[:HEAD - len(head)]
                digest.update(chunk)
                text.feed(chunk)
                out.write(chunk)
        text.feed(b"", final=True)
        if size == 0:
            raise UploadRefused(_l("This file is empty."))
        code = _sniff(head, tmp, text.ok)
        if code is None or code not in rule.types:
            raise _refuse_type(rule)
        sha = digest.hexdigest()
        target = directory / sha
        if target.exists():
            tmp.unlink()
        else:
            os.replace(tmp, target)  # atomic: a reader never sees half a file
        return StoredFile(sha256=sha, size=size, type=code, content_type=TYPES[code].mime,
                          name=safe_name(filename, code))
    finally:
        if tmp.exists():
            tmp.unlink()


def save_upload(upload, rule: UploadRule) -> StoredFile:
    """A werkzeug FileStorage from request.files (already spooled to disk by werkzeug when large)."""
    if upload is None or not getattr(upload, "filename", None):
        raise UploadRefused(_l("Choose a file."))
    return save(upload.stream, upload.filename, rule)


def inspect_path(path: Path, rule: UploadRule) -> StoredFile:
    """What `save` would store for a file on disk (type, size, digest), without copying it: the
    content loader validates every file before it writes anything."""
    digest = hashlib.sha256()
    size = 0
    head = b""
    text = _TextCheck()
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            size += len(chunk)
            if size > rule.max_bytes:
                raise UploadRefused(f"is larger than {_size_text(rule.max_bytes)}")
            if len(head) < HEAD:
                head += chunk[:HEAD - len(head)]
            digest.update(chunk)
            text.feed(chunk)
    text.feed(b"", final=True)
    if size == 0:
        raise UploadRefused("is empty")
    code = _sniff(head, path, text.ok)
    if code is None or code not in rule.types:
        raise UploadRefused(f"is not a file of an accepted type ({rule.labels()}); "
                            "the type is read from the content")
    return StoredFile(sha256=digest.hexdigest(), size=size, type=code, content_type=TYPES[code].mime,
                      name=path.name)


def copy_in(path: Path, stored: StoredFile) -> None:
    """Put a file already inspected with `inspect_path` into the store (once per digest)."""
    target = store_dir() / stored.sha256
    if target.exists():
        return
    fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=".copy-", suffix=".part")
    os.close(fd)
    try:
        shutil.copyfile(path, tmp_name)
        os.replace(tmp_name, target)
    finally:
        if os.path.exists(tmp_name):
            os.unlink(tmp_name)


def type_of_extension(name: str) -> str | None:
    """The type code a file name claims (for the content loader's consistency check)."""
    return _BY_EXTENSION.get(os.path.splitext(name)[1].lower())
