"""MDF in a real browser (issue 12): a partner asks for MDF and a manager approves part of it; a partner files a claim on an approved request with a
proof file, a manager approves it and marks it paid, the partner sees the reimbursement clock;
with JavaScript and without. axe-clean on every page visited."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from hub.extensions import db
from hub.marketing.mdf import services
from hub.marketing.mdf.models import MdfRequest
from tests.marketing.mdf.conftest import PDF, values

from .helpers import log_in, snapshot

pytestmark = pytest.mark.browser


@pytest.fixture
def funded(world):
    world.org_a.tier = "silver"
    db.session.commit()
    r = services.submit(world.a_member, values(title="Partner day", planned_cost_kopecks=100_000_00,
                                               requested_kopecks=50_000_00))
    services.approve(world.manager, r.id)
    r = db.session.get(MdfRequest, r.id)
    end = services.today() - timedelta(days=1)
    r.starts_on, r.ends_on = end - timedelta(days=1), end
    db.session.commit()
    people, request_id = snapshot(world), r.id
    db.session.remove()
    return people, request_id


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_claim_with_upload_then_paid(open_page, live_server, funded, check_a11y, assert_clean, tmp_path, javascript):
    people, request_id = funded
    base = live_server.url
    proof = tmp_path / "invoice.pdf"
    proof.write_bytes(PDF)
    partner = open_page(javascript=javascript)
    log_in(partner, base, people.a_member)
    partner.goto(f"{base}/mdf/requests/{request_id}")
    expect(partner.get_by_text("Claim deadline")).to_be_visible()
    check_a11y(partner)
    partner.get_by_role("link", name="File a claim").click()
    expect(partner).to_have_url(re.compile(r"/mdf/requests/\d+/claim$"))
    check_a11y(partner)
    partner.get_by_label("Actual cost of the activity, ₽").fill("80000")
    partner.get_by_label("Amount claimed, ₽").fill("60000")        # above the approved 50 000
    partner.get_by_label("Proof file 1").set_input_files(str(proof))
    partner.get_by_role("button", name="Send the claim").click()
    expect(partner.get_by_text("The claim is above the approved amount")).to_be_visible()
    check_a11y(partner)
    partner.get_by_label("Amount claimed, ₽").fill("45000")
    partner.get_by_label("Proof file 1").set_input_files(str(proof))
    partner.get_by_role("button", name="Send the claim").click()
    expect(partner.get_by_text("Your claim is sent to the vendor's managers.")).to_be_visible()
    expect(partner.get_by_role("link", name="invoice.pdf")).to_be_visible()
    check_a11y(partner)

    manager = open_page(javascript=javascript)
    log_in(manager, base, people.manager)
    manager.goto(f"{base}/mdf/manage")
    manager.get_by_role("region", name="Claims to decide or pay").get_by_role("link", name="Partner day").click()
    expect(manager.get_by_label("Decision on the claim")).to_be_visible()
    check_a11y(manager)
    manager.get_by_label("Decision on the claim").select_option("approve")
    manager.get_by_role("button", name="Save the decision on the claim").click()
    expect(manager.get_by_text("Claim approved", exact=True)).to_be_visible()
    check_a11y(manager)
    manager.get_by_label("Payment reference (order number)").fill("PP-4521")
    manager.get_by_role("button", name="Mark paid").click()
    expect(manager.get_by_text("Marked paid.")).to_be_visible()

    partner.reload()
    expect(partner.get_by_text("PP-4521")).to_be_visible()
    expect(partner.get_by_text("Paid", exact=True).first).to_be_visible()
    partner.goto(f"{base}/mdf/roi")
    expect(partner.get_by_role("heading", name="MDF results")).to_be_visible()
    check_a11y(partner)
    assert_clean()


@pytest.fixture
def silver(world):
    world.org_a.tier = "silver"
    db.session.commit()
    people = snapshot(world)
    db.session.remove()
    return people


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_request_then_partial_approval_then_the_claim_opens(open_page, live_server, silver, check_a11y, assert_clean,
                                                           javascript):
    """The first leg of request -> claim -> paid: a partner asks for MDF (dates out of order are refused next
    to the field, nothing saved), a manager approves part of it, the partner sees the approved amount and,
    once the activity is over, the way to the claim that test_claim_with_upload_then_paid follows."""
    base = live_server.url
    start = services.today() + timedelta(days=10)
    partner = open_page(javascript=javascript)
    log_in(partner, base, silver.a_member)
    partner.goto(f"{base}/mdf/")
    check_a11y(partner)
    partner.get_by_role("link", name="Request MDF").click()
    expect(partner.get_by_role("button", name="Send the request")).to_be_visible()
    check_a11y(partner)
    partner.get_by_label("Activity type").select_option("webinar")
    partner.get_by_label("Title").fill("Retail webinar")
    partner.get_by_label("Starts on").fill(start.isoformat())
    partner.get_by_label("Ends on").fill((start - timedelta(days=2)).isoformat())
    partner.get_by_label("Planned cost, ₽").fill("80000")
    partner.get_by_label("Vendor share, %").fill("50")
    partner.get_by_label("Requested amount, ₽").fill("40000")
    partner.get_by_role("button", name="Send the request").click()
    expect(partner.locator("#ends_on-error")).to_be_visible()
    check_a11y(partner)
    assert db.session.query(MdfRequest).count() == 0
    db.session.remove()   # end the read: the next one must see what the live server commits
    partner.get_by_label("Ends on").fill(start.isoformat())
    partner.get_by_role("button", name="Send the request").click()
    expect(partner.get_by_text("Your request is sent to the vendor's managers.")).to_be_visible()
    check_a11y(partner)
    request_id = db.session.query(MdfRequest.id).scalar()
    db.session.remove()

    manager = open_page(javascript=javascript)
    log_in(manager, base, silver.manager)
    manager.goto(f"{base}/mdf/manage")
    manager.get_by_role("link", name="Retail webinar").first.click()
    expect(manager.get_by_label("Decision", exact=True)).to_be_visible()
    check_a11y(manager)
    manager.get_by_label("Decision", exact=True).select_option("partial")
    manager.get_by_label("Approved amount, ₽ (for a partial approval)").fill("30000")
    manager.get_by_role("button", name="Save the decision").click()
    expect(manager.get_by_text("Decision saved.")).to_be_visible()
    check_a11y(manager)

    partner.goto(f"{base}/mdf/requests/{request_id}")
    expect(partner.get_by_text("30,000")).to_be_visible()
    expect(partner.get_by_text("You can claim after the activity")).to_be_visible()
    r = db.session.get(MdfRequest, request_id)
    r.starts_on = r.ends_on = services.today() - timedelta(days=1)   # the webinar took place
    db.session.commit()
    db.session.remove()
    partner.reload()
    expect(partner.get_by_role("link", name="File a claim")).to_be_visible()
    check_a11y(partner)
    assert_clean()
