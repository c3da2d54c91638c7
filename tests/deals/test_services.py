"""Deal rules without HTTP: registering, conflicts, the workflow, expiry, extension, notifications."""
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from hub import signals
from hub.core.models import AuditEntry, Notification, OutboxMessage
from hub.deals import services
from hub.deals.models import APPROVED, EXPIRED, LOST, REJECTED, SUBMITTED, WON, Deal, DealClaim
from hub.extensions import db
from tests import factories
from tests.helpers import listening, payloads

from .conftest import NOW, TODAY, deal_input


def claims_of(deal):
    return sorted(db.session.scalars(select(DealClaim.key).where(DealClaim.deal_id == deal.id)))


def audit_actions(deal):
    return [e.action for e in services.timeline(deal)]


# --- registering ---------------------------------------------------------------------------------

def test_first_registration_is_pending_and_holds_its_keys(world, register):
    deal = register(world.a_member)
    assert deal.status == SUBMITTED
    assert deal.conflict_with_id is None
    assert deal.organisation_id == world.org_a.id
    assert deal.customer_name_norm == "рога и копыта"
    assert deal.decision_due_at == NOW + timedelta(hours=48)
    assert claims_of(deal) == ["domain:roga.example", "inn:7707083893", "name:рога и копыта"]
    assert audit_actions(deal) == ["submitted"]


@pytest.mark.parametrize("overrides", [
    {"customer_name": "Рога и копыта LLC", "inn": None, "domain": "other.example"},   # by name
    {"customer_name": "Совсем другое имя", "inn": "7707083893", "domain": None},        # by INN
    {"customer_name": "Совсем другое имя", "inn": None, "domain": "https://WWW.Roga.Example/"},  # by domain
])
def test_second_organisation_is_a_conflict_by_any_key(world, register, overrides):
    first = register(world.a_member)
    second = register(world.b_member, **overrides)
    assert second.status == SUBMITTED
    assert second.conflict_with_id == first.id
    assert claims_of(second) == []
    assert len(claims_of(first)) == 3
    assert db.session.scalar(select(func.count()).select_from(Deal)) == 2


def test_idn_domain_conflicts_with_punycode(world, register):
    first = register(world.a_member, inn=None, domain="пример.рф", customer_name="Пример")
    second = register(world.b_member, inn=None, domain="xn--e1afmkfd.xn--p1ai", customer_name="Другое")
    assert second.conflict_with_id == first.id


def test_a_closed_registration_no_longer_blocks(world, register):
    first = register(world.a_member)
    services.reject(first, world.manager, "Duplicate of an existing customer", now=NOW)
    assert claims_of(first) == []
    second = register(world.b_member)
    assert second.conflict_with_id is None
    assert len(claims_of(second)) == 3


def test_register_refuses_bad_input_and_saves_nothing(world):
    cases = [
        deal_input(inn="7707083894"), deal_input(domain="not a domain", inn=None),
        deal_input(inn=None, domain=None), deal_input(amount_kopecks=0),
        deal_input(expected_close_date=TODAY), deal_input(product="nope"), deal_input(region="mars"),
        deal_input(customer_name="ООО"),
    ]
    for data in cases:
        with pytest.raises(services.DealError):
            services.register_deal(world.a_member, data, now=NOW)
    assert db.session.scalar(select(func.count()).select_from(Deal)) == 0
    assert db.session.scalar(select(func.count()).select_from(DealClaim)) == 0


def test_managers_do_not_register(world):
    with pytest.raises(services.NotPermitted):
        services.register_deal(world.manager, deal_input(), now=NOW)


def test_registration_notifies_managers_and_emits_signal(world, register):
    with listening("tests.submitted", signals.deal_submitted) as seen:
        deal = register(world.a_member)
    assert [(e.deal_id, e.organisation_id, e.actor_id, e.amount_kopecks, e.conflict_with_id) for e in seen] == [
        (deal.id, world.org_a.id, world.a_member.id, deal.amount_kopecks, None)]
    assert payloads("deal_submitted")[0]["submitted_at"] == NOW
    notified = set(db.session.scalars(select(Notification.user_id)))
    assert notified == {world.manager.id, world.admin.id}
    mails = set(db.session.scalars(select(OutboxMessage.recipient)))
    assert mails == {world.manager.email, world.admin.email}
    note = db.session.scalar(select(Notification).where(Notification.user_id == world.manager.id))
    assert note.link == f"/deals/{deal.id}"


def test_territory_of_another_partner_is_flagged(world, register):
    owner = factories.create_org("Baltic Integration", slug="baltic-integration", region="kaliningrad")
    deal = register(world.a_member, region="kaliningrad")
    assert deal.territory_org_id == owner.id
    own = register(factories.create_user(owner), region="kaliningrad", customer_name="Другая", inn=None,
                   domain="other.example")
    assert own.territory_org_id is None
    elsewhere = register(world.a_member, region="moscow", customer_name="Третья", inn=None, domain="third.example")
    assert elsewhere.territory_org_id is None


def test_territory_rule_ends_on_its_date(world, register):
    factories.create_org("Baltic Integration", slug="baltic-integration")
    from datetime import datetime, timezone
    later = datetime(2028, 1, 10, 9, 0, tzinfo=timezone.utc)
    deal = register(world.a_member, now=later, region="kaliningrad",
                    expected_close_date=date(2028, 3, 1))
    assert deal.territory_org_id is None


# --- the live check -------------------------------------------------------------------------------

def test_check_customer_reports_protection_but_not_the_holder(world, register):
    deal = register(world.a_member)
    result = services.check_customer("Рога и копыта", None, None, world.org_b.id)
    assert result.state == services.PENDING and result.matched == ["name"]
    services.approve(deal, world.manager, now=NOW)
    result = services.check_customer("", "7707083893", "https://roga.example", world.org_b.id)
    assert result.state == services.PROTECTED
    assert result.protected_until == TODAY + timedelta(days=90)
    assert result.matched == ["inn", "domain"]
    assert result.own_deal_id is None
    # nothing in the result names the holder: exactly these fields, none of them its deal or organisation
    from dataclasses import asdict
    assert asdict(result) == {"entered": True, "state": services.PROTECTED, "protected_until": TODAY + timedelta(days=90),
                              "matched": ["inn", "domain"], "own_deal_id": None, "inn_invalid": False,
                              "domain_invalid": False}


def test_check_customer_for_own_organisation(world, register):
    deal = register(world.a_member)
    result = services.check_customer("ООО Рога и копыта", None, None, world.org_a.id)
    assert result.state == services.FREE
    assert result.own_deal_id == deal.id


def test_check_customer_free_and_invalid_input(world, register):
    register(world.a_member)
    assert services.check_customer("Другая компания", None, None, world.org_b.id).state == services.FREE
    result = services.check_customer("", "7707083894", "bad domain", world.org_b.id)
    assert result.inn_invalid and result.domain_invalid and not result.entered
    assert not services.check_customer("", "", "", world.org_b.id).entered


def test_check_customer_ignores_closed_registrations(world, register):
    deal = register(world.a_member)
    services.approve(deal, world.manager, now=NOW)
    services.mark_lost(deal, world.a_member, now=NOW)
    assert services.check_customer("Рога и копыта", None, None, world.org_b.id).state == services.FREE


# --- workflow ------------------------------------------------------------------------------------

def test_approve_protects_for_the_rules_days(world, register):
    deal = register(world.a_member)
    with listening("tests.deal_story", signals.deal_status_changed, signals.deal_approved) as seen:
        services.approve(deal, world.manager, now=NOW)
    deal = db.session.get(Deal, deal.id)
    assert deal.status == APPROVED
    assert deal.protected_until == TODAY + timedelta(days=90)
    assert deal.decided_by_id == world.manager.id and deal.decided_at == NOW
    assert [(e.name, e.payload) for e in seen] == [
        ("deal_status_changed", dict(deal_id=deal.id, organisation_id=world.org_a.id, old_status=SUBMITTED,
                                     new_status=APPROVED, changed_at=NOW, actor_id=world.manager.id)),
        ("deal_approved", dict(deal_id=deal.id, organisation_id=world.org_a.id, created_by_id=world.a_member.id,
                               decided_at=NOW, protected_until=TODAY + timedelta(days=90),
                               actor_id=world.manager.id))]
    entry = services.timeline(deal)[-1]
    assert (entry.action, entry.actor_id, entry.details["protected_until"]) == (
        "approved", world.manager.id, (TODAY + timedelta(days=90)).isoformat())
    # the partner's users are told, in-app and by mail
    partner_ids = {world.a_admin.id, world.a_member.id}
    assert partner_ids <= set(db.session.scalars(select(Notification.user_id)))
    assert {world.a_admin.email, world.a_member.email} <= set(db.session.scalars(select(OutboxMessage.recipient)))


def test_reject_needs_a_reason(world, register):
    deal = register(world.a_member)
    with pytest.raises(services.DealError):
        services.reject(deal, world.manager, "   ", now=NOW)
    deal = db.session.get(Deal, deal.id)
    assert deal.status == SUBMITTED and len(claims_of(deal)) == 3
    services.reject(deal, world.manager, "Customer already buys direct", now=NOW)
    deal = db.session.get(Deal, deal.id)
    assert deal.status == REJECTED and deal.rejection_reason == "Customer already buys direct"
    assert claims_of(deal) == []
    assert services.timeline(deal)[-1].details["reason"] == "Customer already buys direct"
    assert [(p["deal_id"], p["reason"], p["actor_id"]) for p in payloads("deal_rejected")] == [
        (deal.id, "Customer already buys direct", world.manager.id)]
    assert [(p["old_status"], p["new_status"]) for p in payloads("deal_status_changed")] == [(SUBMITTED, REJECTED)]


def test_partners_cannot_approve_or_reject(world, register):
    deal = register(world.a_member)
    for user in (world.a_member, world.a_admin):
        with pytest.raises(services.NotPermitted):
            services.approve(deal, user, now=NOW)
        with pytest.raises(services.NotPermitted):
            services.reject(deal, user, "no", now=NOW)
    assert db.session.get(Deal, deal.id).status == SUBMITTED


def test_won_needs_final_amount_and_date(world, register):
    deal = register(world.a_member)
    services.approve(deal, world.manager, now=NOW)
    with pytest.raises(services.DealError):
        services.mark_won(deal, world.a_member, None, TODAY, now=NOW)
    with pytest.raises(services.DealError):
        services.mark_won(deal, world.a_member, 0, TODAY, now=NOW)
    with pytest.raises(services.DealError):
        services.mark_won(deal, world.a_member, 100, None, now=NOW)
    with pytest.raises(services.DealError):
        services.mark_won(deal, world.a_member, 100, TODAY + timedelta(days=1), now=NOW)
    assert db.session.get(Deal, deal.id).status == APPROVED
    with listening("tests.won", signals.deal_won) as won:
        services.mark_won(deal, world.a_member, 123_456_78, TODAY, now=NOW)
    deal = db.session.get(Deal, deal.id)
    assert (deal.status, deal.final_amount_kopecks, deal.closed_on) == (WON, 12_345_678, TODAY)
    assert claims_of(deal) == []
    assert [(e.deal_id, e.amount_kopecks, e.closed_on, e.product, e.actor_id) for e in won] == [
        (deal.id, 12_345_678, TODAY, deal.product, world.a_member.id)]
    # A refused change emitted nothing: four refusals above, one win here.
    assert len(payloads("deal_won")) == 1


def test_lost_with_optional_reason(world, register):
    deal = register(world.a_member)
    services.approve(deal, world.manager, now=NOW)
    services.mark_lost(deal, world.manager, "Budget cut", now=NOW)
    deal = db.session.get(Deal, deal.id)
    assert (deal.status, deal.lost_reason) == (LOST, "Budget cut")
    assert claims_of(deal) == []
    other = register(world.a_member, customer_name="Вторая", inn=None, domain="second.example")
    services.approve(other, world.manager, now=NOW)
    services.mark_lost(other, world.a_admin, now=NOW)
    assert db.session.get(Deal, other.id).lost_reason is None
    assert [(p["deal_id"], p["reason"], p["closed_on"], p["actor_id"]) for p in payloads("deal_lost")] == [
        (deal.id, "Budget cut", TODAY, world.manager.id), (other.id, None, TODAY, world.a_admin.id)]


@pytest.mark.parametrize("status", [REJECTED, WON, LOST, EXPIRED])
def test_closed_deals_refuse_every_transition(world, status):
    deal = factories.create_deal(world.org_a, world.a_member, status=status)
    for call in (lambda: services.approve(deal, world.manager, now=NOW),
                 lambda: services.reject(deal, world.manager, "x", now=NOW),
                 lambda: services.mark_won(deal, world.manager, 100, TODAY, now=NOW),
                 lambda: services.mark_lost(deal, world.manager, now=NOW),
                 lambda: services.request_extension(deal, world.a_member, "x", now=NOW),
                 lambda: services.decide_extension(deal, world.manager, True, now=NOW)):
        with pytest.raises(services.DealError) as info:
            call()
        assert not isinstance(info.value, services.NotPermitted)
        assert str(info.value)
    assert db.session.get(Deal, deal.id).status == status
    assert audit_actions(deal) == []


def test_submitted_deal_cannot_be_won_or_extended(world, register):
    deal = register(world.a_member)
    with pytest.raises(services.DealError):
        services.mark_won(deal, world.a_member, 100, TODAY, now=NOW)
    with pytest.raises(services.DealError):
        services.request_extension(deal, world.a_member, "more time", now=NOW)
    assert db.session.get(Deal, deal.id).status == SUBMITTED


def test_approved_deal_cannot_be_approved_again(world, register):
    deal = register(world.a_member)
    services.approve(deal, world.manager, now=NOW)
    with pytest.raises(services.DealError):
        services.approve(deal, world.admin, now=NOW)
    assert audit_actions(deal) == ["submitted", "approved"]


def test_conflict_cannot_be_approved_while_the_holder_is_active(world, register):
    first = register(world.a_member)
    second = register(world.b_member)
    with pytest.raises(services.DealError) as info:
        services.approve(second, world.manager, now=NOW)
    assert str(first.id) in str(info.value)
    second = db.session.get(Deal, second.id)
    assert second.status == SUBMITTED and claims_of(second) == []
    # once the holder is closed, the conflict can be approved and takes the keys
    services.reject(first, world.manager, "Not a real opportunity", now=NOW)
    services.approve(second, world.manager, now=NOW)
    second = db.session.get(Deal, second.id)
    assert second.status == APPROVED and second.conflict_with_id is None
    assert len(claims_of(second)) == 3
    assert services.timeline(second)[-1].details["resolved_conflict_with"] == first.id


# --- extension ---------------------------------------------------------------------------------

def test_extension_once_only_and_granted(world, register):
    deal = register(world.a_member)
    services.approve(deal, world.manager, now=NOW)
    with pytest.raises(services.DealError):
        services.request_extension(deal, world.a_member, "  ", now=NOW)
    with pytest.raises(services.NotPermitted):
        services.request_extension(deal, world.manager, "managers do not ask", now=NOW)
    services.request_extension(deal, world.a_member, "Customer's board meets in June", now=NOW)
    with pytest.raises(services.DealError):
        services.request_extension(deal, world.a_admin, "again", now=NOW)
    with pytest.raises(services.NotPermitted):
        services.decide_extension(deal, world.a_admin, True, now=NOW)
    services.decide_extension(deal, world.manager, True, now=NOW)
    deal = db.session.get(Deal, deal.id)
    assert deal.protected_until == TODAY + timedelta(days=90 + 30)
    assert deal.extension_decision == services.GRANTED
    with pytest.raises(services.DealError):
        services.decide_extension(deal, world.manager, True, now=NOW)
    with pytest.raises(services.DealError):
        services.request_extension(deal, world.a_member, "one more", now=NOW)
    assert db.session.get(Deal, deal.id).protected_until == TODAY + timedelta(days=120)
    assert audit_actions(deal) == ["submitted", "approved", "extension_requested", "extension_granted"]


def test_extension_refused_keeps_the_date(world, register):
    deal = register(world.a_member)
    services.approve(deal, world.manager, now=NOW)
    services.request_extension(deal, world.a_member, "Need time", now=NOW)
    services.decide_extension(deal, world.manager, False, now=NOW)
    deal = db.session.get(Deal, deal.id)
    assert deal.extension_decision == services.REFUSED
    assert deal.protected_until == TODAY + timedelta(days=90)


# --- expiry --------------------------------------------------------------------------------------

def test_expiry_by_tick(world, register):
    deal = register(world.a_member)
    services.approve(deal, world.manager, now=NOW)
    until = TODAY + timedelta(days=90)
    assert services.expire_deals(today=until) == 0  # the last protected day
    assert db.session.get(Deal, deal.id).status == APPROVED
    assert services.expire_deals(today=until + timedelta(days=1)) == 1
    deal = db.session.get(Deal, deal.id)
    assert deal.status == EXPIRED and claims_of(deal) == []
    entry = services.timeline(deal)[-1]
    assert entry.action == "expired" and entry.actor_id is None
    assert payloads("deal_expired") == [dict(deal_id=deal.id, organisation_id=world.org_a.id,
                                             created_by_id=world.a_member.id, protected_until=until)]
    assert [(p["old_status"], p["new_status"], p["actor_id"]) for p in payloads("deal_status_changed")][-1] == (
        APPROVED, EXPIRED, None)
    assert services.expire_deals(today=until + timedelta(days=2)) == 0
    # the customer is free again
    assert register(world.b_member).conflict_with_id is None


def test_expiry_leaves_other_statuses_alone(world):
    old = TODAY - timedelta(days=200)
    for status in (SUBMITTED, REJECTED, WON, LOST):
        factories.create_deal(world.org_a, status=status, protected_until=old)
    assert services.expire_deals(today=TODAY) == 0


def test_tick_command_expires(world, app):
    deal = factories.create_deal(world.org_a, status=APPROVED, protected_until=date.today() - timedelta(days=3))
    result = app.test_cli_runner().invoke(args=["tick"])
    assert result.exit_code == 0, result.output
    assert "deals: 1 deal(s) expired" in result.output
    db.session.expire_all()
    assert db.session.get(Deal, deal.id).status == EXPIRED


# --- lists, queue, summaries ---------------------------------------------------------------------

def test_partner_list_is_only_own_organisation(world):
    mine = factories.create_deal(world.org_a)
    factories.create_deal(world.org_b)
    page = services.list_deals(world.a_member, services.DealFilters())
    assert [d.id for d in page.items] == [mine.id] and page.total == 1
    assert services.list_deals(world.manager, services.DealFilters()).total == 2


def test_the_managers_unfiltered_total_is_kept_until_a_deal_is_added(world, count_queries):
    factories.create_deal(world.org_a, world.a_member)
    assert services.list_deals(world.manager, services.DealFilters()).total == 1
    with count_queries() as kept:
        assert services.list_deals(world.manager, services.DealFilters()).total == 1
    assert not any("count(*)" in s.lower() and "where" not in s.lower() for s in kept.statements)
    factories.create_deal(world.org_b, world.b_member)  # a new deal moves the newest id: counted again
    assert services.list_deals(world.manager, services.DealFilters()).total == 2
    assert services.list_deals(world.manager, services.DealFilters(status="submitted")).total == 2


def test_list_filters(world):
    a1 = factories.create_deal(world.org_a, customer_name="ООО «Альфа-Строй»", inn="7707083893",
                               submitted_at=NOW - timedelta(days=40))
    a2 = factories.create_deal(world.org_a, status=APPROVED, customer_name="Бета Софт", domain="beta-soft.ru",
                               submitted_at=NOW - timedelta(days=2))
    b1 = factories.create_deal(world.org_b, customer_name="Гамма", submitted_at=NOW - timedelta(days=1))

    def ids(user, **kw):
        return {d.id for d in services.list_deals(user, services.DealFilters(**kw), now=NOW).items}

    assert ids(world.a_member, status=APPROVED) == {a2.id}
    assert ids(world.a_member, q="альфа строй") == {a1.id}
    assert ids(world.a_member, q="770708") == {a1.id}
    assert ids(world.a_member, q="https://www.beta-soft.ru") == {a2.id}
    assert ids(world.a_member, q="гамма") == set()  # another organisation's deal
    assert ids(world.manager, q="гамма") == {b1.id}
    assert ids(world.a_member, period="week") == {a2.id}
    assert ids(world.manager, period="month") == {a2.id, b1.id}
    assert ids(world.manager, date_from=TODAY - timedelta(days=41), date_to=TODAY - timedelta(days=39)) == {a1.id}
    assert ids(world.manager, org="beta") == {b1.id}
    assert ids(world.manager, org="Alpha Integ") == {a1.id, a2.id}
    assert ids(world.a_member, org="beta") == {a1.id, a2.id}  # partners cannot widen their view
    conflict = factories.create_deal(world.org_b, conflict_with_id=a1.id, claim=False)
    assert ids(world.manager, status=services.CONFLICT) == {conflict.id}


def test_queue_orders_by_sla_left(world):
    late = factories.create_deal(world.org_a, decision_due_at=NOW - timedelta(hours=5))
    soon = factories.create_deal(world.org_b, decision_due_at=NOW + timedelta(hours=3))
    ext = factories.create_deal(world.org_a, status=APPROVED, extension_requested_at=NOW - timedelta(hours=46),
                                extension_reason="More time")  # due in 2 hours
    factories.create_deal(world.org_a, status=APPROVED)  # no request: not in the queue
    factories.create_deal(world.org_a, status=REJECTED)
    page = services.manager_queue(now=NOW)
    assert [(i.deal.id, i.kind) for i in page.items] == [
        (late.id, "decision"), (ext.id, "extension"), (soon.id, "decision")]
    assert page.total == 3
    assert page.items[0].overdue and not page.items[1].overdue
    small = services.manager_queue(page=2, per_page=2, now=NOW)
    assert [i.deal.id for i in small.items] == [soon.id] and small.pages == 2


def test_summaries(world):
    factories.create_deal(world.org_a, decision_due_at=NOW - timedelta(hours=1))
    holder = factories.create_deal(world.org_a, status=APPROVED, protected_until=TODAY + timedelta(days=5))
    factories.create_deal(world.org_b, conflict_with_id=holder.id, claim=False)
    factories.create_deal(world.org_a, status=WON)
    summary = services.manager_summary(now=NOW)
    assert summary == {"submitted": 2, "overdue": 1, "conflicts": 1, "territory": 0, "extensions": 0, "queue": 2}
    partner = services.partner_summary(world.org_a, now=NOW)
    assert partner["counts"][SUBMITTED] == 1 and partner["counts"][APPROVED] == 1 and partner["counts"][WON] == 1
    assert partner["total"] == 3
    assert [d.id for d in partner["expiring"]] == [holder.id]


def test_csv_export(world):
    factories.create_deal(world.org_a, customer_name="=HYPERLINK(\"x\")", amount_kopecks=150_000_050)
    factories.create_deal(world.org_b, customer_name="ООО «Ёлка»", amount_kopecks=100, status=WON,
                          final_amount_kopecks=120_000_00)
    from flask_babel import force_locale
    with force_locale("ru"):
        text = "".join(services.export_csv(world.manager, services.DealFilters(), locale="ru"))
    lines = text.strip().splitlines()
    assert lines[0].startswith("\ufeffID;Партнёр;Клиент;ИНН;Веб-домен;Продукт;Сумма, ₽;Регион;Статус;Конфликт;")
    assert ";1500000,50;" in text and ";1,00;" in text and ";120000,00;" in text
    assert ';"\'=HYPERLINK(""x"")";' in text
    assert "ООО «Ёлка»" in text and ";выиграна;" in text and ";Квант CRM;" in text
    assert len(lines) == 3


# --- input rules: amount limits, date windows, duplicate registrations, placeholder INNs ------------

@pytest.fixture
def english(app):
    """Service messages in English (outside a request the hub speaks its default, Russian)."""
    from flask_babel import force_locale
    with force_locale("en"):
        yield

@pytest.mark.parametrize("data, message", [
    (dict(amount_kopecks=1), "at least"),                                   # 0,01 ₽
    (dict(amount_kopecks=999_99), "at least"),                              # just under 1 000 ₽
    (dict(amount_kopecks=999_999_999_999_999), "at most"),                  # 9 999 999 999 999,99 ₽
    (dict(expected_close_date=TODAY + timedelta(days=731)), "within 730 days"),
    (dict(expected_close_date=date(9999, 12, 31)), "within 730 days"),
    (dict(inn="0000000000"), "not valid"),
])
def test_register_refuses_out_of_window_input(world, english, data, message):
    with pytest.raises(services.DealError) as refused:
        services.register_deal(world.a_member, deal_input(**data), now=NOW)
    assert message in str(refused.value)
    assert db.session.scalar(select(func.count()).select_from(Deal)) == 0


def test_register_accepts_the_window_edges(world, register):
    assert register(world.a_member, amount_kopecks=1_000_00, expected_close_date=TODAY + timedelta(days=730))
    assert register(world.b_member, customer_name="Другой", inn=None, domain="other.example",
                    amount_kopecks=10_000_000_000_00, expected_close_date=TODAY + timedelta(days=1))


@pytest.mark.parametrize("overrides", [
    {},  # the same form sent twice
    {"customer_name": "Рога и копыта LLC", "inn": None, "domain": "other.example"},   # by name
    {"customer_name": "Совсем другое имя", "inn": "7707083893", "domain": None},        # by INN
    {"customer_name": "Совсем другое имя", "inn": None, "domain": "https://www.roga.example/x"},  # by domain
])
def test_second_registration_by_the_same_organisation_is_refused(world, english, register, overrides):
    first = register(world.a_member)
    with pytest.raises(services.DuplicateRegistration) as refused:
        register(world.a_admin, **overrides)
    assert refused.value.deal_id == first.id and f"#{first.id}" in str(refused.value)
    assert [d.id for d in db.session.scalars(select(Deal))] == [first.id]
    assert len(claims_of(first)) == 3 and db.session.get(Deal, first.id).conflict_with_id is None


def test_a_conflict_registered_twice_is_refused_too(world, register):
    holder = register(world.b_member)
    conflict = register(world.a_member)  # another partner holds the customer: kept as a conflict
    assert conflict.conflict_with_id == holder.id and claims_of(conflict) == []
    with pytest.raises(services.DuplicateRegistration) as refused:
        register(world.a_member)
    assert refused.value.deal_id == conflict.id
    assert db.session.scalar(select(func.count()).select_from(Deal)) == 2


def test_registering_again_after_the_first_closed_is_allowed(world, register):
    first = register(world.a_member)
    services.reject(first, world.manager, "Incomplete", now=NOW)
    second = register(world.a_member)
    assert second.id != first.id and second.conflict_with_id is None


def test_won_date_lies_between_registration_and_today(world, english):
    # Registered on 20 February (Moscow), approved; today is 2 March.
    deal = factories.create_deal(world.org_a, status=APPROVED, submitted_at=datetime(2026, 2, 20, 7, 0, tzinfo=timezone.utc))
    for day, message in [(date(1990, 1, 1), "before the registration date"),
                         (date(1, 1, 1), "before the registration date"),
                         (date(2026, 2, 19), "before the registration date"),
                         (TODAY + timedelta(days=1), "cannot be in the future")]:
        with pytest.raises(services.DealError) as refused:
            services.mark_won(deal, world.a_member, 500_000_00, day, now=NOW)
        assert message in str(refused.value)
    with pytest.raises(services.DealError) as refused:
        services.mark_won(deal, world.a_member, 10**15, TODAY, now=NOW)
    assert "at most" in str(refused.value)
    assert db.session.get(Deal, deal.id).status == APPROVED
    services.mark_won(deal, world.a_member, 500_000_00, date(2026, 2, 20), now=NOW)
    assert db.session.get(Deal, deal.id).closed_on == date(2026, 2, 20)
