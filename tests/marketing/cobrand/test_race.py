"""Decided once: four managers' simultaneous decisions on one custom request (two deliveries with a
file, two declines; threads through the app, each its own request and session) leave exactly one
winner; the others are told it was already decided and change nothing. On SQLite and PostgreSQL."""
import io
from datetime import timedelta

from sqlalchemy import func, select

from hub.core.models import AuditEntry, Notification
from hub.database import utcnow
from hub.extensions import db
from hub.marketing.cobrand import services
from hub.marketing.cobrand.models import DECLINED, DELIVERED, CobrandRequest
from tests.factories import create_user
from tests.race import login_key, post_together, statuses

N = 4
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_racing_decisions_leave_one_winner(app, w):
    item = services.submit_request(w.a_member, {"template": "one-pager-crm", "description": "",
                                                "deadline": utcnow().date() + timedelta(days=5), "notes": ""})
    managers = [w.manager.id, w.manager2.id, create_user(w.vendor, "manager", "m3@example.test").id,
                create_user(w.vendor, "admin", "a2@example.test").id]
    keys = {m: login_key(m) for m in managers}
    request_id = item.id

    def request(n):
        if n % 2:
            return (keys[managers[n]], f"/cobrand/manage/requests/{request_id}/decision",
                    {"decision": "declined", "reason": f"no ({n})"})
        return (keys[managers[n]], f"/cobrand/manage/requests/{request_id}/deliver",
                {"file": (io.BytesIO(PDF + str(n).encode()), f"piece{n}.pdf")})
    assert statuses(post_together(app, [request(n) for n in range(N)])) == [303] + [409] * (N - 1)
    db.session.expire_all()
    item = db.session.get(CobrandRequest, request_id)
    assert item.status in (DELIVERED, DECLINED)
    decided = db.session.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.object_type == "cobrand_request", AuditEntry.action.in_(("delivered", "declined"))))
    assert decided == 1
    told = db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.type.in_(("cobrand.delivered", "cobrand.declined"))))
    assert told == 2  # the requester and the organisation's admin, once
