"""Co-branded material in a real browser (issue 12 point 4): a partner opens the catalogue from the
header, previews a piece with its logo and name, changes the phone and sees it in the preview, and
downloads the PDF; with JavaScript (htmx swaps the preview) and without. axe-clean on every page."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from hub.extensions import db
from hub.marketing.cobrand.models import CobrandDownload
from tests.marketing.cobrand.conftest import set_logo

from .helpers import follow_nav, log_in, snapshot

pytestmark = pytest.mark.browser


@pytest.fixture
def people(world):
    world.org_a.name = "Альфа Интеграция"
    world.org_a.website = "alpha.example.test"
    db.session.commit()
    set_logo(world.org_a)
    people = snapshot(world)
    db.session.remove()
    return people


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_preview_and_download_a_co_branded_piece(open_page, live_server, people, check_a11y, assert_clean, javascript):
    base = live_server.url
    page = open_page(javascript=javascript)
    log_in(page, base, people.a_member, check_a11y)
    follow_nav(page, "Co-branded material")
    expect(page.get_by_role("heading", name="Co-branded material", level=1)).to_be_visible()
    check_a11y(page)
    page.get_by_role("link", name="Kvant CRM one-pager").click()
    preview = page.locator("#cobrand-preview")
    expect(preview.get_by_text("Альфа Интеграция")).to_be_visible()
    expect(preview.locator("img[alt='Альфа Интеграция']")).to_be_visible()
    check_a11y(page)

    page.get_by_label("Phone").fill("+7 495 765-43-21")
    page.get_by_label("Language of the piece").select_option("en")
    page.get_by_role("button", name="Show the preview").click()
    expect(preview.get_by_text("+7 495 765-43-21")).to_be_visible()
    expect(preview.get_by_text("All your sales in one window")).to_be_visible()
    assert "phone=" in page.url  # the preview has its own address (pushed by htmx, or the form's GET)
    check_a11y(page)

    with page.expect_download(timeout=60_000) as info:  # the first PDF of a process also loads the fonts
        page.get_by_role("link", name="Download PDF").click()
    download = info.value
    assert download.suggested_filename.startswith("one-pager-crm-alpha-en") and download.suggested_filename.endswith(".pdf")
    with open(download.path(), "rb") as fh:
        assert fh.read(5) == b"%PDF-"
    assert db.session.scalar(select(func.count()).select_from(CobrandDownload)) == 1
    db.session.remove()
    assert_clean()
