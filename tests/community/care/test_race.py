"""Once-only beta sign-up: 6 people of one organisation press "Sign up" at the same moment (threads
through the app, each its own request and session); exactly one sign-up is stored, the others are
told the organisation is already signed up. On SQLite and PostgreSQL (the unique key decides)."""
import threading
from datetime import timedelta

from sqlalchemy import func, select

from hub.accounts import sessions
from hub.accounts.models import User
from hub.community.care import services
from hub.community.care.models import CareBeta, CareBetaSignup
from hub.extensions import db
from tests import factories
from tests.conftest import HubClient

N = 6


def test_racing_sign_ups_store_one(app, w):
    beta = CareBeta(title="Beta", description="Early", tiers="gold", created_by_id=w.manager.id,
                    signup_closes_on=services.today() + timedelta(days=5))
    db.session.add(beta)
    people = [w.a_admin, w.a_member] + [factories.create_user(w.org_a, "member", f"p{n}@alpha.test")
                                        for n in range(N - 2)]
    db.session.commit()
    beta_id = beta.id
    keys = [sessions.open_session(db.session.get(User, p.id), remember=False) for p in people]
    db.session.remove()
    app.test_client_class = HubClient
    barrier = threading.Barrier(N)
    codes, errors, lock = [], [], threading.Lock()

    def run(n):
        try:
            with app.app_context():
                client = app.test_client()
                client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
                with client.session_transaction() as session:
                    session["_user_id"] = keys[n]
                    session["_fresh"] = True
                db.session.remove()
                barrier.wait(timeout=60)
                response = client.post(f"/care/betas/{beta_id}/signup")
                with lock:
                    codes.append((response.status_code, response.get_data(as_text=True)))
                db.session.remove()
        except BaseException as exc:  # noqa: BLE001 - reported below
            with lock:
                errors.append(exc)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(N)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=180)
    assert not errors, errors
    assert sorted(code for code, _ in codes) == [303] + [409] * (N - 1)
    assert all("already signed up" in body for code, body in codes if code == 409)
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(CareBetaSignup)) == 1
