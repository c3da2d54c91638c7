"""The tick opens the round through `flask --app hub tick`; the demo gives the results a trend."""
from sqlalchemy import func, select

from hub.community.nps import services
from hub.community.nps.models import RELATIONSHIP, NpsSurvey
from hub.database import utcnow
from hub.extensions import db

from .conftest import url


def test_tick_runs_the_nps_job(app, w):
    result = app.test_cli_runner().invoke(args=["tick"])
    assert result.exit_code == 0, result.output
    found = services.round_of(utcnow().date())
    opened = db.session.scalar(select(func.count()).select_from(NpsSurvey).where(NpsSurvey.kind == RELATIONSHIP))
    # Inside a round's window every partner person gets it; outside, nobody does (and nothing fails).
    in_window = utcnow() < found[1] + __import__("datetime").timedelta(days=services.rules().open_days)
    assert opened == (4 if in_window else 0)
    assert "NPS survey(s) opened" in result.output
    again = app.test_cli_runner().invoke(args=["tick"])
    assert again.exit_code == 0
    assert db.session.scalar(select(func.count()).select_from(NpsSurvey).where(NpsSurvey.kind == RELATIONSHIP)) == opened


def test_demo_shows_a_trend_and_open_surveys(demo, client, login):
    from hub.accounts.models import User
    assert "community-nps demo created" in demo.output
    trend = services.trend("half")
    assert len(trend) >= 2 and all(row.answered for row in trend)
    assert len({row.key for row in services.table("tier")}) >= 2
    open_count = db.session.scalar(select(func.count()).select_from(NpsSurvey).where(
        NpsSurvey.status == "open", NpsSurvey.expires_at > utcnow()))
    assert open_count > 0
    assert services.follow_ups("open") and services.follow_ups("closed") + services.follow_ups("contacted")
    manager = db.session.scalar(select(User).where(User.email == "manager@kvant.demo"))
    login(manager)
    page = client.get(url("nps.results")).get_data(as_text=True)
    assert page.count("-H") >= 2
