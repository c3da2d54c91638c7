"""Deal pages over HTTP, each plain and with htmx (HX-Request: a block, not the page)."""
import re
from datetime import date, timedelta

import pytest
from flask import url_for
from sqlalchemy import func, select

from hub.deals import services
from hub.deals.models import APPROVED, REJECTED, SUBMITTED, WON, Deal, DealClaim
from hub.extensions import db
from tests import factories

from .conftest import url

HX = {"HX-Request": "true"}


def future(days=30) -> str:
    return (services.program_today() + timedelta(days=days)).isoformat()


def form_data(**overrides):
    data = {
        "customer_name": "ООО «Рога и Копыта»", "inn": "7707083893", "domain": "roga.example",
        "contact_name": "Ivan Petrov", "contact_email": "ivan@roga.example", "contact_phone": "+7 (495) 123-45-67",
        "product": "crm", "amount": "1 500 000,50", "expected_close_date": future(), "region": "moscow",
        "notes": "Pilot in Q3",
    }
    data.update(overrides)
    return data


def deal_count():
    return db.session.scalar(select(func.count()).select_from(Deal))


# --- register -----------------------------------------------------------------------------------

def test_register_form_has_live_conflict_check(client, login, world):
    login(world.a_member)
    response = client.get(url("deals.new"))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'id="conflict-status" aria-live="polite"' in html
    check_url = url("deals.check")
    for name in ("customer_name", "inn", "domain"):
        start = html.index(f'id="{name}"')
        tag = html[html.rindex("<input", 0, start):html.index(">", start)]
        assert f'hx-get="{check_url}"' in tag
        assert 'hx-trigger="input changed delay:400ms"' in tag
        assert 'hx-target="#conflict-status"' in tag
    assert '<label for="amount">' in html


def test_register_plain_post_redirect_get(client, login, world):
    login(world.a_member)
    response = client.post(url("deals.new"), data=form_data())
    assert response.status_code == 303
    deal = db.session.scalar(select(Deal))
    assert response.headers["Location"].endswith(url("deals.show", deal_id=deal.id))
    assert deal.amount_kopecks == 150_000_050
    assert deal.organisation_id == world.org_a.id and deal.created_by_id == world.a_member.id
    assert deal.contact_phone == "+7 (495) 123-45-67"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "protection pending" in page
    assert "Рога и Копыта" in page


def test_register_with_htmx_answers_hx_location(client, login, world):
    login(world.a_admin)
    response = client.post(url("deals.new"), data=form_data(), headers=HX)
    assert response.status_code == 200
    deal = db.session.scalar(select(Deal))
    assert response.headers["HX-Location"] == url("deals.show", deal_id=deal.id)


def test_register_conflict_flash(client, login, world):
    factories.create_deal(world.org_a, customer_name="Рога и копыта", inn="7707083893")
    login(world.b_member)
    response = client.post(url("deals.new"), data=form_data(), follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "kept as a conflict" in html
    assert world.org_a.name not in html
    assert deal_count() == 2


@pytest.mark.parametrize("overrides, field, message", [
    ({"inn": "7707083894"}, "inn", "This INN is not valid"),
    ({"inn": "12345"}, "inn", "10 digits"),
    ({"inn": "", "domain": ""}, "inn", "at least one"),
    ({"domain": "not a domain", "inn": ""}, "domain", "not a valid web domain"),
    ({"inn": "0000000000"}, "inn", "placeholder (one digit repeated)"),
    ({"amount": "abc"}, "amount", "Enter an amount in roubles, for example 1,500,000.50."),
    ({"amount": "0"}, "amount", "The amount must be at least RUB\u00a01,000."),
    ({"amount": "0.01"}, "amount", "The amount must be at least RUB\u00a01,000."),
    ({"amount": "9999999999999"}, "amount", "The amount must be at most RUB\u00a010,000,000,000."),
    ({"amount": "-5000"}, "amount", "Enter an amount in roubles"),
    ({"amount": "1.234"}, "amount", "two decimals"),
    ({"expected_close_date": date.today().isoformat()}, "expected_close_date", "Enter a date between"),
    ({"expected_close_date": (date.today() + timedelta(days=800)).isoformat()}, "expected_close_date",
     "Enter a date between"),
    ({"expected_close_date": "9999-12-31"}, "expected_close_date", "Enter a date between"),
    ({"expected_close_date": "0001-01-01"}, "expected_close_date", "Enter a date between"),
    ({"expected_close_date": "tomorrow"}, "expected_close_date", "date"),
    ({"customer_name": ""}, "customer_name", "company name"),
    ({"customer_name": "ООО"}, "customer_name", "legal form"),
    ({"contact_email": "nope"}, "contact_email", "valid e-mail"),
    ({"product": "nothing"}, "product", "from the list"),
    ({"region": ""}, "region", "Choose a region"),
    ({"contact_phone": "call me"}, "contact_phone", "digits"),
])
def test_register_errors_next_to_the_field_nothing_saved(client, login, world, overrides, field, message):
    login(world.a_member)
    response = client.post(url("deals.new"), data=form_data(**overrides))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    error_at = html.index(f'id="{field}-error"')
    assert message in html[error_at:html.index("</p>", error_at)]
    assert re.search(rf'aria-describedby="[^"]*\b{field}-error"', html) and 'aria-invalid="true"' in html
    assert deal_count() == 0
    assert db.session.scalar(select(func.count()).select_from(DealClaim)) == 0


def test_register_errors_with_htmx_are_swappable(client, login, world):
    login(world.a_member)
    response = client.post(url("deals.new"), data=form_data(amount=""), headers=HX)
    assert response.status_code == 422
    assert 'id="amount-error"' in response.get_data(as_text=True)


def test_managers_cannot_register(client, login, world):
    login(world.manager)
    assert client.get(url("deals.new")).status_code == 403
    assert client.post(url("deals.new"), data=form_data()).status_code == 403
    assert deal_count() == 0


def test_inline_field_validation(client, login, world):
    login(world.a_member)
    bad = client.get(url("deals.validate_field", name="amount", amount="12abc"), headers=HX)
    assert bad.status_code == 422
    html = bad.get_data(as_text=True)
    assert 'id="field-amount"' in html and "Enter an amount in roubles" in html and "<html" not in html
    good = client.get(url("deals.validate_field", name="amount", amount="1 000"), headers=HX)
    assert good.status_code == 200 and "error" not in good.get_data(as_text=True)
    past = client.get(url("deals.validate_field", name="expected_close_date",
                              expected_close_date="2020-01-01"), headers=HX)
    assert past.status_code == 422 and "Enter a date between" in past.get_data(as_text=True)
    assert client.get(url("deals.validate_field", name="password")).status_code == 404


# --- live conflict check ------------------------------------------------------------------------

def test_check_plain_page_and_htmx_block(client, login, world):
    login(world.b_member)
    plain = client.get(url("deals.check", customer_name="Рога и копыта"))
    assert plain.status_code == 200
    html = plain.get_data(as_text=True)
    assert "<html" in html and 'id="conflict-status"' in html and "No active registration" in html
    block = client.get(url("deals.check", customer_name="Рога и копыта"), headers=HX)
    assert block.status_code == 200
    body = block.get_data(as_text=True)
    assert "<html" not in body and "No active registration" in body
    assert "HX-Request" in block.headers.get("Vary", "")


def test_check_never_reveals_the_holder(client, login, world):
    holder = factories.create_deal(world.org_a, world.a_admin, status=APPROVED, customer_name="ООО «Рога и Копыта»",
                                   inn="7707083893", protected_until=date(2027, 2, 1))
    login(world.b_member)
    for params in ({"customer_name": "рога и копыта LLC"}, {"inn": "7707083893"},
                   {"domain": holder.domain}):
        for headers in ({}, HX):
            response = client.get(url("deals.check", **params), headers=headers)
            html = response.get_data(as_text=True)
            assert "already protected by another partner until Feb 1, 2027." in html
            for secret in (world.org_a.name, world.org_a.slug, world.a_admin.name,
                           url("deals.show", deal_id=holder.id), f"#{holder.id}"):
                assert secret not in html


def test_check_pending_registration(client, login, world):
    factories.create_deal(world.org_a, customer_name="Рога", inn="7707083893")
    login(world.b_member)
    html = client.get(url("deals.check", inn="7707 083 893"), headers=HX).get_data(as_text=True)
    assert "decision is pending" in html
    assert world.org_a.name not in html


def test_check_own_organisation(client, login, world):
    own = factories.create_deal(world.org_a, customer_name="Рога", inn="7707083893")
    login(world.a_admin)
    html = client.get(url("deals.check", inn="7707083893"), headers=HX).get_data(as_text=True)
    assert "Your organisation already registered this customer" in html
    assert url("deals.show", deal_id=own.id) in html


def test_check_invalid_inn_hint(client, login, world):
    login(world.a_admin)
    html = client.get(url("deals.check", inn="7707083894"), headers=HX).get_data(as_text=True)
    assert "This INN is not valid" in html


# --- list, export, queue ------------------------------------------------------------------------

def test_list_plain_and_htmx(client, login, world):
    factories.create_deal(world.org_a, customer_name="Альфа Клиент")
    factories.create_deal(world.org_b, customer_name="Бета Клиент")
    login(world.a_member)
    plain = client.get(url("deals.index"))
    html = plain.get_data(as_text=True)
    assert plain.status_code == 200 and "<html" in html
    assert "Альфа Клиент" in html and "Бета Клиент" not in html
    block = client.get(url("deals.index", q="альфа"), headers={**HX, "HX-Target": "deal-results"})
    body = block.get_data(as_text=True)
    assert block.status_code == 200 and "<html" not in body and 'id="deal-results"' in body
    assert "Альфа Клиент" in body
    assert "HX-Request" in block.headers["Vary"]
    # a boosted navigation gets the whole page
    boosted = client.get(url("deals.index"), headers={**HX, "HX-Boosted": "true"})
    assert "<html" in boosted.get_data(as_text=True)


def test_list_filters_over_http(client, login, world):
    factories.create_deal(world.org_a, customer_name="Первый", status=APPROVED)
    factories.create_deal(world.org_a, customer_name="Второй", status=REJECTED)
    login(world.manager)
    html = client.get(url("deals.index", status="approved")).get_data(as_text=True)
    assert "Первый" in html and "Второй" not in html
    html = client.get(url("deals.index", status="bogus", date_from="not-a-date")).get_data(as_text=True)
    assert "Первый" in html and "Второй" in html  # bad filters are ignored, not a crash


def test_list_pagination(client, login, world):
    for n in range(30):
        factories.create_deal(world.org_a, customer_name=f"Клиент {n:02d}")
    login(world.a_member)
    first = client.get(url("deals.index")).get_data(as_text=True)
    assert "30 deals" in first and 'rel="next"' in first
    second = client.get(url("deals.index", page=2)).get_data(as_text=True)
    assert second.count('href="/deals/') - second.count('href="/deals/new') >= 5
    assert "Page 2 of 2" in second


def test_csv_export_over_http(client, login, world):
    factories.create_deal(world.org_a, customer_name="ООО «Ёлка»", amount_kopecks=123_456_789)
    factories.create_deal(world.org_b, customer_name="Другая", status=REJECTED)
    login(world.manager)
    response = client.get(url("deals.export", status="submitted"))
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    raw = response.get_data()
    assert response.headers["Content-Disposition"] == 'attachment; filename="deals.csv"'
    assert raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8-sig")
    lines = text.strip().splitlines()
    # an English reader: commas, decimal points, English headers and statuses
    assert lines[0].startswith("ID,Partner,Customer,INN,Web domain,Product,\"Amount, RUB\",Region,Status,")
    assert ",ООО «Ёлка»," in text and ",1234567.89," in text and ",submitted," in text and "Другая" not in text
    assert len(lines) == 2


def test_csv_export_for_a_russian_reader(client, login, world):
    from hub.accounts.models import User
    factories.create_deal(world.org_a, customer_name="@Ёлка", amount_kopecks=123_456_789)
    db.session.get(User, world.manager.id).locale = "ru"
    db.session.commit()
    login(world.manager)
    response = client.get(url("deals.export"))
    text = response.get_data().decode("utf-8-sig")
    assert text.splitlines()[0].startswith("ID;Партнёр;Клиент;ИНН;Веб-домен;Продукт;Сумма, ₽;Регион;Статус;")
    assert ";'@Ёлка;" in text and ";1234567,89;" in text and ";подана;" in text


def test_queue_inline_approve_with_htmx(client, login, world):
    deal = factories.create_deal(world.org_a, customer_name="Очередь")
    login(world.manager)
    page = client.get(url("deals.queue")).get_data(as_text=True)
    assert f'id="queue-row-{deal.id}"' in page and "Очередь" in page
    response = client.post(url("deals.approve", deal_id=deal.id),
                           data={"next": url("deals.queue")},
                           headers={**HX, "HX-Target": f"queue-row-{deal.id}"})
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert body.strip().startswith(f'<tr id="queue-row-{deal.id}"') and "Approved" in body
    db.session.expire_all()
    assert db.session.get(Deal, deal.id).status == APPROVED


def test_queue_inline_reject_needs_reason(client, login, world):
    deal = factories.create_deal(world.org_a)
    login(world.manager)
    headers = {**HX, "HX-Target": f"queue-row-{deal.id}"}
    response = client.post(url("deals.reject", deal_id=deal.id), data={"reason": ""}, headers=headers)
    assert response.status_code == 422
    assert "Give the reason" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Deal, deal.id).status == SUBMITTED
    response = client.post(url("deals.reject", deal_id=deal.id), data={"reason": "Duplicate"}, headers=headers)
    assert response.status_code == 200 and "Rejected" in response.get_data(as_text=True)


def test_queue_plain_post_falls_back_to_redirect(client, login, world):
    deal = factories.create_deal(world.org_a)
    login(world.manager)
    response = client.post(url("deals.approve", deal_id=deal.id), data={"next": url("deals.queue")})
    assert response.status_code == 303 and response.headers["Location"].endswith(url("deals.queue"))
    # an outside "next" is ignored
    other = factories.create_deal(world.org_b)
    response = client.post(url("deals.approve", deal_id=other.id), data={"next": "https://evil.example/"})
    assert response.headers["Location"].endswith(url("deals.show", deal_id=other.id))


def test_queue_shows_flags_to_managers(client, login, world):
    owner = factories.create_org("Baltic Integration", slug="baltic-integration")
    holder = factories.create_deal(world.org_a, customer_name="Держатель")
    factories.create_deal(world.org_b, conflict_with_id=holder.id, claim=False, territory_org_id=owner.id,
                          region="kaliningrad")
    login(world.manager)
    html = client.get(url("deals.queue")).get_data(as_text=True)
    assert "flag-conflict" in html and "flag-territory" in html
    assert "Baltic Integration" in html and world.org_a.name in html


def test_queue_conflict_cannot_be_approved_inline(client, login, world):
    holder = factories.create_deal(world.org_a, customer_name="Тот же", domain="same.example")
    conflict = factories.create_deal(world.org_b, conflict_with_id=holder.id, claim=False, customer_name="Тот же",
                                     domain="same.example")
    login(world.manager)
    response = client.post(url("deals.approve", deal_id=conflict.id),
                           headers={**HX, "HX-Target": f"queue-row-{conflict.id}"})
    assert response.status_code == 422
    assert "still protected" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Deal, conflict.id).status == SUBMITTED


# --- the deal page and its actions --------------------------------------------------------------

def test_deal_page_timeline_and_partner_actions(client, login, world):
    login(world.a_member)
    client.post(url("deals.new"), data=form_data())
    deal = db.session.scalar(select(Deal))
    services.approve(deal, world.manager)
    html = client.get(url("deals.show", deal_id=deal.id)).get_data(as_text=True)
    assert "Registered" in html and "Approved" in html
    assert world.a_member.name in html and world.manager.name in html
    assert url("deals.won", deal_id=deal.id) in html
    assert url("deals.extension", deal_id=deal.id) in html
    assert url("deals.approve", deal_id=deal.id) not in html
    # partner marks it won with a typed amount
    response = client.post(url("deals.won", deal_id=deal.id),
                           data={"final_amount": "1 234 567,89", "closed_on": services.program_today().isoformat()})
    assert response.status_code == 303
    db.session.expire_all()
    deal = db.session.get(Deal, deal.id)
    assert deal.status == WON and deal.final_amount_kopecks == 123_456_789


def test_won_form_errors(client, login, world):
    deal = factories.create_deal(world.org_a, status=APPROVED)
    login(world.a_member)
    response = client.post(url("deals.won", deal_id=deal.id), data={"final_amount": "", "closed_on": ""})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="final_amount-error"' in html and 'id="closed_on-error"' in html
    db.session.expire_all()
    assert db.session.get(Deal, deal.id).status == APPROVED


def test_invalid_transition_is_refused_with_a_message(client, login, world):
    deal = factories.create_deal(world.org_a, status=REJECTED)
    login(world.manager)
    response = client.post(url("deals.approve", deal_id=deal.id), follow_redirects=True)
    assert "Only a submitted deal can be approved" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Deal, deal.id).status == REJECTED


def test_manager_deal_page_names_conflict_and_territory(client, login, world):
    owner = factories.create_org("Baltic Integration", slug="baltic-integration")
    holder = factories.create_deal(world.org_a)
    deal = factories.create_deal(world.org_b, conflict_with_id=holder.id, claim=False, territory_org_id=owner.id,
                                 region="kaliningrad")
    login(world.manager)
    html = client.get(url("deals.show", deal_id=deal.id)).get_data(as_text=True)
    assert world.org_a.name in html and "Baltic Integration" in html
    assert url("deals.show", deal_id=holder.id) in html
    login(world.b_member)
    html = client.get(url("deals.show", deal_id=deal.id)).get_data(as_text=True)
    assert world.org_a.name not in html and "Baltic Integration" not in html
    assert url("deals.show", deal_id=holder.id) not in html
    assert "exclusive to another partner" in html and "kept as a conflict" in html


def test_extension_request_and_decision_over_http(client, login, world):
    deal = factories.create_deal(world.org_a, status=APPROVED, protected_until=date(2027, 1, 10))
    login(world.a_admin)
    response = client.post(url("deals.extension", deal_id=deal.id), data={"extension_reason": ""})
    assert response.status_code == 422
    response = client.post(url("deals.extension", deal_id=deal.id), data={"extension_reason": "Tender delayed"})
    assert response.status_code == 303
    login(world.manager)
    queue = client.get(url("deals.queue")).get_data(as_text=True)
    assert "Tender delayed" in queue
    response = client.post(url("deals.extension_decision", deal_id=deal.id), data={"decision": "grant"})
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(Deal, deal.id).protected_until == date(2027, 2, 9)


def test_home_pages_summarise_deals(client, login, world):
    factories.create_deal(world.org_a, status=APPROVED, protected_until=services.program_today() + timedelta(days=3),
                          customer_name="Скоро истекает")
    factories.create_deal(world.org_b)
    login(world.a_member)
    html = client.get(url("core.home")).get_data(as_text=True)
    assert "Скоро истекает" in html and url("deals.new") in html
    login(world.manager)
    html = client.get(url("core.home")).get_data(as_text=True)
    assert url("deals.queue") in html and "Past the decision SLA" in html


# --- input rules on the forms ----------------------------------------------------------------------

def test_double_submit_is_refused_with_a_link_to_the_first(client, login, world):
    login(world.a_member)
    assert client.post(url("deals.new"), data=form_data()).status_code == 303
    first = db.session.scalar(select(Deal))
    login(world.a_admin)  # a colleague registers the same customer, typed differently
    response = client.post(url("deals.new"), data=form_data(customer_name="Рога и копыта LLC", inn=""))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Your organisation has already registered this customer:" in html
    assert f'<a href="{url("deals.show", deal_id=first.id)}">deal #{first.id}</a>' in html
    assert 'value="Рога и копыта LLC"' in html  # the form keeps what was typed
    assert deal_count() == 1
    db.session.expire_all()
    assert db.session.get(Deal, first.id).conflict_with_id is None


def test_mark_won_form_states_the_window_and_refuses_dates_outside_it(client, login, world):
    from datetime import datetime, timezone
    registered = services.program_today() - timedelta(days=20)
    deal = factories.create_deal(world.org_a, status=APPROVED,
                                 submitted_at=datetime.combine(registered, datetime.min.time(), timezone.utc)
                                 .replace(hour=9))
    login(world.a_member)
    page = client.get(url("deals.show", deal_id=deal.id)).get_data(as_text=True)
    hint = page[page.index('id="closed_on-hint"'):]
    hint = hint[:hint.index("</p>")]
    from flask_babel import force_locale, format_date
    with force_locale("en"):
        shown = format_date(registered, "medium")
    assert f"between the registration date ({shown}) and today" in hint
    assert f'min="{registered.isoformat()}"' in page and f'max="{services.program_today().isoformat()}"' in page
    assert "RUB\u00a01,000" in page[page.index('id="final_amount-hint"'):]
    for bad in ("1990-01-01", "0001-01-01", (registered - timedelta(days=1)).isoformat(),
                (services.program_today() + timedelta(days=1)).isoformat()):
        response = client.post(url("deals.won", deal_id=deal.id), data={"final_amount": "500 000", "closed_on": bad})
        assert response.status_code == 422, bad
        html = response.get_data(as_text=True)
        error = html[html.index('id="closed_on-error"'):]
        with force_locale("en"):
            window = f"Enter a date between {shown} and {format_date(services.program_today(), 'medium')}."
        assert window in error[:300], bad
    response = client.post(url("deals.won", deal_id=deal.id), data={"final_amount": "0,01",
                                                                    "closed_on": registered.isoformat()})
    assert response.status_code == 422 and 'id="final_amount-error"' in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Deal, deal.id).status == APPROVED
    response = client.post(url("deals.won", deal_id=deal.id), data={"final_amount": "500,000",
                                                                    "closed_on": registered.isoformat()})
    assert response.status_code == 303
    db.session.expire_all()
    won = db.session.get(Deal, deal.id)
    assert (won.status, won.closed_on, won.final_amount_kopecks) == (WON, registered, 500_000_00)


def test_register_form_states_the_limits(client, login, world):
    login(world.a_member)
    html = client.get(url("deals.new")).get_data(as_text=True)
    assert "In roubles, from RUB\u00a01,000 to RUB\u00a010,000,000,000, e.g. 1,500,000.50." in html
    last = services.program_today() + timedelta(days=730)
    assert f'max="{last.isoformat()}"' in html
