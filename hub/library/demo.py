"""The library's part of the demo program: views and downloads by the demo partners for the usage
report (L4). Each partner used a few of the items its tier may see, the popular ones more often.

Needs the library loaded (`flask --app hub content load`); without it the step says so and adds
nothing. Its own generator (SEED + 4, as in release 0.1.0), so the figures stay what they were.
"""
from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import select

from ..accounts.demo import PARTNERS, SEED, program_time
from ..accounts.models import Organisation
from ..core.cli import DemoContext, demo_step
from ..extensions import db
from .models import TIERS, LibraryItem, LibraryUsage


@demo_step("library", order=40)
def demo_library_usage(ctx: DemoContext) -> dict[str, int] | None:
    slugs = [spec.slug for spec in PARTNERS]
    orgs = {org.slug: org for org in db.session.scalars(select(Organisation).where(Organisation.slug.in_(slugs)))}
    if not orgs:
        ctx.echo("library demo: no demo organisations (the accounts step makes them)")
        return {}
    if db.session.scalar(select(LibraryUsage.id).where(LibraryUsage.organisation_id.in_(
            [org.id for org in orgs.values()])).limit(1)) is not None:
        return None
    items = list(db.session.scalars(select(LibraryItem).order_by(LibraryItem.slug)))
    if not items:
        ctx.echo("library demo: no library content (run `flask --app hub content load` first)")
        return {}
    rng = random.Random(SEED + 4)
    popular = items[: max(1, len(items) // 4)]
    rows = 0
    for org in (orgs[slug] for slug in slugs if slug in orgs):
        rank = TIERS.index(org.tier) if org.tier in TIERS else 0
        visible = [item for item in items if item.tier_rank <= rank]
        favourites = [item for item in popular if item.tier_rank <= rank]
        chosen = {item.id: item for item in rng.sample(visible, min(len(visible), rng.randint(2, 8)))}
        for item in rng.sample(favourites, min(len(favourites), 3)):
            chosen[item.id] = item
        for item in chosen.values():
            views = rng.randint(1, 12)
            db.session.add(LibraryUsage(item_id=item.id, organisation_id=org.id, views=views,
                                        downloads=rng.randint(0, views) if item.files else 0,
                                        last_used_at=program_time(ctx.today - timedelta(days=rng.randint(0, 90)), 11)))
            rows += 1
    return {"usage rows": rows}
