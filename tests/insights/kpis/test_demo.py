"""The demo program fills the KPIs' read model (the listeners during the demo, then the backfill of
registrations), a second run adds nothing, and the pages show it."""
from sqlalchemy import func, select

from hub.extensions import db
from hub.insights.kpis import demo as kpis_demo
from hub.insights.kpis import services
from hub.insights.kpis.models import KpiFact

from .conftest import url


def test_the_demo_fills_the_read_model(demo, client, login):
    kinds = dict(db.session.execute(select(KpiFact.kind, func.count()).group_by(KpiFact.kind)).all())
    assert kinds["submitted"] > 50 and kinds["won"] > 10 and kinds["nps"] > 10 and kinds["attended"] > 10
    assert kpis_demo.backfill() == {}  # idempotent
    db.session.commit()
    manager = db.session.scalar(select(services.Organisation).where(services.Organisation.kind == "vendor"))
    from hub.accounts.models import User
    login(db.session.scalar(select(User).where(User.organisation_id == manager.id, User.role == "manager")))
    page = client.get(url("kpis.index")).get_data(as_text=True)
    assert "Данные на" in page and "Стратегический партнёр" in page  # the demo manager reads Russian
