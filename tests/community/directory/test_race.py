"""Several workers delivering certificates and wins of one organisation at once still leave the right
counts in the read model (each recount waits for the others: the organisation's stat row is locked)."""
import threading

from sqlalchemy import delete, select, update

from hub.community.directory.models import DirectoryCertificate, DirectoryDeal, DirectoryRegionWin, DirectoryStat
from hub.domain_events import outbox
from hub.domain_events.models import EventDelivery
from hub.extensions import db

from .conftest import certify, org_with_admin, win

N = 4


def _again_together(app, listeners):
    """Make the listeners' deliveries pending again on an empty read model, then deliver them all at once."""
    ids = list(db.session.scalars(select(EventDelivery.id).where(EventDelivery.listener.in_(listeners))))
    db.session.execute(update(EventDelivery).where(EventDelivery.id.in_(ids))
                       .values(status="pending", attempts=0, delivered_at=None))
    for model in (DirectoryCertificate, DirectoryDeal, DirectoryRegionWin, DirectoryStat):
        db.session.execute(delete(model))
    db.session.commit()
    db.session.remove()
    barrier = threading.Barrier(len(ids))
    errors = []

    def run(delivery_id):
        try:
            with app.app_context():
                barrier.wait(timeout=60)
                outbox.deliver(delivery_id)
                db.session.remove()
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)
    threads = [threading.Thread(target=run, args=(i,)) for i in ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not errors, errors
    pending = db.session.scalars(select(EventDelivery.status).where(EventDelivery.id.in_(ids))).all()
    assert set(pending) == {"done"}, pending


def test_concurrent_certificates_of_one_organisation_are_all_counted(app, w):
    org, admin = org_with_admin("Racing Certificates")
    org_id = org.id
    for _ in range(N):
        certify(admin)
    _again_together(app, ["directory.certificates"])
    assert db.session.get(DirectoryStat, org_id).valid_certificates == N


def test_concurrent_wins_of_one_organisation_are_all_counted(app, w):
    org, _admin = org_with_admin("Racing Wins")
    org_id = org.id
    for _ in range(N):
        win(org, "spb")
    _again_together(app, ["directory.deals_won", "directory.deal_regions"])
    assert db.session.get(DirectoryRegionWin, (org_id, "spb")).wins == N
    assert db.session.get(DirectoryStat, org_id).deals_won == N
