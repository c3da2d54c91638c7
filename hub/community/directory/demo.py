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
