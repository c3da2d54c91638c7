"""The demo: bilingual threads in both spaces, accepted answers with their points, one unsolved."""
from sqlalchemy import func, select

from hub.accounts.models import Organisation, User
from hub.community.qa import services
from hub.community.qa.models import QaThread
from hub.extensions import db
from hub.rewards.models import PointEntry

from .conftest import text, url


def test_demo_threads(demo, client, login):
    assert "community-qa demo created: threads: 7" in demo.output
    threads = db.session.scalars(select(QaThread)).all()
    assert {t.space for t in threads} == {"public", "private"}
    assert any("Exchange" in t.title for t in threads) and any("free CRM" in t.title for t in threads)
    assert sum(t.solved for t in threads) >= 4 and sum(not t.solved for t in threads) >= 1
    assert db.session.scalar(select(func.count()).select_from(PointEntry)
                             .where(PointEntry.action == "accepted_answer")) >= 1
    assert services.remind_unsolved() >= 1
    silver = db.session.scalar(select(User).join(Organisation, Organisation.id == User.organisation_id)
                               .where(Organisation.tier.in_(("bronze", "silver")), User.role == "member"))
    login(silver)
    page = text(client.get(url("qa.index")))
    assert "free CRM" in page and "Joint bid" not in page
