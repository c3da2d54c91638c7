"""Answered once under a race: two (and then eight) simultaneous answers to one survey, each its own
request and session, store exactly one answer and one nps_answered event; the others get 409.
On SQLite and PostgreSQL (the conditional UPDATE on status = 'open')."""
import threading

import pytest
from sqlalchemy import func, select

from hub.accounts import sessions
from hub.accounts.models import User
from hub.community.nps.models import NpsSurvey
from hub.domain_events.models import DomainEvent
from hub.extensions import db
from tests.conftest import HubClient

from .conftest import make_survey


@pytest.mark.parametrize("n", [2, 8])
def test_racing_answers_store_exactly_one(app, w, n):
    survey_id = make_survey(w.a_member).id
    key = sessions.open_session(db.session.get(User, w.a_member.id), remember=False)
    db.session.remove()
    app.test_client_class = HubClient
    barrier = threading.Barrier(n)
    codes, errors, lock = [], [], threading.Lock()

    def run(i):
        try:
            with app.app_context():
                client = app.test_client()
                client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
                with client.session_transaction() as session:
                    session["_user_id"] = key
                    session["_fresh"] = True
                db.session.remove()
                barrier.wait(timeout=60)
                response = client.post(f"/nps/{survey_id}", data={"score": str(i), "comment": f"answer {i}"})
                with lock:
                    codes.append(response.status_code)
                db.session.remove()
        except BaseException as exc:  # noqa: BLE001 - reported below
            with lock:
                errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=180)
    assert not errors, errors
    assert sorted(codes) == [303] + [409] * (n - 1)
    db.session.expire_all()
    survey = db.session.get(NpsSurvey, survey_id)
    assert survey.status == "answered" and survey.comment == f"answer {survey.score}"
    assert db.session.scalar(select(func.count()).select_from(DomainEvent)
                             .where(DomainEvent.name == "nps_answered")) == 1
