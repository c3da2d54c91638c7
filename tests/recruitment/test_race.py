"""Once only: 6 simultaneous approvals of one qualified application (threads through the app, two managers)
make one organisation and one invitation; 6 simultaneous applications for one INN keep one. On SQLite and
PostgreSQL (the application row is locked; the open INN is unique)."""
import threading

from sqlalchemy import select

from hub.accounts import sessions
from hub.accounts.models import Invitation, Organisation, User
from hub.extensions import db
from hub.recruitment import services
from hub.recruitment.models import APPROVED, Application
from hub.recruitment.rules import CHECKLIST
from tests.conftest import HubClient

from .conftest import INN, count, form_data, values

N = 6


def _race(app, run_one):
    barrier = threading.Barrier(N)
    codes, errors, lock = [], [], threading.Lock()

    def run(n):
        try:
            with app.app_context():
                client = app.test_client()
                client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
                db.session.remove()
                code = run_one(n, client, barrier)
                with lock:
                    codes.append(code)
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
    return sorted(codes)


def test_racing_approvals_make_one_organisation(app, w):
    application = services.submit(values())
    services.qualify(w.manager, application.id, list(CHECKLIST))
    keys = [sessions.open_session(db.session.get(User, m), remember=False) for m in (w.manager.id, w.manager2.id)]
    application_id = application.id
    db.session.remove()
    app.test_client_class = HubClient

    def approve(n, client, barrier):
        with client.session_transaction() as session:
            session["_user_id"] = keys[n % 2]
            session["_fresh"] = True
        barrier.wait(timeout=60)
        return client.post(f"/recruitment/applications/{application_id}/approve",
                           data={"segment": "sales"}).status_code

    assert _race(app, approve) == [303] + [409] * (N - 1)
    db.session.expire_all()
    assert db.session.get(Application, application_id).status == APPROVED
    assert count(Organisation, Organisation.inn == INN) == 1
    assert count(Invitation) == 1


def test_racing_applications_for_one_inn_keep_one(app, w):
    db.session.remove()
    app.test_client_class = HubClient

    def apply(n, client, barrier):
        barrier.wait(timeout=60)
        return client.post("/recruitment/apply", data=form_data(contact_email=f"p{n}@new-partner.example")).status_code

    assert _race(app, apply) == [303] + [422] * (N - 1)
    assert count(Application) == 1
    assert db.session.scalar(select(Application)).open_inn == INN
