"""The recruitment demo: a few applications in each status (the approved ones are demo partners that came
through the form), about twenty targets across the stages, and recruitment costs for two quarters."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from .. import inn as inn_numbers
from ..accounts.models import PARTNER, VENDOR_ROLES, Organisation, User
from ..core.cli import DemoContext, demo_step
from ..extensions import db
from .models import APPROVED, DECLINED, INFO, QUALIFIED, STAGES, SUBMITTED, Application, Cost, Target
from .rules import CHECKLIST
from .targets import quarter_of

COMPANIES = ["ООО «Северный код»", "ООО «Интегра Плюс»", "АО «ДатаЛайн Юг»", "ООО «Цифровой двор»",
             "ООО «Байт-Сервис»", "ООО «Облачные решения»", "ООО «СофтМаркет»", "ООО «Аналитика 360»",
             "ООО «ИТ Гарант»", "ООО «Системный подход»", "ООО «ЛогикаБизнес»", "ООО «Техно Урал»",
             "ООО «Волга Софт»", "ООО «Сибирь ИТ»", "ООО «Дальний сервер»", "ООО «Балтик Консалт»",
             "ООО «Проект Альфа»", "ООО «Мост Интеграция»", "ООО «Точка роста ИТ»", "ООО «Ясные данные»"]
REGIONS = ["moscow", "spb", "central", "volga", "ural", "siberia", "south", "northwest", "fareast", "kaliningrad"]
OFFERS = ["Пилот CRM на 20 пользователей со скидкой 30 %", "Совместный вебинар для клиентов в регионе",
          "Сертификация двух инженеров бесплатно", "MDF на первое мероприятие", "Лиды из нашей воронки"]
PLAN = [(SUBMITTED, 3), (INFO, 2), (QUALIFIED, 2), (DECLINED, 2)]


@demo_step("recruitment", order=84)
def demo(ctx: DemoContext) -> dict | None:
    if db.session.scalar(select(func.count()).select_from(Target)):
        return None
    managers = list(db.session.scalars(select(User).where(User.role.in_(VENDOR_ROLES)).order_by(User.id)))
    owner = managers[0] if managers else None
    rng = ctx.rng
    targets = []
    for n, company in enumerate(COMPANIES):
        inn = inn_numbers.company(f"77{n:02d}{rng.randint(10000, 99999)}")
        stage = STAGES[n % len(STAGES)] if n < 18 else "identified"
        target = Target(company=company, inn=inn, domain=f"partner{n + 1}.example", segment=("sales", "referral",
                        "strategic")[n % 3], region=REGIONS[n % len(REGIONS)], offer=OFFERS[n % len(OFFERS)],
                        stage=stage, owner_id=managers[n % len(managers)].id if managers else None,
                        created_at=ctx.now - timedelta(days=60 - n), updated_at=ctx.now - timedelta(days=30 - n))
        db.session.add(target)
        targets.append(target)
    db.session.flush()

    made = 0
    n = 0
    for status, count in PLAN:
        for _i in range(count):
            target = targets[n] if status != DECLINED else None
            company = target.company if target else f"ООО «Заявитель {n + 1}»"
            inn = target.inn if target else inn_numbers.company(f"50{n:02d}{rng.randint(10000, 99999)}")
            created = ctx.now - timedelta(days=12 - n)
            row = Application(
                status=status, company=company, inn=inn, open_inn=inn if status != DECLINED else None,
                website=f"https://partner{n + 1}.example" if target else "", domain=target.domain if target else "",
                partner_type=("integrator", "agent", "dealer")[n % 3], regions=REGIONS[n % len(REGIONS)],
                products="crm" if n % 2 else "crm,bi", expected_deals="Два проекта CRM в первом квартале",
                contact_name=f"Контакт {n + 1}", contact_email=f"contact{n + 1}@applicant.example",
                contact_phone="+7 900 000-00-00", locale="ru", consent_at=created,
                target_id=target.id if target else None, created_at=created, updated_at=created)
            if status == INFO:
                row.question, row.decided_by_id = "Сколько инженеров у вас сертифицировано?", getattr(owner, "id", None)
            if status == QUALIFIED:
                row.checklist, row.decided_by_id = ",".join(CHECKLIST), getattr(owner, "id", None)
            if status == DECLINED:
                row.decision_reason, row.decided_at = "Нет опыта внедрений в нашем сегменте", created + timedelta(days=2)
                row.decided_by_id = getattr(owner, "id", None)
            if target is not None and target.stage in ("identified", "contacted", "interested"):
                target.stage = "applied"
            db.session.add(row)
            made += 1
            n += 1

    # Two demo partners came through the form: their approved applications.
    for org in db.session.scalars(select(Organisation).where(Organisation.kind == PARTNER, Organisation.inn.is_not(None))
                                  .order_by(Organisation.id).limit(2)):
        created = org.created_at - timedelta(days=7)
        db.session.add(Application(
            status=APPROVED, company=org.name, inn=org.inn, open_inn=None, website=org.website or "",
            partner_type=org.partner_type or "integrator", regions=org.region or "", products="crm",
            contact_name="Контакт партнёра", contact_email=f"apply-{org.slug}@applicant.example", locale="ru",
            consent_at=created, checklist=",".join(CHECKLIST), decided_by_id=getattr(owner, "id", None),
            decided_at=org.created_at, organisation_id=org.id, created_at=created, updated_at=org.created_at))
        made += 1

    this_quarter = quarter_of(ctx.today)
    last_quarter = quarter_of(ctx.today.replace(day=1) - timedelta(days=92))
    for period, campaign, amount in ((last_quarter, "Выставка «Цифровая индустрия»", 450_000_00),
                                     (last_quarter, "Рассылка по базе интеграторов", 60_000_00),
                                     (this_quarter, "Партнёрская конференция", 800_000_00),
                                     (this_quarter, "Контекстная реклама «Стать партнёром»", 120_000_00)):
        db.session.add(Cost(period=period, campaign=campaign, amount_kopecks=amount, note="",
                            entered_by_id=getattr(owner, "id", None), created_at=ctx.now))
    return {"applications": made, "targets": len(targets), "costs": 4}
