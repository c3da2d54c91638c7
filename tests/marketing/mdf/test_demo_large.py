"""MDF's `demo large` step (the benchmark's 5,000 organisations x 8 quarters): eight quarters of
ledger per allocated organisation whose balances add up as the real flow leaves them, pages that
render them, and a second run that adds nothing."""
from __future__ import annotations

import random
from datetime import datetime, timezone

from sqlalchemy import func, select

from hub.core.cli import DemoContext
from hub.extensions import db
from hub.marketing.mdf import demo_large, services
from hub.marketing.mdf.models import CLAIM_PAID, SUBMITTED, MdfClaim, MdfRequest


def context():
    today = services.today()
    return DemoContext(rng=random.Random(3), today=today, now=datetime.now(timezone.utc),
                       echo=lambda _: None, options={"mdf_quarters": 8})


def test_eight_quarters_of_ledger_that_add_up_and_a_second_run_adds_nothing(w, client, login):
    counts = demo_large.large(context())
    assert counts["mdf_accounts"] == 16                     # two allocated organisations (silver, gold) x 8
    this = services.quarter_of(services.today())
    quarters = services.balances(w.org_a.id)
    assert len(quarters) == 8 and quarters[0][0] == this
    allocation = services.rules().allocation_kopecks("silver")
    for quarter, balance in quarters[1:]:                   # past: spent, paid, the rest expired
        assert balance.allocated == allocation
        assert balance.available == 0
        assert balance.expired > 0
    current = quarters[0][1]
    assert current.allocated == allocation and 0 < current.committed < allocation
    assert current.available == allocation - current.committed
    assert db.session.scalar(select(func.count()).select_from(MdfClaim).where(
        MdfClaim.organisation_id == w.org_a.id, MdfClaim.status == CLAIM_PAID)) == 7

    assert demo_large.large(context()) == {"mdf_accounts": 0, "mdf_requests": 0, "mdf_entries": 0}

    login(w.a_admin)
    page = client.get("/mdf/")
    assert page.status_code == 200
    assert f"{this}" in page.get_data(as_text=True)
    login(w.manager)
    assert client.get("/mdf/manage").status_code == 200


def test_every_fifth_organisation_waits_in_the_queue(w):
    demo_large.large(context())
    waiting = db.session.scalars(select(MdfRequest.organisation_id).where(MdfRequest.status == SUBMITTED)).all()
    assert set(waiting) <= {w.org_a.id, w.org_b.id}
    assert all(org % 5 == 0 for org in waiting)
