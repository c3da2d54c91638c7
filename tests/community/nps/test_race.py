"""Answered once under a race: two (and then eight) simultaneous answers to one survey, each its own
request and session, store exactly one answer and one nps_answered event; the others get 409.
On SQLite and PostgreSQL (the conditional UPDATE on status = 'open')."""
import pytest
from sqlalchemy import func, select

from hub.community.nps.models import NpsSurvey
from hub.domain_events.models import DomainEvent
from hub.extensions import db
from tests.race import login_key, post_together, statuses

from .conftest import make_survey


@pytest.mark.parametrize("n", [2, 8])
def test_racing_answers_store_exactly_one(app, w, n):
    survey_id = make_survey(w.a_member).id
    key = login_key(w.a_member.id)
    answers = post_together(app, [(key, f"/nps/{survey_id}", {"score": str(i), "comment": f"answer {i}"})
                                  for i in range(n)])
    assert statuses(answers) == [303] + [409] * (n - 1)
    db.session.expire_all()
    survey = db.session.get(NpsSurvey, survey_id)
    assert survey.status == "answered" and survey.comment == f"answer {survey.score}"
    assert db.session.scalar(select(func.count()).select_from(DomainEvent)
                             .where(DomainEvent.name == "nps_answered")) == 1
