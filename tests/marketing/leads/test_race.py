"""Once only: two people of the partner (a double click, two admins) accept one lead and register it
as a deal at the same moment, through the app, each its own request and session: one accepted step,
one deal, and the lead links to it. On SQLite and PostgreSQL."""
import threading

from sqlalchemy import func, select

from hub.accounts import sessions
from hub.accounts.models import User
from hub.deals.models import Deal
from hub.extensions import db
from hub.marketing.leads.models import CONVERTED, Lead, LeadStep
from tests.conftest import HubClient

from .conftest import convert_data, offered

N = 4


def _race(app, keys, path, data):
    barrier = threading.Barrier(len(keys))
    codes, errors, lock = [], [], threading.Lock()

    def run(key):
        try:
            with app.app_context():
                client = app.test_client()
                client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
                with client.session_transaction() as session:
                    session["_user_id"] = key
                    session["_fresh"] = True
                db.session.remove()
                barrier.wait(timeout=60)
                response = client.post(path, data=data)
                with lock:
                    codes.append(response.status_code)
                db.session.remove()
        except BaseException as exc:  # noqa: BLE001 - reported below
            with lock:
                errors.append(exc)

    threads = [threading.Thread(target=run, args=(key,)) for key in keys]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=180)
    assert not errors, errors
    return codes


def test_racing_accepts_and_registrations_make_one_deal(app, w):
    lead = offered(w)
    lead_id = lead.id
    people = [w.a_admin.id, w.a_admin2.id, w.a_member.id, w.a_admin.id]
    keys = [sessions.open_session(db.session.get(User, p), remember=False) for p in people[:N]]
    db.session.remove()
    app.test_client_class = HubClient

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
