"""Search over threads through hub.search: the private space filtered out for those who may not read
it (hits and the space filter), hidden threads never found, the htmx request gets the results only."""
from hub.community.qa import services
from hub.community.qa.models import QaPost
from hub.extensions import db

from .conftest import ask, reply, text, url


def test_search_finds_replies_and_respects_spaces_and_hiding(client, login, w):
    public = ask(w.b_member, title="Exchange calendar", body="Calendar stops syncing")
    reply(w.a_member, public, "Reissue the integration token")
    ask(w.a_member, category="roadmap", title="Token rotation roadmap", body="When is automatic token rotation coming?")
    spam = ask(w.b_admin, title="Cheap token offer", body="Buy tokens")
    question = db.session.scalar(db.select(QaPost).where(QaPost.thread_id == spam.id, QaPost.is_question.is_(True)))
    services.set_hidden(w.manager, question.id, True)

    login(w.b_member)
    found = text(client.get(url("qa.search", q="token")))
    assert "1 thread found" in found and "Exchange calendar" in found
    assert "roadmap" not in found.lower().split("</header>")[-1] and "Cheap" not in found
    assert client.get(url("qa.search", q="token", space="private")).status_code == 404

    login(w.a_other)  # Gold
    found = text(client.get(url("qa.search", q="token")))
    assert "2 threads found" in found and "Cheap" not in found
    only = client.get(url("qa.search", q="token", space="private"), headers={"HX-Request": "true",
                                                                               "HX-Target": "qa-results"})
    body = text(only)
    assert "<html" not in body and "1 thread found" in body and "rotation" in body
