"""The directory demo: about two thirds of the partner organisations on the public locator, and a
few people in each organisation listed with a job title (the others keep the default: not listed).
The verified numbers come by themselves: the academy's and the deals' demo steps emit their events."""
from __future__ import annotations

from sqlalchemy import func, select

from ...accounts.models import PARTNER, PARTNER_ROLES, Organisation, User
from ...core.cli import DemoContext, demo_step
from ...extensions import db
from .models import DirectoryOrganisation, DirectoryPerson

TITLES = ["Руководитель проектов внедрения", "Пресейл-инженер", "Менеджер по продажам", "Консультант CRM",
          "Технический директор", "Аналитик"]


@demo_step("community-directory", order=89)
def demo(ctx: DemoContext) -> dict | None:
    if db.session.scalar(select(func.count()).select_from(DirectoryOrganisation)):
        return None
    orgs = list(db.session.scalars(select(Organisation).where(Organisation.kind == PARTNER).order_by(Organisation.id)))
    on_locator = 0
    for n, org in enumerate(orgs):
        locator = n % 3 != 2
        on_locator += locator
        db.session.add(DirectoryOrganisation(organisation_id=org.id, in_directory=True, in_locator=locator))
    people = db.session.execute(select(User.id, User.organisation_id).join(Organisation, Organisation.id == User.organisation_id)
                                .where(Organisation.kind == PARTNER, User.role.in_(PARTNER_ROLES),
                                       User.is_active_user.is_(True)).order_by(User.id)).all()
    listed = 0
    for user_id, org_id in people:
        if ctx.rng.random() < 0.6:
            listed += 1
            db.session.add(DirectoryPerson(user_id=user_id, organisation_id=org_id, listed=True,
                                           job_title=ctx.rng.choice(TITLES)))
    return {"organisations on the locator": on_locator, "people listed": listed}


@demo_step("community-directory", order=89, large=True)
def large(ctx: DemoContext) -> dict[str, int]:
    """The directory at benchmark size, for the organisations the large accounts step added: their
    profile lists (expertise, industries, regions, products, languages), their listing choices (about
    60 % on the locator, the admin listed in half of them) and the locator's verified numbers, written
    straight into the read model (the large deals are bulk-inserted without events): about 40 % hold
    valid certificates, wins spread over their regions."""
    from ...accounts import profile
    from ...accounts.models import OrganisationTag
    from ...core.cli import bulk_insert
    from ...database import utcnow
    from ...program import rules as program_rules
    from .models import DirectoryRegionWin, DirectoryStat

    org_ids = ctx.shared.get("large_organisations") or []
    if not org_ids:
        return {}
    batch, rng, now = ctx.options.get("batch", 5000), ctx.rng, utcnow()
    regions = [r.code for r in program_rules.current().regions]
    products = [p.code for p in program_rules.current().products]
    expertise, industries = list(profile.EXPERTISE), list(profile.INDUSTRIES)
    admins = dict(db.session.execute(select(User.organisation_id, User.id).where(
        User.organisation_id.in_([o for o, _t, _r in org_ids]), User.role == "partner_admin")).all()) \
        if len(org_ids) < 30000 else {}
    tags, settings, people, stats, wins = [], [], [], [], []
    for org_id, _tier, home in org_ids:
        chosen = {"expertise": rng.sample(expertise, rng.randint(1, 3)),
                  "industries": rng.sample(industries, rng.randint(1, 2)),
                  "regions": list(dict.fromkeys([home] + rng.sample(regions, rng.randint(0, 2)))),
                  "products": rng.sample(products, rng.randint(1, min(2, len(products)))),
                  "languages": ["ru"] + (["en"] if rng.random() < 0.3 else [])}
        for facet, values in chosen.items():
            tags.extend(dict(organisation_id=org_id, facet=facet, value=v) for v in values)
        settings.append(dict(organisation_id=org_id, in_directory=rng.random() < 0.95, in_locator=rng.random() < 0.6,
                             updated_at=now))
        if org_id in admins and rng.random() < 0.5:
            people.append(dict(user_id=admins[org_id], organisation_id=org_id, listed=True,
                               job_title=rng.choice(TITLES), updated_at=now))
        certificates = rng.randint(1, 8) if rng.random() < 0.4 else 0
        total = 0
        for region in chosen["regions"]:
            n = rng.randint(0, 12) if rng.random() < 0.5 else 0
            if n:
                wins.append(dict(organisation_id=org_id, region=region, wins=n))
                total += n
        stats.append(dict(organisation_id=org_id, valid_certificates=certificates,
                          certified_people=min(certificates, rng.randint(1, 4)) if certificates else 0,
                          deals_won=total, updated_at=now))
    bulk_insert(OrganisationTag, tags, batch, "Profile lists")
    bulk_insert(DirectoryOrganisation, settings, batch, "Directory settings")
    bulk_insert(DirectoryPerson, people, batch, "Listed people")
    bulk_insert(DirectoryStat, stats, batch, "Verified numbers")
    bulk_insert(DirectoryRegionWin, wins, batch, "Wins per region")
    return {"profile tags": len(tags), "on the locator": sum(s["in_locator"] for s in settings),
            "people listed": len(people)}
