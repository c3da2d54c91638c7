"""The generic input rules (hub/inputs.py, hub/forms.py, hub/web.py), one case each, with what a person
sees: bounded ids and pages, strict UTF-8, no NUL byte, one value per field, size limits, the date
window, and the error pages. The walk over every route is tests/core/test_bad_input.py."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from hub.deals import services as deals
from hub.deals.models import Deal
from hub.extensions import db
from hub.inputs import MAX_ID, MAX_INT64
from tests import factories
from tests.helpers import _english_browser, url  # noqa: F401

FORM = "application/x-www-form-urlencoded"


def _deal_form(**overrides) -> dict:
    data = {"customer_name": "ООО «Рога и Копыта»", "inn": "7707083893", "domain": "roga.example",
            "contact_name": "Ivan Petrov", "contact_email": "ivan@roga.example", "product": "crm",
            "amount": "1 500 000", "region": "moscow",
            "expected_close_date": (deals.program_today() + timedelta(days=30)).isoformat()}
    data.update(overrides)
    return data


def _raw(data: dict, **raw: bytes) -> bytes:
    """A urlencoded body; `raw` values are sent exactly as given (already percent-encoded)."""
    from urllib.parse import urlencode
    body = urlencode(data).encode()
    for name, value in raw.items():
        body += b"&" + name.encode() + b"=" + value
    return body


def _deals() -> int:
    return db.session.scalar(select(func.count()).select_from(Deal))


def _text(response) -> str:
    return response.get_data(as_text=True)


# --- path segments ------------------------------------------------------------------------------------

@pytest.mark.parametrize("deal_id", ["9" * 40, str(2**63), str(MAX_INT64), str(MAX_ID + 1), str(MAX_ID)])
def test_ids_the_database_cannot_hold_are_404(client, login, world, deal_id):
    login(world.manager)
    response = client.get(f"/deals/{deal_id}")
    assert response.status_code == 404
    assert "This page does not exist" in _text(response)
    assert client.post(f"/deals/{deal_id}/approve").status_code == 404


def test_a_nul_byte_in_a_path_segment_is_404(client, login, world):
    login(world.manager)
    for path in ("/library/a%00b", "/pages/%00", "/academy/verify/x%00"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert "This page does not exist" in _text(response)


def test_the_int_converter_is_the_bounded_one(app):
    from hub.inputs import BoundedIntConverter
    assert app.url_map.converters["int"] is BoundedIntConverter
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == "deals.show")
    assert isinstance(rule._converters["deal_id"], BoundedIntConverter)


# --- page numbers and query arguments ----------------------------------------------------------------

@pytest.mark.parametrize("page", ["0", "-1", "abc", "9" * 40, "100001", "1.5", "١"])
def test_a_page_that_cannot_exist_is_404(client, login, world, page):
    login(world.manager)
    response = client.get("/organisations", query_string={"page": page})
    assert response.status_code == 404
    assert "This page does not exist" in _text(response)


def test_a_real_page_number_works(client, login, world):
    login(world.manager)
    assert client.get("/organisations?page=1").status_code == 200
    assert client.get("/organisations?page=").status_code == 200


@pytest.mark.parametrize("query, field", [
    ("days=45", "days"), ("days=" + "9" * 40, "days"), ("days=x", "days")])
def test_a_bounded_int_argument_says_what_is_allowed(client, login, world, query, field):
    login(world.manager)
    response = client.get(f"/academy/manage/certificates?{query}")
    assert response.status_code == 400
    page = _text(response)
    assert f"“{field}”" in page and "30, 60, 90" in page
    assert client.get("/academy/manage/certificates?days=60").status_code == 200


def test_an_id_argument_out_of_range_is_400(client, login, world):
    login(world.manager)
    for value in ("abc", "-3", str(2**63), str(MAX_ID + 1)):
        response = client.get("/invitations/new", query_string={"organisation": value})
        assert response.status_code == 400, value
        assert "“organisation”" in _text(response)
    assert client.get(f"/invitations/new?organisation={world.org_a.id}").status_code == 200


def test_a_filter_value_not_on_the_list_is_400(client, login, world):
    login(world.manager)
    response = client.get("/organisations?tier=diamond")
    assert response.status_code == 400
    assert "“tier”" in _text(response) and "not on the list" in _text(response)
    assert client.get("/organisations?tier=gold").status_code == 200


# --- text that cannot be stored ---------------------------------------------------------------------

@pytest.mark.parametrize("raw", [b"a%00b", b"%FF%FE", b"%ED%A0%80"])  # NUL, invalid UTF-8, a surrogate
def test_bad_text_in_a_query_argument_is_400_naming_it(client, login, world, raw):
    login(world.a_member)
    response = client.get("/library/", query_string="q=" + raw.decode())
    assert response.status_code == 400
    page = _text(response)
    assert "“q”" in page and "cannot be stored" in page and 'class="site-header"' in page


def test_raw_bytes_in_the_query_string_are_400_not_500(client, login, world):
    """Not percent-encoded: the WSGI server passes them on as latin-1, Werkzeug would fail decoding."""
    login(world.a_member)
    response = client.get("/library/", environ_overrides={"QUERY_STRING": "q=\xff\xfe"})
    assert response.status_code == 400
    assert "“q”" in _text(response)


def test_bad_text_in_a_field_name_is_refused(client, login, world):
    login(world.a_member)
    assert client.get("/deals/", query_string="a%00=1").status_code == 400
    assert client.post("/inbox/read", data=b"%FF=1", content_type=FORM).status_code == 400


@pytest.mark.parametrize("raw", [b"x%00y", b"%FF%FEabc"])
def test_bad_text_in_a_form_field_is_an_error_next_to_it(client, login, world, raw):
    login(world.a_member)
    data = _deal_form()
    del data["contact_name"]
    response = client.post(url("deals.new"), data=_raw(data, contact_name=raw), content_type=FORM)
    assert response.status_code == 422
    page = _text(response)
    start = page.index('id="field-contact_name"')
    assert "cannot be stored" in page[start:page.index("</div>", start)]
    assert _deals() == 0


def _multipart(fields: list[tuple[str, bytes]], boundary: str = "hubboundary") -> tuple[bytes, str]:
    body = b"".join(f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n'.encode() + v + b"\r\n"
                    for k, v in fields) + f"--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


def test_bad_text_in_a_multipart_field_is_an_error_next_to_it(client, login, world):
    login(world.a_member)
    fields = [(k, v.encode()) for k, v in _deal_form().items() if k != "contact_name"]
    body, content_type = _multipart(fields + [("contact_name", b"Ivan \xff\xfe")])
    response = client.post(url("deals.new"), data=body, content_type=content_type)
    assert response.status_code == 422
    assert "cannot be stored" in _text(response)
    assert _deals() == 0


def test_a_nul_byte_in_the_live_check_never_reaches_the_database(client, login, world):
    login(world.a_member)
    response = client.get(url("deals.check"), query_string="customer_name=Roga%00&inn=&domain=")
    assert response.status_code == 200
    assert "cannot be stored" in _text(response)
    response = client.get(url("deals.validate_field", name="inn"), query_string="inn=77%00")
    assert response.status_code == 422 and "cannot be stored" in _text(response)


def test_anonymous_login_with_a_nul_byte(client, world):
    """On PostgreSQL this once reached the user lookup and failed with a 500."""
    response = client.post("/login", data={"email": "member@alpha.test\x00", "password": "x"})
    assert response.status_code == 422
    assert "cannot be stored" in _text(response)


@pytest.fixture
def own_app(_migrated, database_url, data_dir):
    """An app of its own, not the one tests share: these tests add a route to it before its first request."""
    from hub import create_app
    from hub.extensions import db
    from tests.conftest import HubClient, make_config

    app = create_app(make_config(database_url, data_dir))
    app.test_client_class = HubClient
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def test_json_with_a_nul_byte_is_refused(own_app):
    app = own_app
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    from flask import jsonify, request

    from hub.web import public

    @public
    def echo():
        return jsonify(request.get_json())
    app.add_url_rule("/test-echo", "test_echo", echo, methods=["POST"])
    assert client.post("/test-echo", json={"a": ["b", {"c": "ok"}]}).status_code == 200
    response = client.post("/test-echo", json={"a": ["b", {"c": "x\u0000"}]})
    assert response.status_code == 400 and "“c”" in _text(response)
    assert client.post("/test-echo", data='{"a": "\\ud800"}', content_type="application/json").status_code == 400


def test_next_is_checked_before_the_view_acts(client, login, world):
    deal = factories.create_deal(world.org_a, world.a_member)
    login(world.manager)
    response = client.post(url("deals.approve", deal_id=deal.id), data=b"next=%2F%00", content_type=FORM)
    assert response.status_code == 400
    db.session.expire_all()
    assert db.session.get(Deal, deal.id).status == "submitted"


# --- one value per field -------------------------------------------------------------------------------

def test_a_field_sent_twice_is_an_error_next_to_it(client, login, world):
    login(world.a_member)
    body = _raw(_deal_form(), region=b"volga")  # region is now there twice
    response = client.post(url("deals.new"), data=body, content_type=FORM)
    assert response.status_code == 422
    page = _text(response)
    start = page.index('id="field-region"')
    assert "sent more than once" in page[start:page.index("</div>", start)]
    assert _deals() == 0


def test_a_single_value_read_of_a_duplicated_argument_is_400(client, login, world):
    login(world.a_member)
    response = client.get("/library/?q=a&q=b")
    assert response.status_code == 400 and "sent more than once" in _text(response)


def test_a_filter_form_reports_a_duplicate_next_to_the_field(client, login, world):
    login(world.a_member)
    response = client.get("/deals/?status=won&status=lost")
    assert response.status_code == 200
    assert 'aria-invalid="true"' in _text(response) and "sent more than once" in _text(response)


# --- sizes ------------------------------------------------------------------------------------------------

def test_a_form_over_the_text_limit_is_413_with_the_hub_page(client, login, world):
    login(world.a_member)
    response = client.post(url("deals.new"), data=_raw(_deal_form(), notes=b"x" * (10 * 1024 * 1024)),
                           content_type=FORM)
    assert response.status_code == 413
    page = _text(response)
    assert "too large" in page and 'class="site-header"' in page and "1 MB" in page.replace("1.0", "1")
    assert _deals() == 0


def test_a_multipart_text_part_over_the_limit_is_413(client, login, world):
    login(world.a_member)
    fields = [(k, v.encode()) for k, v in _deal_form().items()]
    body, content_type = _multipart(fields + [("notes", b"x" * (2 * 1024 * 1024))])
    response = client.post(url("deals.new"), data=body, content_type=content_type)
    assert response.status_code == 413
    assert "too large" in _text(response)


def test_a_body_over_the_content_limit_is_413(client, login, world, app):
    login(world.a_member)
    app.config["MAX_CONTENT_LENGTH"] = 1000
    response = client.post("/inbox/read", data=b"x=" + b"y" * 2000, content_type=FORM)
    assert response.status_code == 413


def test_a_query_string_over_the_limit_is_414(client, login, world):
    login(world.a_member)
    response = client.get("/deals/", query_string="q=" + "x" * 9000)
    assert response.status_code == 414
    assert "address is too long" in _text(response)


# --- dates -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("field, value", [("date_from", "0001-01-01"), ("date_to", "9999-12-31")])
def test_a_date_filter_outside_the_window_says_so_next_to_the_field(client, login, world, field, value):
    factories.create_deal(world.org_a, world.a_member)
    login(world.manager)
    response = client.get("/deals/", query_string={field: value})
    assert response.status_code == 200
    page = _text(response)
    start = page.index(f'id="field-{field}"')
    assert "Enter a date between" in page[start:page.index("</div>", start)]
    assert "1 deal" in page  # the filter is left out, the list still shows


def test_the_csv_export_refuses_bad_filters_before_streaming(client, login, world):
    factories.create_deal(world.org_a, world.a_member)
    login(world.manager)
    response = client.get("/deals/export.csv?date_to=9999-12-31")
    assert response.status_code == 400
    assert response.mimetype == "text/html" and "Enter a date between" in _text(response)
    ok = client.get("/deals/export.csv?date_to=2030-01-01")
    assert ok.status_code == 200 and ok.mimetype == "text/csv"


def test_the_won_date_has_the_generic_window(client, login, world):
    deal = factories.create_deal(world.org_a, world.a_member, status="approved")
    login(world.a_member)
    response = client.post(url("deals.won", deal_id=deal.id), data={"final_amount": "1000", "closed_on": "0001-01-01"})
    assert response.status_code == 422
    assert "Enter a date between" in _text(response)
    db.session.expire_all()
    assert db.session.get(Deal, deal.id).status == "approved"


# --- CSRF tokens and error pages ------------------------------------------------------------------------------

class TestWithCsrf:
    @pytest.fixture
    def app_config(self):
        return {"WTF_CSRF_ENABLED": True}

    def test_a_bad_csrf_token_is_a_readable_400(self, client, login, world):
        login(world.a_member)
        for raw in (b"csrf_token=%00", b"csrf_token=%FF", b"csrf_token=a&csrf_token=b"):
            response = client.post("/inbox/read", data=raw, content_type=FORM)
            assert response.status_code == 400, raw
            assert 'class="error-message"' in _text(response)


@pytest.mark.parametrize("code", [400, 401, 403, 404, 405, 409, 410, 413, 414, 415, 422, 429, 431])
def test_every_client_error_has_the_readable_page(own_app, code):
    app = own_app
    from flask import abort

    from hub.web import public

    @public
    def fail():
        abort(code)
    app.add_url_rule("/test-fail", "test_fail", fail)
    response = app.test_client().get("/test-fail")
    assert response.status_code == code
    page = _text(response)
    assert f"<h1>{code}</h1>" in page and 'class="error-message"' in page and 'class="site-header"' in page
