import pytest


@pytest.fixture(autouse=True)
def _english(request):
    """The refusals are read in English here (outside a request the hub speaks its default, Russian)."""
    if "app" not in request.fixturenames:
        yield
        return
    app = request.getfixturevalue("app")
    with app.test_request_context(headers={"Accept-Language": "en"}):
        yield
