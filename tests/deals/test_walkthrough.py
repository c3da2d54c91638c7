"""Walkthrough fixes on the deal pages (issue 9 point 7): the no-JS "check the customer" button of the
register form, and no "Approve" for a conflict whose earlier registration is still active."""
from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import func, select

from hub.deals import services
from hub.deals.models import Deal
from hub.extensions import db

from .conftest import url


def future(days=30) -> str:
    return (services.program_today() + timedelta(days=days)).isoformat()


def form_data(**overrides):
    data = {"customer_name": "ООО «Ромашка»", "inn": "7707083893", "domain": "romashka.example",
            "contact_name": "", "product": "", "amount": "", "expected_close_date": "", "region": ""}
    data.update(overrides)
    return data


def held(world):
    deal = services.register_deal(world.b_member, services.DealInput(
        customer_name="ООО «Ромашка»", inn="7707083893", domain="romashka.example", contact_name="Olga",
        product="crm", amount_kopecks=100_000_00, expected_close_date=services.program_today() + timedelta(days=40),
        region="moscow"))
    return services.approve(deal, world.manager)


def test_check_button_is_a_submit_of_the_register_form_and_hint_is_for_js_only(client, login, world):
    login(world.a_member)
    html = client.get(url("deals.new")).get_data(as_text=True)
    form = html[html.index('<form method="post" action="' + url("deals.new")):]
    form = form[:form.index("</form>")]
    assert '<button type="submit" name="action" value="check" formnovalidate' in form
    assert form.index("Register the deal") < form.index("Check the customer")  # Enter still registers
    assert '<p class="hint js-only">As you type the company' in html
    assert '<p class="hint no-js-only">Enter the company, INN or domain' in html
    assert re.search(r'src="/static/js/hub\.[0-9a-f]{12}\.js"', html)


def test_checking_without_js_keeps_the_input_and_saves_nothing(client, login, world):
    held(world)
    login(world.a_member)
    response = client.post(url("deals.new"), data={**form_data(), "action": "check", "contact_name": "Pyotr"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "This customer is already protected by another partner until" in html
    assert 'value="ООО «Ромашка»"' in html and 'value="7707083893"' in html and 'value="Pyotr"' in html
    assert 'class="error"' not in html.split('id="conflict-status"')[0]  # nothing validated yet
    assert db.session.scalar(select(func.count()).select_from(Deal)) == 1  # only the held one


def test_checking_a_free_customer_says_so(client, login, world):
    login(world.a_member)
    html = client.post(url("deals.new"), data={**form_data(inn="", domain="free.example", customer_name="ООО «Свобода»"),
                                               "action": "check"}).get_data(as_text=True)
    assert "No active registration found for this customer." in html and 'value="free.example"' in html


def test_a_blocked_conflict_offers_no_approve_in_the_queue_or_on_its_page(client, login, world):
    holder = held(world)
    conflict = services.register_deal(world.a_member, services.DealInput(
        customer_name="ООО «Ромашка»", inn="7707083893", contact_name="Pyotr", product="crm",
        amount_kopecks=50_000_00, expected_close_date=services.program_today() + timedelta(days=40), region="moscow"))
    free = services.register_deal(world.a_member, services.DealInput(
        customer_name="ООО «Другая»", domain="other.example", contact_name="Pyotr", product="crm",
        amount_kopecks=50_000_00, expected_close_date=services.program_today() + timedelta(days=40), region="moscow"))
    assert conflict.conflict_with_id == holder.id and services.conflict_blocks(conflict)
    login(world.manager)
    queue = client.get(url("deals.queue")).get_data(as_text=True)
    row = queue[queue.index(f'id="queue-row-{conflict.id}"'):]
    row = row[:row.index("</tr>")]
    assert url("deals.approve", deal_id=conflict.id) not in row and url("deals.reject", deal_id=conflict.id) in row
    assert "The earlier registration is still active" in row
    assert url("deals.approve", deal_id=free.id) in queue
    page = client.get(url("deals.show", deal_id=conflict.id)).get_data(as_text=True)
    assert url("deals.approve", deal_id=conflict.id) not in page and url("deals.reject", deal_id=conflict.id) in page
    # a forged approve is refused with the reason, and changes nothing
    refused = client.post(url("deals.approve", deal_id=conflict.id), follow_redirects=True).get_data(as_text=True)
    assert "still protected by registration" in refused
    db.session.refresh(conflict)
    assert conflict.status == "submitted"

    # once the earlier registration is closed, Approve is offered again and works
    services.mark_lost(holder, world.manager)
    db.session.refresh(conflict)
    assert not services.conflict_blocks(conflict)
    queue = client.get(url("deals.queue")).get_data(as_text=True)
    assert url("deals.approve", deal_id=conflict.id) in queue
    assert client.post(url("deals.approve", deal_id=conflict.id)).status_code == 303
    db.session.refresh(conflict)
    assert conflict.status == "approved"


def test_queue_has_four_columns(client, login, world):
    held(world)
    services.register_deal(world.a_member, services.DealInput(
        customer_name="ООО «Другая»", domain="other.example", contact_name="Pyotr", product="crm",
        amount_kopecks=50_000_00, expected_close_date=services.program_today() + timedelta(days=40), region="moscow"))
    login(world.manager)
    html = client.get(url("deals.queue")).get_data(as_text=True)
    head = html[html.index("<thead>"):html.index("</thead>")]
    assert head.count("<th ") == 4 and 'data-label="Decide"' in html
