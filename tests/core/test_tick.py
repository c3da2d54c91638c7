"""`flask --app hub tick`: each job on its own — one that fails is rolled back and reported, the
others still run, and the command exits non-zero at the end."""
from __future__ import annotations

from sqlalchemy import select

from hub.core import cli
from hub.core.models import AuditEntry
from hub.core.services import audit
from hub.extensions import db


def test_a_failing_job_is_rolled_back_reported_and_the_others_still_run(app, world, monkeypatch):
    def broken(echo):
        audit("organisation", world.org_a.id, "half-done-by-broken-job")
        db.session.flush()
        raise RuntimeError("the broken job broke")

    def after(echo):
        audit("organisation", world.org_a.id, "done-by-later-job")
        echo("later job ran")

    monkeypatch.setattr(cli, "TICK_JOBS", {"broken": broken, **cli.TICK_JOBS, "later": after})
    result = app.test_cli_runner().invoke(args=["tick"])
    assert result.exit_code == 1
    assert "broken: FAILED: RuntimeError: the broken job broke" in result.output
    assert "later: later job ran" in result.output
    assert "events: delivered 0" in result.output and "outbox: sent 0, failed 0" in result.output
    assert "tick: 1 job(s) failed: broken" in result.output
    db.session.expire_all()
    assert list(db.session.scalars(select(AuditEntry.action))) == ["done-by-later-job"]


def test_tick_exits_zero_when_every_job_succeeds(app, world):
    result = app.test_cli_runner().invoke(args=["tick"])
    assert result.exit_code == 0, result.output
    assert "FAILED" not in result.output
    assert [line.split(":")[0] for line in result.output.splitlines()][-1] == "outbox"
