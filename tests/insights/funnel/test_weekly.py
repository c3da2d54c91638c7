"""The weekly report: e-mailed to the managers once per week by the tick (also when two ticks run at the
same moment), with the funnel, new applications, stalled partners, at-risk key partners and the sections
other features registered; links from HUB_BASE_URL."""
import re
import threading
from datetime import date, datetime, timezone

import pytest
from sqlalchemy import func, select

from hub.core.models import OutboxMessage
from hub.extensions import db
from hub.insights import report
from hub.insights.funnel import services, weekly
from hub.insights.funnel.models import FunnelWeeklyReport
from tests import factories

WEDNESDAY = datetime(2026, 12, 2, 9, 0, tzinfo=timezone.utc)     # the week of 30 November is running
LAST_WEEK = date(2026, 11, 23)


def mails():
    db.session.expire_all()
    return list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "insights.weekly")
                                   .order_by(OutboxMessage.id)))


def reports() -> int:
    return db.session.scalar(select(func.count()).select_from(FunnelWeeklyReport))


@pytest.fixture
def program(app, w):
    stuck = factories.create_org("Stuck Partner Ltd", segment="sales")
    services.record_signed(stuck.id, datetime(2026, 6, 1, tzinfo=timezone.utc))
    services.record_application(5, partner_type="agent", submitted_at=datetime(2026, 11, 25, 10, tzinfo=timezone.utc))
    services.record_application(6, partner_type="agent", submitted_at=datetime(2026, 12, 1, 10, tzinfo=timezone.utc))
    factories.create_org("Golden Key LLC", tier="gold", segment="strategic")   # a key partner with no activity
    factories.create_user(w.vendor, "manager", "inactive@example.test", is_active_user=False)
    w.manager.locale = "en"                                                    # the admin reads Russian
    db.session.commit()
    return stuck


def test_weeks_run_monday_to_sunday_in_the_program_zone(app):
    assert weekly.week_of(date(2026, 12, 6)) == date(2026, 11, 30)
    assert weekly.last_complete_week(WEDNESDAY) == LAST_WEEK
    # Monday 00:30 in Moscow is still Sunday in UTC: the week that just ended there is reported.
    assert weekly.last_complete_week(datetime(2026, 11, 29, 21, 30, tzinfo=timezone.utc)) == LAST_WEEK


def test_sent_once_per_week_to_each_active_manager(app, program):
    assert weekly.send_due(WEDNESDAY) == LAST_WEEK
    sent = mails()
    assert sorted(m.recipient for m in sent) == ["admin@example.test", "manager@example.test"]
    assert weekly.send_due(WEDNESDAY) is None
    assert weekly.send_due(datetime(2026, 12, 6, 20, tzinfo=timezone.utc)) is None   # still that week
    assert len(mails()) == 2 and reports() == 1
    assert weekly.send_due(datetime(2026, 12, 7, 9, tzinfo=timezone.utc)) == date(2026, 11, 30)
    assert len(mails()) == 4 and reports() == 2


def test_nothing_is_sent_while_the_funnel_is_empty(app, w):
    assert weekly.send_due(WEDNESDAY) is None
    assert mails() == [] and reports() == 0
    services.record_application(1, partner_type="agent", submitted_at=WEDNESDAY)
    assert weekly.send_due(WEDNESDAY) == LAST_WEEK                 # the week was not used up by the empty run


def test_the_mail_has_the_report_and_absolute_links(app, program):
    weekly.send_due(WEDNESDAY)
    mail = next(m for m in mails() if m.recipient == "manager@example.test")
    base = app.config["HUB_BASE_URL"].rstrip("/")
    body = mail.body
    assert "The funnel as the week ended" in body and "Sales partner" in body
    assert "New applications: 1" in body                       # the 25 November one; 1 December is next week's
    assert "Stuck Partner Ltd" in body and f"{base}/" in body
    assert "Golden Key LLC" in body                            # at risk: no deals, no certificates, no events
    assert f"{base}/insights/funnel/weekly/2026-11-23" in body
    for link in re.findall(r"https?://\S+", body):
        assert link.startswith(base), link
    assert "Stuck Partner Ltd" in mail.html_body and "<table" in mail.html_body
    russian = next(m for m in mails() if m.recipient == "admin@example.test")
    assert russian.subject.startswith("Партнёрская программа: неделя с 23 ноября 2026")
    assert "Воронка на конец недели" in russian.body and "Партнёр по продажам" in russian.body


def test_registered_sections_are_in_the_page_and_the_mail(app, client, login, w, program, monkeypatch):
    monkeypatch.setitem(report._SECTIONS, "tests.moved", report._Registered(
        "tests.moved", 20, lambda start, end: report.ReportSection(
            title="KPIs that moved", headers=["KPI", "Change"], rows=[["Activity", f"+5 % ({start}–{end})"]],
            link_endpoint="funnel.index")))
    weekly.send_due(WEDNESDAY)
    assert all("Activity · +5 % (2026-11-23–2026-11-30)" in m.body for m in mails())
    login(w.manager)
    page = client.get("/insights/funnel/weekly/2026-11-23").get_data(as_text=True)
    assert "KPIs that moved" in page and "+5 % (2026-11-23–2026-11-30)" in page


def test_the_tick_sends_it_once(app, program):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["tick"])
    assert "insights.funnel.weekly: weekly report for the week of" in first.output, first.output
    second = runner.invoke(args=["tick"])
    assert "insights.funnel.weekly: no weekly report due" in second.output, second.output
    assert reports() == 1 and len(mails()) == 2


def test_two_ticks_at_once_send_it_once(app, program):
    db.session.remove()
    barrier = threading.Barrier(4)
    results, errors = [], []

    def tick():
        try:
            with app.app_context():
                barrier.wait(timeout=30)
                results.append(weekly.send_due(WEDNESDAY))
                db.session.remove()
        except Exception as exc:  # reported below, after every thread ended
            errors.append(exc)

    threads = [threading.Thread(target=tick) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert errors == []
    assert sorted(results, key=str) == [LAST_WEEK, None, None, None]
    assert reports() == 1 and len(mails()) == 2
