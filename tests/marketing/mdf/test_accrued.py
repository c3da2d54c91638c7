"""MDF allocation in the accrued mode (issue 12 point 1): `mdf.mode: accrued` credits each won deal's
share of revenue (by tier, program.yml) to the organisation's fund once, from the durable deal_won event;
balances stay sums of entries; the partner's fund page says how the allocation was computed."""
from datetime import date, timedelta
from pathlib import Path

import pytest
import yaml
from sqlalchemy import func, select

from hub import signals
from hub.domain_events import outbox
from hub.domain_events.models import EventDelivery
from hub.extensions import db
from hub.marketing.mdf import services
from hub.marketing.mdf.models import CREDIT, MdfEntry
from hub.program import rules as program_rules
from tests import factories

from .conftest import url  # noqa: F401


def _rules(app, tmp_path, mdf: dict | None):
    holder = app.extensions["program_rules"]
    data = yaml.safe_load(Path(holder["path"]).read_text(encoding="utf-8"))
    if mdf is None:
        data.pop("mdf", None)
    else:
        data["mdf"] = mdf
    path = tmp_path / "program.yml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    holder["path"], holder["mtime"] = str(path), None
    return path


ACCRUED = {"mode": "accrued", "accrual_percent": {"silver": 2, "gold": "3.5", "platinum": 4}}


@pytest.fixture
def accrued(app, tmp_path):
    _rules(app, tmp_path, ACCRUED)
    assert program_rules.current().mdf.accrued


def won(org, amount, closed_on=None, deal_id=None):
    deal_id = deal_id or factories.create_deal(org, status="won", amount_kopecks=amount).id
    signals.deal_won.emit(deal_id=deal_id, organisation_id=org.id, created_by_id=None, product="crm",
                          amount_kopecks=amount, closed_on=closed_on, actor_id=None)
    db.session.commit()
    return deal_id


def credits(org_id):
    return list(db.session.scalars(select(MdfEntry).where(MdfEntry.organisation_id == org_id, MdfEntry.kind == CREDIT)
                                   .order_by(MdfEntry.id)))


def test_a_won_deal_credits_its_share_in_kopecks(w, accrued):
    today = services.today()
    q = services.quarter_of(today)
    # Gold: 3.5 % of 1 234 567,89 ₽ = 43 209,87615 ₽ -> 43 209,88 ₽ (half up to the kopeck)
    deal = won(w.org_b, 1_234_567_89, closed_on=today)
    [entry] = credits(w.org_b.id)
    assert (entry.quarter, entry.amount_kopecks, entry.key) == (q, 43_209_88, f"accrued:{deal}")
    # Silver: 2 % of 0,25 ₽ = 0,005 ₽ -> 0,01 ₽; and 2 % of 0,24 ₽ = 0,0048 ₽ -> 0,00 ₽: nothing written
    won(w.org_a, 25, closed_on=today)
    won(w.org_a, 24, closed_on=today)
    assert [e.amount_kopecks for e in credits(w.org_a.id)] == [1]
    won(w.org_a, 150_000_00, closed_on=today)
    b = services.balance(w.org_a.id, q)
    assert (b.allocated, b.available) == (3_000_01, 3_000_01)  # sums of the entries
    # no fixed allocation in the accrued mode, however often the page is seen or the tick runs
    assert services.credit_all(today) == 0
    services.credit_now(w.org_a, q)
    assert services.balance(w.org_a.id, q).allocated == 3_000_01


def test_each_deal_credits_once_however_often_delivered(w, accrued):
    today = services.today()
    deal = won(w.org_b, 200_000_00, closed_on=today)
    won(w.org_b, 200_000_00, closed_on=today, deal_id=deal)  # the same deal's event again
    delivery = db.session.scalar(select(EventDelivery).where(EventDelivery.listener == "mdf.accrued_credit"))
    listener = outbox.LISTENERS["mdf.accrued_credit"].func
    event = outbox.Event(id=delivery.event_id, type=signals.deal_won, occurred_at=delivery.event.occurred_at,
                         payload=signals.deal_won.decode(delivery.event.payload))
    listener(event)  # and the listener run again on the stored event
    db.session.commit()
    [entry] = credits(w.org_b.id)
    assert entry.amount_kopecks == 7_000_00
    assert services.balance(w.org_b.id, services.quarter_of(today)).available == 7_000_00
    assert db.session.scalar(select(func.count()).select_from(EventDelivery).where(
        EventDelivery.listener == "mdf.accrued_credit", EventDelivery.status == "done")) == 2


def test_the_quarter_is_the_won_dates_at_the_boundary(w, accrued):
    last_of_q1, first_of_q2 = date(2027, 3, 31), date(2027, 4, 1)
    assert services.accrue_from_win(1001, w.org_b.id, 100_000_00, last_of_q1, day=last_of_q1)
    assert services.accrue_from_win(1002, w.org_b.id, 100_000_00, first_of_q2, day=first_of_q2)
    # a deal won on 31 March but heard of on 1 April: Q1 has ended, its share goes to Q2 (not born expired)
    assert services.accrue_from_win(1003, w.org_b.id, 100_000_00, last_of_q1, day=first_of_q2)
    db.session.commit()
    by_key = {e.key: e.quarter for e in credits(w.org_b.id)}
    assert by_key == {"accrued:1001": "2027-Q1", "accrued:1002": "2027-Q2", "accrued:1003": "2027-Q2"}
    assert services.balance(w.org_b.id, "2027-Q1").allocated == 3_500_00
    assert services.balance(w.org_b.id, "2027-Q2").allocated == 7_000_00


def test_the_fixed_mode_accrues_nothing(w):
    assert program_rules.current().mdf.mode == "fixed"
    won(w.org_b, 1_000_000_00, closed_on=services.today())
    assert [e.key for e in credits(w.org_b.id) if e.key.startswith("accrued:")] == []


def test_bronze_and_vendor_accrue_nothing(w, accrued):
    bronze = factories.create_org("Gamma", slug="gamma")
    db.session.commit()
    won(bronze, 1_000_000_00, closed_on=services.today())
    assert credits(bronze.id) == []


def test_the_fund_page_explains_the_allocation(w, accrued, client, login):
    today = services.today()
    deal = won(w.org_b, 1_000_000_00, closed_on=today)
    login(w.b_member)
    page = client.get("/mdf/").get_data(as_text=True).replace("\u00a0", " ").replace("\u202f", " ")
    assert "How your allocation is computed" in page
    assert "every deal you win adds 3.5 % of its amount" in page and "Gold" in page
    assert f"#{deal}" in page and "35,000" in page
    login(w.a_member)  # another organisation: its own (empty) list, never Beta's deal
    other = client.get("/mdf/").get_data(as_text=True)
    assert f"#{deal}" not in other and "No won deals have credited your fund yet." in other
    login(w.manager)
    ledger = client.get(f"/mdf/manage/organisations/{w.org_b.id}").get_data(as_text=True).replace("\u00a0", " ")
    assert f"3.5 % of deal #{deal} won for" in ledger and "(tier Gold)" in ledger


def test_fixed_page_says_the_tier_allocation(w, client, login):
    login(w.a_member)
    page = client.get("/mdf/").get_data(as_text=True).replace("\u00a0", " ").replace("\u202f", " ")
    assert "Your tier, Silver, gives you" in page and "150,000" in page


@pytest.mark.parametrize("mdf, where, problem", [
    ({"mode": "accrued"}, "mdf.accrual_percent", "at least one tier"),
    ({"mode": "accrued", "accrual_percent": {"silver": 0}}, "mdf.accrual_percent", "at least one tier"),
    ({"mode": "accrued", "accrual_percent": {"gold": 101}}, "mdf.accrual_percent.gold", "100"),
    ({"mode": "accrued", "accrual_percent": {"gold": -1}}, "mdf.accrual_percent.gold", "0"),
    ({"mode": "accrued", "accrual_percent": {"diamond": 3}}, "mdf.accrual_percent.diamond", "not one of the tiers"),
    ({"mode": "shared"}, "mdf.mode", ""),
    ({"allocation_rub": {"diamond": 100}}, "mdf.allocation_rub.diamond", "not one of the tiers"),
    ({"allocation_rub": {"gold": -5}}, "mdf.allocation_rub.gold", "0"),
])
def test_bad_accrued_rules_are_refused_with_their_place(app, tmp_path, mdf, where, problem):
    path = _rules(app, tmp_path, mdf)
    with pytest.raises(program_rules.RulesError) as caught:
        program_rules.load(path)
    assert any(key == where and problem in text for key, text in caught.value.problems), caught.value.problems


def test_the_fixed_allocation_is_what_the_program_page_promises(app, tmp_path):
    """Without an allocation_rub of its own, the fund gives each tier its mdf_quarter_rub: the figure the
    program page's tier table shows partners; an explicit allocation_rub overrides it."""
    rules = program_rules.current()
    for tier in rules.tiers:
        assert rules.mdf.allocation_kopecks(tier.code) == tier.mdf_quarter_kopecks
    assert rules.mdf.allocation_kopecks("gold") == 500_000_00
    _rules(app, tmp_path, {"allocation_rub": {"gold": 123_000}})
    assert program_rules.current().mdf.allocation_kopecks("gold") == 123_000_00
    assert program_rules.current().mdf.allocation_kopecks("silver") == 0
