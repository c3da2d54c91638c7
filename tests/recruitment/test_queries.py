"""Bounded SQL: the queue, an application, the target list and the costs page make the same number of
queries for 3 rows and for 60 (referrers, targets and owners are joined, not loaded per row)."""
import pytest

from hub import inn as inn_numbers
from hub.extensions import db
from hub.recruitment.models import QUALIFIED, SUBMITTED, Application, Cost, Target
from tests import factories

from .conftest import url

PAGES = [("recruitment.queue", {}), ("recruitment.queue", {"status": QUALIFIED}), ("recruitment.targets", {}),
         ("recruitment.costs", {})]


def seed(w, n: int, start: int) -> None:
    owners = [w.manager, w.manager2]
    for i in range(start, start + n):
        org = factories.create_org(f"Референт {i}")
        target = Target(company=f"Цель {i}", inn=inn_numbers.company(f"77{i:07d}"), domain=f"t{i}.example",
                        stage="applied", owner_id=owners[i % 2].id, region="moscow", segment="sales")
        db.session.add(target)
        db.session.flush()
        for status in (SUBMITTED, QUALIFIED):
            inn = inn_numbers.company(f"5{i:03d}{0 if status == SUBMITTED else 1}0000")
            db.session.add(Application(status=status, company=f"Заявитель {i}", inn=inn, open_inn=inn,
                                       partner_type="integrator", contact_name="X", contact_email=f"x{i}@e.example",
                                       consent_at=target.created_at, referrer_id=org.id, target_id=target.id))
        db.session.add(Cost(period=f"2026-Q{i % 4 + 1}", campaign=f"Кампания {i}", amount_kopecks=100_00 + i))
    db.session.commit()


def _count(client, count_queries, endpoint, args):
    client.get(url(endpoint, **args))
    with count_queries() as counter:
        response = client.get(url(endpoint, **args))
    assert response.status_code == 200
    return counter.count


@pytest.mark.parametrize("endpoint, args", PAGES)
def test_query_count_does_not_grow(w, client, login, count_queries, endpoint, args):
    login(w.manager)
    seed(w, 3, 0)
    few = _count(client, count_queries, endpoint, args)
    seed(w, 57, 3)
    assert _count(client, count_queries, endpoint, args) == few


def test_application_page_is_bounded(w, client, login, count_queries):
    login(w.manager)
    seed(w, 1, 0)
    application = db.session.scalar(db.select(Application).limit(1))
    assert _count(client, count_queries, "recruitment.show", {"application_id": application.id}) <= 12
