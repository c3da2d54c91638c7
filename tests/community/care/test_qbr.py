"""Quarterly business reviews: who sees and does what (every route, across organisations and roles),
bad input (dates, empty agenda, a forged owner from another organisation), ticking action items
plain and with htmx, the overdue flag."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from hub.community.care import services
from hub.community.care.models import CareActionItem, CareQbr
from hub.extensions import db

from .conftest import make_item, make_qbr, url


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


# --- authorisation ---------------------------------------------------------------------------------

def test_qbr_notes_of_a_are_invisible_to_b_on_every_route(client, login, w):
    qbr = make_qbr(w.org_a, w.manager)
    item = make_item(qbr, w.a_member)
    for who in (w.b_admin, w.b_member):
        login(who)
        for path in (url("care.qbr", qbr_id=qbr.id), url("care.organisation", org_id=w.org_a.id)):
            response = client.get(path)
            assert response.status_code == 404, (who, path)
            assert "Secret plan" not in response.get_data(as_text=True)
        assert client.post(url("care.item_done", item_id=item.id), data={"done": "1"}).status_code == 404
        assert client.post(url("care.item_new", qbr_id=qbr.id),
                           data={"title": "x", "owner": str(who.id), "due_on": "2030-01-01"}).status_code == 404
        assert client.get(url("care.qbr_edit", qbr_id=qbr.id)).status_code == 403  # vendor-only route
        assert client.get(url("care.qbr_new", org_id=w.org_a.id)).status_code == 403
    db.session.expire_all()
    assert db.session.get(CareActionItem, item.id).done_at is None
    assert count(CareActionItem) == 1


def test_members_see_the_agenda_and_items_but_not_the_notes(client, login, w):
    qbr = make_qbr(w.org_a, w.manager)
    make_item(qbr, w.a_admin, title="Admin's task")
    login(w.a_member)
    page = client.get(url("care.qbr", qbr_id=qbr.id)).get_data(as_text=True)
    assert "Quarter results" in page and "Admin&#39;s task" in page
    assert "Secret plan" not in page
    assert "Add an action item" not in page
    assert client.post(url("care.item_new", qbr_id=qbr.id),
                       data={"title": "x", "owner": str(w.a_member.id), "due_on": "2030-01-01"}).status_code == 403
    login(w.a_admin)
    page = client.get(url("care.qbr", qbr_id=qbr.id)).get_data(as_text=True)
    assert "Secret plan" in page and "Add an action item" in page


def test_managers_see_every_key_partner_and_schedule(client, login, w):
    login(w.manager)
    page = client.get(url("care.index")).get_data(as_text=True)
    assert "Alpha Integration" in page and "Beta Distribution" in page and "Gamma Silver" not in page
    response = client.post(url("care.qbr_new", org_id=w.org_a.id),
                           data={"meeting_on": "2030-03-01", "agenda": "Plan for Q2", "notes": ""})
    assert response.status_code == 303
    qbr = db.session.scalar(select(CareQbr))
    assert qbr.organisation_id == w.org_a.id and qbr.agenda == "Plan for Q2"
    # The partner's admins are told in the hub, with a link built from the base URL.
    from hub.core.models import Notification
    note = db.session.scalar(select(Notification).where(Notification.user_id == w.a_admin.id))
    assert note.type == "care.qbr_scheduled" and note.link == url("care.qbr", qbr_id=qbr.id)
    assert client.get(url("care.qbr", qbr_id=qbr.id)).status_code == 200


def test_partners_cannot_schedule_and_non_key_partners_get_no_review(client, login, w):
    login(w.a_admin)
    assert client.post(url("care.qbr_new", org_id=w.org_a.id),
                       data={"meeting_on": "2030-03-01", "agenda": "x"}).status_code == 403
    login(w.manager)
    response = client.post(url("care.qbr_new", org_id=w.org_c.id), data={"meeting_on": "2030-03-01", "agenda": "x"})
    assert response.status_code == 409
    assert "for key partners" in response.get_data(as_text=True)
    assert count(CareQbr) == 0
    assert client.get(url("care.qbr_new", org_id=w.vendor.id)).status_code == 404  # not a partner
    assert client.get(url("care.qbr_new", org_id=999_999)).status_code == 404


def test_a_partner_sees_only_its_own_care_page(client, login, w):
    login(w.b_member)
    assert client.get(url("care.organisation", org_id=w.org_a.id)).status_code == 404
    page = client.get(url("care.index")).get_data(as_text=True)
    assert "Beta Distribution" in page and "Relationship health" in page
    assert client.get(url("care.organisation", org_id=w.org_b.id)).status_code == 200


# --- bad input -------------------------------------------------------------------------------------

@pytest.mark.parametrize("data, message", [
    ({"meeting_on": "0001-01-01", "agenda": "Plan"}, "Enter a date between"),
    ({"meeting_on": "9999-12-31", "agenda": "Plan"}, "Enter a date between"),
    ({"meeting_on": "not a date", "agenda": "Plan"}, "Not a valid date"),
    ({"meeting_on": "", "agenda": "Plan"}, "Enter a date."),
    ({"meeting_on": "2030-03-01", "agenda": "   "}, "Write the agenda."),
    ({"meeting_on": "2030-03-01", "agenda": "x\x00y"}, ""),
])
def test_bad_review_input_is_refused_next_to_the_field(client, login, w, data, message):
    login(w.manager)
    response = client.post(url("care.qbr_new", org_id=w.org_a.id), data=data)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert count(CareQbr) == 0


def test_a_forged_owner_from_another_organisation_is_refused(client, login, w):
    qbr = make_qbr(w.org_a, w.manager)
    login(w.manager)
    for owner in (w.b_admin.id, w.c_admin.id, 999_999, "abc", "-1"):
        response = client.post(url("care.item_new", qbr_id=qbr.id),
                               data={"title": "Plan", "owner": str(owner), "due_on": "2030-01-01"})
        assert response.status_code == 422, owner
        assert "Not a valid choice" in response.get_data(as_text=True) or "Choose a person" in \
            response.get_data(as_text=True)
    with pytest.raises(services.CareError):  # the service refuses it too, whatever the form
        services.add_item(w.manager, qbr, {"title": "Plan", "owner_id": w.b_admin.id,
                                           "due_on": services.today()})
    db.session.rollback()
    for data in ({"title": "", "owner": str(w.a_admin.id), "due_on": "2030-01-01"},
                 {"title": "Plan", "owner": str(w.a_admin.id), "due_on": "9999-12-31"},
                 {"title": "Plan", "owner": str(w.a_admin.id)}):
        assert client.post(url("care.item_new", qbr_id=qbr.id), data=data).status_code == 422
    assert count(CareActionItem) == 0
    # People of the partner and of the vendor may own items.
    for owner in (w.a_member, w.manager):
        assert client.post(url("care.item_new", qbr_id=qbr.id),
                           data={"title": "Plan", "owner": str(owner.id), "due_on": "2030-01-01"}).status_code == 303
    assert count(CareActionItem) == 2
    # The partner's owner is told (the manager added it for them); the manager's own item tells nobody.
    from hub.core.models import Notification
    told = list(db.session.scalars(select(Notification).where(Notification.type == "care.item_assigned")))
    assert [n.user_id for n in told] == [w.a_member.id] and told[0].link == url("care.qbr", qbr_id=qbr.id)


def test_a_bad_done_value_is_refused(client, login, w):
    item = make_item(make_qbr(w.org_a, w.manager), w.a_member)
    login(w.a_member)
    for data in ({"done": "2"}, {}, {"done": "x\x00"}):
        assert client.post(url("care.item_done", item_id=item.id), data=data).status_code == 400
    db.session.expire_all()
    assert db.session.get(CareActionItem, item.id).done_at is None


# --- ticking items and the overdue flag -------------------------------------------------------------

def test_a_member_ticks_its_own_item_plain_and_with_htmx(client, login, w):
    qbr = make_qbr(w.org_a, w.manager)
    mine = make_item(qbr, w.a_member, title="Member's item")
    admins = make_item(qbr, w.a_admin, title="Admin's item")
    vendors = make_item(qbr, w.manager, title="Vendor's item")
    login(w.a_member)
    response = client.post(url("care.item_done", item_id=mine.id), data={"done": "1"})
    assert response.status_code == 303
    assert client.post(url("care.item_done", item_id=admins.id), data={"done": "1"}).status_code == 403
    assert client.post(url("care.item_done", item_id=vendors.id), data={"done": "1"}).status_code == 403
    db.session.expire_all()
    assert db.session.get(CareActionItem, mine.id).done_by_id == w.a_member.id
    assert db.session.get(CareActionItem, admins.id).done_at is None
    # With htmx: the items region comes back alone, showing the new state.
    response = client.post(url("care.item_done", item_id=mine.id), data={"done": "0"},
                           headers={"HX-Request": "true", "HX-Target": "items"})
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in body and 'id="items"' in body
    assert "Mark as done" in body
    db.session.expire_all()
    assert db.session.get(CareActionItem, mine.id).done_at is None
    # The partner admin ticks any of its side's items, never the vendor's.
    login(w.a_admin)
    assert client.post(url("care.item_done", item_id=mine.id), data={"done": "1"}).status_code == 303
    assert client.post(url("care.item_done", item_id=vendors.id), data={"done": "1"}).status_code == 403
    # The manager ticks anything.
    login(w.manager)
    assert client.post(url("care.item_done", item_id=vendors.id), data={"done": "1"}).status_code == 303


def test_overdue_items_are_flagged_on_both_sides(client, login, w):
    qbr = make_qbr(w.org_a, w.manager)
    make_item(qbr, w.a_member, due_days=-3, title="Late item")
    make_item(qbr, w.a_member, due_days=-3, title="Late but done", done=True)
    make_item(qbr, w.manager, due_days=3, title="Future item")
    for who in (w.a_member, w.manager):
        login(who)
        page = client.get(url("care.qbr", qbr_id=qbr.id)).get_data(as_text=True)
        assert page.count('class="flag flag-overdue"') == 1
        listing = client.get(url("care.organisation", org_id=w.org_a.id)).get_data(as_text=True)
        assert "overdue: 1" in listing


def test_manager_edits_the_review(client, login, w):
    qbr = make_qbr(w.org_a, w.manager)
    login(w.manager)
    assert client.get(url("care.qbr_edit", qbr_id=qbr.id)).status_code == 200
    response = client.post(url("care.qbr_edit", qbr_id=qbr.id),
                           data={"meeting_on": "2030-05-05", "agenda": "New agenda", "notes": "Agreed"})
    assert response.status_code == 303
    db.session.expire_all()
    stored = db.session.get(CareQbr, qbr.id)
    assert (stored.agenda, stored.notes, stored.meeting_on.isoformat()) == ("New agenda", "Agreed", "2030-05-05")
    assert client.post(url("care.qbr_edit", qbr_id=qbr.id), data={"meeting_on": "2030-05-05", "agenda": ""}
                       ).status_code == 422
    assert client.get(url("care.qbr_edit", qbr_id=999_999)).status_code == 404
