"""hub.files, the storage module (SPEC P12): type from the content, size limits, names from what was
sent, stored by digest outside static/, streamed in chunks."""
from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest

from hub import files

from . import samples

DOCS = files.UploadRule(types=("pdf", "docx", "xlsx", "pptx", "csv"), max_bytes=1024 * 1024)
LOGO = files.UploadRule(types=("png", "jpeg"), max_bytes=64 * 1024)


def test_a_pdf_is_stored_under_its_digest_outside_static(app):
    data = samples.pdf()
    stored = files.save(io.BytesIO(data), "Отчёт за 2026.pdf", DOCS)
    assert stored.sha256 == hashlib.sha256(data).hexdigest() and stored.size == len(data)
    assert (stored.type, stored.content_type, stored.name) == ("pdf", "application/pdf", "Отчёт за 2026.pdf")
    path = files.path_of(stored.sha256)
    assert path.read_bytes() == data and path.name == stored.sha256
    assert Path(app.config["DATA_DIR"]) in path.parents
    assert Path(app.static_folder) not in path.parents
    assert not [p for p in files.store_dir().iterdir() if p.name.endswith(".part")]


@pytest.mark.parametrize("data, name, expected", [
    (samples.exe(), "invoice.pdf", None),          # a program renamed to .pdf
    (samples.plain_zip(), "deck.pptx", None),      # a ZIP that is no Office document
    (samples.png(), "scan.pdf", None),             # an image where documents are asked for
    (samples.svg(), "table.csv", None),            # markup is no table, whatever the name says
    (samples.office("xlsx"), "prices.pdf", "xlsx"),  # the content decides: a spreadsheet, named so
    (samples.office("pptx"), "deck", "pptx"),
    (samples.office("docx"), "letter.docx", "docx"),
    (samples.csv(), "table.csv", "csv"),
])
def test_the_type_is_read_from_the_content_not_the_name(app, data, name, expected):
    if expected is None:
        with pytest.raises(files.UploadRefused, match="not of an accepted type"):
            files.save(io.BytesIO(data), name, DOCS)
        return
    stored = files.save(io.BytesIO(data), name, DOCS)
    assert stored.type == expected and stored.name.endswith(files.TYPES[expected].extension)
    assert stored.content_type == files.TYPES[expected].mime


def test_a_spreadsheet_named_pdf_keeps_the_name_and_gets_its_real_extension(app):
    stored = files.save(io.BytesIO(samples.office("xlsx")), "prices.pdf", DOCS)
    assert stored.name == "prices.pdf.xlsx"


def test_svg_is_refused_as_a_logo_and_png_and_jpeg_accepted(app):
    with pytest.raises(files.UploadRefused, match="PNG, JPEG"):
        files.save(io.BytesIO(samples.svg()), "logo.png", LOGO)
    assert files.save(io.BytesIO(samples.png()), "logo.png", LOGO).content_type == "image/png"
    assert files.save(io.BytesIO(samples.jpeg()), "logo.jpeg", LOGO).name == "logo.jpg"


def test_oversize_is_refused_while_reading_and_nothing_is_kept(app):
    before = set(files.store_dir().iterdir())

    class Endless(io.RawIOBase):
        """More than the limit, handed over in chunks: the store stops reading past the limit."""
        reads = 0

        def read(self, size=-1):
            self.reads += 1
            return b"%PDF-1.4\n" + b"x" * (size - 9) if self.reads == 1 else b"x" * size

    stream = Endless()
    with pytest.raises(files.UploadRefused, match="too large: at most 64 KB"):
        files.save(stream, "big.pdf", files.UploadRule(types=("pdf",), max_bytes=64 * 1024))
    assert stream.reads <= 3  # 64 KiB chunks: it stopped at the limit, never read the rest
    assert set(files.store_dir().iterdir()) == before


def test_empty_and_missing_files_are_refused(app):
    with pytest.raises(files.UploadRefused, match="empty"):
        files.save(io.BytesIO(b""), "x.pdf", DOCS)
    with pytest.raises(files.UploadRefused, match="Choose a file"):
        files.save_upload(None, DOCS)


def test_csv_must_be_utf8_text_without_nul(app):
    with pytest.raises(files.UploadRefused):
        files.save(io.BytesIO("Клиент;Сумма\n".encode("cp1251")), "t.csv", DOCS)
    with pytest.raises(files.UploadRefused):
        files.save(io.BytesIO(b"a;b\n\x00\x00"), "t.csv", DOCS)


def test_a_letter_split_across_chunks_is_still_utf8(app, monkeypatch):
    from hub.files import store
    monkeypatch.setattr(store, "CHUNK", 7)
    text = "ёжик;1\n" * 5
    assert files.save(io.BytesIO(text.encode()), "t.csv", DOCS).size == len(text.encode())


@pytest.mark.parametrize("given, expected", [
    ("../../etc/passwd", "passwd.pdf"),
    ("/etc/passwd.pdf", "passwd.pdf"),
    ("C:\\Users\\boss\\report.pdf", "report.pdf"),
    ("..\\..\\windows\\win.ini", "win.ini.pdf"),
    ("re\x00port\r\n.pdf", "report.pdf"),
    ("..", "file.pdf"),
    ("", "file.pdf"),
    ('a<b>:"c"|?*.pdf', "a_b___c____.pdf"),
    ("  отчёт  за   март .PDF ", "отчёт за март.pdf"),
])
def test_names_from_the_browser_are_made_safe(given, expected):
    assert files.safe_name(given, "pdf") == expected


def test_very_long_names_are_cut_keeping_the_extension():
    name = files.safe_name("я" * 500 + ".pdf", "pdf")
    assert len(name) == files.store.NAME_MAX and name.endswith(".pdf") and name.startswith("яяя")


def test_unique_names_within_an_owner():
    assert files.unique_name("a.pdf", ["b.pdf"]) == "a.pdf"
    assert files.unique_name("a.pdf", ["A.pdf", "a (2).pdf"]) == "a (3).pdf"


def test_path_of_accepts_only_digests(app):
    for bad in ("../secret_key", "", "abc", "0" * 63 + "/"):
        with pytest.raises(ValueError):
            files.path_of(bad)
    assert not files.exists("../hub.db")


def test_the_legacy_library_folder_is_adopted(tmp_path):
    from hub.files.store import adopt_legacy_dir
    legacy = tmp_path / "library-files"
    legacy.mkdir()
    sha = hashlib.sha256(b"x").hexdigest()
    (legacy / sha).write_bytes(b"x")
    adopt_legacy_dir(tmp_path)
    assert (tmp_path / "files" / sha).read_bytes() == b"x" and not legacy.exists()


def test_content_disposition_has_an_ascii_fallback_and_the_exact_name():
    value = files.content_disposition('отчёт "1";\r\n.pdf')
    assert "\r" not in value and "\n" not in value and '"1"' not in value
    assert value.startswith('attachment; filename="') and "filename*=UTF-8''%D0%BE%D1%82" in value
