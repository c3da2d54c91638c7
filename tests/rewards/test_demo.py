"""The demo program shows rewards, and a second run duplicates nothing."""
from pathlib import Path

from sqlalchemy import func, select

from hub.extensions import db
from hub.rewards.models import BadgeAward, CommissionLine, PeriodStat, PointEntry, TierChange, WonDeal  # noqa: F401


def _counts():
    return {m.__name__: db.session.scalar(select(func.count()).select_from(m))
            for m in (PointEntry, WonDeal, CommissionLine, BadgeAward, TierChange, PeriodStat)}


def test_demo_feeds_rewards_once(app, demo):
    runner = app.test_cli_runner()
    assert "rewards demo created:" in demo.output
    db.session.expire_all()
    first = _counts()
    assert all(first.values()), first
    statuses = set(db.session.scalars(select(CommissionLine.status).distinct()))
    assert statuses == {"owed", "approved", "paid"}
    again = runner.invoke(args=["demo"])
    assert again.exit_code == 0, again.output
    db.session.expire_all()
    assert _counts() == first


def test_demo_statements_follow_the_tier_history(app, badges_loaded):
    """Every demo commission line is priced at the tier the tier history gives on its won date
    (worked out here from the TierChange rows alone), at that tier's rate; and the history makes the
    demo show lines of more than one tier."""
    from datetime import datetime, time, timedelta
    from zoneinfo import ZoneInfo

    from hub.accounts.models import Organisation
    from hub.program import rules as program_rules

    assert app.test_cli_runner().invoke(args=["demo"]).exit_code == 0
    db.session.expire_all()
    rules = program_rules.current()
    zone = ZoneInfo(rules.timezone)
    changes = {}
    for change in db.session.scalars(select(TierChange).order_by(TierChange.created_at, TierChange.id)):
        changes.setdefault(change.organisation_id, []).append(change)
    today_tiers = dict(db.session.execute(select(Organisation.id, Organisation.tier)).all())
    wins = {w.deal_id: w for w in db.session.scalars(select(WonDeal))}
    lines = list(db.session.scalars(select(CommissionLine).where(CommissionLine.rule == "commission")))
    assert len(lines) == len(wins) > 50

    def held(org_id, closed_on, recorded_at):
        end = datetime.combine(closed_on + timedelta(days=1), time.min, zone)
        moment = min(end, recorded_at)
        tier = changes[org_id][0].old_tier if org_id in changes else today_tiers[org_id]
        for change in changes.get(org_id, []):
            if change.created_at < moment:
                tier = change.new_tier
        return tier

    seen = set()
    for line in lines:
        win = wins[line.deal_id]
        expected = held(line.organisation_id, win.closed_on, win.recorded_at)
        assert line.tier == expected, (line.deal_id, win.closed_on, line.tier, expected)
        assert line.percent == rules.rate(line.product, expected)
        seen.add(line.tier)
    # Promoted organisations won deals before their promotion: those lines carry the lower tier.
    promoted = {org_id for org_id, rows in changes.items() if any(c.reason == "promotion" for c in rows)}
    below = [l for l in lines if l.organisation_id in promoted and l.tier != today_tiers[l.organisation_id]]
    assert below, "no demo line shows a tier below today's"
    assert len(seen) >= 3, seen
