import io
import re
import shutil
import struct
import subprocess
import zlib
from datetime import timedelta

import pytest

from hub import files
from hub.accounts import profile
from hub.database import utcnow
from hub.extensions import db
from tests import factories
from tests.helpers import _english_browser, url  # noqa: F401 (autouse fixture, re-exported helper)

ORG_NAME = "ООО «Альфа Интеграция»"


def png(width: int = 8, height: int = 8, rgb=(200, 30, 30)) -> bytes:
    """A real PNG of one colour, made by hand (no imaging library in the lock for tests)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    row = b"\x00" + bytes(rgb) * width
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(row * height)) + chunk(b"IEND", b""))


def set_logo(org, data: bytes | None = None) -> None:
    stored = files.save(io.BytesIO(data or png()), "logo.png", profile.LOGO)
    org.logo_sha256, org.logo_content_type = stored.sha256, stored.content_type
    db.session.commit()


def pdf_text(data: bytes) -> str:
    """The text of a PDF: pdftotext (poppler-utils, installed by `make system-test-deps`)."""
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    done = subprocess.run(["pdftotext", "-enc", "UTF-8", "-", "-"], input=data, capture_output=True, check=True,
                          timeout=60)
    return done.stdout.decode("utf-8")


def request_form(**kw):
    out = {"template": "one-pager-crm", "description": "With our bank partner's logo too",
           "deadline": (utcnow().date() + timedelta(days=7)).isoformat(), "notes": "Cyrillic, brand colours"}
    out.update(kw)
    return out


@pytest.fixture
def w(app):
    world = factories.world()
    world.org_a.name = ORG_NAME
    world.org_a.website = "alpha.example.test"
    world.manager2 = factories.create_user(world.vendor, "manager", "manager2@example.test", name="Mikhail")
    db.session.commit()
    return world


def pdf_objects(data: bytes) -> bytes:
    """The PDF's bytes with every Flate stream inflated (WeasyPrint packs objects into compressed
    object streams, so the font dictionaries are only readable after inflating)."""
    out = [data]
    for match in re.finditer(rb"stream\r?\n", data):
        start = match.end()
        try:
            out.append(zlib.decompressobj().decompress(data[start:start + 5_000_000]))
        except zlib.error:
            continue
    return b"\n".join(out)


def fonts_embedded(data: bytes) -> list[str]:
    """The fonts pdffonts lists with emb=yes (or, without poppler-utils, the FontFile entries)."""
    if shutil.which("pdffonts"):
        done = subprocess.run(["pdffonts", "-"], input=data, capture_output=True, check=True, timeout=60)
        lines = done.stdout.decode("utf-8", "replace").splitlines()[2:]
        return [line.split()[0] for line in lines if line.split() and re.search(r"\byes\s+(yes|no)\s+(yes|no)\s+\d+", line)]
    return [m.decode() for m in re.findall(rb"/FontName\s*/([A-Za-z0-9+_-]+)[^>]*?/FontFile2?", pdf_objects(data))]
