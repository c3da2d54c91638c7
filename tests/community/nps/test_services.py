"""NPS rules without HTTP: the arithmetic on a hand-built set, the round opened once for every active
partner person, one-question surveys from the durable events (idempotent), answered once, comments
routed to the account manager, follow-up audited, results and the partner_nps fact."""
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from hub import facts, signals
from hub.community.nps import services
from hub.community.nps.models import AFTER_DEAL, AFTER_EVENT, AFTER_MDF, RELATIONSHIP, NpsSurvey
from hub.core.models import AuditEntry, Notification
from hub.database import utcnow
from hub.extensions import db
from tests import factories
from tests.helpers import payloads

from .conftest import SEPT, make_survey


def surveys(**where):
    query = select(NpsSurvey).order_by(NpsSurvey.id)
    for key, value in where.items():
        query = query.where(getattr(NpsSurvey, key) == value)
    return list(db.session.scalars(query))


def notes(user, kind):
    return db.session.scalar(select(func.count()).select_from(Notification)
                             .where(Notification.user_id == user.id, Notification.type == kind))


# --- arithmetic ----------------------------------------------------------------------------------

def test_nps_arithmetic():
    # 10 answers: 5 promoters (9, 9, 10, 10, 10), 2 passives (7, 8), 3 detractors (0, 5, 6)
    assert services.nps(5, 3, 10) == Decimal("20.0")
    assert services.nps(0, 0, 0) is None
    assert services.nps(1, 2, 3) == Decimal("-33.3")
    assert services.nps(2, 1, 3) == Decimal("33.3")
    assert services.nps(3, 0, 3) == Decimal("100.0")
    assert services.nps(0, 3, 3) == Decimal("-100.0")
    assert services.rate(2, 3) == Decimal("66.7")
    assert services.rate(0, 0) is None


def test_results_per_tier_segment_and_kind_on_a_hand_built_set(w):
    # org A (gold, strategic, integrator): 10, 9, 8, 3 -> NPS (2 - 1) / 4 = +25; one unanswered
    for score in (10, 9, 8, 3):
        make_survey(factories.create_user(w.org_a), score=score)
    make_survey(w.a_member)
    # org B (silver, sales): 6, 0 after a deal -> -100; 9 relationship -> +100
    make_survey(w.b_member, kind=AFTER_DEAL, key="deal:1:won", score=6)
    make_survey(w.b_admin, kind=AFTER_DEAL, key="deal:2:won", score=0)
    make_survey(w.b_admin, score=9)
    tiers = {row.key: row for row in services.table("tier")}
    assert tiers["gold"].nps == Decimal("25.0") and tiers["gold"].rate == Decimal("80.0")
    assert (tiers["gold"].promoters, tiers["gold"].passives, tiers["gold"].detractors) == (2, 1, 1)
    assert tiers["silver"].nps == Decimal("-33.3") and tiers["silver"].answered == 3
    segments = {row.key: row.nps for row in services.table("segment")}
    assert segments == {"sales": Decimal("-33.3"), "strategic": Decimal("25.0")}
    kinds = {row.key: row.nps for row in services.table("kind")}
    assert kinds == {AFTER_DEAL: Decimal("-100.0"), RELATIONSHIP: Decimal("40.0")}  # 10 9 8 3 9
    overall = services.total(services.table("kind"))
    assert (overall.answered, overall.sent, overall.nps) == (7, 8, Decimal("0.0"))
    assert services.table("tier", kinds=[AFTER_DEAL])[0].key == "silver"


def test_trend_by_half_and_quarter(w):
    make_survey(w.a_member, key="2026-03", score=3, opened=datetime(2026, 3, 1, tzinfo=timezone.utc))
    make_survey(w.a_admin, key="2026-03", score=10, opened=datetime(2026, 3, 1, tzinfo=timezone.utc))
    make_survey(w.a_member, key="2026-09", score=10, opened=datetime(2026, 9, 1, tzinfo=timezone.utc))
    make_survey(w.a_admin, key="2026-09", score=9, opened=datetime(2026, 9, 1, tzinfo=timezone.utc))
    make_survey(w.b_member, kind=AFTER_EVENT, key="event:1", score=8, opened=datetime(2026, 11, 5, tzinfo=timezone.utc))
    halves = [(row.key, row.nps) for row in services.trend("half")]
    assert halves == [("2026-H1", Decimal("0.0")), ("2026-H2", Decimal("66.7"))]
    quarters = [(row.key, row.answered) for row in services.trend("quarter")]
    assert quarters == [("2026-Q1", 2), ("2026-Q3", 2), ("2026-Q4", 1)]


def test_partner_nps_fact(w):
    make_survey(w.a_member, score=10)
    make_survey(w.a_admin, score=2)
    make_survey(w.b_member, score=9)
    fact = facts.get("partner_nps", [w.org_a.id, w.org_b.id])
    assert fact["organisations"][w.org_a.id]["nps"] == Decimal("0.0")
    assert fact["organisations"][w.org_b.id]["nps"] == Decimal("100.0")
    assert fact["overall"]["nps"] == Decimal("33.3") and fact["overall"]["answered"] == 3
    assert facts.get("partner_nps", [])["organisations"] == {}


# --- the relationship round ----------------------------------------------------------------------

def test_round_of_follows_the_rules_months():
    assert services.round_of(datetime(2027, 9, 10).date(), (3, 9))[0] == "2027-09"
    assert services.round_of(datetime(2027, 5, 1).date(), (3, 9))[0] == "2027-03"
    assert services.round_of(datetime(2027, 1, 15).date(), (3, 9))[0] == "2026-09"
    assert services.round_of(datetime(2027, 1, 15).date(), ()) is None


def test_round_opens_once_for_every_active_partner_person(w):
    gone = factories.create_user(w.org_a, "member", "gone@alpha.test", is_active_user=False)
    assert services.open_relationship_round(SEPT) == 4
    assert services.open_relationship_round(SEPT + timedelta(hours=1)) == 0  # once per round
    rows = surveys(kind=RELATIONSHIP)
    assert {r.user_id for r in rows} == {w.a_admin.id, w.a_member.id, w.b_admin.id, w.b_member.id}
    assert gone.id not in {r.user_id for r in rows}
    assert {r.source_key for r in rows} == {"2027-09"}
    a = next(r for r in rows if r.user_id == w.a_member.id)
    assert (a.tier, a.segment, a.partner_type) == ("gold", "strategic", "integrator")
    assert a.expires_at == datetime(2027, 10, 1, tzinfo=timezone.utc)  # 1 September + 30 days
    assert notes(w.a_member, "nps.relationship") == 1
    # a person who joins during the round gets it on the next tick
    late = factories.create_user(w.org_b, "member", "late@beta.test")
    assert services.open_relationship_round(SEPT + timedelta(days=2)) == 1
    assert surveys(user_id=late.id)[0].source_key == "2027-09"


def test_round_is_not_opened_after_its_window(w):
    assert services.open_relationship_round(datetime(2027, 11, 1, tzinfo=timezone.utc)) == 0
    assert surveys() == []


def test_unanswered_surveys_expire(w):
    services.open_relationship_round(SEPT)
    assert services.expire_unanswered(SEPT + timedelta(days=5)) == 0
    assert services.expire_unanswered(datetime(2027, 10, 1, tzinfo=timezone.utc)) == 4
    assert {r.status for r in surveys()} == {"expired"}
    with pytest.raises(services.NpsError):
        services.answer(w.a_member, surveys(user_id=w.a_member.id)[0].id, 9)


# --- one-question surveys from the durable events ------------------------------------------------

def _deal_event(event_type, deal_id, user, **extra):
    now = utcnow()
    fields = dict(deal_id=deal_id, organisation_id=user.organisation_id, created_by_id=user.id, actor_id=None)
    if event_type is signals.deal_won:
        fields.update(product="crm", amount_kopecks=100, closed_on=now.date())
    else:
        fields["decided_at"] = now
        fields.update({"protected_until": None} if event_type is signals.deal_approved else {"reason": "dup"})
    fields.update(extra)
    event_type.emit(**fields)
    db.session.commit()


def test_deal_decisions_open_a_survey_for_the_submitter_once(w):
    _deal_event(signals.deal_approved, 7, w.a_member)
    _deal_event(signals.deal_approved, 7, w.a_member)  # the same occasion again: nothing more
    _deal_event(signals.deal_won, 7, w.a_member)
    _deal_event(signals.deal_rejected, 8, w.b_member)
    keys = sorted((r.user_id, r.source_key) for r in surveys(kind=AFTER_DEAL))
    assert keys == sorted([(w.a_member.id, "deal:7:approved"), (w.a_member.id, "deal:7:won"),
                           (w.b_member.id, "deal:8:rejected")])
    assert notes(w.a_member, "nps.after") == 2


def _rules_copy(app, tmp_path, nps):
    import yaml
    from pathlib import Path
    holder = app.extensions["program_rules"]
    data = yaml.safe_load(Path(holder["path"]).read_text(encoding="utf-8"))
    data["nps"] = nps
    path = tmp_path / "program.yml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    holder["path"], holder["mtime"] = str(path), None


def test_deal_survey_skips_vendor_people_and_honours_the_rules(app, w, tmp_path):
    _deal_event(signals.deal_approved, 9, w.manager)
    assert surveys() == []
    _rules_copy(app, tmp_path, {"after_deal": False, "relationship_months": [1, 4, 7, 10], "open_days": 10})
    assert services.rules().relationship_months == (1, 4, 7, 10)
    _deal_event(signals.deal_approved, 10, w.a_member)
    assert surveys() == []


def test_mdf_decision_and_payment_survey_the_requester(w):
    now = utcnow()
    signals.mdf_request_submitted.emit(request_id=41, organisation_id=w.org_a.id, user_id=w.a_member.id,
                                       amount_kopecks=100, submitted_at=now)
    db.session.commit()
    signals.mdf_request_decided.emit(request_id=41, organisation_id=w.org_a.id, decision="changes_requested",
                                     approved_kopecks=None, decided_at=now, actor_id=w.manager.id)
    db.session.commit()
    assert surveys() == []  # asking for changes is not a decision
    signals.mdf_request_decided.emit(request_id=41, organisation_id=w.org_a.id, decision="approved",
                                     approved_kopecks=100, decided_at=now, actor_id=w.manager.id)
    signals.mdf_paid.emit(request_id=41, claim_id=1, organisation_id=w.org_a.id, amount_kopecks=100, paid_at=now,
                          actor_id=w.manager.id)
    db.session.commit()
    assert sorted(r.source_key for r in surveys(kind=AFTER_MDF, user_id=w.a_member.id)) == [
        "mdf:41:decided", "mdf:41:paid"]


def test_event_attendance_surveys_the_attendee(w):
    for _ in range(2):
        signals.event_attended.emit(registration_id=3, event_id=5, user_id=w.b_admin.id,
                                    organisation_id=w.org_b.id, attended_at=utcnow())
        db.session.commit()
    assert [(r.user_id, r.source_key) for r in surveys(kind=AFTER_EVENT)] == [(w.b_admin.id, "event:5")]


# --- answering -----------------------------------------------------------------------------------

def test_answer_once_emits_and_routes_the_comment_to_the_account_manager(w):
    survey = make_survey(w.a_member)
    services.answer(w.a_member, survey.id, 4, "  Slow approvals  ")
    db.session.expire_all()
    stored = db.session.get(NpsSurvey, survey.id)
    assert (stored.status, stored.score, stored.comment, stored.follow_up_status) == (
        "answered", 4, "Slow approvals", "open")
    [event] = payloads("nps_answered")
    assert (event["response_id"], event["survey_kind"], event["score"]) == (survey.id, "relationship", 4)
    assert notes(w.manager2, "nps.comment") == 1 and notes(w.manager, "nps.comment") == 0
    with pytest.raises(services.NpsError):
        services.answer(w.a_member, survey.id, 10)
    db.session.expire_all()
    assert db.session.get(NpsSurvey, survey.id).score == 4
    assert len(payloads("nps_answered")) == 1


def test_comment_without_account_manager_goes_to_every_manager(w):
    survey = make_survey(w.b_member)
    services.answer(w.b_member, survey.id, 9, "Great")
    assert notes(w.manager, "nps.comment") == 1 and notes(w.manager2, "nps.comment") == 1
    assert notes(w.admin, "nps.comment") == 0


def test_answer_without_comment_needs_no_follow_up(w):
    survey = make_survey(w.b_member)
    services.answer(w.b_member, survey.id, 10)
    assert db.session.get(NpsSurvey, survey.id).follow_up_status is None
    assert db.session.scalar(select(func.count()).select_from(Notification).where(Notification.type == "nps.comment")) == 0


def test_someone_elses_survey_is_not_found(w):
    survey = make_survey(w.a_member)
    for other in (w.a_admin, w.b_member, w.manager):
        with pytest.raises(services.NotFound):
            services.answer(other, survey.id, 10)
    with pytest.raises(services.NotFound):
        services.answer(w.a_member, survey.id + 100, 10)
    assert db.session.get(NpsSurvey, survey.id).status == "open"


@pytest.mark.parametrize("score, comment, field", [
    (11, "", "score"), (-1, "", "score"), ("7", "", "score"), (True, "", "score"), (None, "", "score"),
    (5, "x" * 2001, "comment"), (5, "a\x00b", "comment"),
])
def test_bad_answers_save_nothing(w, score, comment, field):
    survey = make_survey(w.a_member)
    with pytest.raises(services.Invalid) as caught:
        services.answer(w.a_member, survey.id, score, comment)
    assert field in caught.value.problems
    db.session.expire_all()
    assert db.session.get(NpsSurvey, survey.id).status == "open"
    assert payloads("nps_answered") == []


def test_follow_up_is_recorded_and_audited(w):
    survey = make_survey(w.a_member)
    services.answer(w.a_member, survey.id, 3, "Call me")
    with pytest.raises(services.Invalid):
        services.follow_up(w.manager2, survey.id, "contacted", "  ")
    with pytest.raises(services.Invalid):
        services.follow_up(w.manager2, survey.id, "done", "x")
    with pytest.raises(services.NotFound):
        services.follow_up(w.a_admin, survey.id, "closed", "x")
    services.follow_up(w.manager2, survey.id, "contacted", "Called, agreed a QBR")
    db.session.expire_all()
    stored = db.session.get(NpsSurvey, survey.id)
    assert (stored.follow_up_status, stored.follow_up_note, stored.follow_up_by_id) == (
        "contacted", "Called, agreed a QBR", w.manager2.id)
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.object_type == "nps_survey"))
    assert entry.action == "follow_up" and entry.details["status"] == "contacted"
    assert [s.id for s in services.follow_ups("contacted")] == [survey.id]
    assert services.follow_ups("contacted", mine=w.manager) == []


def test_a_real_mdf_decision_surveys_the_requester(w):
    """Through the MDF feature itself: its events, not its tables, name the requester."""
    from hub.marketing.mdf import services as mdf
    from tests.marketing.mdf.conftest import values
    w.org_a.tier = "silver"
    db.session.commit()
    request = mdf.submit(w.a_member, values())
    mdf.send_back(w.manager, request.id, "declined", "Out of scope")
    assert [(r.user_id, r.source_key) for r in surveys(kind=AFTER_MDF)] == [(w.a_member.id, f"mdf:{request.id}:decided")]


def test_a_real_deal_approval_surveys_the_submitter(w):
    from hub.deals import services as deals
    deal = factories.create_deal(w.org_b, w.b_member)
    deals.approve(deal, w.manager)
    db.session.commit()
    assert [(r.user_id, r.source_key) for r in surveys(kind=AFTER_DEAL)] == [(w.b_member.id, f"deal:{deal.id}:approved")]
