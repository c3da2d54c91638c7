"""Once-only under a race, on SQLite and PostgreSQL: four people each send their vote twice at the
same moment (8 threads through the app): 4 votes count, 4 are refused, the counter says 4. The asker
accepting from several tabs at once sends one `answer_accepted`."""

from sqlalchemy import func, select

from hub.accounts import sessions
from hub.accounts.models import User
from hub.community.qa.models import QaPost, QaVote
from hub.extensions import db
from tests import factories
from tests.helpers import payloads
from tests.race import post_together, statuses

from .conftest import ask, reply


def _race(app, keys, path):
    return statuses(post_together(app, [(key, path, None) for key in keys]))


def test_racing_votes_count_once_per_person(app, w):
    thread = ask(w.b_member)
    answer = reply(w.manager, thread)
    voters = [w.a_member, w.a_admin, w.b_admin, factories.create_user(w.org_b, "member", "third@beta.test")]
    keys = [sessions.open_session(db.session.get(User, v.id), remember=False) for v in voters for _ in range(2)]
    answer_id = answer.id
    codes = _race(app, keys, f"/community/p/{answer_id}/vote")
    assert codes == [303] * 4 + [409] * 4
    assert db.session.scalar(select(func.count()).select_from(QaVote)) == 4
    assert db.session.get(QaPost, answer_id).votes == 4


def test_racing_accepts_send_one_event(app, w):
    thread = ask(w.b_member)
    answer = reply(w.a_member, thread)
    key = sessions.open_session(db.session.get(User, w.b_member.id), remember=False)
    codes = _race(app, [key] * 4, f"/community/p/{answer.id}/accept")
    assert codes == [303] * 4
    assert len(payloads("answer_accepted")) == 1
