"""The managers' funnel page, its CSVs and the weekly report page: who may see them, bad filters, what
they show, the htmx region, and a bounded number of queries whatever the number of organisations."""
import pytest

from hub import memo
from hub.extensions import db
from hub.insights.funnel import services
from tests import factories

from .conftest import at, url


def text(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def funnel(app, w):
    org = factories.create_org("Stuck Partner Ltd", segment="strategic")
    services.record_signed(org.id, at(-400))
    services.record_signed(w.org_a.id, at(-30))
    services.record_first_deal(w.org_a.id, at(-20))
    services.record_application(77, partner_type="agent", submitted_at=at(-3))
    db.session.commit()
    return org


@pytest.mark.parametrize("path", ["/insights/funnel/", "/insights/funnel/segment.csv", "/insights/funnel/stalled.csv",
                                  "/insights/funnel/weekly", "/insights/funnel/weekly/2026-11-23"])
def test_partners_cannot_see_the_funnel(client, login, w, funnel, path):
    assert client.get(path).status_code in (302, 401)           # not signed in: to the login page
    login(w.a_admin)
    response = client.get(path)
    assert response.status_code == 403
    assert "Stuck Partner Ltd" not in text(response)


def test_the_page_shows_each_relationship_a_chart_and_the_stalled(client, login, w, funnel):
    login(w.manager)
    response = client.get(url("funnel.index"))
    page = text(response)
    assert response.status_code == 200
    for heading in ("Funnel: Strategic partner", "Funnel: Sales partner", "Funnel: Applicants, not signed yet"):
        assert heading in page
    assert page.count('<svg class="chart"') == 3 and "Figures in a table" in page
    assert "Stuck Partner Ltd" in page and f'href="{url("accounts.organisation", org_id=funnel.id)}"' in page
    assert "style=" not in page.split("<main", 1)[1]           # CSP: no inline style in the page's content


def test_filters_are_applied_and_shown(client, login, w, funnel):
    login(w.manager)
    page = text(client.get(url("funnel.index", segment="sales")))
    assert "Funnel: Sales partner" in page and "Funnel: Strategic partner" not in page
    assert 'value="sales" selected' in page


@pytest.mark.parametrize("args, field", [({"segment": "all-of-them"}, "segment"), ({"partner_type": "x"}, "partner_type"),
                                         ({"cohort": "2026-13"}, "cohort"), ({"cohort": "yesterday"}, "cohort")])
def test_bad_filters_are_refused_with_a_message(client, login, w, funnel, args, field):
    login(w.manager)
    for endpoint, extra in (("funnel.index", {}), ("funnel.table_csv", {"table": "cohort"})):
        response = client.get(url(endpoint, **extra, **args))
        assert response.status_code == 400
        assert field in text(response)


@pytest.mark.parametrize("week", ["2026-11-24", "3026-11-23", "not-a-week", "1999-01-04"])
def test_bad_weeks_are_refused(client, login, w, week):
    login(w.manager)
    response = client.get(f"/insights/funnel/weekly/{week}")
    assert response.status_code == 400 and "Monday" in text(response)


def test_unknown_csv_is_not_found(client, login, w):
    login(w.manager)
    assert client.get("/insights/funnel/everything.csv").status_code == 404


def test_every_table_has_its_csv(app, client, login, w, funnel):
    login(w.manager)
    segment = text(client.get(url("funnel.table_csv", table="segment")))
    assert segment.splitlines()[0].lstrip("\ufeff") == ("Relationship,Stage,Reached,In this stage now,"
                                                         "Conversion to the next stage,Median days in stage")
    assert "Sales partner,Onboarding (signed),1,0,100,10" in segment
    assert "Sales partner,First deal registered,1,1,0," in segment
    cohort = text(client.get(url("funnel.table_csv", table="cohort")))
    assert "Cohort (month signed)" in cohort and "Strategic partner" in cohort
    assert "Partner type" in text(client.get(url("funnel.table_csv", table="partner_type")))
    stalled = text(client.get(url("funnel.table_csv", table="stalled")))
    assert "Stuck Partner Ltd,Strategic partner,Integrator,Onboarding (signed)" in stalled
    base = app.config["HUB_BASE_URL"].rstrip("/")
    assert f"{base}/organisations/{funnel.id}" in stalled or f"{base}{url('accounts.organisation', org_id=funnel.id)}" in stalled
    narrowed = text(client.get(url("funnel.table_csv", table="segment", segment="strategic")))
    assert "Sales partner" not in narrowed and "Strategic partner" in narrowed


def test_htmx_gets_only_the_results(client, login, w, funnel):
    login(w.manager)
    response = client.get(url("funnel.index", segment="strategic"),
                          headers={"HX-Request": "true", "HX-Target": "funnel-results"})
    page = text(response)
    assert page.lstrip().startswith('<div id="funnel-results">') and "<form" not in page
    assert "Funnel: Strategic partner" in page


def test_queries_do_not_grow_with_organisations(client, login, w, funnel, count_queries):
    login(w.manager)
    client.get(url("funnel.index"))
    memo.clear_all()
    with count_queries() as few:
        assert client.get(url("funnel.index")).status_code == 200
    with count_queries() as kept:  # nothing happened since: the figures are kept
        assert client.get(url("funnel.index")).status_code == 200
    assert kept.count < few.count
    for n in range(15):
        org = factories.create_org(f"More {n}", segment=("referral", "sales", "strategic")[n % 3])
        services.record_signed(org.id, at(-200 - n))
        services.record_application(1000 + n, partner_type="dealer", submitted_at=at(-100))
        services.record_decision(1000 + n, "approved", at(-200 - n), org.id)
    db.session.commit()
    assert "More 14" in text(client.get(url("funnel.index")))  # the read model moved: seen at the next view
    memo.clear_all()
    with count_queries() as many:
        page = text(client.get(url("funnel.index")))
    assert "More 14" in page
    assert many.count == few.count, many.statements
    assert few.count <= 12


def test_weekly_page_has_every_part(client, login, w, funnel):
    login(w.manager)
    page = text(client.get(url("funnel.weekly_report")))
    for heading in ("This week in the funnel", "The funnel as the week ended", "New applications",
                    "Stalled", "Key partners at risk"):
        assert heading in page
    assert "Stuck Partner Ltd" in page


def test_weekly_page_queries_do_not_grow_with_organisations(client, login, w, funnel, count_queries):
    login(w.manager)
    factories.create_org("Golden", segment="strategic", tier="gold")          # a key partner: care's fixed queries
    services.record_application(1999, partner_type="agent", submitted_at=at(-90))  # a stalled applicant
    db.session.commit()
    client.get(url("funnel.weekly_report"))
    memo.clear_all()
    with count_queries() as few:
        assert client.get(url("funnel.weekly_report")).status_code == 200
    for n in range(12):
        org = factories.create_org(f"Stalled {n}", segment="sales", tier="gold" if n % 3 == 0 else "bronze")
        services.record_signed(org.id, at(-300 - n))
        services.record_application(2000 + n, partner_type="agent", submitted_at=at(-90))
    db.session.commit()
    memo.clear_all()
    with count_queries() as many:
        page = text(client.get(url("funnel.weekly_report")))
    assert "Stalled 11" in page
    assert many.count == few.count, many.statements
