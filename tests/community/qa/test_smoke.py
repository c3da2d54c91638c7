from .conftest import ask, reply, text, url


def test_ask_reply_accept_plain(client, login, w):
    login(w.b_member)
    r = client.post(url("qa.ask"), data={"category": "technical", "title": "Sync fails", "body": "Exchange **2016**"})
    assert r.status_code == 303, text(r)
    page = text(client.get(r.headers["Location"]))
    assert "Sync fails" in page and "<strong>2016</strong>" in page
