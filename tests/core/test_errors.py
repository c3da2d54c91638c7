"""Error pages: clear, in the site layout, with the right status."""
from __future__ import annotations


def test_404_page(client):
    response = client.get("/no/such/page", headers={"Accept-Language": "en"})
    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert "This page does not exist" in page and "<html" in page
    assert 'href="/"' in page


def test_403_page(client, world, login):
    login(world.a_member)
    response = client.get("/organisations", headers={"Accept-Language": "en"})
    assert response.status_code == 403
    assert "You do not have access to this page." in response.get_data(as_text=True)


def test_405_page_is_in_the_layout(client, world, login):
    login(world.a_member)
    response = client.get("/logout", headers={"Accept-Language": "en"})
    assert response.status_code == 405
    assert "POST" in response.headers["Allow"]
    page = response.get_data(as_text=True)
    assert 'class="site-header"' in page and "does not accept" in page
