"""The co-branded material demo: a few downloads of the catalogue's pieces by the demo partners, and
two custom requests in the managers' queue (one new, one in progress and past its SLA)."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from ...accounts.models import PARTNER, PARTNER_ROLES, VENDOR_ROLES, Organisation, User
from ...core.cli import DemoContext, demo_step
from ...extensions import db
from . import catalogue, services
from .models import IN_PROGRESS, NEW, CobrandDownload, CobrandRequest


@demo_step("marketing-cobrand", order=83)
def demo(ctx: DemoContext) -> dict | None:
    if db.session.scalar(select(func.count()).select_from(CobrandRequest)):
        return None
    manager = db.session.scalar(select(User).where(User.role.in_(VENDOR_ROLES)).order_by(User.id))
    orgs = list(db.session.scalars(select(Organisation).where(Organisation.kind == PARTNER)
                                   .order_by(Organisation.id).limit(5)))
    slugs = list(catalogue.templates())
    downloads = requests = 0
    for n, org in enumerate(orgs):
        person = db.session.scalar(select(User).where(User.organisation_id == org.id,
                                                      User.role.in_(PARTNER_ROLES)).order_by(User.id))
        if person is None or not slugs:
            continue
        for k in range(ctx.rng.randint(1, 4)):
            db.session.add(CobrandDownload(organisation_id=org.id, user_id=person.id, template=slugs[(n + k) % len(slugs)],
                                           language="ru" if k % 3 else "en",
                                           created_at=ctx.now - timedelta(days=ctx.rng.randint(0, 40))))
            downloads += 1
        if requests < 2:
            asked = ctx.now - timedelta(days=1 if requests == 0 else 8)
            row = CobrandRequest(
                organisation_id=org.id, user_id=person.id, created_at=asked,
                template=slugs[-1] if requests == 0 else None,
                description=("Приглашение на наш семинар в Казани 12 числа, 40 мест, с логотипом банка-соорганизатора"
                             if requests == 0 else "Роллап 85×200 см для стенда на выставке «Связь» с Квант CRM"),
                deadline=ctx.today + timedelta(days=10 if requests == 0 else 3),
                notes="Макет в кириллице, цвета бренда" if requests else "",
                status=NEW if requests == 0 else IN_PROGRESS,
                due_on=asked.date() + timedelta(days=int(services.rules().sla_days)),
                manager_id=getattr(manager, "id", None) if requests else None)
            db.session.add(row)
            requests += 1
    db.session.flush()
    return {"downloads": downloads, "requests": requests}
