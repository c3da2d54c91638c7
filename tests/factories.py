"""Factory functions for tests (Indico style): create_org(...), create_user(...), world()."""
from __future__ import annotations

import itertools
from types import SimpleNamespace

from werkzeug.security import generate_password_hash

from hub.accounts.models import ADMIN, MANAGER, MEMBER, PARTNER, PARTNER_ADMIN, VENDOR, Organisation, User
from hub.extensions import db

PASSWORD = "correct horse battery"
_HASH: list[str] = []
_seq = itertools.count(1)


def password_hash() -> str:
    # Hashing once per run keeps factories fast; scrypt is deliberately slow.
    if not _HASH:
        _HASH.append(generate_password_hash(PASSWORD, method="scrypt"))
    return _HASH[0]


def create_org(name: str | None = None, kind: str = PARTNER, **kw) -> Organisation:
    n = next(_seq)
    org = Organisation(
        slug=kw.pop("slug", f"org-{n}"), name=name or f"Partner {n}", kind=kind,
        partner_type=kw.pop("partner_type", None if kind == VENDOR else "integrator"),
        segment=kw.pop("segment", None if kind == VENDOR else "sales"),
        region=kw.pop("region", "moscow"), tier=kw.pop("tier", "bronze"), **kw)
    db.session.add(org)
    db.session.commit()
    return org


def create_user(org: Organisation, role: str = MEMBER, email: str | None = None, **kw) -> User:
    n = next(_seq)
    user = User(email=email or f"user{n}@example.test", name=kw.pop("name", f"User {n}"), role=role,
                organisation_id=org.id, password_hash=password_hash(), **kw)
    db.session.add(user)
    db.session.commit()
    return user


def world() -> SimpleNamespace:
    vendor = create_org("Kvant Soft", kind=VENDOR, slug="kvant")
    a = create_org("Alpha Integration", slug="alpha")
    b = create_org("Beta Distribution", slug="beta", partner_type="distributor")
    return SimpleNamespace(
        vendor=vendor, org_a=a, org_b=b,
        manager=create_user(vendor, MANAGER, "manager@example.test", name="Maria Manager"),
        admin=create_user(vendor, ADMIN, "admin@example.test", name="Anton Admin"),
        a_admin=create_user(a, PARTNER_ADMIN, "admin@alpha.test", name="Alla Alpha"),
        a_member=create_user(a, MEMBER, "member@alpha.test", name="Arkady Alpha"),
        b_admin=create_user(b, PARTNER_ADMIN, "admin@beta.test", name="Boris Beta"),
        b_member=create_user(b, MEMBER, "member@beta.test", name="Berta Beta"),
    )


def create_deal(org: Organisation, user: User | None = None, status: str = "submitted", claim: bool = True,
                **kw):
    """A deal row written directly (no notifications); an active one holds its claims unless claim=False."""
    from datetime import date, timedelta

    from hub.database import utcnow
    from hub.deals.models import ACTIVE, Deal, DealClaim
    from hub.normalize import normalise_company, normalise_domain
    from hub.deals.services import claim_keys

    n = next(_seq)
    now = kw.pop("submitted_at", None) or utcnow()
    name = kw.pop("customer_name", f"Customer {n}")
    domain = kw.pop("domain", f"customer{n}.example")
    deal = Deal(
        organisation_id=org.id, created_by_id=user.id if user else None, customer_name=name,
        customer_name_norm=normalise_company(name), inn=kw.pop("inn", None), domain=domain,
        domain_norm=normalise_domain(domain), contact_name=kw.pop("contact_name", "Ivan Petrov"),
        contact_email=kw.pop("contact_email", "ivan@example.test"), product=kw.pop("product", "crm"),
        amount_kopecks=kw.pop("amount_kopecks", 150_000_000),
        expected_close_date=kw.pop("expected_close_date", date.today() + timedelta(days=60)),
        region=kw.pop("region", "moscow"), status=status, submitted_at=now,
        decision_due_at=kw.pop("decision_due_at", now + timedelta(hours=48)), updated_at=now, **kw)
    if status == "approved" and deal.protected_until is None:
        deal.protected_until = date.today() + timedelta(days=90)
    db.session.add(deal)
    db.session.flush()
    if claim and status in ACTIVE and deal.conflict_with_id is None:
        for key in claim_keys(deal.customer_name_norm, deal.inn, deal.domain_norm):
            db.session.add(DealClaim(key=key, deal_id=deal.id))
    db.session.commit()
    return deal
