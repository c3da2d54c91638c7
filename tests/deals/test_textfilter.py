"""The deal lists' text filter (hub/deals/textfilter.py): the trigram index (FTS5 on SQLite,
pg_trgm on PostgreSQL) finds exactly what the plain scan found, in a bounded number of queries."""
from __future__ import annotations

import pytest
from sqlalchemy import text

from hub import inn as inn_numbers
from hub.deals import services, textfilter
from hub.deals.models import Deal
from hub.extensions import db
from hub.normalize import normalise_company, normalise_domain

from .. import factories

NAMES = [
    ("ООО «Рога и Копыта»", "7707083893", "roga.example"),
    ("АО \"Ёлка-Трейд\"", "5024002119", "елка.рф"),
    ("Елка Сервис", "7736050003", None),
    ("ПАО «Уралстрой 12345»", "7702070139", "uralstroy.ru"),
    ("Урал", None, None),
    ("Ural Steel LLC", "7728168971", "ural-steel.com"),
    ("O'Brien & Sons Ltd", None, "obrien.co.uk"),
    ("100% Молоко", "7710140679", None),
    ("Snake_Case Tech", None, None),
    ("NEAR OR AND NOT", None, None),
    ("Юг", "6164201017", None),
    ("Юго-Запад Логистик", None, "yugozapad.ru"),
]

QUERIES = [
    "рога", "РОГА И", "копыта", "ога и ко", "ёлка", "елка", "ЁЛКА-ТРЕЙД", "«Ёлка»", "\"елка трейд\"", "урал",
    "Уралстрой 12345", "уралстрой 1234", "ООО «Рога и Копыта»", "ural", "URAL STEEL", "steel llc", "o'brien",
    "obrien", "brien & sons", "100%", "100% молоко", "%", "_", "snake_case", "ake ca", "near", "or", "and not",
    "NEAR(", "ура*", "^урал", "-урал", "\"", "'", "«»", "юг", "ю", "я", "у", "ог", "го-за", "Юго-Запад",
    "7707", "77", "7", "770708389", "7707083893", "77 07-08", "5024002119", "roga.example", "https://www.roga.example/a",
    "елка.рф", "xn--80ajbnf.xn--p1ai", "ural-steel.com", "uralstroy.ru", "нет такого", "  ", "ооо", "llc", "ab",
]


def _old_filter(deals: list[Deal], q: str) -> set[int]:
    """The scan the index replaced, in Python: name substring, INN prefix, domain equality."""
    q = q.strip()
    if not q:  # an empty filter filters nothing
        return {deal.id for deal in deals}
    name, digits, domain = normalise_company(q), inn_numbers.clean(q), normalise_domain(q)
    found = set()
    for deal in deals:
        if ((name and name in deal.customer_name_norm) or (digits.isdigit() and (deal.inn or "").startswith(digits))
                or (domain and deal.domain_norm == domain)):
            found.add(deal.id)
    return found


@pytest.fixture
def deals(world):
    made = []
    for i, (name, inn, domain) in enumerate(NAMES):
        org = world.org_a if i % 2 == 0 else world.org_b
        made.append(factories.create_deal(org, customer_name=name, inn=inn, domain=domain))
    return made


@pytest.mark.parametrize("q", QUERIES)
def test_the_filter_finds_what_the_scan_found(world, deals, q):
    def ids(user):
        return {d.id for d in services.list_deals(user, services.DealFilters(q=q), per_page=100).items}

    mine = [d for d in deals if d.organisation_id == world.org_a.id]
    assert ids(world.manager) == _old_filter(deals, q)
    assert ids(world.a_member) == _old_filter(mine, q)


def test_tricky_queries_find_the_right_deals(world, deals):
    def names(q):
        return {d.customer_name for d in services.list_deals(world.manager, services.DealFilters(q=q)).items}

    assert names("ёлка") == names("ЕЛКА") == {"АО \"Ёлка-Трейд\"", "Елка Сервис"}
    assert names("ога и ко") == {"ООО «Рога и Копыта»"}
    assert names("ур") == {"ПАО «Уралстрой 12345»", "Урал"}  # 2 letters: the scan, no trigram
    assert names("юг") == {"Юг", "Юго-Запад Логистик"}
    assert names("100%") == {"100% Молоко"}
    assert names("near or") == {"NEAR OR AND NOT"}  # FTS keywords are text here
    assert names("ура*") == {"ПАО «Уралстрой 12345»", "Урал"}  # '*' is punctuation, not a wildcard
    assert names("7707") == {"ООО «Рога и Копыта»"}
    assert names("https://www.uralstroy.ru/") == {"ПАО «Уралстрой 12345»"}
    assert names("ооо") == set()  # only a legal form: matches nothing, as before


def test_the_index_follows_renames_and_deletes(world, deals):
    def names(q):
        return {d.customer_name for d in services.list_deals(world.manager, services.DealFilters(q=q)).items}

    deal = deals[0]
    deal.customer_name, deal.customer_name_norm = "Копытные Системы", normalise_company("Копытные Системы")
    db.session.commit()
    assert names("рога и") == set()
    assert names("копыт") == {"Копытные Системы"}
    db.session.delete(deal)
    db.session.commit()
    assert names("копыт") == set()
    fresh = factories.create_deal(world.org_a, customer_name="Новые Рога")
    assert names("рога") == {fresh.customer_name}


def test_a_filtered_list_costs_two_queries(world, deals, count_queries):
    assert world.manager.is_manager  # loads the user before counting
    for q in ("урал", "ур", "7707", "roga.example"):
        with count_queries() as counter:
            page = services.list_deals(world.manager, services.DealFilters(q=q))
            assert page.total >= 1
        assert counter.count == 2, counter.statements


def test_the_name_filter_uses_the_trigram_index(world, deals):
    conds = services._conditions(world.manager, services.DealFilters(q="уралстрой"), None, None)
    query = db.select(Deal.id).where(*conds)
    if db.engine.dialect.name == "sqlite":
        plan = " ".join(str(r[-1]) for r in db.session.execute(
            text("EXPLAIN QUERY PLAN " + str(query.compile(db.engine, compile_kwargs={"literal_binds": True})))))
        assert textfilter.FTS_TABLE in plan and "VIRTUAL TABLE INDEX" in plan, plan
    else:
        db.session.execute(text("SET LOCAL enable_seqscan = off"))
        plan = "\n".join(r[0] for r in db.session.execute(
            text("EXPLAIN " + str(query.compile(db.engine, compile_kwargs={"literal_binds": True})))))
        db.session.rollback()
        assert textfilter.NAME_TRGM_INDEX in plan, plan


def test_bad_queries_answer_a_page(login, client, world, deals):
    login(world.manager)
    for q in ("\x00", "'; DROP TABLE deal; --", "\"\"\"", "NEAR(a b", "*", "a" * 5000, "ё" * 3, "%_%"):
        response = client.get("/deals/", query_string={"q": q})
        assert response.status_code == 200, q
