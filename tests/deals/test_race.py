"""First valid registration wins, also under a race: 20 partners register one customer at once."""
import threading

from sqlalchemy import func, select

from hub.accounts.models import PARTNER_ADMIN, User
from hub.deals import services
from hub.deals.models import SUBMITTED, Deal, DealClaim
from hub.extensions import db
from tests import factories

from .conftest import NOW, deal_input

THREADS = 20


def test_twenty_partners_register_the_same_customer_at_once(app):
    user_ids = []
    for n in range(THREADS):
        org = factories.create_org(f"Racer {n}", slug=f"racer-{n}")
        user_ids.append(factories.create_user(org, PARTNER_ADMIN).id)
    db.session.remove()

    barrier = threading.Barrier(THREADS)
    errors: list[BaseException] = []
    results: list[int] = []
    lock = threading.Lock()

    def run(user_id: int, n: int) -> None:
        try:
            with app.app_context():
                user = db.session.get(User, user_id)
                db.session.commit()  # no transaction left open while waiting at the barrier
                # Each partner spells the customer differently; the keys are the same.
                name = ["ООО «Рога и Копыта»", "Рога и копыта LLC", "\"РОГА И КОПЫТА\", ооо"][n % 3]
                data = deal_input(customer_name=name, domain=f"https://www.roga.example/{n}")
                barrier.wait(timeout=30)
                deal = services.register_deal(user, data, now=NOW)
                with lock:
                    results.append(deal.id)
                db.session.remove()
        except BaseException as exc:  # noqa: BLE001 - reported below
            with lock:
                errors.append(exc)

    threads = [threading.Thread(target=run, args=(uid, n)) for n, uid in enumerate(user_ids)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    assert len(results) == THREADS

    deals = list(db.session.scalars(select(Deal)))
    assert len(deals) == THREADS  # every registration is saved, none silently dropped
    assert all(d.status == SUBMITTED for d in deals)
    winners = [d for d in deals if d.conflict_with_id is None]
    assert len(winners) == 1
    winner = winners[0]
    conflicts = [d for d in deals if d.conflict_with_id is not None]
    assert len(conflicts) == THREADS - 1
    assert {d.conflict_with_id for d in conflicts} == {winner.id}
    holders = set(db.session.scalars(select(DealClaim.deal_id)))
    assert holders == {winner.id}
    assert db.session.scalar(select(func.count()).select_from(DealClaim)) == 3


def test_a_double_submit_racing_itself_saves_one_registration(app):
    """The same partner's form sent twice at the same instant (two tabs, a double click): one
    registration is saved, the other is refused naming it; on SQLite and PostgreSQL alike."""
    org = factories.create_org("Double Clicker", slug="double-clicker")
    user_ids = [factories.create_user(org, PARTNER_ADMIN).id, factories.create_user(org, PARTNER_ADMIN).id]
    db.session.remove()
    tries = 2 * len(user_ids)
    barrier = threading.Barrier(tries)
    saved: list[int] = []
    refused: list[int] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def run(user_id: int) -> None:
        try:
            with app.app_context():
                user = db.session.get(User, user_id)
                db.session.commit()
                barrier.wait(timeout=30)
                try:
                    deal = services.register_deal(user, deal_input(), now=NOW)
                except services.DuplicateRegistration as exc:
                    with lock:
                        refused.append(exc.deal_id)
                else:
                    with lock:
                        saved.append(deal.id)
                db.session.remove()
        except BaseException as exc:  # noqa: BLE001 - reported below
            with lock:
                errors.append(exc)

    threads = [threading.Thread(target=run, args=(uid,)) for uid in user_ids * 2]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    assert len(saved) == 1 and len(refused) == tries - 1
    assert set(refused) == set(saved)
    deals = list(db.session.scalars(select(Deal)))
    assert [d.id for d in deals] == saved and deals[0].conflict_with_id is None
    assert set(db.session.scalars(select(DealClaim.deal_id))) == set(saved)
