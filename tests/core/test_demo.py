"""`flask --app hub demo`: the demo program, its logins and the large data set for benchmarks."""
from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from hub.accounts import demo as accounts_demo
from hub.accounts.models import ADMIN, MANAGER, MEMBER, PARTNER, PARTNER_ADMIN, VENDOR, Organisation, User
from hub.core.models import AuditEntry
from hub.database import utcnow
from hub.deals.models import ACTIVE, APPROVED, STATUSES, SUBMITTED, Deal, DealClaim
from hub.extensions import db


def _counts() -> dict[str, int]:
    return {model.__name__: db.session.scalar(select(func.count()).select_from(model))
            for model in (Organisation, User, Deal, DealClaim, AuditEntry)}


@pytest.fixture
def demo_run(demo):
    """The demo program, built once per session (tests/conftest.py `demo`); `.output` is what it printed."""
    db.session.expire_all()
    return demo


def test_demo_twice_creates_once(app, demo_run):
    assert "demo program created" in demo_run.output
    first = _counts()

    again = app.test_cli_runner().invoke(args=["demo"])
    assert again.exit_code == 0, again.output
    assert "demo program already present" in again.output
    db.session.expire_all()
    assert _counts() == first


def test_demo_program_shape(demo_run):
    partners = list(db.session.scalars(select(Organisation).where(Organisation.kind == PARTNER)))
    assert len(partners) >= 30
    assert {o.partner_type for o in partners} == {"integrator", "distributor", "agent", "dealer"}
    assert {o.segment for o in partners} == {"referral", "sales", "strategic"}
    from hub.program.rules import current
    assert {o.region for o in partners} == {r.code for r in current().regions}
    tiers = Counter(o.tier for o in partners)
    assert tiers["platinum"] == 1 and 2 <= tiers["gold"] <= 3 and 5 <= tiers["silver"] <= 7
    assert tiers["bronze"] == len(partners) - tiers["platinum"] - tiers["gold"] - tiers["silver"]

    baltic = db.session.scalar(select(Organisation).where(Organisation.slug == "baltic-integration"))
    assert baltic.region == "kaliningrad"
    vendor = db.session.scalar(select(Organisation).where(Organisation.slug == "kvant"))
    assert vendor.kind == VENDOR

    users = list(db.session.scalars(select(User)))
    assert {u.role for u in users} == {MEMBER, PARTNER_ADMIN, MANAGER, ADMIN}
    assert sum(u.role == MANAGER for u in users) == 3
    assert {u.locale for u in users} == {"ru", "en"}
    for org in partners:
        people = [u for u in users if u.organisation_id == org.id]
        assert sum(u.role == PARTNER_ADMIN for u in people) == 1, org.slug
        assert 1 <= sum(u.role == MEMBER for u in people) <= 4, org.slug
    key = [o for o in partners if o.account_manager_id]
    assert key and all(o.account_manager.role == MANAGER for o in key)
    assert {o.slug for o in partners if o.tier in ("platinum", "gold")} <= {o.slug for o in key}


def test_demo_deals(demo_run):
    deals = list(db.session.scalars(select(Deal)))
    orgs = {o.id: o for o in db.session.scalars(select(Organisation))}
    assert set(STATUSES) <= {d.status for d in deals}
    assert all(orgs[d.organisation_id].kind == PARTNER for d in deals)

    now = utcnow()
    ages = [(now - d.submitted_at).days for d in deals]
    assert max(ages) > 365 and min(ages) < 2 and max(ages) <= 550
    assert all(300_000_00 <= d.amount_kopecks <= 30_000_000_00 for d in deals)

    from hub.normalize import normalise_company, normalise_domain
    from hub.inn import is_valid as valid_inn
    assert all(d.inn is None or valid_inn(d.inn) for d in deals)
    assert all(o.inn is None or valid_inn(o.inn) for o in orgs.values())
    assert all(d.customer_name_norm == normalise_company(d.customer_name) for d in deals)
    assert all(d.domain_norm == (normalise_domain(d.domain) if d.domain else None) for d in deals)

    # Two conflicts with another partner's protected deal, and one flagged by the exclusive territory.
    conflicts = [d for d in deals if d.conflict_with_id]
    assert len(conflicts) == 2
    by_id = {d.id: d for d in deals}
    for deal in conflicts:
        holder = by_id[deal.conflict_with_id]
        assert holder.organisation_id != deal.organisation_id and holder.status in ACTIVE
        assert holder.customer_name_norm == deal.customer_name_norm
    flagged = [d for d in deals if d.territory_org_id]
    assert len(flagged) == 1 and flagged[0].region == "kaliningrad"
    assert orgs[flagged[0].territory_org_id].slug == "baltic-integration"
    assert flagged[0].status == SUBMITTED and flagged[0].organisation_id != flagged[0].territory_org_id

    # Approved deals are still protected; the live conflict check sees every active, non-conflict deal.
    today = now.date()
    assert all(d.protected_until >= today for d in deals if d.status == APPROVED)
    claims = Counter(c.deal_id for c in db.session.scalars(select(DealClaim)))
    for deal in deals:
        if deal.status in ACTIVE and not deal.conflict_with_id:
            assert claims[deal.id] == 1 + bool(deal.inn) + bool(deal.domain), deal.id
        else:
            assert claims[deal.id] == 0, deal.id


def test_demo_audit_trail(demo_run):
    deals = {d.id: d for d in db.session.scalars(select(Deal))}
    entries = list(db.session.scalars(select(AuditEntry).where(AuditEntry.object_type == "deal")))
    actions: dict[int, list[AuditEntry]] = {}
    for entry in entries:
        actions.setdefault(entry.object_id, []).append(entry)
    for deal in deals.values():
        trail = sorted(actions[deal.id], key=lambda e: e.created_at)
        assert trail[0].action == "submitted" and trail[0].created_at == deal.submitted_at
        assert trail[0].actor.organisation_id == deal.organisation_id
        transitions = [e.action for e in trail if not e.action.startswith("extension_")]
        assert transitions[-1] == deal.status
        for entry in trail:
            assert entry.organisation_id == deal.organisation_id
            if entry.action in ("approved", "rejected"):
                assert entry.actor.role in (MANAGER, ADMIN)
                assert entry.created_at == deal.decided_at
            if entry.action == "expired":
                assert entry.actor is None
    # Extension requests: one waiting for the manager, one granted, one refused.
    extended = [d for d in deals.values() if d.extension_requested_at]
    assert sorted(str(d.extension_decision) for d in extended) == ["None", "granted", "refused"]
    assert all(d.status == APPROVED for d in extended)
    assert all(e.actor.role in (MANAGER, ADMIN) for e in entries
               if e.action in ("extension_granted", "extension_refused"))
    # Historical timestamps, not the moment the demo ran.
    assert min(e.created_at for e in entries) < utcnow() - timedelta(days=365)


def test_demo_logins_work(app, demo_run):
    result = app.test_cli_runner().invoke(args=["demo", "logins"])
    assert result.exit_code == 0, result.output
    assert "partnerhub-demo" in result.output
    emails = [word for word in result.output.split() if "@" in word]
    assert len(emails) == 6
    users = {u.email: u for u in db.session.scalars(select(User).where(User.email.in_(emails)))}
    assert set(users) == set(emails)
    roles = Counter(u.role for u in users.values())
    assert roles == {ADMIN: 1, MANAGER: 1, PARTNER_ADMIN: 2, MEMBER: 2}
    assert {u.organisation.tier for u in users.values() if u.is_partner} == {"gold", "bronze"}
    assert all(u.check_password("partnerhub-demo") for u in users.values())


def test_demo_password_setting(app, monkeypatch):
    monkeypatch.setenv("HUB_DEMO_PASSWORD", "another-secret-1")
    result = app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    admin = db.session.scalar(select(User).where(User.email == "admin@kvant.demo"))
    assert admin.check_password("another-secret-1") and not admin.check_password("partnerhub-demo")
    assert "another-secret-1" in app.test_cli_runner().invoke(args=["demo", "logins"]).output


def test_demo_large_adds_bulk_rows(app, demo_run):
    before = _counts()
    result = app.test_cli_runner().invoke(args=["demo", "large", "--orgs", "40", "--deals", "3000",
                                                "--batch", "700"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    after = _counts()
    assert after["Organisation"] - before["Organisation"] == 40
    assert after["User"] - before["User"] == 160
    assert after["Deal"] - before["Deal"] == 3000

    bulk = (Deal.organisation_id == Organisation.id) & Organisation.slug.like("bulk-%")
    statuses = set(db.session.scalars(select(Deal.status).join(Organisation, bulk).distinct()))
    assert statuses == set(STATUSES)
    active = db.session.scalar(select(func.count(Deal.id)).join(Organisation, bulk)
                               .where(Deal.status.in_(ACTIVE)))
    # Every new active deal claims its name, INN and domain.
    assert active > 0 and after["DealClaim"] - before["DealClaim"] == 3 * active

    # A second run adds more, with fresh slugs and customers (no unique-key clash).
    again = app.test_cli_runner().invoke(args=["demo", "large", "--orgs", "5", "--deals", "100"])
    assert again.exit_code == 0, again.output
    assert db.session.scalar(select(func.count(Organisation.id))) == after["Organisation"] + 5


def test_inn_generator_is_valid():
    from hub.inn import is_valid as valid_inn
    import random
    rng = random.Random(1)
    for region in accounts_demo.REGION_INN_PREFIX:
        assert valid_inn(accounts_demo.random_inn(rng, region))
        assert valid_inn(accounts_demo.random_inn(rng, region, sole_trader=True))
    # A published INN (Sberbank) and a sole trader's, checked by the hub's one INN module.
    assert accounts_demo.inn10("770708389") == "7707083893"
    twelve = accounts_demo.inn12("5003055346")
    assert valid_inn(twelve) and not valid_inn(twelve[:-1] + str((int(twelve[-1]) + 1) % 10))


def test_live_conflict_check_sees_the_demo(demo_run):
    """The claims the demo writes are the ones the deal workflow reads: a protected demo customer,
    typed differently by another partner, shows as protected; a closed one does not."""
    from hub.deals.services import PROTECTED, check_customer
    deals = list(db.session.scalars(select(Deal).order_by(Deal.id)))
    holder = next(d for d in deals if d.status == APPROVED and not d.conflict_with_id and d.domain)
    other = next(o for o in db.session.scalars(select(Organisation).where(Organisation.kind == PARTNER))
                 if o.id != holder.organisation_id)
    result = check_customer(holder.customer_name.upper().replace("«", '"').replace("»", '"'), None,
                            f"https://www.{holder.domain}/contacts", other.id)
    assert result.state == PROTECTED and result.protected_until == holder.protected_until
    assert result.matched == ["name", "domain"]
    assert check_customer(holder.customer_name, holder.inn, None, holder.organisation_id).own_deal_id == holder.id

    held = {d.customer_name_norm for d in deals if d.status in ACTIVE}
    closed = next(d for d in deals if d.status in ("won", "lost") and d.customer_name_norm not in held)
    assert not check_customer(closed.customer_name, None, None, other.id).taken
