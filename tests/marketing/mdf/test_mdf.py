"""MDF ledger and requests: balances are sums in kopecks, decisions commit money only when it fits,
a partner never reaches another organisation's request, bad input never saves nor crashes."""
from sqlalchemy import func, select

from hub.core.models import AuditEntry
from hub.extensions import db
from hub.marketing.mdf import services
from hub.marketing.mdf.models import APPROVED, AWAITING_SECOND, CHANGES, DECLINED, MdfEntry, MdfRequest
from tests.helpers import events

from .conftest import form_data, quarter, values


def test_credit_is_by_tier_once_and_balance_is_sums(w):
    q = quarter()
    assert services.ensure_credit(w.org_a, q) is True
    assert services.ensure_credit(w.org_a, q) is False  # replay adds nothing
    db.session.commit()
    assert services.balance(w.org_a.id, q).available == 150_000_00
    services.adjust(w.manager, w.org_a.id, q, -1_000_01, "correction")
    b = services.balance(w.org_a.id, q)
    assert (b.allocated, b.available) == (150_000_00 - 1_000_01, 150_000_00 - 1_000_01)
    assert db.session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "adjust")) == 1


def test_bronze_gets_nothing(w):
    w.org_a.tier = "bronze"
    assert services.ensure_credit(w.org_a, quarter()) is False


def test_full_approval_commits_and_notifies(w):
    r = services.submit(w.a_member, values())
    services.approve(w.manager, r.id)
    db.session.expire_all()
    r = db.session.get(MdfRequest, r.id)
    assert (r.status, r.approved_kopecks) == (APPROVED, 50_000_00)
    assert services.balance(w.org_a.id, quarter()).available == 100_000_00
    assert services.balance(w.org_a.id, quarter()).committed == 50_000_00
    decided = [p for name, p in events("mdf_request_decided")]
    assert decided and decided[-1]["decision"] == "approved"
    assert events("mdf_request_submitted")


def test_partial_approval(w):
    r = services.submit(w.a_member, values())
    services.approve(w.manager, r.id, 20_000_00)
    assert db.session.get(MdfRequest, r.id).approved_kopecks == 20_000_00
    assert services.balance(w.org_a.id, quarter()).available == 130_000_00
    assert events("mdf_request_decided")[-1][1]["decision"] == "partially_approved"


def test_approval_beyond_available_saves_nothing(w, client, login):
    r = services.submit(w.a_member, values(planned_cost_kopecks=400_000_00, requested_kopecks=200_000_00))
    login(w.manager)
    response = client.post(f"/mdf/manage/requests/{r.id}", data={"decision": "approve"})
    assert response.status_code == 409
    assert "Not enough fund" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(MdfRequest, r.id).status == "submitted"
    assert db.session.scalar(select(func.count()).select_from(MdfEntry).where(MdfEntry.kind == "commit")) == 0


def test_second_approver_must_differ(w):
    r = services.submit(w.b_member, values(planned_cost_kopecks=700_000_00, requested_kopecks=350_000_00))
    services.approve(w.manager, r.id)
    assert db.session.get(MdfRequest, r.id).status == AWAITING_SECOND
    assert services.balance(w.org_b.id, quarter()).committed == 0
    try:
        services.approve(w.manager, r.id)
        raise AssertionError("the same manager approved twice")
    except services.MdfError:
        pass
    services.approve(w.manager2, r.id)
    db.session.expire_all()
    assert db.session.get(MdfRequest, r.id).status == APPROVED
    assert services.balance(w.org_b.id, quarter()).available == 150_000_00  # gold: 500 000 ₽ (program.yml) - 350 000 ₽


def test_changes_then_resubmit_then_decline(w, client, login):
    r = services.submit(w.a_member, values())
    login(w.manager)
    assert client.post(f"/mdf/manage/requests/{r.id}", data={"decision": "changes_requested", "reason": ""}).status_code == 409
    assert client.post(f"/mdf/manage/requests/{r.id}",
                       data={"decision": "changes_requested", "reason": "Add the agenda"}).status_code == 303
    db.session.expire_all()
    assert db.session.get(MdfRequest, r.id).status == CHANGES
    login(w.a_member)
    assert client.post(f"/mdf/requests/{r.id}/edit", data=form_data(title="CRM webinar v2")).status_code == 303
    db.session.expire_all()
    assert db.session.get(MdfRequest, r.id).title == "CRM webinar v2"
    services.send_back(w.manager, r.id, "declined", "No budget")
    assert db.session.get(MdfRequest, r.id).status == DECLINED


def test_partner_form_and_pages(w, client, login):
    login(w.a_member)
    response = client.post("/mdf/new", data=form_data())
    assert response.status_code == 303
    page = client.get("/mdf/").get_data(as_text=True)
    assert "CRM webinar" in page and "Marketing fund" in page
    login(w.manager)
    assert "CRM webinar" in client.get("/mdf/manage").get_data(as_text=True)
    assert client.get(f"/mdf/manage/organisations/{w.org_a.id}").status_code == 200


def test_bad_request_input_saves_nothing(w, client, login):
    login(w.a_member)
    for bad in ({"requested": "60000"},                      # above cost x share
                {"starts_on": "2001-01-01", "ends_on": "2001-01-01"},
                {"ends_on": "2001-01-01"},
                {"share_percent": "0"}, {"share_percent": "101"},
                {"planned_cost": "9" * 40}, {"requested": "-5"},
                {"title": "bad\x00title"}, {"starts_on": "9999-12-31"}, {"starts_on": "0001-01-01"}):
        response = client.post("/mdf/new", data=form_data(**bad))
        assert response.status_code in (400, 422), bad
    assert db.session.scalar(select(func.count()).select_from(MdfRequest)) == 0


def test_other_organisation_cannot_see_or_touch(w, client, login):
    r = services.submit(w.a_member, values())
    services.send_back(w.manager, r.id, "changes_requested", "more")
    login(w.b_member)
    assert client.get(f"/mdf/requests/{r.id}").status_code == 404
    assert client.post(f"/mdf/requests/{r.id}/edit", data=form_data(title="hijack")).status_code == 404
    assert client.post(f"/mdf/manage/requests/{r.id}", data={"decision": "approve"}).status_code == 403
    assert client.get(f"/mdf/manage/organisations/{w.org_a.id}").status_code == 403
    db.session.expire_all()
    assert db.session.get(MdfRequest, r.id).title == "CRM webinar"


def test_absurd_adjustment_is_refused(w, client, login):
    login(w.manager)
    response = client.post(f"/mdf/manage/organisations/{w.org_a.id}",
                           data={"quarter": quarter(), "direction": "add", "amount": "9" * 30, "reason": "x"})
    assert response.status_code == 422
    response = client.post(f"/mdf/manage/organisations/{w.org_a.id}",
                           data={"quarter": "2026-Q9", "direction": "add", "amount": "10", "reason": "x"})
    assert response.status_code == 422
    assert db.session.scalar(select(func.count()).select_from(MdfEntry).where(MdfEntry.kind == "adjust")) == 0


def test_tick_credits_each_partner_once(w):
    assert services.credit_all() == 2  # silver and gold; the vendor and bronze get nothing
    assert services.credit_all() == 0
    assert services.balance(w.org_b.id, services.quarter_of(services.today())).available == 500_000_00


def test_home_panel_shows_available(w, client, login):
    services.credit_all()
    login(w.a_member)
    page = client.get("/").get_data(as_text=True)
    assert "home-mdf-heading" in page
    assert "150" in page.split("home-mdf-heading")[-1][:600]


def test_demo_step_makes_each_state_once(w):
    import random

    from hub.core.cli import DemoContext
    from hub.database import utcnow
    from hub.marketing.mdf import demo

    ctx = DemoContext(rng=random.Random(1), today=utcnow().date(), now=utcnow(), echo=lambda _t: None)
    assert demo.demo(ctx) == {"requests": 12}  # two partners above bronze, six requests each
    db.session.commit()
    assert demo.demo(ctx) is None
    statuses = set(db.session.scalars(select(MdfRequest.status)))
    assert statuses == {"submitted", "approved", "awaiting_second", "changes_requested", "declined"}
    assert services.balance(w.org_a.id, services.quarter_of(utcnow().date())).available >= 0


def test_list_pages_have_bounded_queries(w, client, login):
    from sqlalchemy import event as sa_event
    for n in range(15):
        services.submit(w.a_member, values(title=f"A {n}"))
    login(w.manager)
    counted = []
    listener = lambda *a, **k: counted.append(1)  # noqa: E731
    sa_event.listen(db.engine, "before_cursor_execute", listener)
    try:
        assert client.get("/mdf/manage").status_code == 200
    finally:
        sa_event.remove(db.engine, "before_cursor_execute", listener)
    assert len(counted) <= 15


def test_ended_quarter_expires_what_is_left_once(w):
    from datetime import date
    assert services.quarter_end("2026-Q4") == date(2026, 12, 31)
    assert services.quarter_end("2027-Q1") == date(2027, 3, 31)
    services.ensure_credit(w.org_a, "2026-Q1")
    db.session.commit()
    services.adjust(w.manager, w.org_a.id, "2026-Q1", -50_000_00, "used elsewhere")
    assert services.expire_ended(date(2026, 4, 1)) == 1
    assert services.expire_ended(date(2026, 4, 2)) == 0
    b = services.balance(w.org_a.id, "2026-Q1")
    assert (b.expired, b.available) == (100_000_00, 0)
    services.ensure_credit(w.org_a, "2026-Q2")
    db.session.commit()
    assert services.expire_ended(date(2026, 6, 30)) == 0  # not ended yet


def test_decision_form_bad_input_and_edit_page(w, client, login):
    r = services.submit(w.a_member, values())
    login(w.manager)
    for data in ({"decision": "approve\x00"}, {"decision": "nonsense"},
                 {"decision": "partial", "amount": "9" * 40}, {"decision": "partial"},
                 {"decision": "partial", "amount": "60000"}, {"decision": "declined", "reason": "x\x00"}):
        assert client.post(f"/mdf/manage/requests/{r.id}", data=data).status_code in (400, 409, 422), data
    db.session.expire_all()
    assert db.session.get(MdfRequest, r.id).status == "submitted"
    assert db.session.scalar(select(func.count()).select_from(MdfEntry).where(MdfEntry.kind == "commit")) == 0
    assert client.get(f"/mdf/requests/{r.id}").status_code == 200
    services.send_back(w.manager, r.id, "changes_requested", "dates")
    login(w.a_member)
    page = client.get(f"/mdf/requests/{r.id}/edit")
    assert page.status_code == 200 and "CRM webinar" in page.get_data(as_text=True)
    assert client.get("/mdf/manage").status_code == 403


def test_expiry_notices_30_and_7_days_before_once_each(w):
    from datetime import date

    from hub.core.models import Notification
    services.ensure_credit(w.org_a, "2026-Q4")
    db.session.commit()
    assert services.warn_expiring(date(2026, 11, 20)) == 0   # 41 days left
    assert services.warn_expiring(date(2026, 12, 1)) == 1    # 30 days: org A (B has no entries)
    assert services.warn_expiring(date(2026, 12, 2)) == 0    # once
    assert services.warn_expiring(date(2026, 12, 24)) == 1   # 7 days
    assert services.warn_expiring(date(2026, 12, 25)) == 0
    notes = db.session.scalars(select(Notification).where(Notification.type == "mdf.expiring")).all()
    assert [n.user_id for n in notes] == [w.a_admin.id, w.a_admin.id]


def test_every_field_survives_nul_and_duplicates(w, client, login):
    from tests.core.test_bad_input import NUL  # the same bad value the hub-wide walk sends
    login(w.a_member)
    good = form_data()
    for name in good:
        for bad in ({**good, name: NUL}, [(k, v) for k, v in good.items()] + [(name, good[name])]):
            data = bad if isinstance(bad, dict) else __import__("werkzeug.datastructures").datastructures.MultiDict(bad)
            response = client.post("/mdf/new", data=data)
            assert response.status_code in (400, 422), (name, response.status_code)
    assert db.session.scalar(select(func.count()).select_from(MdfRequest)) == 0


def test_tick_costs_what_changed_not_the_number_of_partners(w, count_queries):
    """Issue 10 point 5: a tick with nothing new reads a fixed number of queries whatever the number of
    partners; the first one credits every funded partner in one statement per table."""
    from datetime import date

    from tests import factories

    def nothing_new_queries(day):  # what the tick job runs, on a chosen day
        with count_queries() as counter:
            assert (services.credit_all(day), services.warn_expiring(day), services.expire_ended(day)) == (0, 0, 0)
        return counter.count

    day = date(2026, 12, 10)  # inside the 30-day window: the expiry notices are looked for too
    services.credit_all(day)
    services.warn_expiring(day)
    services.expire_ended(day)
    first = nothing_new_queries(day)
    for n in range(25):
        factories.create_org(f"Партнёр {n}", tier="gold")
    db.session.commit()
    assert services.credit_all(day) == 25
    assert services.credit_all(day) == 0
    assert services.warn_expiring(day) == 25
    assert nothing_new_queries(day) == first
    assert first <= 6
    credits = db.session.scalars(select(MdfEntry.amount_kopecks).where(MdfEntry.kind == "credit",
                                                                       MdfEntry.quarter == "2026-Q4")).all()
    assert sorted(set(credits)) == [150_000_00, 500_000_00]


def test_the_managers_lists_show_their_totals_and_open_in_full_page_by_page(client, login, w, monkeypatch):
    from hub.marketing.mdf import routes
    monkeypatch.setattr(routes, "QUEUE_OVERVIEW_ROWS", 3)
    monkeypatch.setattr(routes, "QUEUE_PER_PAGE", 2)
    for n in range(5):  # 5 000 ₽ each: the Silver quarter holds them all
        services.submit(w.a_member, values(title=f"Webinar {n}", requested_kopecks=5_000_00,
                                           planned_cost_kopecks=10_000_00))
    login(w.manager)
    page = client.get("/mdf/manage").get_data(as_text=True)
    assert "Waiting for a decision (5)" in page and "Showing 3 of 5: see them all" in page
    assert "Webinar 4" in page and "Webinar 1" not in page  # newest first
    assert "Claims to decide or pay (0)" in page and "No claims waiting." in page
    assert 'id="mdf-waiting"' in page and 'id="mdf-decided"' in page  # one id per table
    full = client.get("/mdf/manage?show=requests&page=3").get_data(as_text=True)
    assert "Webinar 0" in full and "Webinar 1" not in full and "Page 3 of 3" in full
    assert "Claims to decide or pay (" not in full  # only the list asked for
    assert client.get("/mdf/manage?show=requests&page=4").status_code == 404
    assert client.get("/mdf/manage?page=2").status_code == 404  # the overview has one page
    bad = client.get("/mdf/manage?show=everything")
    assert bad.status_code == 400 and "not on the list" in bad.get_data(as_text=True)
