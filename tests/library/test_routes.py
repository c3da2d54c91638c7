"""Library pages: search page plain and with htmx, item pages, downloads, tier gating (404),
manager create/edit with validation and preview, usage counting, the ROI calculator."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from hub import signals
from hub.extensions import db
from hub.library.models import LibraryItem, LibraryUsage

from tests.helpers import listening

from .conftest import url

pytestmark = pytest.mark.usefixtures("library")
HX = {"HX-Request": "true", "HX-Target": "library-results"}


@pytest.fixture
def partner(world, login, client):
    login(world.a_member)
    return world.a_member


def test_search_page_plain_and_htmx(client, partner):
    page = client.get(url("library.index", q="окупаемость"))
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "<html" in html and 'id="library-q"' in html
    assert "Kvant CRM payback calculator for customers" in html  # the English title (locale en)
    assert "<mark" in html
    fragment = client.get(url("library.index", q="окупаемость"), headers=HX)
    body = fragment.get_data(as_text=True)
    assert fragment.status_code == 200 and "<html" not in body and 'id="library-results"' in body
    assert "Kvant CRM payback calculator for customers" in body
    assert "HX-Request" in fragment.headers.get("Vary", "")


def test_filters_are_links_with_counts(client, partner):
    html = client.get(url("library.index")).get_data(as_text=True)
    assert "28 items" in html  # a Bronze partner sees the 28 Bronze items only
    assert url("library.index", industry="retail") in html.replace("&amp;", "&")
    html = client.get(url("library.index", kind="battlecard")).get_data(as_text=True)
    assert 'aria-current="true"' in html


def test_typo_shows_the_corrected_query(client, partner):
    html = client.get(url("library.index", q="paybak")).get_data(as_text=True)
    assert "Showing results for “payback”" in html


def test_pagination_links(client, partner):
    html = client.get(url("library.index")).get_data(as_text=True)
    assert "Page 1 of 2" in html
    html = client.get(url("library.index", page=2)).get_data(as_text=True)
    assert "Page 2 of 2" in html


def test_item_page_and_download(client, partner):
    page = client.get(url("library.show", slug="crm-roi-payback-calculator"))
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Kvant CRM payback calculator for customers" in html
    assert url("library.roi") in html and url("program.calculator") in html
    response = client.get(url("library.download", slug="crm-roi-payback-calculator", name="kvant-crm-roi-calculator.xlsx"))
    assert response.status_code == 200
    assert response.headers["Content-Type"] == \
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response.headers["Content-Disposition"] == (
        "attachment; filename=\"kvant-crm-roi-calculator.xlsx\"; filename*=UTF-8''kvant-crm-roi-calculator.xlsx")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.data[:2] == b"PK"
    response.close()
    csv = client.get(url("library.download", slug="battlecard-crm-vs-1c-crm", name="crm-vs-1c-crm-matrix.csv"))
    assert csv.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert csv.data.startswith("\ufeff".encode())
    csv.close()


def test_content_disposition_is_safe():
    from hub.files import content_disposition
    value = content_disposition('отчёт "1";\r\n.pdf')
    assert "\r" not in value and "\n" not in value
    assert value.startswith('attachment; filename="') and "filename*=UTF-8''" in value
    assert '"1"' not in value


@pytest.mark.parametrize("slug, name", [
    ("deal-desk-special-pricing", "kvant-deal-desk-request.xlsx"),
    ("roadmap-2027-deck", None),
])
def test_items_above_the_tier_are_not_found(client, partner, slug, name):
    assert client.get(url("library.show", slug=slug)).status_code == 404
    if name:
        assert client.get(url("library.download", slug=slug, name=name)).status_code == 404
    html = client.get(url("library.index", q="deal desk")).get_data(as_text=True)
    assert "Deal desk: special pricing" not in html


def test_higher_tier_and_vendor_see_gated_items(client, world, login):
    world.org_a.tier = "platinum"
    db.session.commit()
    login(world.a_member)
    assert client.get(url("library.show", slug="deal-desk-special-pricing")).status_code == 200
    login(world.manager)
    assert client.get(url("library.show", slug="deal-desk-special-pricing")).status_code == 200


def test_unknown_file_and_item_404(client, partner):
    assert client.get(url("library.show", slug="no-such-item")).status_code == 404
    assert client.get(url("library.download", slug="crm-roi-payback-calculator", name="x.pdf")).status_code == 404
    assert client.get(url("library.download", slug="crm-roi-payback-calculator", name="../item.yml")).status_code == 404


def test_login_required(client):
    response = client.get(url("library.index"))
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_usage_counted_per_org_with_signal(client, world, partner):
    with listening("tests.library_used", signals.library_item_used) as seen:
        client.get(url("library.show", slug="crm-roi-payback-calculator"))
        client.get(url("library.show", slug="crm-roi-payback-calculator"))
        client.get(url("library.download", slug="crm-roi-payback-calculator",
                       name="kvant-crm-roi-calculator.xlsx")).close()
    usage = db.session.scalar(select(LibraryUsage))
    assert (usage.organisation_id, usage.views, usage.downloads) == (world.org_a.id, 2, 1)
    assert [(e.item_slug, e.action, e.user_id, e.organisation_id, e.file_name) for e in seen] == [
        ("crm-roi-payback-calculator", "view", world.a_member.id, world.org_a.id, None)] * 2 + [
        ("crm-roi-payback-calculator", "download", world.a_member.id, world.org_a.id, "kvant-crm-roi-calculator.xlsx")]


def test_manager_usage_report(client, world, login):
    login(world.a_member)
    client.get(url("library.show", slug="crm-roi-payback-calculator"))
    assert client.get(url("library.usage")).status_code == 403
    login(world.manager)
    html = client.get(url("library.usage")).get_data(as_text=True)
    most = html.split("Most used")[1].split("Least used")[0]
    assert "Kvant CRM payback calculator for customers" in most.split("</tr>")[1]


def test_search_page_query_count_is_bounded(client, partner, count_queries):
    client.get(url("library.index"))
    with count_queries() as few:
        client.get(url("library.index", q="crm"))
    with count_queries() as many:
        client.get(url("library.index", q="", page=1))
    assert few.count <= 6 and many.count <= 6


# --- managers ----------------------------------------------------------------------------------------

def form_data(**overrides):
    data = {"slug": "retail-loyalty-demo", "kind": "demo_kit", "min_tier": "silver",
            "title_ru": "Демо лояльности", "title_en": "Loyalty demo", "summary_ru": "Кратко.",
            "summary_en": "Briefly.", "body_ru": "## Шаги\n\nКвазарный сценарий.", "body_en": "## Steps\n\nQuasar story.",
            "industry": ["retail"], "partner_type": ["integrator"], "product": ["crm"], "language": ["ru", "en"],
            "published": "2026-02-01"}
    data.update(overrides)
    return data


def test_partners_cannot_create_or_edit(client, partner):
    assert client.get(url("library.new")).status_code == 403
    assert client.post(url("library.new"), data=form_data()).status_code == 403
    assert client.get(url("library.edit", slug="crm-roi-payback-calculator")).status_code == 403
    assert client.post(url("library.preview", lang="ru"), data={"body_ru": "x"}).status_code == 403
    assert db.session.scalar(select(func.count()).select_from(LibraryItem)) == 46


@pytest.mark.parametrize("htmx", [False, True])
def test_manager_creates_an_item_and_search_finds_it(client, world, login, htmx):
    login(world.manager)
    assert client.get(url("library.new")).status_code == 200
    headers = {"HX-Request": "true"} if htmx else {}
    response = client.post(url("library.new"), data=form_data(), headers=headers)
    target = url("library.show", slug="retail-loyalty-demo")
    if htmx:
        assert response.status_code == 200 and response.headers["HX-Location"] == target
    else:
        assert response.status_code == 303 and response.headers["Location"].endswith(target)
    item = db.session.scalar(select(LibraryItem).where(LibraryItem.slug == "retail-loyalty-demo"))
    assert item.tier_rank == 1 and item.source == "hub"
    html = client.get(url("library.index", q="квазарный")).get_data(as_text=True)
    assert "Loyalty demo" in html


@pytest.mark.parametrize("overrides, field, message", [
    ({"slug": "Bad Slug"}, "slug", "Use lower-case Latin letters"),
    ({"slug": "crm-roi-payback-calculator"}, "slug", "Another item already has this address."),
    ({"title_en": ""}, "title_en", "This field is required."),
    ({"industry": ["any", "retail"]}, "industry", "is not combined with other industries"),
    ({"product": []}, "product", "Choose at least one."),
    ({"published": "2099-01-01"}, "published", "cannot be in the future"),
    # Beyond the hub's date window the generic message comes first (and no rule computes with it).
    ({"published": "2999-01-01"}, "published", "Enter a date between"),
])
def test_create_validation(client, world, login, overrides, field, message):
    login(world.manager)
    response = client.post(url("library.new"), data=form_data(**overrides))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert f'id="{field}-error"' in html and message in html
    assert db.session.scalar(select(func.count()).select_from(LibraryItem)) == 46


def test_manager_edits_an_item(client, world, login):
    login(world.manager)
    page = client.get(url("library.edit", slug="crm-roi-payback-calculator"))
    assert page.status_code == 200 and "Kvant CRM payback calculator" in page.get_data(as_text=True)
    response = client.post(url("library.edit", slug="crm-roi-payback-calculator"),
                           data=form_data(slug="crm-roi-payback-calculator", title_en="Payback worksheet v2"))
    assert response.status_code == 303
    html = client.get(url("library.index", q="worksheet")).get_data(as_text=True)
    assert "Payback <mark" in html and "worksheet</mark> v2" in html


def test_preview_is_sanitised(client, world, login):
    login(world.manager)
    response = client.post(url("library.preview", lang="en"), headers={"HX-Request": "true"},
                           data={"body_en": "**bold** <script>alert(1)</script> [x](javascript:alert(1))"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<strong>bold</strong>" in html and "<script" not in html and "javascript:" not in html


# --- calculator -----------------------------------------------------------------------------------------

def test_roi_calculator_plain_htmx_and_invalid(client, partner):
    page = client.get(url("library.roi"))
    assert page.status_code == 200 and "Payback" in page.get_data(as_text=True)
    args = {"licences": "50", "price": "36 000", "implementation": "900000", "savings": "320000"}
    full = client.get(url("library.roi", **args)).get_data(as_text=True)
    assert "Payback: 8.5 months" in full  # (1 800 000 + 900 000) / 320 000 = 8.44 -> 8.5
    fragment = client.get(url("library.roi", **args), headers={"HX-Request": "true", "HX-Target": "roi-result"})
    body = fragment.get_data(as_text=True)
    assert "<html" not in body and "Payback: 8.5 months" in body
    bad = client.get(url("library.roi", licences="0", price="abc", implementation="", savings="1"),
                     headers={"HX-Request": "true", "HX-Target": "roi-result"})
    assert bad.status_code == 422
    text = bad.get_data(as_text=True)
    assert 'id="licences-error"' in text and "Enter a number from 1 to" in text
    assert "Enter an amount in roubles" in text
