"""The private-space search checks of test_access.py, again on the PostgreSQL search engine (the
search_document tables, updated inside the committing transaction) when the tests run on PostgreSQL."""
import pytest

from .test_access import private  # noqa: F401 (fixture)
from .test_access import test_gold_partners_and_the_vendor_find_private_threads  # noqa: F401
from .test_access import test_others_find_no_trace_of_private_threads  # noqa: F401
from .test_access import test_private_threads_stay_out_of_the_silver_partners_lists_and_search  # noqa: F401


@pytest.fixture
def app_config(database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("the PostgreSQL search engine needs a PostgreSQL test database")
    return {"SEARCH_BACKEND": "postgres"}
