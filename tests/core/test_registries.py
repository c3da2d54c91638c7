"""The registries features plug into (issue 9, point 1): header links, home panels, page slots and
program.yml sections. What a person sees comes from the registrations; the pages that render them
(base.html, the home page, the profile, team and organisation pages) name no feature."""
from __future__ import annotations

import ast
import re
from datetime import timedelta
from pathlib import Path

import pytest
import yaml

from hub import ui
from hub.accounts.models import ROLES
from hub.database import utcnow
from hub.extensions import db
from hub.program import rules as program_rules
from tests.factories import create_user
from tests.helpers import _english_browser, url  # noqa: F401 (autouse fixture)

ROOT = Path(__file__).resolve().parents[2]
FEATURES = ("accounts", "program", "deals", "academy", "library", "rewards")


def header_links(html: str) -> list[str]:
    nav = html[html.index('<nav class="main-nav"'):html.index("</nav>")]
    return [re.sub(r"\s+", " ", label).strip() for label in re.findall(r"<a [^>]*>([^<]+)</a>", nav)]


def header_groups(html: str) -> list[str]:
    nav = html[html.index('<nav class="main-nav"'):html.index("</nav>")]
    return re.findall(r"<summary[^>]*>([^<]+)", nav)


# --- navigation -------------------------------------------------------------------------------

def test_the_roles_are_the_accounts_roles():
    assert ui.SIGNED_IN == set(ROLES)


@pytest.mark.parametrize("who, links, groups", [
    (None, ["Find a partner", "Program"], []),
    ("a_member", ["Deals", "Leads", "Library", "Academy", "Program", "Rewards", "Events", "Partner directory", "Community", "Marketing fund",
                  "Co-branded material", "Partnership", "Our figures"], ["Sell", "Grow"]),
    ("a_admin", ["Deals", "Leads", "Library", "Academy", "Program", "Rewards", "Events", "Partner directory", "Community", "Marketing fund",
                 "Co-branded material", "Partnership", "Our figures", "Team", "Commission statement", "Learning progress"],
     ["Sell", "Grow", "Manage"]),
    ("manager", ["Deals", "Library", "Academy", "Program", "Rewards", "Events", "Partner directory", "Community", "Approval queue",
                 "Organisations", "Learning progress", "Library usage", "Event registrations", "MDF requests",
                 "Co-branded requests", "Lead pool", "Partner applications", "Key partners", "Partner NPS", "Program KPIs",
                 "Partner funnel"],
     ["Sell", "Grow", "Manage"]),
    ("admin", ["Deals", "Library", "Academy", "Program", "Rewards", "Events", "Partner directory", "Community", "Approval queue",
               "Organisations", "Learning progress", "Library usage", "Event registrations", "MDF requests",
               "Co-branded requests", "Lead pool", "Partner applications", "Key partners", "Partner NPS",
               "Program KPIs", "Partner funnel", "Event deliveries"], ["Sell", "Grow", "Manage"]),
])
def test_each_role_gets_its_links_grouped(client, login, world, who, links, groups):
    if who:
        login(getattr(world, who))
    html = client.get(url("program.page")).get_data(as_text=True)
    assert header_links(html) == links
    assert header_groups(html) == groups


def test_every_header_link_opens_for_whom_it_is_shown(app, client, login, world):
    for who in ("a_member", "a_admin", "manager"):
        user = getattr(world, who)
        login(user)
        with app.test_request_context():
            entries = ui.navigation(user, None)
        for entry in entries:
            for link in entry.links:
                assert client.get(link.url).status_code == 200, (who, link.url)


def test_the_current_page_is_marked_once(client, login, world):
    login(world.manager)
    html = client.get(url("deals.queue")).get_data(as_text=True)
    nav = html[html.index('<nav class="main-nav"'):html.index("</nav>")]
    assert nav.count('aria-current="page"') == 1
    assert re.search(r'href="/deals/queue" aria-current="page"', nav)
    assert '<summary class="is-current">Manage' in nav
    # a deal's page belongs to Deals (a wildcard), the queue to its own item (exact wins)
    html = client.get(url("deals.index")).get_data(as_text=True)
    assert re.search(r'href="/deals/" aria-current="page"', html)


def test_a_link_with_arguments_and_a_feature_added_at_runtime(client, login, world):
    login(world.a_admin)
    html = client.get(url("core.home")).get_data(as_text=True)
    assert f'href="{url("rewards.statement", org_id=world.org_a.id)}"' in html
    item = ui.nav_item("program.calculator", "Events", group=ui.LEARN, order=20, name="test.events")
    try:
        html = client.get(url("core.home")).get_data(as_text=True)
        assert "Learn" in header_groups(html), "a second Learn link turns Academy into a group"
        assert header_links(html)[3:5] == ["Academy", "Events"]
    finally:
        ui._NAV.pop(item.name)


def test_registration_mistakes_are_refused():
    with pytest.raises(ValueError, match="unknown navigation group 'shop'"):
        ui.nav_item("program.page", "X", group="shop")
    with pytest.raises(ValueError, match="unknown role 'guest'"):
        ui.nav_item("program.page", "X", group=ui.SELL, roles={"guest"})


def test_shared_pages_name_no_feature():
    """base.html, the home templates and the accounts page templates render registrations only;
    hub/core imports no feature (hub/core/routes.py used to import deals inside the home view)."""
    features = "|".join(f for f in FEATURES if f != "accounts")
    for template in ("base.html", "core/home_partner.html", "core/home_manager.html", "core/_panels.html",
                     "accounts/profile.html", "accounts/team.html", "accounts/organisation.html",
                     "accounts/_slots.html"):
        source = (ROOT / "templates" / template).read_text(encoding="utf-8")
        assert "ignore missing" not in source, template
        assert not re.search(rf"url_for\('({features})\.|\"({features})/", source), template
    for path in (ROOT / "hub" / "core").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level >= 2:
                assert (node.module or "").split(".")[0] not in FEATURES, f"{path.name} imports {node.module}"


# --- home panels and page slots -----------------------------------------------------------------

def test_home_panels_come_in_order_and_by_role(world):
    partner = [template for template, _ in ui.panels_for(world.a_member)]
    assert partner[0] == "deals/_home_panel.html"
    assert "rewards/_home_panel.html" in partner and "deals/_home_manager_panel.html" not in partner
    vendor = [template for template, _ in ui.panels_for(world.manager)]
    assert vendor == ["deals/_home_manager_panel.html", "academy/_home_manager_panel.html"]


def _certificate(user, track: str, days: int = 300):
    from hub.academy.models import Certificate
    now = utcnow()
    cert = Certificate(user_id=user.id, organisation_id=user.organisation_id, track_slug=track,
                       code=f"code-{user.id}-{track}", salt="s", recipient_email=user.email,
                       first_issued_at=now - timedelta(days=10), issued_at=now - timedelta(days=10),
                       expires_at=now + timedelta(days=days))
    db.session.add(cert)
    db.session.commit()
    return cert


def _award(badge_slug: str, org, user=None):
    from sqlalchemy import select

    from hub.rewards.models import Badge, BadgeAward
    badge = db.session.scalar(select(Badge).where(Badge.slug == badge_slug))
    db.session.add(BadgeAward(badge_id=badge.id, holder_key=f"user:{user.id}" if user else f"org:{org.id}",
                              user_id=user.id if user else None, organisation_id=org.id))
    db.session.commit()


@pytest.fixture
def badges(app):
    from hub.rewards.badges import read_badges, sync_badges
    sync_badges(read_badges(Path(app.config["CONTENT_DIR"]) / "badges.yml", Path(app.static_folder)))
    db.session.commit()


def test_profile_team_and_organisation_pages_show_certificates_and_badges(client, login, world, badges):
    _certificate(world.a_member, "sales")
    _certificate(world.a_admin, "presale", days=-5)  # expired: listed on the profile, not on the org page
    _award("first-certificate", world.org_a, world.a_member)
    _award("first-deal", world.org_a)

    login(world.a_member)
    profile = client.get(url("accounts.profile")).get_data(as_text=True)
    assert profile.index("Your certificates") < profile.index("Your badges"), "slots render in order"
    assert "First certificate" in profile and "valid" in profile

    login(world.a_admin)
    profile = client.get(url("accounts.profile")).get_data(as_text=True)
    assert "Your certificates" in profile and "expired" in profile
    team = client.get(url("accounts.team")).get_data(as_text=True)
    assert "Certified people" in team and "Arkady Alpha" in team and "1 person holds a valid certificate." in team
    assert "First deal won" in team

    login(world.manager)
    page = client.get(url("accounts.organisation", org_id=world.org_a.id)).get_data(as_text=True)
    assert "Certified people" in page and "First deal won" in page
    assert f'href="{url("deals.index", org=world.org_a.slug)}"' in page
    vendor = client.get(url("accounts.organisation", org_id=world.vendor.id)).get_data(as_text=True)
    assert "Certified people" not in vendor and "Badges" not in vendor, "the vendor holds no badges"
    assert "Deals of this organisation" not in vendor
    own = client.get(url("accounts.profile")).get_data(as_text=True)
    assert "Your certificates" not in own and "Your badges" not in own


@pytest.mark.parametrize("page", ["profile", "team", "organisation"])
def test_slot_pages_run_a_fixed_number_of_queries(client, login, world, badges, count_queries, page):
    viewer = world.manager if page == "organisation" else world.a_admin
    target = {"profile": url("accounts.profile"), "team": url("accounts.team"),
              "organisation": url("accounts.organisation", org_id=world.org_a.id)}[page]
    login(viewer)
    subject = world.a_admin
    _certificate(subject, "sales")
    _award("first-certificate", world.org_a, subject)
    client.get(target)
    db.session.expire_all()
    with count_queries() as few:
        assert client.get(target).status_code == 200
    for n in range(6):
        person = create_user(world.org_a, name=f"Person {n}")
        _certificate(person, "sales")
        _certificate(person, "presale")
    _certificate(subject, "presale")
    _award("first-deal", world.org_a)
    _award("five-deals", world.org_a)
    _award("thousand-points", world.org_a, subject)
    db.session.expire_all()
    with count_queries() as many:
        assert client.get(target).status_code == 200
    assert many.count == few.count


# --- program.yml sections ---------------------------------------------------------------------

def test_the_sections_are_owned_by_their_features():
    keys = program_rules.section_keys()
    assert keys[:7] == ["program", "products", "regions", "tiers", "commissions", "spiff", "retro_bonus"]
    assert set(keys[7:]) >= {"deals", "territories", "points", "demotion_grace_days"}
    rules_source = (ROOT / "hub" / "program" / "rules.py").read_text(encoding="utf-8")
    for key in ("protection_days", "territories\"", "demotion_grace_days\"", "deal_approved"):
        assert key not in rules_source, f"{key} is declared by its feature, not by hub/program"


def test_a_new_feature_adds_its_section_without_touching_hub_program(tmp_path):
    # "meetups": a section no real feature declares (events is the community events' own).
    from hub.program.rules import RulesError, RulesModel, WholeNumber, rules_section

    data = yaml.safe_load((ROOT / "content" / "program.yml").read_text(encoding="utf-8"))
    data["meetups"] = {"offer_hold_hours": 24}
    path = tmp_path / "program.yml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(RulesError, match="meetups: is not a known key"):
        program_rules.load(path)

    @rules_section("meetups")
    class EventRules(RulesModel):
        offer_hold_hours: WholeNumber(1)
        reminder_days: WholeNumber(0) = 1

    try:
        rules = program_rules.load(path)
        assert rules.meetups.offer_hold_hours == 24 and rules.meetups.reminder_days == 1
        data["meetups"] = {"offer_hold_hours": 0, "colour": "blue"}
        path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
        with pytest.raises(RulesError) as caught:
            program_rules.load(path)
        assert str(caught.value) == (f"{path}: meetups.colour: is not a known key "
                                     "(known: offer_hold_hours, reminder_days)")
        data["meetups"] = {"offer_hold_hours": 0}
        path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
        with pytest.raises(RulesError, match=r"meetups.offer_hold_hours: must be at least 1, got 0"):
            program_rules.load(path)
        del data["meetups"]
        path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
        with pytest.raises(RulesError, match="meetups: is missing"):
            program_rules.load(path)
    finally:
        program_rules._SECTIONS.pop("meetups")


def test_every_problem_is_named_at_once(tmp_path):
    data = yaml.safe_load((ROOT / "content" / "program.yml").read_text(encoding="utf-8"))
    data["deals"]["decision_sla_hours"] = "two days"
    data["points"].pop("deal_won")
    data["regions"][1]["code"] = "st petersburg"
    path = tmp_path / "program.yml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(program_rules.RulesError) as caught:
        program_rules.load(path)
    assert caught.value.problems == [
        ("regions[1].code", "must be a code of letters, digits, '-' or '_', got 'st petersburg'"),
        ("deals.decision_sla_hours", "must be a whole number, got 'two days'"),
        ("points.deal_won", "is missing"),
    ], "territories, which need the regions, wait until the regions are right"
    assert str(caught.value).count(str(path)) == 3
