"""D10 (issue 12 point 5): a referral partner's fee per the rules reaches its commission statement when
the recommended customer buys - through the durable `referral_won` event, once per referral - and is
listed and totalled apart from the sales deals' commissions. Nobody else sees it."""
from datetime import datetime, timezone

import pytest
from sqlalchemy import func, select

from hub import signals
from hub.domain_events import outbox
from hub.extensions import db
from hub.marketing.leads import referrals
from hub.marketing.leads.models import ReferralFee
from hub.rewards import commissions
from hub.rewards.models import RULE_REFERRAL, CommissionLine
from tests import factories
from tests.marketing.leads.conftest import w  # noqa: F401 (fixture)
from tests.marketing.leads.test_referrals import referral_data

from .conftest import win


def referral_lines(org_id=None):
    query = select(CommissionLine).where(CommissionLine.rule == RULE_REFERRAL)
    if org_id is not None:
        query = query.where(CommissionLine.organisation_id == org_id)
    return list(db.session.scalars(query.order_by(CommissionLine.id)))


def won_referral(w, amount=540_000_00):
    referral = referrals.submit_referral(w.ref_member, referral_data(consent=True))
    referrals.qualify(w.manager, referral.id, "won", amount)
    return referral


@pytest.fixture
def ref_admin(w):
    user = factories.create_user(w.ref_org, "partner_admin", "admin@gamma.test", name="Galina Gamma")
    db.session.commit()
    return user


def test_the_fee_becomes_a_statement_line_equal_to_the_leads_fee(w):
    referral = won_referral(w)
    [line] = referral_lines()
    fee = db.session.scalar(select(ReferralFee))
    assert (line.organisation_id, line.source_key, line.deal_id, line.status) == (
        w.ref_org.id, f"referral:{referral.id}", None, "owed")
    assert line.amount_kopecks == fee.amount_kopecks == 27_000_00  # 5 % of 540 000 ₽ (the default rule)
    assert (line.base_kopecks, str(line.percent.normalize())) == (540_000_00, "5")


def test_delivered_twice_the_fee_is_written_once(w):
    referral = won_referral(w)
    event_type = signals.referral_won
    payload = dict(referral_id=referral.id, organisation_id=w.ref_org.id, amount_kopecks=540_000_00,
                   won_at=datetime(2026, 4, 15, 9, 0, tzinfo=timezone.utc), actor_id=None,
                   fee_kopecks=27_000_00, fee_basis="5%")
    listener = outbox.LISTENERS["rewards.referral_fee"].func
    listener(outbox.Event(id=0, type=event_type, occurred_at=payload["won_at"], payload=payload))
    db.session.commit()
    event_type.emit(**payload)  # the same referral's event emitted again
    db.session.commit()
    assert len(referral_lines()) == 1
    assert db.session.scalar(select(func.count()).select_from(ReferralFee)) == 1


def test_an_old_event_without_the_fee_is_priced_from_the_rules(w):
    payload = dict(referral_id=999, organisation_id=w.ref_org.id, amount_kopecks=100_000_01,
                   won_at=datetime(2026, 4, 15, 9, 0, tzinfo=timezone.utc), actor_id=None)
    outbox.LISTENERS["rewards.referral_fee"].func(outbox.Event(
        id=0, type=signals.referral_won, occurred_at=payload["won_at"],
        payload={**payload, "fee_kopecks": None, "fee_basis": None}))
    db.session.commit()
    [line] = referral_lines()
    assert line.amount_kopecks == 5_000_00  # 5 % of 100 000,01 ₽ = 5 000,0005 ₽ -> 5 000,00 ₽


def test_the_statement_lists_fees_apart_from_sales_commissions(w, ref_admin, client, login):
    win(w.ref_org, amount=1_000_000_00)  # a sales deal too: its commission and SPIFF are the sales lines
    won_referral(w)
    report = commissions.statement(w.ref_org)
    assert {l.rule for l in report.lines} == {"commission", "spiff"}
    assert [l.rule for l in report.referral_lines] == [RULE_REFERRAL]
    assert report.referral_totals["owed"] == 27_000_00
    assert report.totals["owed"] == sum(l.amount_kopecks for l in report.lines)  # never summed with the fees
    assert commissions.totals_for(w.ref_org.id)["owed"] == report.totals["owed"]
    login(ref_admin)
    page = client.get(f"/rewards/organisations/{w.ref_org.id}/statement").get_data(as_text=True).replace("\u00a0", " ")
    assert "Referral fees" in page and "they are listed and totalled apart" in page
    assert "Referral fee 5 % of" in page and "the recommended customer bought for" in page
    csv = client.get(f"/rewards/organisations/{w.ref_org.id}/statement.csv").get_data(as_text=True)
    assert "Referral fee: recommended customer" in csv
    # the manager settles it like any line
    login(w.manager)
    [line] = referral_lines()
    overview = client.get("/rewards/").get_data(as_text=True)
    assert "Referral fees to pay" in overview
    assert client.post(f"/rewards/organisations/{w.ref_org.id}/statement/lines",
                       data={"line_id": line.id, "action": "approved"}).status_code in (302, 303)
    db.session.expire_all()
    assert db.session.get(CommissionLine, line.id).status == "approved"


def test_another_organisation_sees_no_trace_of_the_fee(w, client, login):
    won_referral(w)
    login(w.a_admin)
    assert client.get(f"/rewards/organisations/{w.ref_org.id}/statement").status_code == 404
    own = client.get(f"/rewards/organisations/{w.org_a.id}/statement").get_data(as_text=True)
    assert "Referral fee" not in own and "27,000" not in own.replace("\u00a0", ",")
    assert client.get(f"/rewards/organisations/{w.ref_org.id}/statement.csv").status_code == 404
    [line] = referral_lines()
    assert client.post(f"/rewards/organisations/{w.ref_org.id}/statement/lines",
                       data={"line_id": line.id, "action": "approved"}).status_code in (403, 404)
    db.session.expire_all()
    assert db.session.get(CommissionLine, line.id).status == "owed"


def test_a_fixed_fee_by_tier_reads_as_such(w):
    at = datetime(2026, 4, 15, 9, 0, tzinfo=timezone.utc)
    assert commissions.line_for_referral(5, w.ref_org.id, 300_000_00, 15_000_00, "fixed:silver", at)
    assert not commissions.line_for_referral(5, w.ref_org.id, 300_000_00, 15_000_00, "fixed:silver", at)
    db.session.commit()
    [line] = referral_lines()
    assert (line.amount_kopecks, line.percent, line.tier) == (15_000_00, None, "silver")
    from flask_babel import force_locale
    with force_locale("en"):
        assert commissions.rule_label(line) == "Referral fee fixed for tier Silver"


def test_the_fee_is_paid_once_on_the_statement_and_the_leads_pages_follow(w, client, login):
    """One place pays: approving and paying the line on the statement marks the referral's fee paid
    for the leads pages and the referral report too (commission_line_paid); the leads page offers no
    second "mark paid", only the way to the statement."""
    from hub.database import write_intent
    referral = won_referral(w)
    [line] = referral_lines()
    login(w.manager)
    page = client.get(f"/leads/referrals/{referral.id}").get_data(as_text=True)
    assert "Mark the fee paid" not in page
    assert f'href="/rewards/organisations/{w.ref_org.id}/statement"' in page
    for action in ("approved", "paid"):
        with write_intent():
            commissions.set_status([line.id], action, w.manager, w.ref_org.id)
            db.session.commit()
    db.session.expire_all()
    fee = db.session.scalar(select(ReferralFee))
    assert fee.status == "paid" and fee.paid_at is not None
    assert db.session.get(CommissionLine, line.id).status == "paid"
    [row] = referrals.referral_report()
    assert (row.owed_kopecks, row.paid_kopecks) == (0, 27_000_00)
    # A second delivery of the payment changes nothing.
    listener = outbox.LISTENERS["leads.referral_fee_paid"].func
    payload = dict(line_id=line.id, organisation_id=w.ref_org.id, source_key=f"referral:{referral.id}",
                   amount_kopecks=27_000_00, paid_at=datetime(2030, 1, 1, tzinfo=timezone.utc), actor_id=None)
    listener(outbox.Event(id=0, type=signals.commission_line_paid, occurred_at=payload["paid_at"], payload=payload))
    db.session.expire_all()
    assert db.session.scalar(select(ReferralFee)).paid_at != payload["paid_at"]
    # A sales line's payment is none of leads' business.
    assert referrals.fee_paid_on_statement(referral.id + 999, payload["paid_at"]) is False
