import pytest

from hub.community.qa import services
from hub.extensions import db
from tests import factories
from tests.helpers import _english_browser, url  # noqa: F401 (autouse fixture, re-exported helper)


@pytest.fixture
def w(app):
    """Alpha is Gold (reads the private space), Beta is Silver (does not)."""
    world = factories.world()
    world.org_a.tier = "gold"
    world.org_b.tier = "silver"
    world.a_other = factories.create_user(world.org_a, "member", "other@alpha.test", name="Olga Alpha")
    db.session.commit()
    return world


def ask(user, category="general", title="How to import contacts?", body="From **1C**, please."):
    return services.ask(user, category, title, body).thread


def reply(user, thread, body="Use the import template."):
    return services.reply(user, thread.id, body).post


def text(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def badges_loaded(app):
    from pathlib import Path

    from hub.rewards.badges import read_badges, sync_badges
    sync_badges(read_badges(Path(app.config["CONTENT_DIR"]) / "badges.yml", Path(app.static_folder)))
    db.session.commit()


def count(model, *where) -> int:
    from sqlalchemy import func, select
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def notes(user, key=None) -> list:
    from sqlalchemy import select

    from hub.core.models import Notification
    query = select(Notification).where(Notification.user_id == user.id)
    if key:
        query = query.where(Notification.type == key)
    return list(db.session.scalars(query))
