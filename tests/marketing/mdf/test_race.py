"""Never overspent: 8 simultaneous approvals of 30 000 ₽ each for an organisation with 150 000 ₽
available (threads through the app, each its own request and manager session) approve exactly 5;
the other 3 are refused and leave nothing. On SQLite and PostgreSQL (a row lock on the account)."""
import threading

from sqlalchemy import func, select

from hub.accounts import sessions
from hub.accounts.models import User
from hub.extensions import db
from hub.marketing.mdf import services
from hub.marketing.mdf.models import APPROVED, MdfEntry, MdfRequest
from tests.conftest import HubClient

from .conftest import quarter, values

N = 8


def test_racing_approvals_never_exceed_the_balance(app, w):
    ids = [services.submit(w.a_member, values(title=f"Activity {n}", planned_cost_kopecks=60_000_00,
                                              requested_kopecks=30_000_00)).id for n in range(N)]
    managers = [w.manager.id, w.manager2.id]
    keys = {m: sessions.open_session(db.session.get(User, m), remember=False) for m in managers}
    org_id = w.org_a.id
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
                    session["_user_id"] = keys[managers[n % 2]]
                    session["_fresh"] = True
                db.session.remove()
                barrier.wait(timeout=60)
                response = client.post(f"/mdf/manage/requests/{ids[n]}", data={"decision": "approve"})
                with lock:
                    codes.append(response.status_code)
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
    assert sorted(codes) == [303] * 5 + [409] * 3
    db.session.expire_all()
    approved = db.session.scalar(select(func.count()).select_from(MdfRequest).where(MdfRequest.status == APPROVED))
    assert approved == 5
    assert db.session.scalar(select(func.count()).select_from(MdfEntry).where(MdfEntry.kind == "commit")) == 5
    assert db.session.scalar(select(func.count()).select_from(MdfEntry).where(MdfEntry.kind == "credit")) == 1
    assert services.balance(org_id, quarter()).available == 0
