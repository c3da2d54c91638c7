"""The KPI pages over HTTP: who may open what, the figures a manager sees (three columns, never one),
definitions one click away, bad periods, CSV of every table, the query count, and a partner's own
dashboard with anonymous peer medians."""
import re

import pytest

from hub.extensions import db
from hub.insights import report
from tests import factories

from .conftest import RUB, at, submitted, url, won

Q3 = {"period": "quarter", "at": "2026-Q3"}
HX = {"HX-Request": "true", "HX-Target": "kpis"}


def text(response) -> str:
    return response.get_data(as_text=True)


def header_cells(html: str, caption_start: str) -> list[str]:
    table = html[html.index(caption_start):]
    head = table[table.index("<thead>"):table.index("</thead>")]
    return [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<th[^>]*>(.*?)</th>", head)]


@pytest.mark.parametrize("endpoint", ["kpis.index", "kpis.kpis_csv"])
def test_partners_cannot_open_the_managers_pages(client, login, data, endpoint):
    for who in (data.world.a_member, data.world.a_admin):
        login(who)
        assert client.get(url(endpoint, **Q3)).status_code == 403


def test_visitors_are_sent_to_log_in(client, data):
    response = client.get(url("kpis.index"))
    assert response.status_code in (302, 303) and "/login" in response.headers["Location"]
    assert client.get(url("kpis.mine")).status_code in (302, 303)


def test_managers_have_no_partner_dashboard(client, login, data):
    login(data.world.manager)
    assert client.get(url("kpis.mine")).status_code == 403
    assert client.get(url("kpis.mine_csv")).status_code == 403


def test_the_manager_page_shows_each_kpi_per_relationship_type(client, login, data):
    login(data.world.manager)
    response = client.get(url("kpis.index", **Q3))
    html = text(response)
    assert response.status_code == 200
    assert header_cells(html, "By relationship type") == ["KPI", "Referral partner", "Sales partner",
                                                            "Strategic partner"]
    for word in ("Total", "All partners"):
        assert word not in header_cells(html, "By relationship type")
    assert "RUB\xa06,000,000" in html or "RUB 6,000,000" in html  # the sales column's revenue
    assert 'href="/insights/kpi/definitions#kpi-activity"' in html  # the definition one click away
    assert "Figures as of" in html and html.count("<svg") >= 6 and "Figures in a table" in html
    definitions = text(client.get(url("kpis.definitions")))
    assert 'id="kpi-activity"' in definitions and "at least one deal in the 90 days" in definitions
    assert "20 %, above the guide" in html and "40 %, above the guide" in html  # sales: Platinum, Silver
    by_type = text(client.get(url("kpis.index", by="partner_type", **Q3)))
    assert header_cells(by_type, "By partner type") == ["KPI", "Integrator", "Distributor", "Agent", "Dealer"]


def test_htmx_gets_the_region_only(client, login, data):
    login(data.world.manager)
    body = text(client.get(url("kpis.index", **Q3), headers=HX))
    assert body.lstrip().startswith('<div id="kpis">') and "<html" not in body


@pytest.mark.parametrize("args, message", [
    ({"period": "quarter", "at": "2026-Q5"}, "Write the period like 2026-Q4."),
    ({"period": "month", "at": "1999-12"}, "Choose a period from 2000 up to the current one"),
    ({"period": "year", "at": "2999"}, "Choose a period from 2000 up to the current one"),
    ({"period": "month", "at": "2026-00"}, "A month is 01 to 12."),
])
def test_bad_periods_get_a_clear_4xx(client, login, data, args, message):
    login(data.world.manager)
    response = client.get(url("kpis.index", **args))
    assert response.status_code == 422 and message in text(response)
    assert 'aria-invalid="true"' in text(response) and "Revenue" not in text(response)
    swapped = client.get(url("kpis.index", **args), headers=HX)  # htmx swaps 422 (base.html responseHandling)
    assert swapped.status_code == 422 and text(swapped).lstrip().startswith('<div id="kpis">')
    assert message in text(swapped)
    assert client.get(url("kpis.kpis_csv", **args)).status_code == 400
    login(data.world.a_member)
    assert client.get(url("kpis.mine", **args)).status_code == 422
    assert client.get(url("kpis.mine_csv", **args)).status_code == 400


def test_an_unknown_period_kind_is_a_400(client, login, data):
    login(data.world.manager)
    assert client.get(url("kpis.index", period="week")).status_code == 400
    assert client.get(url("kpis.index", by="everyone")).status_code == 400


@pytest.mark.parametrize("table, first", [("kpis", "KPI"), ("trend", "KPI"), ("concentration", "Relationship type"),
                                          ("tiers", "Tier"), ("cacp", "Period")])
def test_csv_of_every_table(client, login, data, table, first):
    login(data.world.manager)
    response = client.get(url("kpis.kpis_csv", table=table, **Q3))
    assert response.status_code == 200 and response.mimetype == "text/csv"
    lines = text(response).lstrip("\ufeff").splitlines()
    assert lines[0].split(",")[0] == first and len(lines) >= 2
    assert "Total" not in lines[0]
    if table == "kpis":
        revenue = next(line for line in lines if line.startswith("Revenue,"))
        assert revenue == "Revenue,1000000.00,6000000.00,0.00"


def test_the_page_makes_a_bounded_number_of_queries(client, login, data, count_queries):
    from hub.insights.kpis import services
    login(data.world.manager)
    client.get(url("kpis.index", **Q3))
    services.PAGE_MEMO.clear()
    with count_queries() as small:
        assert client.get(url("kpis.index", **Q3)).status_code == 200
    with count_queries() as again:  # nothing happened since: the figures are kept
        assert client.get(url("kpis.index", **Q3)).status_code == 200
    assert again.count < small.count
    for n in range(15):
        org = factories.create_org(f"More {n}", segment=("referral", "sales", "strategic")[n % 3])
        submitted(org, at(2026, 8, 1 + n))
        won(org, at(2026, 8, 2 + n), (n + 1) * 100_000 * RUB)
    with count_queries() as large:  # new facts: computed afresh, with the same number of queries
        page = client.get(url("kpis.index", **Q3))
    assert page.status_code == 200 and "More 14" not in page.get_data(as_text=True)
    assert large.count == small.count <= 40


# --- the partner's own dashboard ------------------------------------------------------------------

def _bronze_peers(data, n):
    """n more Bronze partners; one with a standout revenue that must never be readable."""
    peers = []
    for i in range(n):
        org = factories.create_org(f"Secret Peer {i}", segment="sales", tier="bronze", created_at=at(2026, 1, 1))
        peers.append(org)
        if i == 0:
            won(org, at(2026, 8, 20), 7_654_321 * RUB)
    return peers


def test_the_partner_sees_its_own_figures_and_anonymous_peer_medians(client, login, data):
    _bronze_peers(data, 4)  # with Referral One, Referral Two and Sales Bronze's peers: 6 others
    member = factories.create_user(data.s2, "member", "s2@example.test")
    login(member)
    html = text(client.get(url("kpis.mine", **Q3)))
    assert "Your tier: Bronze." in html and "Compared with 6 other partners of your tier." in html
    assert "Median of peers in our tier" in html
    for secret in ("Secret Peer", "Referral One", "Referral Two", "Sales Gold", "7,654,321", "7654321"):
        assert secret not in html
    csv = text(client.get(url("kpis.mine_csv", **Q3)))
    assert "Revenue,1000000.00," in csv and "7654321" not in csv and "Secret" not in csv


def test_a_new_fact_shows_on_the_next_view_and_peers_never_include_the_partner(app, data):
    from hub.insights.kpis import services
    peers = _bronze_peers(data, 6)
    period = services.parse_period("quarter", "2026-Q3")
    now = at(2026, 9, 30).date()
    before = services.dashboard(data.s2.id, period, now)
    # s2's own 1,000,000 RUB never counts among its peers: their median is of the others alone.
    others = sorted(services.dashboard(p.id, period, now)["own"]["revenue"] for p in peers)
    assert before["peer_count"] == services.dashboard(peers[1].id, period, now)["peer_count"]
    won(data.s2, at(2026, 8, 25), 3_000_000 * RUB)  # an event moves the read model's state
    after = services.dashboard(data.s2.id, period, now)
    assert after["own"]["revenue"] == before["own"]["revenue"] + 3_000_000 * RUB
    assert after["peers"] == before["peers"]  # a partner's own win never moves its peers' medians
    assert max(others) == 7_654_321 * RUB and after["own"]["won"] == before["own"]["won"] + 1


def test_too_few_peers_means_no_comparison(client, login, data):
    member = factories.create_user(data.s1, "member", "s1@example.test")  # Gold: alone in its tier
    login(member)
    html = text(client.get(url("kpis.mine", **Q3)))
    assert "too few other partners" in html and "Median of peers" not in html
    assert "RUB\xa05,000,000" in html or "RUB 5,000,000" in html


def test_a_partner_sees_only_its_own_organisation(client, login, data):
    _bronze_peers(data, 4)
    login(data.world.a_member)  # Alpha: silver, no deals
    html = text(client.get(url("kpis.mine", **Q3, organisation_id=data.s2.id)))
    assert "Your tier: Silver." in html and "RUB\xa01,000,000" not in html and "RUB 1,000,000" not in html


def test_the_weekly_report_has_the_kpis_that_moved(app, data):
    from datetime import date

    from flask_babel import force_locale
    with force_locale("en"):
        sections = {str(s.title): s for s in report.sections(date(2026, 9, 1), date(2026, 9, 8))}
        moved = sections["KPIs that moved"]
        assert ["Deals won", "Sales partner", "0", "1"] in [[str(c) for c in row] for row in moved.rows]
    assert moved.link_endpoint == "kpis.index"


def test_the_partner_dashboard_makes_a_bounded_number_of_queries(client, login, data, count_queries):
    from hub.insights.kpis import services
    member = factories.create_user(data.s2, "member", "s2q@example.test")
    login(member)
    client.get(url("kpis.mine", **Q3))
    services.DASHBOARD_MEMO.clear()
    with count_queries() as small:
        assert client.get(url("kpis.mine", **Q3)).status_code == 200
    with count_queries() as again:  # nothing happened since: the tier's figures are kept
        assert client.get(url("kpis.mine", **Q3)).status_code == 200
    _bronze_peers(data, 10)
    services.DASHBOARD_MEMO.clear()
    with count_queries() as large:
        assert client.get(url("kpis.mine", **Q3)).status_code == 200
    assert large.count == small.count <= 15
    assert again.count < small.count
