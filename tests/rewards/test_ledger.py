"""R1: the points ledger is fed by domain events and counts each source event once."""
import threading

from sqlalchemy import func, select

from hub.extensions import db
from hub.rewards.models import PeriodStat, PointEntry

from .conftest import answer_accepted, approved, attended, certificate_ns, certified, deal_ns, win, won


def _points(org_id, period="all"):
    return db.session.scalar(select(PeriodStat.points).where(PeriodStat.organisation_id == org_id,
                                                             PeriodStat.period == period))


def test_points_per_action_from_the_rules(world):
    deal = deal_ns(world.org_a, world.a_member)
    approved(deal, actor_id=world.manager.id)
    won(deal, actor_id=world.a_member.id)
    certified(certificate_ns(world.a_admin))
    attended(7, world.a_member)
    answer_accepted(8, world.a_member)
    rows = {(e.action, e.user_id): e.points for e in db.session.scalars(select(PointEntry))}
    assert rows == {("deal_approved", world.a_member.id): 10, ("deal_won", world.a_member.id): 100,
                    ("certificate_earned", world.a_admin.id): 50, ("event_attended", world.a_member.id): 20,
                    ("accepted_answer", world.a_member.id): 15}
    assert _points(world.org_a.id) == 195


def test_replaying_a_signal_never_counts_twice(world):
    deal = deal_ns(world.org_a, world.a_member)
    cert = certificate_ns(world.a_admin)
    for _ in range(3):
        approved(deal, actor_id=world.manager.id)
        won(deal, actor_id=world.a_member.id)
        certified(cert, renewal=True)
    assert db.session.scalar(select(func.count(PointEntry.id))) == 3
    assert _points(world.org_a.id) == 160
    stat = db.session.get(PeriodStat, (world.org_a.id, "all"))
    assert stat.deals_won == 1 and stat.revenue_kopecks == deal.final_amount_kopecks


def test_concurrent_replays_count_once(app, world):
    deal = deal_ns(world.org_a, world.a_member)
    db.session.commit()
    barrier = threading.Barrier(4)
    errors = []

    def worker():
        with app.app_context():
            try:
                barrier.wait()
                won(deal)
            except Exception as exc:  # pragma: no cover - reported below
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    db.session.rollback()  # a fresh snapshot
    assert db.session.scalar(select(func.count(PointEntry.id))) == 1
    stat = db.session.get(PeriodStat, (world.org_a.id, "all"))
    assert stat.deals_won == 1 and stat.points == 100


def test_points_fall_in_program_time_periods(world, monkeypatch):
    """21:30 UTC on 31 March is 00:30 on 1 April in Moscow: the points belong to April and Q2."""
    from datetime import datetime, timezone

    from hub.rewards import services
    from hub.rewards.models import DEAL_APPROVED
    services.credit(services.Credit(DEAL_APPROVED, "deal:1", world.org_a.id, world.a_member.id),
                    now=datetime(2026, 3, 31, 21, 30, tzinfo=timezone.utc))
    db.session.commit()
    assert _points(world.org_a.id, "2026-04") == 10
    assert _points(world.org_a.id, "2026-Q2") == 10
    assert _points(world.org_a.id, "2026-03") is None


def test_rebuilding_aggregates_gives_the_same_figures(world):
    from hub.rewards.services import rebuild_stats
    win(world.org_a, world.a_member)
    win(world.org_b, world.b_member, amount=55_55)
    before = {(s.organisation_id, s.period): (s.revenue_kopecks, s.points, s.deals_won)
              for s in db.session.scalars(select(PeriodStat))}
    rebuild_stats()
    db.session.commit()
    after = {(s.organisation_id, s.period): (s.revenue_kopecks, s.points, s.deals_won)
             for s in db.session.scalars(select(PeriodStat))}
    assert before == after


def test_no_other_module_imports_rewards_internals():
    """Only the app factory (registration) and the demo seeder (hub/demo.py) name rewards."""
    import re
    from pathlib import Path
    root = Path(__file__).resolve().parents[2] / "hub"
    allowed = {root / "__init__.py", root / "demo.py"}
    pattern = re.compile(r"(hub\.rewards|from \.+rewards|import rewards)")
    offenders = [str(p) for p in root.rglob("*.py")
                 if "rewards" not in p.relative_to(root).parts and p not in allowed and pattern.search(p.read_text())]
    assert offenders == []
