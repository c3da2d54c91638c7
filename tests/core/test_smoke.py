def test_program_page_is_public(client):
    response = client.get("/program")
    assert response.status_code == 200
    assert "Content-Security-Policy" in response.headers


def test_home_requires_login_then_shows_org(client, world, login):
    assert client.get("/").status_code == 302
    login(world.a_member)
    response = client.get("/")
    assert response.status_code == 200
    assert "Alpha Integration" in response.get_data(as_text=True)
