"""The organisation profile in a real browser: a partner admin uploads the logo through the boosted
(htmx) form and sees it on the organisation page; long unbroken text stays inside a 390 px phone
screen (a certificate's verification link, a deal's customer name)."""
from __future__ import annotations

import secrets
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from hub.academy.models import Certificate
from hub.database import utcnow
from hub.deals import services as deals
from hub.extensions import db
from tests.files import samples

from .helpers import log_in, snapshot

pytestmark = pytest.mark.browser

NO_HSCROLL = "() => document.scrollingElement.scrollWidth <= window.innerWidth"


@pytest.mark.parametrize("javascript", [True, False])
def test_partner_admin_fills_the_profile_with_a_logo(open_page, live_server, world, tmp_path, check_a11y,
                                                      assert_clean, javascript):
    people = snapshot(world)
    db.session.remove()
    logo = tmp_path / "logo.png"
    logo.write_bytes(samples.png(8, 8))
    page = open_page(javascript=javascript)
    log_in(page, live_server.url, people.a_admin)
    page.goto(live_server.url + f"/organisations/{people.org_a.id}")
    expect(page.get_by_text("To complete the profile, add")).to_be_visible()
    page.get_by_role("link", name="Edit the profile").click()
    expect(page.get_by_role("heading", name="Profile of Alpha Integration")).to_be_visible()
    check_a11y(page)
    page.get_by_label("Website").fill("alpha.example")
    page.get_by_label("About the company").fill("Integrator in the Volga region.")
    for label in ("Implementation", "Retail", "Volga", "Kvant CRM", "Russian"):
        page.get_by_label(label, exact=True).check()
    page.get_by_label("Logo", exact=True).set_input_files(str(logo))
    page.get_by_role("button", name="Save the profile").click()
    expect(page.get_by_text("The organisation profile has been saved.")).to_be_visible()
    expect(page.get_by_role("heading", name="Alpha Integration")).to_be_visible()
    expect(page.get_by_text("To complete the profile, add")).to_have_count(0)
    image = page.get_by_role("img", name="Logo of Alpha Integration")
    expect(image).to_be_visible()
    if javascript:
        # Visible is not yet decoded: wait until the browser has loaded the image, then check its size.
        page.wait_for_function("() => { const i = document.querySelector('img.org-logo');"
                               " return i && i.complete; }")
        assert page.evaluate("() => document.querySelector('img.org-logo').naturalWidth") == 8
    expect(page.locator("dl.facts")).to_contain_text("https://alpha.example")
    check_a11y(page)
    assert_clean()


def test_a_refused_logo_is_said_next_to_the_field(open_page, live_server, world, tmp_path, check_a11y, assert_clean):
    people = snapshot(world)
    db.session.remove()
    fake = tmp_path / "logo.png"
    fake.write_bytes(samples.svg())
    page = open_page()
    log_in(page, live_server.url, people.a_admin)
    page.goto(live_server.url + f"/organisations/{people.org_a.id}/profile")
    page.get_by_label("Website").fill("alpha.example")
    page.get_by_label("Logo", exact=True).set_input_files(str(fake))
    page.get_by_role("button", name="Save the profile").click()
    expect(page.locator("#logo-error")).to_contain_text("not of an accepted type (accepted: PNG, JPEG)")
    expect(page.get_by_label("Website")).to_have_value("https://alpha.example")
    check_a11y(page)
    assert_clean()


def test_long_unbroken_text_stays_on_a_phone_screen(open_page, live_server, world, check_a11y, assert_clean):
    people = snapshot(world)
    cert = Certificate(user_id=world.a_member.id, organisation_id=world.org_a.id, track_slug="sales",
                       code=secrets.token_hex(16), salt="s", recipient_email=world.a_member.email,
                       expires_at=utcnow() + timedelta(days=365))
    db.session.add(cert)
    db.session.commit()
    deal = deals.register_deal(world.a_member, deals.DealInput(
        customer_name="ООО«Сверхдлинноеназваниекомпаниибезединогопробелаинтеграцияавтоматизация»",
        domain="a-very-long-domain-name-for-a-customer-without-any-break.example", contact_name="Olga",
        product="crm", amount_kopecks=100_000_00, expected_close_date=deals.program_today() + timedelta(days=30),
        region="moscow", notes="x" * 300))
    cert_id, deal_id = cert.id, deal.id
    db.session.remove()
    page = open_page(viewport={"width": 390, "height": 844})
    log_in(page, live_server.url, people.a_member)
    for path in (f"/academy/certificates/{cert_id}", f"/deals/{deal_id}"):
        page.goto(live_server.url + path)
        assert page.evaluate(NO_HSCROLL), (path, page.evaluate(
            "() => [document.scrollingElement.scrollWidth, window.innerWidth]"))
    # the verification link stays inside the certificate's frame
    page.goto(live_server.url + f"/academy/certificates/{cert_id}")
    inside = page.evaluate("""() => { const frame = document.querySelector('.academy-certificate').getBoundingClientRect();
        const link = document.querySelector('.academy-certificate dd a').getBoundingClientRect();
        return link.left >= frame.left && link.right <= frame.right; }""")
    assert inside
    check_a11y(page)
    assert_clean()
