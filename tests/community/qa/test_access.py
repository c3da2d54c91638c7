"""The private space is readable only by Gold/Platinum partners and the vendor: every route of it
answers 404 to anyone else, and nothing is saved."""
import pytest

from hub.community.qa.models import QaPost, QaReport, QaThread, QaVote
from hub.extensions import db

from .conftest import ask, count, reply, text, url


@pytest.fixture
def private(w):
    thread = ask(w.a_member, category="roadmap", title="When does the deals API ship?", body="Our BI needs it.")
    answer = reply(w.manager, thread, "Next quarter, key partners first.")
    return thread, answer


def _routes(thread, answer):
    return [
        ("get", url("qa.space", space="private"), None),
        ("get", url("qa.space", space="private", category="roadmap"), None),
        ("get", url("qa.thread", thread_id=thread.id), None),
        ("post", url("qa.reply", thread_id=thread.id), {"body": "Let me in"}),
        ("post", url("qa.vote", post_id=answer.id), {}),
        ("post", url("qa.accept", post_id=answer.id), {}),
        ("post", url("qa.unaccept", thread_id=thread.id), {}),
        ("post", url("qa.report", post_id=answer.id), {"reason": "spam"}),
        ("get", url("qa.search", q="API", space="private"), None),
        ("post", url("qa.ask"), {"category": "roadmap", "title": "Sneaking in", "body": "Hello"}),
    ]


@pytest.mark.parametrize("who", ["b_member", "b_admin"])
@pytest.mark.parametrize("htmx", [False, True])
def test_every_private_route_is_404_for_a_silver_partner(client, login, w, private, who, htmx):
    thread, answer = private
    login(getattr(w, who))
    headers = {"HX-Request": "true"} if htmx else {}
    before = (count(QaThread), count(QaPost), count(QaVote), count(QaReport))
    for method, address, data in _routes(thread, answer):
        response = getattr(client, method)(address, data=data, headers=headers)
        assert response.status_code == 404, (method, address, response.status_code)
        assert "deals API" not in text(response)
    assert (count(QaThread), count(QaPost), count(QaVote), count(QaReport)) == before
    db.session.expire_all()
    assert db.session.get(QaThread, thread.id).accepted_post_id is None


def test_private_threads_stay_out_of_the_silver_partners_lists_and_search(client, login, w, private):
    ask(w.b_member, category="general", title="Public API question", body="Where is the API documentation?")
    login(w.b_member)
    page = text(client.get(url("qa.index")))
    assert "Public API question" in page and "deals API" not in page
    assert "Key partners" not in page  # no link to a space one cannot read
    found = text(client.get(url("qa.search", q="API")))
    assert "Public <mark>API</mark> question" in found and "1 thread found" in found and "BI needs" not in found


@pytest.mark.parametrize("who", ["a_other", "manager", "admin"])
def test_gold_partners_and_the_vendor_read_the_private_space(client, login, w, private, who):
    thread, _answer = private
    login(getattr(w, who))
    assert "deals API" in text(client.get(url("qa.space", space="private")))
    assert "Next quarter" in text(client.get(url("qa.thread", thread_id=thread.id)))


@pytest.mark.parametrize("who", ["a_other", "manager", "admin"])
def test_gold_partners_and_the_vendor_find_private_threads(client, login, w, private, who):
    thread, _answer = private
    ask(w.b_member, category="general", title="Public API question", body="Where is the API documentation?")
    login(getattr(w, who))
    found = text(client.get(url("qa.search", q="API")))
    assert "2 threads found" in found
    assert "When does the deals <mark>API</mark> ship?" in found and "Public <mark>API</mark> question" in found
    only_private = text(client.get(url("qa.search", q="quarter", space="private")))
    assert "1 thread found" in only_private and "deals API" in only_private
    response = client.post(url("qa.reply", thread_id=thread.id), data={"body": "We would join the beta"})
    assert response.status_code == 303
    joined = text(client.get(url("qa.search", q="join")))  # the reply is in the index at once
    assert "1 thread found" in joined and "deals API" in joined


@pytest.mark.parametrize("who", ["b_member", "b_admin"])
def test_others_find_no_trace_of_private_threads(client, login, w, private, who):
    """No title, snippet or count of a private thread leaks into a Silver partner's search: the words of
    the private thread alone find nothing, and the filter counts hold only the public space."""
    ask(w.b_member, category="general", title="Public API question", body="Where is the API documentation?")
    login(getattr(w, who))
    found = text(client.get(url("qa.search", q="API")))
    assert "1 thread found" in found and "deals API" not in found and "BI needs" not in found
    nothing = text(client.get(url("qa.search", q="quarter")))
    assert "Next quarter" not in nothing and "deals API" not in nothing
    assert "0 threads found" in nothing
    assert "Key partners" not in found


def test_a_demoted_organisation_loses_the_private_space(client, login, w, private):
    thread, _answer = private
    w.org_a.tier = "silver"
    db.session.commit()
    login(w.a_member)  # even the asker
    assert client.get(url("qa.thread", thread_id=thread.id)).status_code == 404
    assert client.get(url("qa.space", space="private")).status_code == 404


def test_unknown_spaces_categories_and_ids_are_404(client, login, w):
    login(w.a_member)
    assert client.get("/community/s/secret").status_code == 404
    assert client.get(url("qa.space", space="public", category="roadmap")).status_code == 404
    assert client.get(url("qa.thread", thread_id=999)).status_code == 404
    assert client.post(url("qa.vote", post_id=999)).status_code == 404
    assert client.get(url("qa.search", space="nope")).status_code == 404
    assert client.get(url("qa.index", page="0")).status_code == 404


def test_anonymous_visitors_are_sent_to_log_in(client, w):
    response = client.get(url("qa.index"))
    assert response.status_code in (302, 303) and "login" in response.headers["Location"]
