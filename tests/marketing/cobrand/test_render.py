"""Rendering co-branded pieces: real PDFs with the organisation's name in their text and the fonts
embedded; nothing fetched from the network or the disk outside content/cobrand/; the partner's text
is escaped; only real PNG/JPEG logos within the size limit are stamped in."""
import http.server
import re
import threading

import pytest

from hub.marketing.cobrand import catalogue, render, services
from hub.marketing.cobrand.render import Stamp

from .conftest import ORG_NAME, fonts_embedded, pdf_objects, pdf_text, png, set_logo


@pytest.fixture
def recorder():
    """A tiny HTTP server on 127.0.0.1 that records every request it gets (it must get none)."""
    hits = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            hits.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "text/css")
            self.end_headers()
            self.wfile.write(b"body { background: red }")

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", hits
    finally:
        server.shutdown()
        server.server_close()


def test_the_catalogue_has_the_four_kinds(app):
    kinds = {t.kind for t in catalogue.templates().values()}
    assert kinds == {"one-pager", "brochure", "banner", "invitation"}
    brochure = catalogue.get("brochure-platform")
    assert brochure.pages == 2 and "Квант" in brochure.title_in("ru")
    assert catalogue.get("../etc") is None and catalogue.get("nope") is None


@pytest.mark.parametrize("slug", ["one-pager-crm", "brochure-platform", "email-banner-analytics",
                                  "invitation-servicedesk"])
def test_every_template_renders_a_pdf_with_the_org_stamped_in(app, w, slug):
    set_logo(w.org_a)
    contacts = {"person": "Алла Петрова", "phone": "+7 495 123-45-67", "email": "alla@alpha.test",
                "website": "alpha.example.test", "details": "12 марта, 11:00, Казань"}
    data = render.pdf(catalogue.get(slug), services.stamp_for(w.a_admin, contacts), "ru")
    assert data.startswith(b"%PDF-")
    text = " ".join(pdf_text(data).split())
    assert "Альфа Интеграция" in text
    assert "Квант" in text  # the vendor's Cyrillic text too
    if slug != "email-banner-analytics":
        assert "+7 495 123-45-67" in text
    # fonts embedded (TrueType subsets), the logo as an image
    embedded = fonts_embedded(data)
    assert embedded and any("DejaVu" in name or "Liberation" in name for name in embedded), embedded
    assert re.search(rb"/FontFile2?\b", pdf_objects(data))
    assert re.search(rb"/Subtype\s*/Image", pdf_objects(data))
    if slug == "brochure-platform":
        assert pdf_text(data).count("\f") >= 2  # two pages


def test_english_piece(app, w):
    data = render.pdf(catalogue.get("one-pager-crm"), services.stamp_for(w.a_admin, {}), "en")
    text = pdf_text(data)
    assert "All your sales in one window" in text and "Kvant CRM" in text


def test_a_template_pointing_outside_fetches_nothing(app, w, recorder, monkeypatch, tmp_path):
    base, hits = recorder
    # A template folder of our own, hostile: remote stylesheet, @import, remote and file: images.
    root = tmp_path / "cobrand"
    (root / "_shared").mkdir(parents=True)
    (root / "_shared" / "base.css").write_text(f"@import url({base}/import.css); .x {{ color: red }}")
    folder = root / "hostile"
    folder.mkdir()
    (folder / "template.yml").write_text(
        "kind: one-pager\ntitle: {ru: Т, en: T}\nsummary: {ru: С, en: S}\ntext: {ru: {}, en: {}}\n", encoding="utf-8")
    (folder / "style.css").write_text(f"body {{ background: url({base}/bg.png) }}\n"
                                      "h1 { background: url(file:///etc/passwd) }\n"
                                      "@font-face { font-family: X; src: url(" + base + "/font.ttf) }")
    (folder / "template.html").write_text(
        f'<link rel="stylesheet" href="{base}/remote.css"><img src="{base}/logo.png" alt="">'
        '<img src="file:///etc/passwd" alt=""><object data="file:///etc/passwd"></object>'
        '<iframe src="file:///etc/passwd"></iframe><embed src="file:///etc/hostname">'
        '<img src="../../../../etc/passwd" alt=""><h1>{{ partner.name }}</h1>', encoding="utf-8")
    monkeypatch.setattr(catalogue, "root", lambda: root.resolve())
    template = catalogue.get("hostile")
    assert template is not None
    fetch = render.fetcher()
    data = render.pdf_from_html(render.document(template, Stamp(name=ORG_NAME), "ru"), fetch=fetch)
    assert data.startswith(b"%PDF-")
    assert hits == []
    refused = " ".join(fetch.refused)
    assert base in refused and "file:///etc/passwd" in refused
    text = pdf_text(data)
    assert "root:" not in text and "Альфа" in text
    assert b"root:x:0:0" not in data
    assert set(fetch.served) <= {"_shared/base.css", "hostile/style.css"}


def test_a_logo_or_contact_pointing_outside_fetches_nothing(app, w, recorder):
    base, hits = recorder
    template = catalogue.get("one-pager-crm")
    for logo in (f"{base}/logo.png", "file:///etc/passwd", f"data:text/html;base64,PGgxPmhpPC9oMT4="):
        stamp = Stamp(name=ORG_NAME, logo=logo, website=f'{base}/" onerror="x', person='<img src="' + base + '/p">')
        fetch = render.fetcher([stamp.logo])
        data = render.pdf_from_html(render.document(template, stamp, "ru"), data_urls=[stamp.logo], fetch=fetch)
        assert data.startswith(b"%PDF-")
    assert hits == []
    assert b"root:x:0:0" not in data


def test_the_partners_text_is_escaped(app, w):
    stamp = Stamp(name='<script>alert(1)</script>', person='<b>bold</b>', website='"><img src=x>')
    html = str(render.fragment(catalogue.get("one-pager-crm"), stamp, "en"))
    assert "<script>" not in html and "<b>bold</b>" not in html and "<img src=x>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "&lt;b&gt;bold&lt;/b&gt;" in html
    text = pdf_text(render.pdf(catalogue.get("one-pager-crm"), stamp, "en"))
    assert "<b>bold</b>" in text  # printed as text, not markup


def test_templates_are_sandboxed(app, monkeypatch, tmp_path):
    root = tmp_path / "cobrand"
    (root / "evil").mkdir(parents=True)
    (root / "evil" / "template.yml").write_text(
        "kind: banner\ntitle: {ru: Т, en: T}\nsummary: {ru: С, en: S}\ntext: {ru: {}, en: {}}\n", encoding="utf-8")
    (root / "evil" / "template.html").write_text("{{ partner.__class__.__mro__[1].__subclasses__() }}")
    monkeypatch.setattr(catalogue, "root", lambda: root.resolve())
    from jinja2.exceptions import SecurityError
    with pytest.raises(SecurityError):
        render.document(catalogue.get("evil"), Stamp(name="x"), "en")


def test_only_real_images_within_the_limit_become_the_logo():
    assert render.logo_data_url(png()).startswith("data:image/png;base64,")
    assert render.logo_data_url(b"\xff\xd8\xff\xe0" + b"0" * 100).startswith("data:image/jpeg;base64,")
    assert render.logo_data_url(b"<svg xmlns='http://www.w3.org/2000/svg'/>") is None
    assert render.logo_data_url(b"%PDF-1.7 ...") is None
    assert render.logo_data_url(b"") is None and render.logo_data_url(None) is None
    assert render.logo_data_url(png() + b"\0" * (render.LOGO_MAX_BYTES + 1)) is None


def test_a_stored_logo_that_is_not_an_image_is_left_out(app, w):
    from hub import files
    fake = "ab" * 32
    files.path_of(fake).write_bytes(b"<html>not an image</html>")
    w.org_a.logo_sha256, w.org_a.logo_content_type = fake, "image/png"
    assert services.stamp_for(w.a_admin, {}).logo is None
