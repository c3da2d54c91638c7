"""Never overbooked: 50 simultaneous sign-ups for 10 seats through the app (threads, each its own
request) leave exactly 10 registered and 40 on the waitlist; two racing cancellations promote two
people, not three. On SQLite and on PostgreSQL (the lock is a row lock on the event there)."""
import threading
from datetime import timedelta

from sqlalchemy import func, select

from hub.accounts import sessions
from hub.accounts.models import User
from hub.community.events import services
from hub.community.events.models import OFFERED, REGISTERED, WAITLISTED, Registration
from hub.database import utcnow
from hub.extensions import db
from tests import factories
from tests.conftest import HubClient

from .conftest import make_event

SIGN_UPS = 50
SEATS = 10


def _counts(event_id):
    db.session.expire_all()
    return dict(db.session.execute(select(Registration.status, func.count()).where(
        Registration.event_id == event_id).group_by(Registration.status)).all())


def _run_all(app, work, items):
    barrier = threading.Barrier(len(items))
    errors, results, lock = [], [], threading.Lock()

    def run(item):
        try:
            with app.app_context():
                outcome = work(item, barrier)
                with lock:
                    results.append(outcome)
                db.session.remove()
        except BaseException as exc:  # noqa: BLE001 - reported below
            with lock:
                errors.append(exc)

    threads = [threading.Thread(target=run, args=(item,)) for item in items]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=180)
    assert not errors, errors
    return results


def test_fifty_sign_ups_for_ten_seats_through_the_app(app):
    orgs = [factories.create_org(f"Racer {n}", slug=f"racer-{n}") for n in range(10)]
    user_ids = [factories.create_user(orgs[n % 10]).id for n in range(SIGN_UPS)]
    event = make_event(capacity=SEATS, starts=utcnow() + timedelta(days=5))
    slug, event_id = event.slug, event.id
    keys = {uid: sessions.open_session(db.session.get(User, uid), remember=False) for uid in user_ids}
    db.session.remove()
    app.test_client_class = HubClient

    def sign_up(user_id, barrier):
        client = app.test_client()
        client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
        with client.session_transaction() as session:
            session["_user_id"] = keys[user_id]
            session["_fresh"] = True
        db.session.remove()
        barrier.wait(timeout=60)
        response = client.post(f"/events/{slug}/register", data={})
        return response.status_code

    codes = _run_all(app, sign_up, user_ids)
    assert codes == [303] * SIGN_UPS  # every one answered: a seat or the waitlist, none refused or lost
    assert _counts(event_id) == {REGISTERED: SEATS, WAITLISTED: SIGN_UPS - SEATS}


def test_two_racing_cancellations_promote_two_not_three(app):
    org = factories.create_org("Queue", slug="queue")
    users = [factories.create_user(org) for _ in range(6)]
    event = make_event(capacity=2, starts=utcnow() + timedelta(days=5))
    now = utcnow()
    regs = [services.register(user, event.id, now=now + timedelta(seconds=n)) for n, user in enumerate(users)]
    assert [r.status for r in regs] == [REGISTERED] * 2 + [WAITLISTED] * 4
    pairs = [(users[0].id, regs[0].id), (users[1].id, regs[1].id)]
    event_id = event.id
    db.session.remove()

    def cancel(pair, barrier):
        user_id, registration_id = pair
        user = db.session.get(User, user_id)
        db.session.commit()
        barrier.wait(timeout=60)
        services.cancel_registration(user, registration_id)
        # The tick runs at the same time as well: it must not offer a third seat.
        return services.promote_waitlists()

    _run_all(app, cancel, pairs)
    counts = _counts(event_id)
    assert counts.get(OFFERED) == 2 and counts.get(WAITLISTED) == 2
    offered = list(db.session.scalars(select(Registration.user_id).where(
        Registration.event_id == event_id, Registration.status == OFFERED).order_by(Registration.user_id)))
    assert offered == [users[2].id, users[3].id]  # first come, first served
