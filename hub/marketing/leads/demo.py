"""The leads demo data: a pool of ten leads (some offered, accepted, one registered as a deal, one
declined, one returned unanswered, the rest waiting in the pool) and a few referrals from referral
partners in each status, one won with its fee."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, func, select, update

from ...accounts.models import PARTNER, PARTNER_ROLES, VENDOR_ROLES, Organisation, User
from ...core.cli import DemoContext, demo_step
from ...core.models import AuditEntry, OutboxMessage
from ...deals import public as deals
from ...extensions import db
from . import referrals, services
from .models import Lead

# company, INN, contact, e-mail, region, segment (industry), product, source, what happens
PLAN = [
    ("ООО «Северный ритейл»", "7707083893", "Ольга Смирнова", "o.smirnova@sever-retail.ru", "moscow", "retail", "crm",
     "web", "converted"),
    ("АО «Волга Логистик»", "7728168971", "Павел Орлов", "orlov@volga-log.ru", "volga", "logistics", "bi",
     "event", "accepted"),
    ("ООО «Мед-Сервис Плюс»", "5499095147", "Ирина Белова", "belova@medservice.ru", "siberia", "healthcare",
     "servicedesk", "referral", "offered"),
    ("ООО «Уральский завод приборов»", "6405622410", "Сергей Кузнецов", "kuznetsov@uzp.ru", "ural", "manufacturing",
     "bi", "web", "declined"),
    ("ООО «Балтийская школа»", None, "Анна Егорова", "egorova@baltschool.ru", "spb", "education", "crm",
     "event", "returned"),
    ("ПАО «Южный банк»", None, "Дмитрий Попов", "popov@yugbank.ru", "south", "banking", "bi", "other", "offered"),
    ("ООО «Дальтранс»", None, "Елена Волкова", "volkova@daltrans.ru", "fareast", "logistics", "servicedesk",
     "web", "pool"),
    ("ООО «ИТ Решения Центр»", None, "Максим Лебедев", "lebedev@itr-center.ru", "central", "it-services", "crm",
     "referral", "pool"),
    ("ГБУ «Городские сервисы»", None, "Татьяна Новикова", "novikova@gorservis.ru", "moscow", "public-sector",
     "servicedesk", "event", "pool"),
    ("ООО «Калининград Трейд»", None, "Николай Морозов", "morozov@kgdtrade.ru", "kaliningrad", "retail", "crm",
     "web", "pool"),
]

REFERRALS = [("ООО «Пекарня на Садовой»", "Мария Фёдорова", "new"), ("ООО «Автосервис Восток»", "Игорь Зайцев", "contacted"),
             ("ООО «Стройматериалы Юг»", "Виктор Соколов", "won"), ("ООО «Фитнес Лайф»", "Алина Козлова", "lost"),
             ("ООО «Книжный двор»", "Роман Павлов", "new")]


def _first_partner(org_id: int, role: str | None = None) -> User | None:
    query = select(User).where(User.organisation_id == org_id, User.role.in_(PARTNER_ROLES)).order_by(User.id)
    if role:
        query = query.where(User.role == role)
    return db.session.scalar(query)


@demo_step("marketing-leads", order=85)
def demo(ctx: DemoContext) -> dict | None:
    if db.session.scalar(select(func.count()).select_from(Lead)):
        return None
    manager = db.session.scalar(select(User).where(User.role.in_(VENDOR_ROLES)).order_by(User.id))
    if manager is None:
        return None
    leads = [services.new_lead(manager, dict(source=source, company=company, inn=inn, contact_name=contact,
                                             contact_email=email, region=region, segment=segment, product=product,
                                             notes="Демо"))
             for company, inn, contact, email, region, segment, product, source, _fate in PLAN]
    made = {"leads": len(leads), "offered": 0, "converted": 0, "referrals": 0}
    mail_before = db.session.scalar(select(func.coalesce(func.max(OutboxMessage.id), 0)))
    for lead, plan in zip(leads, PLAN):
        fate = plan[-1]
        if fate == "pool":
            continue
        suggested = [s.organisation for s in services.suggestions(lead)
                     if _first_partner(s.organisation.id, "partner_admin") is not None]
        if not suggested:
            continue
        org = suggested[0]
        person = _first_partner(org.id, "partner_admin")
        when = ctx.now - timedelta(hours=services.rules().accept_hours + 2) if fate == "returned" else None
        services.offer(manager, lead.id, org.id, now=when)
        made["offered"] += 1
        if fate in ("accepted", "converted"):
            services.accept(person, lead.id)
        if fate == "declined":
            services.decline(person, lead.id, "Нет свободных специалистов в этом квартале")
        if fate == "converted":
            try:
                done = services.convert(person, lead.id, product=lead.product, amount_kopecks=1_800_000_00,
                                        expected_close_date=deals.program_today() + timedelta(days=60), inn=lead.inn)
                made["converted"] += 1
                # The demo's audit trail keeps the registration and its entry at one moment, as the
                # deals demo writes them (the live service stamps the entry a few milliseconds later).
                submitted_at = db.session.scalar(select(deals.Deal.submitted_at).where(deals.Deal.id == done.deal_id))
                db.session.execute(update(AuditEntry).where(
                    AuditEntry.object_type == "deal", AuditEntry.object_id == done.deal_id,
                    AuditEntry.action == "submitted").values(created_at=submitted_at))
                db.session.commit()
            except services.LeadError as exc:
                ctx.echo(f"leads demo: the lead «{lead.company}» was not registered as a deal: {exc}")
    services.expire_offers(now=ctx.now)
    referrers = list(db.session.scalars(select(Organisation).where(
        Organisation.kind == PARTNER, Organisation.segment == "referral").order_by(Organisation.id).limit(3)))
    for n, (company, contact, status) in enumerate(REFERRALS):
        if not referrers:
            break
        org = referrers[n % len(referrers)]
        person = _first_partner(org.id)
        if person is None:
            continue
        referral = referrals.submit_referral(person, dict(company=company, contact_name=contact,
                                                         contact_phone=f"+7 900 000-00-{10 + n}",
                                                         need="Хотят автоматизировать учёт клиентов", consent=True))
        if status in ("contacted", "won", "lost"):
            referrals.qualify(manager, referral.id, "contacted")
        if status in ("won", "lost"):
            referrals.qualify(manager, referral.id, status, amount_kopecks=540_000_00 if status == "won" else None)
        made["referrals"] += 1
    # The demo's people and addresses are made up: they hear about the demo in their inbox, never by
    # e-mail (nothing is left in the outbox for a worker to send).
    db.session.execute(delete(OutboxMessage).where(OutboxMessage.id > mail_before))
    db.session.commit()
    return made
