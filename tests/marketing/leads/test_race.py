"""Once only: two people of the partner (a double click, two admins) accept one lead and register it
as a deal at the same moment, through the app, each its own request and session: one accepted step,
one deal, and the lead links to it. On SQLite and PostgreSQL."""

from sqlalchemy import func, select

from hub.accounts import sessions
from hub.accounts.models import User
from hub.deals.models import Deal
from hub.extensions import db
from hub.marketing.leads.models import CONVERTED, Lead, LeadStep
from tests.race import post_together

from .conftest import convert_data, offered

N = 4


def _race(app, keys, path, data):
    return [answer.status for answer in post_together(app, [(key, path, data) for key in keys])]


def test_racing_accepts_and_registrations_make_one_deal(app, w):
    lead = offered(w)
    lead_id = lead.id
    people = [w.a_admin.id, w.a_admin2.id, w.a_member.id, w.a_admin.id]
    keys = [sessions.open_session(db.session.get(User, p), remember=False) for p in people[:N]]
    db.session.remove()

    codes = _race(app, keys, f"/leads/{lead_id}/accept", {})
    assert codes == [303] * N
    assert db.session.scalar(select(func.count()).select_from(LeadStep).where(LeadStep.action == "accepted")) == 1
    db.session.remove()  # end the read: the next race writes after it

    codes = _race(app, keys, f"/leads/{lead_id}/deal", convert_data())
    assert codes == [303] * N
    assert db.session.scalar(select(func.count()).select_from(Deal)) == 1
    deal = db.session.scalar(select(Deal))
    lead = db.session.get(Lead, lead_id)
    assert (lead.status, lead.deal_id) == (CONVERTED, deal.id)
    assert db.session.scalar(select(func.count()).select_from(LeadStep).where(LeadStep.action == "converted")) == 1
