"""The key-partner care demo: an account manager for every key partner, quarterly business reviews
with action items (one overdue), a beta with sign-ups and feedback, two announcements."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from ...accounts.models import PARTNER, PARTNER_ADMIN, PARTNER_ROLES, VENDOR_ROLES, Organisation, User
from ...core import notifications
from ...core.cli import DemoContext, demo_step
from ...extensions import db
from . import services
from .models import CareActionItem, CareAnnouncement, CareBeta, CareBetaSignup, CareQbr

AGENDA = "1. Итоги квартала: выручка и сделки\n2. План на следующий квартал\n3. Обучение и сертификация\n4. Совместный маркетинг"
NOTES = "Партнёр готовит два пилота в регионе; просит ранний доступ к новому модулю отчётов."


@demo_step("community-care", order=88)
def demo(ctx: DemoContext) -> dict | None:
    if db.session.scalar(select(func.count()).select_from(CareQbr)):
        return None
    managers = list(db.session.scalars(select(User).where(User.role.in_(VENDOR_ROLES), User.is_active_user.is_(True))
                                       .order_by(User.role.desc(), User.id)))
    if not managers:
        return None
    keys = services.key_partners()
    assigned = 0
    for n, org in enumerate(keys):
        if org.account_manager_id is None:
            org.account_manager_id = managers[n % len(managers)].id
            assigned += 1
    qbrs = items = 0
    for org in keys[:4]:
        manager = db.session.get(User, org.account_manager_id)
        people = list(db.session.scalars(select(User).where(User.organisation_id == org.id,
                                                            User.role.in_(PARTNER_ROLES)).order_by(User.id)))
        if not people:
            continue
        past = CareQbr(organisation_id=org.id, meeting_on=ctx.today - timedelta(days=40), agenda=AGENDA, notes=NOTES,
                       created_by_id=manager.id, created_at=ctx.now - timedelta(days=50))
        upcoming = CareQbr(organisation_id=org.id, meeting_on=ctx.today + timedelta(days=50), agenda=AGENDA,
                           notes="", created_by_id=manager.id, created_at=ctx.now - timedelta(days=2))
        db.session.add_all([past, upcoming])
        db.session.flush()
        qbrs += 2
        plan = [("Подготовить план продаж на квартал", people[0], -5, False),  # overdue
                ("Прислать прайс-лист с партнёрскими скидками", manager, -20, True),
                ("Сертифицировать двух инженеров", people[-1], 30, False),
                ("Организовать совместный вебинар", manager, 25, False)]
        for title, owner, due, done in plan:
            db.session.add(CareActionItem(qbr_id=past.id, organisation_id=org.id, title=title, owner_id=owner.id,
                                          due_on=ctx.today + timedelta(days=due),
                                          done_at=ctx.now - timedelta(days=21) if done else None,
                                          done_by_id=owner.id if done else None))
            items += 1
    beta = CareBeta(title="Ранний доступ: модуль сквозной аналитики",
                    description="Новый модуль отчётов до релиза: установка на стенд партнёра, еженедельный созвон с командой продукта.",
                    tiers="gold,platinum", signup_closes_on=ctx.today + timedelta(days=30), created_by_id=managers[0].id,
                    created_at=ctx.now - timedelta(days=7))
    db.session.add(beta)
    db.session.flush()
    signups = 0
    for org in keys[:2]:
        person = db.session.scalar(select(User).where(User.organisation_id == org.id, User.role == PARTNER_ADMIN)
                                   .order_by(User.id))
        if person is None:
            continue
        db.session.add(CareBetaSignup(beta_id=beta.id, organisation_id=org.id, user_id=person.id,
                                      created_at=ctx.now - timedelta(days=5),
                                      feedback="Установили на стенд, ждём выгрузку в Excel." if not signups else "",
                                      feedback_at=ctx.now - timedelta(days=2) if not signups else None))
        signups += 1
    announced = 0
    for title, body, tiers, days in (
            ("Новая партнёрская скидка для Platinum", "С первого числа следующего месяца — дополнительные 5 % на продления.",
             ["platinum"], 10),
            ("Закрытая встреча с командой продукта", "Приглашаем Gold и Platinum партнёров обсудить план релизов на год.",
             ["gold", "platinum"], 3)):
        row = CareAnnouncement(title=title, body=body, tiers=",".join(tiers), created_by_id=managers[0].id,
                               published_at=ctx.now - timedelta(days=days))
        db.session.add(row)
        db.session.flush()
        readers = db.session.scalars(select(User).join(Organisation, Organisation.id == User.organisation_id).where(
            Organisation.kind == PARTNER, Organisation.tier.in_(tiers), User.role.in_(PARTNER_ROLES)))
        notifications.send(list(readers), "care.announcement", obj=row, params={"title": title}, email=False,
                           link_endpoint="care.announcement", link_values={"announcement_id": row.id},
                           now=row.published_at)
        announced += 1
    return {"account managers": assigned, "reviews": qbrs, "action items": items, "beta sign-ups": signups,
            "announcements": announced}
