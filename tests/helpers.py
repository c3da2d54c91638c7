"""Helpers shared by the feature test folders."""
import pytest


def url(endpoint: str, **values) -> str:
    """url_for from a test (the tests hold an app context, not a request)."""
    from flask import current_app, url_for
    with current_app.test_request_context():
        return url_for(endpoint, **values)


@pytest.fixture(autouse=True)
def _english_browser(request):
    """Route tests read the English UI (the default locale is Russian). A feature's conftest opts in
    with `from tests.helpers import _english_browser  # noqa: F401`."""
    if "client" in request.fixturenames:
        client = request.getfixturevalue("client")
        client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
