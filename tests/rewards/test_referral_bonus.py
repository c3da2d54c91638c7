"""G4 (issue 14 point 2): a partner that brought another one gets the recruitment rules' referral bonus
when the new one wins its first deal. Recruitment emits `referral_bonus_earned`; rewards credits the points
to the referrer's ledger once (unique (action, source) key), and the rewards page shows the entry, labelled,
to that organisation only."""
from datetime import datetime, timezone

from sqlalchemy import func, select

from hub import signals
from hub.domain_events import outbox
from hub.domain_events.models import EventDelivery
from hub.extensions import db
from hub.recruitment import services as recruitment
from hub.recruitment.rules import CHECKLIST
from hub.rewards.models import REFERRAL_BONUS, PeriodStat, PointEntry
from tests import factories
from tests.recruitment.conftest import values

EARNED = datetime(2026, 4, 15, 9, 0, tzinfo=timezone.utc)


def _referred(w):
    application = recruitment.submit(values(), referrer=w.org_a)
    recruitment.qualify(w.manager, application.id, list(CHECKLIST))
    org = recruitment.approve(w.manager, application.id).organisation
    db.session.commit()
    return org


def _won(org):
    deal = factories.create_deal(org, status="won")
    signals.deal_won.emit(deal_id=deal.id, organisation_id=org.id, created_by_id=None, product="crm",
                          amount_kopecks=deal.amount_kopecks, closed_on=None, actor_id=None)
    db.session.commit()
    return deal


def _bonus_entries():
    return list(db.session.scalars(select(PointEntry).where(PointEntry.action == REFERRAL_BONUS)))


def test_first_win_of_a_referred_partner_credits_the_referrer_once(app):
    w = factories.world()
    db.session.commit()
    org = _referred(w)
    _won(org)
    _won(org)  # a second win brings no second bonus
    [entry] = _bonus_entries()
    assert (entry.organisation_id, entry.source_key, entry.points, entry.user_id) == (
        w.org_a.id, f"referral:{org.id}", 500, None)
    alltime = db.session.get(PeriodStat, (w.org_a.id, "all"))
    assert alltime.points >= 500
    delivery = db.session.scalar(select(EventDelivery).where(EventDelivery.listener == "rewards.referral_bonus"))
    assert delivery.status == "done"


def test_a_delivery_run_twice_credits_once(app):
    w = factories.world()
    db.session.commit()
    for _ in range(2):  # the same event delivered twice (a replay, a retried worker)
        signals.CATALOGUE["referral_bonus_earned"].emit(referrer_id=w.org_a.id, referred_id=w.org_b.id, deal_id=7,
                                                       points=500, earned_at=EARNED)
        db.session.commit()
    [entry] = _bonus_entries()
    assert entry.points == 500
    points = db.session.get(PeriodStat, (w.org_a.id, "all")).points
    assert points == 500
    # and the listener itself, called again on the stored event, adds nothing
    event_type = signals.CATALOGUE["referral_bonus_earned"]
    payload = dict(referrer_id=w.org_a.id, referred_id=w.org_b.id, deal_id=7, points=500, earned_at=EARNED)
    outbox.LISTENERS["rewards.referral_bonus"].func(outbox.Event(id=0, type=event_type, occurred_at=EARNED,
                                                                 payload=payload))
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(PointEntry).where(
        PointEntry.action == REFERRAL_BONUS)) == 1
    assert db.session.get(PeriodStat, (w.org_a.id, "all")).points == 500


def test_the_referrer_sees_it_labelled_and_another_organisation_does_not(app, client, login):
    w = factories.world()
    db.session.commit()
    org = _referred(w)
    _won(org)
    login(w.a_member)
    page = client.get("/rewards/").get_data(as_text=True)
    assert "Points history" in page
    assert f"Referral bonus: {org.name}, the partner you brought, won its first deal" in page.replace("&#34;", '"')
    login(w.b_admin)
    other = client.get("/rewards/").get_data(as_text=True)
    assert "Referral bonus" not in other and org.name not in other
