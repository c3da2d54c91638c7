"""The partner directory and the public locator (SPEC C4): who is shown to whom, the ranking on verified
data, the settings, the contact form that becomes a lead, bounded queries."""
import pytest
from sqlalchemy import func, select

from hub.accounts.models import OrganisationTag
from hub.community.directory import listeners, services
from hub.community.directory.models import DirectoryOrganisation, DirectoryPerson, DirectoryRegionWin, DirectoryStat
from hub.core.models import AuditEntry
from hub.domain_events.models import DomainEvent
from hub.extensions import db
from hub.marketing.leads.models import Lead
from tests import factories

from .conftest import certify, expire, list_person, listing, org_with_admin, tag, url, win


def text(response):
    return response.get_data(as_text=True)


def names(filters=None, public=True):
    return [c.organisation.name for c in services.search(filters or services.Filters(), public=public).items]


def count(model):
    return db.session.scalar(select(func.count()).select_from(model))


# --- who sees what -----------------------------------------------------------------------------------

def test_anonymous_visitors_cannot_see_the_directory(w, client):
    for endpoint, args in [("directory.index", {}), ("directory.organisation", {"org_id": w.org_a.id}),
                           ("directory.person", {"user_id": w.a_member.id}), ("directory.me", {}),
                           ("directory.settings", {"org_id": w.org_a.id})]:
        response = client.get(url(endpoint, **args))
        assert response.status_code == 302 and "/login" in response.headers["Location"], endpoint


def test_partners_and_managers_see_organisations_that_stay_in_the_directory(w, client, login):
    listing(w.org_b, directory=False)
    for viewer in (w.a_member, w.manager):
        login(viewer)
        page = text(client.get(url("directory.index")))
        assert "Alpha Integration" in page and "Beta Distribution" not in page
        assert url("directory.organisation", org_id=w.vendor.id) not in page  # the vendor is no partner
        assert client.get(url("directory.organisation", org_id=w.org_b.id)).status_code == 404
        assert client.get(url("directory.organisation", org_id=w.vendor.id)).status_code == 404
        assert client.get(url("directory.organisation", org_id=w.org_a.id)).status_code == 200


def test_only_people_who_chose_to_be_listed_are_shown(w, client, login):
    list_person(w.b_member, "Presale engineer")
    list_person(w.b_admin, "Director", listed=False)
    login(w.a_member)
    page = text(client.get(url("directory.organisation", org_id=w.org_b.id)))
    assert "Berta Beta" in page and "Presale engineer" in page
    assert "Boris Beta" not in page and "Director" not in page
    assert "Berta Beta" in text(client.get(url("directory.index")))
    assert client.get(url("directory.person", user_id=w.b_member.id)).status_code == 200
    assert client.get(url("directory.person", user_id=w.b_admin.id)).status_code == 404
    assert client.get(url("directory.person", user_id=w.a_admin.id)).status_code == 404  # no row: not listed
    # a listed person of an organisation taken out of the directory is not shown either
    listing(w.org_b, directory=False)
    assert client.get(url("directory.person", user_id=w.b_member.id)).status_code == 404


def test_the_locator_shows_only_organisations_that_opted_in_and_no_people(w, client):
    listing(w.org_a, locator=True)
    list_person(w.a_member, "Presale engineer")
    page = text(client.get(url("directory.locator")))
    assert "Alpha Integration" in page and "Beta Distribution" not in page
    assert "Arkady Alpha" not in page
    partner = text(client.get(url("directory.locator_partner", org_id=w.org_a.id)))
    assert "Alpha Integration" in partner and "Arkady Alpha" not in partner
    for endpoint in ("directory.locator_partner", "directory.thanks"):
        assert client.get(url(endpoint, org_id=w.org_b.id)).status_code == 404
        assert client.get(url(endpoint, org_id=w.vendor.id)).status_code == 404
    assert client.post(url("directory.contact", org_id=w.org_b.id), data=_contact()).status_code == 404
    assert count(Lead) == 0


def test_a_person_chooses_their_own_listing(w, client, login):
    login(w.a_member)
    assert "You are not listed." in text(client.get(url("directory.me")))
    response = client.post(url("directory.me"), data={"listed": "y", "job_title": "  CRM consultant "})
    assert response.status_code == 303
    row = db.session.get(DirectoryPerson, w.a_member.id)
    assert (row.listed, row.job_title, row.organisation_id) == (True, "CRM consultant", w.org_a.id)
    client.post(url("directory.me"), data={"job_title": "CRM consultant"})
    db.session.expire_all()
    assert db.session.get(DirectoryPerson, w.a_member.id).listed is False
    login(w.manager)
    assert client.get(url("directory.me")).status_code == 403  # vendor staff are not listed


@pytest.mark.parametrize("title", ["x" * 121, "Engineer\x00"])
def test_bad_job_title_saves_nothing(w, client, login, title):
    login(w.a_member)
    response = client.post(url("directory.me"), data={"listed": "y", "job_title": title})
    assert response.status_code == 422
    assert "Nothing was saved" in text(response)
    assert db.session.get(DirectoryPerson, w.a_member.id) is None


def test_the_partner_admin_or_a_manager_sets_the_organisations_listing(w, client, login):
    login(w.a_admin)
    assert client.get(url("directory.settings", org_id=w.org_a.id)).status_code == 200
    response = client.post(url("directory.settings", org_id=w.org_a.id), data={"in_directory": "y", "in_locator": "y"})
    assert response.status_code == 303
    row = db.session.get(DirectoryOrganisation, w.org_a.id)
    assert (row.in_directory, row.in_locator) == (True, True)
    assert db.session.scalar(select(AuditEntry.action).where(AuditEntry.object_id == w.org_a.id,
                                                             AuditEntry.action == "directory_settings"))
    # another organisation's admin: not even whether it exists; a member: not allowed
    assert client.post(url("directory.settings", org_id=w.org_b.id), data={}).status_code == 404
    login(w.a_member)
    assert client.post(url("directory.settings", org_id=w.org_a.id), data={}).status_code == 403
    db.session.expire_all()
    assert db.session.get(DirectoryOrganisation, w.org_a.id).in_locator is True
    login(w.manager)
    assert client.post(url("directory.settings", org_id=w.org_b.id), data={"in_directory": "y"}).status_code == 303
    assert db.session.get(DirectoryOrganisation, w.org_b.id).in_locator is False
    assert client.get(url("directory.settings", org_id=w.vendor.id)).status_code == 403


def test_bad_input_on_the_profile_edit_saves_nothing(w, client, login):
    """The directory's facets come from the organisation profile, whose lists are closed vocabularies."""
    login(w.a_admin)
    response = client.post(url("accounts.organisation_profile", org_id=w.org_a.id),
                           data={"description": "We implement CRM", "expertise": ["implementation", "<script>"],
                                 "regions": ["moscow", "atlantis"]})
    assert response.status_code in (400, 422)
    assert count(OrganisationTag) == 0


# --- ranking on verified data ------------------------------------------------------------------------

def test_a_self_declared_expert_never_outranks_a_certified_partner(w):
    expert, _ = org_with_admin("Aaa Self Declared", tier="platinum")
    tag(expert, "expertise", *services.profile.EXPERTISE)
    tag(expert, "regions", "moscow", "spb")
    win(expert)
    win(expert)
    certified, certified_admin = org_with_admin("Zzz Certified", tier="bronze")
    certify(certified_admin)
    for org in (expert, certified):
        listing(org, locator=True)
    for filters in (services.Filters(), services.Filters(region="moscow"), services.Filters(expertise="implementation")):
        shown = names(filters)
        if "Zzz Certified" in shown:
            assert shown.index("Zzz Certified") < shown.index("Aaa Self Declared"), filters
    assert names() == ["Zzz Certified", "Aaa Self Declared"]
    assert names(public=False)[:2] == ["Zzz Certified", "Aaa Self Declared"]


def test_among_certified_partners_tier_then_deals_won_in_the_region_rank(w):
    gold, gold_admin = org_with_admin("Gold One", tier="gold")
    silver_a, silver_a_admin = org_with_admin("Silver A", tier="silver")
    silver_b, silver_b_admin = org_with_admin("Silver B", tier="silver")
    for admin in (gold_admin, silver_a_admin, silver_b_admin):
        certify(admin)
    win(silver_b, "spb")
    win(silver_b, "spb", won_first=True)  # deal_won delivered before deal_submitted: counted all the same
    win(silver_a, "moscow")
    for org in (gold, silver_a, silver_b):
        tag(org, "regions", "spb")
        listing(org, locator=True)
    assert names(services.Filters(region="spb"))[:3] == ["Gold One", "Silver B", "Silver A"]
    assert names(services.Filters(region="moscow"))[:3] == ["Gold One", "Silver A", "Silver B"]
    assert names()[:3] == ["Gold One", "Silver B", "Silver A"]  # no region chosen: wins everywhere


def test_an_expired_certificate_no_longer_counts(w):
    org, admin = org_with_admin("Was Certified", tier="platinum")
    other, other_admin = org_with_admin("Still Certified", tier="bronze")
    cert = certify(admin)
    certify(other_admin)
    listing(org, locator=True)
    listing(other, locator=True)
    assert names()[0] == "Was Certified"
    expire(admin, cert)
    assert names()[0] == "Still Certified"
    assert db.session.get(DirectoryStat, org.id).valid_certificates == 0


def test_the_read_model_is_idempotent_under_replays(w):
    org, admin = org_with_admin("Replayed")
    cert = certify(admin)
    deal = win(org, "spb")
    events = list(db.session.scalars(select(DomainEvent).order_by(DomainEvent.id)))
    from hub.domain_events.outbox import CATALOGUE, Event  # noqa: F401
    handlers = {"certificate_earned": listeners.on_certificate_earned, "deal_submitted": listeners.on_deal_submitted,
                "deal_won": listeners.on_deal_won}
    for _ in range(2):
        for stored in events:
            if stored.name in handlers:
                payload = CATALOGUE[stored.name].decode(stored.payload)
                handlers[stored.name](_event(stored, payload))
        db.session.commit()
    stat = db.session.get(DirectoryStat, org.id)
    assert (stat.valid_certificates, stat.certified_people, stat.deals_won) == (1, 1, 1)
    assert db.session.get(DirectoryRegionWin, (org.id, "spb")).wins == 1
    assert cert and deal


def _event(stored, payload):
    from types import SimpleNamespace
    return SimpleNamespace(id=stored.id, name=stored.name, occurred_at=stored.occurred_at, payload=payload, **payload)


# --- search and filters ------------------------------------------------------------------------------

def test_who_else_implements_in_my_region(w, client, login):
    tag(w.org_b, "regions", "spb")
    tag(w.org_b, "expertise", "implementation")
    tag(w.org_b, "products", "crm")
    factories.create_org("Home Region Partner", region="spb")
    factories.create_org("Moscow Only", region="moscow")
    login(w.a_member)
    page = text(client.get(url("directory.index", region="spb", expertise="implementation")))
    assert "Beta Distribution" in page and "Moscow Only" not in page and "Home Region Partner" not in page
    page = text(client.get(url("directory.index", region="spb")))
    assert "Beta Distribution" in page and "Home Region Partner" in page and "Moscow Only" not in page
    page = text(client.get(url("directory.index", product="crm", q="beta")))
    assert "Beta Distribution" in page and "Alpha Integration" not in page
    assert "No partner matches" in text(client.get(url("directory.index", q="100%_nothing")))


@pytest.mark.parametrize("args", [{"region": "atlantis"}, {"tier": "diamond"}, {"product": "<x>"},
                                  {"page": "-1"}, {"page": "abc"}, {"q": "a\x00b"}, {"region": ["spb", "moscow"]}])
def test_bad_filters_are_refused_not_a_500(w, client, login, args):
    login(w.a_member)
    assert client.get(url("directory.index", **args)).status_code in (400, 404)
    assert client.get(url("directory.locator", **args)).status_code in (400, 404)


def test_htmx_filter_returns_only_the_results(w, client, login):
    login(w.a_member)
    response = client.get(url("directory.index", tier="bronze"),
                          headers={"HX-Request": "true", "HX-Target": "directory-results"})
    body = text(response)
    assert response.status_code == 200 and "<html" not in body and 'id="directory-results"' in body
    assert "Alpha Integration" in body
    assert "HX-Request" in response.headers["Vary"]
    assert "<html" in text(client.get(url("directory.index", tier="bronze")))


# --- the locator's contact form -> a lead -------------------------------------------------------------

def _contact(**kw):
    data = {"company": "Romashka LLC", "contact_name": "Olga Customer", "contact_email": "olga@romashka.example",
            "contact_phone": "+7 900 000-00-00", "region": "spb", "message": "We need a CRM for 40 people.",
            "consent": "y"}
    data.update(kw)
    return {k: v for k, v in data.items() if v is not None}


def test_the_contact_form_becomes_a_lead_naming_the_partner(w, client):
    listing(w.org_a, locator=True)
    response = client.post(url("directory.contact", org_id=w.org_a.id), data=_contact())
    assert response.status_code == 303
    assert response.headers["Location"].endswith(url("directory.thanks", org_id=w.org_a.id))
    assert "Alpha Integration" in text(client.get(response.headers["Location"]))
    lead = db.session.scalar(select(Lead))
    assert (lead.source, lead.company, lead.contact_email, lead.region) == (
        "locator", "Romashka LLC", "olga@romashka.example", "spb")
    assert "Alpha Integration" in lead.notes and "40 people" in lead.notes


@pytest.mark.parametrize("bad", [{"contact_email": "not-an-email"}, {"contact_email": None}, {"company": ""},
                                 {"consent": None}, {"region": "atlantis"}, {"contact_phone": "call me"},
                                 {"message": "x" * 4001}, {"contact_name": "Olga\x00"}])
def test_bad_contact_input_sends_nothing(w, client, bad):
    listing(w.org_a, locator=True)
    response = client.post(url("directory.contact", org_id=w.org_a.id), data=_contact(**bad))
    assert response.status_code == 422
    assert "Nothing was sent" in text(response)
    assert count(Lead) == 0
    assert db.session.scalar(select(func.count()).select_from(DomainEvent)
                             .where(DomainEvent.name == "lead_received")) == 0


def test_the_honeypot_drops_the_enquiry(w, client):
    listing(w.org_a, locator=True)
    response = client.post(url("directory.contact", org_id=w.org_a.id), data=_contact(nickname="bot"))
    assert response.status_code == 303
    assert count(Lead) == 0


def test_the_contact_form_answers_htmx_with_its_block(w, client):
    listing(w.org_a, locator=True)
    response = client.post(url("directory.contact", org_id=w.org_a.id), data=_contact(contact_email="x"),
                           headers={"HX-Request": "true", "HX-Target": "contact-form"})
    assert response.status_code == 422 and "<html" not in text(response) and 'id="contact-form"' in text(response)
    response = client.post(url("directory.contact", org_id=w.org_a.id), data=_contact(),
                           headers={"HX-Request": "true", "HX-Target": "contact-form"})
    assert response.status_code == 200 and response.headers["HX-Location"].endswith(
        url("directory.thanks", org_id=w.org_a.id))


# --- facts from the features that own them -------------------------------------------------------------

def test_certifications_and_badges_come_through_facts(w, client, login):
    from hub import facts
    certify(w.b_member, track="sales")
    listing(w.org_b, locator=True)
    original = facts._PROVIDERS.get("badges_held")
    facts._PROVIDERS["badges_held"] = lambda org_ids, user_ids, locale: {
        "organisations": {w.org_b.id: [{"slug": "first", "name": "First deal", "image": "first.svg",
                                        "awarded_at": None}]}, "people": {}}
    try:
        login(w.a_member)
        page = text(client.get(url("directory.organisation", org_id=w.org_b.id)))
        assert "First deal" in page and "Certified" in page
    finally:
        facts._PROVIDERS["badges_held"] = original


# --- bounded SQL ------------------------------------------------------------------------------------

def _seed(n, start):
    for i in range(start, start + n):
        org, admin = org_with_admin(f"Seed {i:03d}", tier=("bronze", "silver", "gold")[i % 3])
        tag(org, "regions", "moscow")
        tag(org, "expertise", "implementation", "training")
        listing(org, locator=True)
        list_person(admin)
        if i % 2:
            certify(admin)
            win(org, "moscow")


@pytest.mark.parametrize("endpoint, args, anonymous", [
    ("directory.index", {}, False), ("directory.index", {"region": "moscow", "expertise": "implementation"}, False),
    ("directory.locator", {}, True), ("directory.locator", {"region": "moscow"}, True)])
def test_list_pages_run_a_constant_number_of_queries(w, client, login, count_queries, endpoint, args, anonymous):
    if not anonymous:
        login(w.a_member)
    _seed(3, 0)
    client.get(url(endpoint, **args))
    with count_queries() as few:
        assert client.get(url(endpoint, **args)).status_code == 200
    _seed(25, 3)
    with count_queries() as many:
        response = client.get(url(endpoint, **args))
    assert response.status_code == 200 and "Seed 027" in text(response) or "Page 1 of 2" in text(response)
    assert many.count == few.count


def test_a_win_without_its_registration_event_takes_the_region_from_deals(w):
    from hub import signals
    from hub.database import utcnow
    deal = factories.create_deal(w.org_b, w.b_admin, status="won", region="spb")
    signals.deal_won.emit(deal_id=deal.id, organisation_id=w.org_b.id, created_by_id=None, product="crm",
                          amount_kopecks=100_000, closed_on=utcnow().date(), actor_id=None)
    db.session.commit()
    assert db.session.get(DirectoryRegionWin, (w.org_b.id, "spb")).wins == 1


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_the_demo_pages_render_in_both_languages(demo, client, login, lang):
    from hub.accounts.models import PARTNER_ADMIN, Organisation, User
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = lang
    shown = db.session.scalar(select(DirectoryOrganisation.organisation_id).where(DirectoryOrganisation.in_locator)
                              .order_by(DirectoryOrganisation.organisation_id))
    listed = db.session.scalar(select(DirectoryPerson.user_id).where(DirectoryPerson.listed))
    for path in (url("directory.locator"), url("directory.locator", region="moscow"),
                 url("directory.locator_partner", org_id=shown)):
        assert client.get(path).status_code == 200, path
    page = text(client.get(url("directory.locator")))
    assert ("Найти партнёра" if lang == "ru" else "Find a partner") in page
    admin = db.session.scalar(select(User).where(User.role == PARTNER_ADMIN).order_by(User.id))
    login(admin)
    for path in (url("directory.index"), url("directory.index", region="spb", product="crm"),
                 url("directory.organisation", org_id=shown), url("directory.person", user_id=listed),
                 url("directory.me"), url("directory.settings", org_id=admin.organisation_id)):
        response = client.get(path)
        assert response.status_code == 200, path
    assert db.session.scalar(select(func.count()).select_from(Organisation)) > 5


@pytest.mark.parametrize("endpoint, anonymous", [("directory.organisation", False), ("directory.locator_partner", True)])
def test_an_organisations_page_runs_a_constant_number_of_queries(w, client, login, count_queries, endpoint,
                                                                  anonymous):
    listing(w.org_a, locator=True)
    if not anonymous:
        login(w.b_member)

    def add_people(n):
        for _ in range(n):
            person = factories.create_user(w.org_a)
            list_person(person)
            certify(person, track=("sales", "presale")[person.id % 2])
    add_people(1)
    path = url(endpoint, org_id=w.org_a.id)
    client.get(path)
    with count_queries() as few:
        assert client.get(path).status_code == 200
    add_people(12)
    with count_queries() as many:
        assert client.get(path).status_code == 200
    assert many.count == few.count
