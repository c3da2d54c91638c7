"""Referrals partner -> vendor (D10): a short form with the contact's consent, managers qualify
them, a won referral earns the fee per the rules through the durable `referral_won` event (its
listener writes the fee once), shown on the referral partner's own statement; reported apart."""
import pytest
from sqlalchemy import func, select

from hub.domain_events.models import EventDelivery
from hub.extensions import db
from hub.marketing.leads import referrals
from hub.marketing.leads.models import CONTACTED, LOST, NEW, OWED, PAID, WON, Referral, ReferralFee
from tests.helpers import events

from .conftest import INN


def referral_data(**kw):
    out = {"company": "Bakery on Sadovaya LLC", "inn": INN, "contact_name": "Maria", "contact_email": "maria@bakery.test",
           "contact_phone": "", "need": "A CRM for two shops", "consent": "y"}
    out.update(kw)
    return out


def test_referral_partner_recommends_and_earns_the_fee(w, client, login):
    login(w.ref_member)
    assert "Recommend a customer" in client.get("/leads/").get_data(as_text=True)
    response = client.post("/leads/recommend", data=referral_data())
    assert response.status_code == 303
    referral = db.session.scalar(select(Referral))
    assert (referral.status, referral.organisation_id, referral.company) == (NEW, w.ref_org.id, "Bakery on Sadovaya LLC")
    assert referral.consent_at is not None
    login(w.manager)
    assert "Bakery on Sadovaya LLC" in client.get("/leads/referrals/manage").get_data(as_text=True)
    assert client.post(f"/leads/referrals/{referral.id}", data={"status": CONTACTED}).status_code == 303
    response = client.post(f"/leads/referrals/{referral.id}", data={"status": WON, "amount": "540000"})
    assert response.status_code == 303
    won = [p for _n, p in events("referral_won")]
    assert won == [won[0]] and won[0]["amount_kopecks"] == 540_000_00
    fee = db.session.scalar(select(ReferralFee))
    assert (fee.referral_id, fee.organisation_id, fee.amount_kopecks, fee.status) == (
        referral.id, w.ref_org.id, 27_000_00, OWED)  # 5 % by default
    login(w.ref_member)
    page = client.get("/leads/referrals").get_data(as_text=True)
    assert "27,000" in page.replace("\u00a0", " ").replace(" ", ",") or "27 000" in page.replace("\u00a0", " ")
    # Paid on the statement, like every payout (tests/rewards/test_referral_fee.py): one line, approved then paid.
    login(w.manager)
    from hub.rewards.models import CommissionLine
    line = db.session.scalar(select(CommissionLine).where(CommissionLine.source_key == f"referral:{referral.id}"))
    for action in ("approved", "paid"):
        response = client.post(f"/rewards/organisations/{w.ref_org.id}/statement/lines",
                               data={"line_id": str(line.id), "action": action})
        assert response.status_code == 303
    db.session.expire_all()
    assert referrals.fee_totals(w.ref_org.id) == {OWED: 0, PAID: 27_000_00}
    assert client.post(f"/leads/fees/{fee.id}/paid").status_code == 404   # no second place to pay it


def test_the_fee_listener_is_idempotent(w):
    referral = referrals.submit_referral(w.ref_member, referral_data(consent=True))
    referrals.qualify(w.manager, referral.id, WON, 100_000_00)
    assert referrals.record_fee(referral.id, w.ref_org.id, 100_000_00, referral.updated_at) is False
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(ReferralFee)) == 1
    delivery = db.session.scalar(select(EventDelivery).where(EventDelivery.listener == "leads.referral_fee"))
    assert delivery.status == "done"


def test_fixed_fee_by_tier_or_percent_half_up():
    from hub.marketing.leads.rules import LeadRules
    fixed = LeadRules.model_validate({"referral_fee": "fixed", "referral_fee_rub": {"silver": 15000}})
    assert fixed.fee(100_000_00, "silver") == (15_000_00, "fixed:silver")
    assert fixed.fee(100_000_00, "gold") == (0, "fixed:gold")
    percent = LeadRules.model_validate({"referral_fee_percent": 2.5})
    assert percent.fee(100_000_02, "silver") == (2_500_00, "2.5%")  # 2 500 000.05 kopecks, half up
    assert LeadRules.model_validate({}).fee(101, None)[0] == 5
    with pytest.raises(ValueError):
        LeadRules.model_validate({"referral_fee_percent": 150})
    with pytest.raises(ValueError):
        LeadRules.model_validate({"accept_hours": 0})


@pytest.mark.parametrize("field, value, message", [
    ("consent", None, "Confirm that the contact agreed to be contacted."),
    ("inn", "1234567890", "This INN is not valid"),
    ("company", "\x00", "cannot be stored"),
    ("need", "y" * 5000, "characters"),
    ("contact_email", "", "Give the contact&#39;s e-mail or phone"),
])
def test_bad_referral_saves_nothing(w, client, login, field, value, message):
    login(w.ref_member)
    data = referral_data(**{field: value})
    if value is None:
        data.pop(field)
    response = client.post("/leads/recommend", data=data)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Referral)) == 0


def test_only_referral_partners_recommend(w, client, login):
    login(w.a_admin)
    assert client.get("/leads/recommend").status_code == 404
    assert client.post("/leads/recommend", data=referral_data()).status_code == 404
    assert db.session.scalar(select(func.count()).select_from(Referral)) == 0


def test_qualifying_rules(w, client, login):
    referral = referrals.submit_referral(w.ref_member, referral_data(consent=True))
    login(w.manager)
    response = client.post(f"/leads/referrals/{referral.id}", data={"status": WON})
    assert response.status_code == 422 and "Enter the amount the customer bought for." in response.get_data(as_text=True)
    assert client.post(f"/leads/referrals/{referral.id}", data={"status": "bogus"}).status_code == 422
    assert client.post(f"/leads/referrals/{referral.id}", data={"status": WON, "amount": "-1"}).status_code == 422
    assert client.post(f"/leads/referrals/{referral.id}", data={"status": LOST}).status_code == 303
    response = client.post(f"/leads/referrals/{referral.id}", data={"status": WON, "amount": "100000"})
    assert response.status_code == 409 and "already closed" in response.get_data(as_text=True)
    assert not events("referral_won")
    assert db.session.scalar(select(func.count()).select_from(ReferralFee)) == 0


def test_referrals_are_private_to_their_organisation(w, client, login):
    referral = referrals.submit_referral(w.ref_member, referral_data(consent=True))
    for user in (w.a_admin, w.b_member):
        login(user)
        assert client.get(f"/leads/referrals/{referral.id}").status_code == 404
        assert "Bakery" not in client.get("/leads/referrals").get_data(as_text=True)
    login(w.ref_member)
    assert client.get(f"/leads/referrals/{referral.id}").status_code == 200
    # a partner cannot qualify its own referral
    client.post(f"/leads/referrals/{referral.id}", data={"status": WON, "amount": "100000"})
    db.session.expire_all()
    assert db.session.get(Referral, referral.id).status == NEW


def test_report_keeps_referrals_apart_and_exports_csv(w, client, login):
    referral = referrals.submit_referral(w.ref_member, referral_data(consent=True))
    referrals.qualify(w.manager, referral.id, WON, 200_000_00)
    referrals.submit_referral(w.ref_member, referral_data(company="Second LLC", consent=True))
    login(w.manager)
    page = client.get("/leads/referrals/report").get_data(as_text=True)
    assert "Gamma Customer" in page and "Alpha Integration" not in page
    response = client.get("/leads/referrals/report.csv")
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "Gamma Customer" in text and "Referral partner" in text
    rows = referrals.referral_report()
    assert [(r.organisation.id, r.counts[NEW], r.counts[WON], r.won_kopecks, r.owed_kopecks) for r in rows] == [
        (w.ref_org.id, 1, 1, 200_000_00, 10_000_00)]
