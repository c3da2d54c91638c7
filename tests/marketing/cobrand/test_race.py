"""Decided once: four managers' simultaneous decisions on one custom request (two deliveries with a
file, two declines; threads through the app, each its own request and session) leave exactly one
winner; the others are told it was already decided and change nothing. On SQLite and PostgreSQL."""
import io
import threading
from datetime import timedelta

from sqlalchemy import func, select

from hub.accounts import sessions
from hub.accounts.models import User
from hub.core.models import AuditEntry, Notification
from hub.database import utcnow
from hub.extensions import db
from hub.marketing.cobrand import services
from hub.marketing.cobrand.models import DECLINED, DELIVERED, CobrandRequest
from tests.conftest import HubClient
from tests.factories import create_user

N = 4
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_racing_decisions_leave_one_winner(app, w):
    item = services.submit_request(w.a_member, {"template": "one-pager-crm", "description": "",
                                                "deadline": utcnow().date() + timedelta(days=5), "notes": ""})
    managers = [w.manager.id, w.manager2.id, create_user(w.vendor, "manager", "m3@example.test").id,
                create_user(w.vendor, "admin", "a2@example.test").id]
    keys = {m: sessions.open_session(db.session.get(User, m), remember=False) for m in managers}
    request_id = item.id
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
                    session["_user_id"] = keys[managers[n]]
                    session["_fresh"] = True
                db.session.remove()
                barrier.wait(timeout=60)
                if n % 2:
                    response = client.post(f"/cobrand/manage/requests/{request_id}/decision",
                                           data={"decision": "declined", "reason": f"no ({n})"})
                else:
                    response = client.post(f"/cobrand/manage/requests/{request_id}/deliver",
                                           data={"file": (io.BytesIO(PDF + str(n).encode()), f"piece{n}.pdf")},
                                           content_type="multipart/form-data")
                with lock:
                    codes.append(response.status_code)
                response.close()
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
    assert sorted(codes) == [303] + [409] * (N - 1)
    db.session.expire_all()
    item = db.session.get(CobrandRequest, request_id)
    assert item.status in (DELIVERED, DECLINED)
    decided = db.session.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.object_type == "cobrand_request", AuditEntry.action.in_(("delivered", "declined"))))
    assert decided == 1
    told = db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.type.in_(("cobrand.delivered", "cobrand.declined"))))
    assert told == 2  # the requester and the organisation's admin, once
