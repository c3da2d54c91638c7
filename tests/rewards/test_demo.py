"""The demo program shows rewards, and a second run duplicates nothing."""
from pathlib import Path

from sqlalchemy import func, select

from hub.extensions import db
from hub.rewards.models import BadgeAward, CommissionLine, PeriodStat, PointEntry, TierChange, WonDeal


def _counts():
    return {m.__name__: db.session.scalar(select(func.count()).select_from(m))
            for m in (PointEntry, WonDeal, CommissionLine, BadgeAward, TierChange, PeriodStat)}


def test_demo_feeds_rewards_once(app, demo):
    runner = app.test_cli_runner()
    assert "rewards demo:" in demo.output
    db.session.expire_all()
    first = _counts()
    assert all(first.values()), first
    statuses = set(db.session.scalars(select(CommissionLine.status).distinct()))
    assert statuses == {"owed", "approved", "paid"}
    again = runner.invoke(args=["demo"])
    assert again.exit_code == 0, again.output
    db.session.expire_all()
    assert _counts() == first
