"""Once only: 6 managers' sessions approve the same claim at once -> one payable entry, one decision;
then 6 mark it paid at once -> one paid entry, one release, one mdf_paid. On SQLite and PostgreSQL
(the organisation-quarter account row is the lock; the entry keys are the backstop)."""

from sqlalchemy import func, select

from hub.accounts import sessions
from hub.accounts.models import User
from hub.extensions import db
from hub.marketing.mdf import services
from hub.marketing.mdf.models import MdfClaim, MdfEntry
from tests.helpers import events
from tests.race import post_together, statuses

from .conftest import approved
from .test_claims import file

N = 6


def _race(app, keys, path, data):
    return statuses(post_together(app, [(keys[n % len(keys)], path, data) for n in range(N)]))


def test_racing_claim_approvals_and_payments_happen_once(app, w):
    r = approved(w)
    c = file(w, r)
    claim_id, request_id, org_id, quarter = c.id, r.id, w.org_a.id, r.quarter
    keys = [sessions.open_session(db.session.get(User, m), remember=False) for m in (w.manager.id, w.manager2.id)]
    db.session.remove()
    assert _race(app, keys, f"/mdf/manage/claims/{claim_id}", {"decision": "approve"}) == [303] + [409] * (N - 1)
    db.session.expire_all()
    payable = select(func.count()).select_from(MdfEntry).where(MdfEntry.kind == "payable")
    assert db.session.scalar(payable) == 1
    assert len(events("mdf_claim_decided")) == 1
    today = services.today().isoformat()
    db.session.remove()  # end this thread's read (on SQLite a snapshot would hide the racers' writes)
    assert _race(app, keys, f"/mdf/manage/claims/{claim_id}/paid",
                 {"paid_on": today, "reference": "PP-1"}) == [303] + [409] * (N - 1)
    db.session.expire_all()
    for kind, amount in (("paid", 40_000_00), ("release", 10_000_00)):
        rows = db.session.scalars(select(MdfEntry.amount_kopecks).where(MdfEntry.kind == kind,
                                                                        MdfEntry.request_id == request_id)).all()
        assert rows == [amount], kind
    assert len(events("mdf_paid")) == 1
    assert db.session.get(MdfClaim, claim_id).status == "paid"
    assert services.balance(org_id, quarter).available == 110_000_00
