"""hub.web: which htmx requests get a block and which the whole page."""
from __future__ import annotations

from hub.web import PAGE_TARGET


def _page(response):
    return response.get_data(as_text=True)


def test_targeted_htmx_request_gets_the_block(client, world, login):
    login(world.manager)
    response = client.get("/organisations", headers={"HX-Request": "true", "HX-Target": "org-results"})
    assert "<html" not in _page(response) and 'id="org-results"' in _page(response)


def test_navigation_started_by_hx_location_gets_the_page(client, world, login):
    # htmx follows HX-Location with a request aimed at <body> (id PAGE_TARGET), not boosted: it
    # must get the whole page with header and flashes, or the body would be replaced by a block.
    login(world.manager)
    response = client.get("/organisations", headers={"HX-Request": "true", "HX-Target": PAGE_TARGET})
    page = _page(response)
    assert "<html" in page and 'id="flashes"' in page
    assert f'<body id="{PAGE_TARGET}"' in page


def test_boosted_and_history_restore_get_the_page(client, world, login):
    login(world.manager)
    for headers in ({"HX-Request": "true", "HX-Boosted": "true"},
                    {"HX-Request": "true", "HX-History-Restore-Request": "true"}):
        assert "<html" in _page(client.get("/organisations", headers=headers))


def test_flash_survives_an_htmx_form_post_and_its_hx_location(client, world, login):
    login(world.a_member)
    response = client.post("/profile", headers={"HX-Request": "true", "HX-Target": "profile-form",
                                                "Accept-Language": "en"},
                           data={"profile-name": "New Name", "profile-locale": "en",
                                 "profile-timezone": "UTC"})
    assert response.status_code == 200 and response.headers["HX-Location"] == "/profile"
    follow = client.get("/profile", headers={"HX-Request": "true", "HX-Target": PAGE_TARGET})
    assert "Your profile has been saved." in _page(follow) and "<html" in _page(follow)
