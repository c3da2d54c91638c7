"""NPS over HTTP: the answer page with and without htmx, answered once, nobody else's survey, bad input
refused next to the field with nothing saved, the home panel, the managers' results, CSV and follow-up."""
import pytest
from sqlalchemy import func, select

from hub.community.nps.models import AFTER_EVENT, NpsSurvey
from hub.core.models import Notification
from hub.domain_events.models import DomainEvent
from hub.extensions import db
from tests import factories

from .conftest import make_survey, url

HX = {"HX-Request": "true"}


def stored(survey_id):
    db.session.expire_all()
    return db.session.get(NpsSurvey, survey_id)


def answered_events():
    return db.session.scalar(select(func.count()).select_from(DomainEvent).where(DomainEvent.name == "nps_answered"))


def test_answer_without_javascript(client, login, w):
    survey = make_survey(w.a_member)
    login(w.a_member)
    page = client.get(url("nps.answer", survey_id=survey.id)).get_data(as_text=True)
    assert "How likely are you to recommend our partner program" in page
    assert page.count('type="radio"') == 11 and 'name="comment"' in page
    response = client.post(url("nps.answer", survey_id=survey.id), data={"score": "9", "comment": "Good"})
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/nps/{survey.id}")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Thank you for your answer!" in page and "with 9 out of 10" in page and 'type="radio"' not in page
    assert (stored(survey.id).score, stored(survey.id).comment) == (9, "Good")
    # a second answer: a clear 409, nothing changes
    again = client.post(url("nps.answer", survey_id=survey.id), data={"score": "0"})
    assert again.status_code == 409 and "already answered" in again.get_data(as_text=True)
    assert stored(survey.id).score == 9 and answered_events() == 1


def test_answer_with_htmx_returns_the_region(client, login, w):
    survey = make_survey(w.a_member, kind=AFTER_EVENT, key="event:1")
    login(w.a_member)
    page = client.get(url("nps.answer", survey_id=survey.id)).get_data(as_text=True)
    assert 'hx-post="/nps/' in page and "After the event you attended" in page
    bad = client.post(url("nps.answer", survey_id=survey.id), data={"comment": "x"}, headers=HX)
    assert bad.status_code == 422
    body = bad.get_data(as_text=True)
    assert body.lstrip().startswith('<div id="nps-answer">') and "Choose a score from 0 to 10." in body
    ok = client.post(url("nps.answer", survey_id=survey.id), data={"score": "10"}, headers=HX)
    body = ok.get_data(as_text=True)
    assert ok.status_code == 200 and body.lstrip().startswith('<div id="nps-answer">')
    assert "Thank you for your answer!" in body and "<html" not in body
    again = client.post(url("nps.answer", survey_id=survey.id), data={"score": "1"}, headers=HX)
    assert again.status_code == 200 and again.headers["HX-Location"].endswith(f"/nps/{survey.id}")
    assert stored(survey.id).score == 10 and answered_events() == 1


@pytest.mark.parametrize("who", ["a_admin", "b_member", "b_admin", "manager"])
def test_someone_elses_survey_is_404(client, login, w, who):
    survey = make_survey(w.a_member)
    login(getattr(w, who))
    assert client.get(url("nps.answer", survey_id=survey.id)).status_code == 404
    assert client.post(url("nps.answer", survey_id=survey.id), data={"score": "10"}).status_code == 404
    assert stored(survey.id).status == "open" and answered_events() == 0


def test_unknown_and_huge_ids_are_404(client, login, w):
    login(w.a_member)
    assert client.get("/nps/999999").status_code == 404
    assert client.get("/nps/" + "9" * 40).status_code == 404


@pytest.mark.parametrize("data", [
    {"score": "11"}, {"score": "-1"}, {"score": "nine"}, {"score": ""}, {},
    {"score": "5", "comment": "x" * 2001}, {"score": "5", "comment": "a\x00b"},
    {"score": ["5", "6"]},
])
def test_bad_input_is_refused_next_to_the_field(client, login, w, data):
    survey = make_survey(w.a_member)
    login(w.a_member)
    response = client.post(url("nps.answer", survey_id=survey.id), data=data)
    assert response.status_code == 422
    assert 'class="error"' in response.get_data(as_text=True)
    assert stored(survey.id).status == "open" and answered_events() == 0


def test_expired_survey_is_closed(client, login, w):
    from datetime import timedelta
    from hub.database import utcnow
    survey = make_survey(w.a_member, opened=utcnow() - timedelta(days=40))
    login(w.a_member)
    assert "This survey is closed." in client.get(url("nps.answer", survey_id=survey.id)).get_data(as_text=True)
    response = client.post(url("nps.answer", survey_id=survey.id), data={"score": "8"})
    assert response.status_code == 409 and stored(survey.id).status == "open"


def test_home_panel_lists_open_surveys_and_my_surveys_page(client, login, w):
    make_survey(w.a_member)
    make_survey(w.b_member)
    login(w.a_member)
    home = client.get(url("core.home")).get_data(as_text=True)
    assert "Tell us how we are doing" in home and "Relationship survey" in home
    page = client.get(url("nps.index")).get_data(as_text=True)
    assert page.count("Relationship survey") == 1
    login(w.a_admin)
    assert "Tell us how we are doing" not in client.get(url("core.home")).get_data(as_text=True)


def test_manager_pages_are_for_the_vendor_only(client, login, w):
    survey = make_survey(w.a_member, score=3, comment="Slow", follow_up_status="open")
    login(w.a_admin)
    for endpoint, values in (("nps.results", {}), ("nps.results_csv", {}), ("nps.follow_ups", {}),
                             ("nps.follow_up", {"survey_id": survey.id})):
        assert client.get(url(endpoint, **values)).status_code == 403
    assert client.post(url("nps.follow_up", survey_id=survey.id),
                       data={"status": "closed", "note": "x"}).status_code == 403
    assert stored(survey.id).follow_up_status == "open"


def test_results_page_csv_and_filters(client, login, w):
    for score in (10, 9, 3):
        make_survey(factories.create_user(w.org_a), score=score)
    make_survey(w.b_member, score=7)
    make_survey(w.b_admin)
    login(w.manager)
    page = client.get(url("nps.results")).get_data(as_text=True)
    assert "Partner NPS" in page and "+33" in page and "Gold" in page and "Strategic partner" in page
    region = client.get(url("nps.results", by="quarter", kind="relationship"), headers=HX)
    assert region.get_data(as_text=True).lstrip().startswith('<div id="nps-results">')
    csv = client.get(url("nps.results_csv", table="tier"))
    assert csv.status_code == 200 and csv.mimetype == "text/csv"
    lines = csv.get_data(as_text=True).lstrip("\ufeff").splitlines()
    assert lines[0].startswith("Tier,NPS,Answers")
    assert any(line.startswith("Gold,33.3,3,2,0,1,3,100") for line in lines), lines
    assert any(line.startswith("Silver,0,1,0,1,0,2,50") for line in lines), lines
    for bad in ({"table": "users"}, {"by": "week"}, {"window": "x\x00"}, {"kind": "nope"}):
        assert client.get(url("nps.results_csv", **bad)).status_code == 400
        if "table" not in bad:
            assert client.get(url("nps.results", **bad)).status_code == 400


def test_follow_up_page(client, login, w):
    survey = make_survey(w.a_member, score=2, comment="Call me", follow_up_status="open")
    other = make_survey(w.b_member, score=9)  # no comment: nothing to follow up
    login(w.manager)
    page = client.get(url("nps.follow_ups")).get_data(as_text=True)
    assert "Call me" in page and "Alpha Integration" in page
    assert "Alpha Integration" not in client.get(url("nps.follow_ups", mine="1")).get_data(as_text=True)
    bad = client.post(url("nps.follow_up", survey_id=survey.id), data={"status": "contacted", "note": ""})
    assert bad.status_code == 422 and "Say what was done." in bad.get_data(as_text=True)
    bad = client.post(url("nps.follow_up", survey_id=survey.id), data={"status": "gone", "note": "x"})
    assert bad.status_code == 422
    ok = client.post(url("nps.follow_up", survey_id=survey.id), data={"status": "closed", "note": "Solved"})
    assert ok.status_code == 303
    assert (stored(survey.id).follow_up_status, stored(survey.id).follow_up_note) == ("closed", "Solved")
    assert "Solved" in client.get(url("nps.follow_up", survey_id=survey.id)).get_data(as_text=True)
    assert client.get(url("nps.follow_up", survey_id=other.id + 100)).status_code == 404


def test_comment_notification_links_from_the_base_url(app, client, login, w):
    survey = make_survey(w.a_member)
    login(w.a_member)
    client.post(url("nps.answer", survey_id=survey.id), data={"score": "4", "comment": "Slow approvals"})
    note = db.session.scalar(select(Notification).where(Notification.type == "nps.comment"))
    assert note.user_id == w.manager2.id and note.link == f"/nps/manage/answers/{survey.id}"
    from hub.core.models import OutboxMessage
    mail = db.session.scalar(select(OutboxMessage).where(OutboxMessage.recipient == w.manager2.email))
    assert app.config["HUB_BASE_URL"].rstrip("/") + f"/nps/manage/answers/{survey.id}" in mail.body


def test_pages_make_a_bounded_number_of_queries(client, login, w, count_queries):
    def count(user, endpoint, **values):
        login(user)
        with count_queries() as counter:
            assert client.get(url(endpoint, **values)).status_code == 200
        return counter.count

    def seed(n):
        for _ in range(n):
            person = factories.create_user(w.org_a)
            make_survey(person, score=n % 11, comment="c", follow_up_status="open")
            make_survey(person, kind=AFTER_EVENT, key="event:1")
    seed(2)
    small = [count(w.manager, "nps.results"), count(w.manager, "nps.follow_ups"), count(w.a_member, "core.home")]
    seed(30)
    large = [count(w.manager, "nps.results"), count(w.manager, "nps.follow_ups"), count(w.a_member, "core.home")]
    assert small == large
