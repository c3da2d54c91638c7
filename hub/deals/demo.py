"""The deals of the demo program (D1-D5): about 190 deals of the demo partners in every status over
the last eighteen months, with two conflicts, one registration flagged by the exclusive Kaliningrad
territory, extension requests, the claims of the active deals, the audit trail of every transition
and the domain events of each decision (emitted in the step's transaction, so rewards and the
academy learn of them through their listeners, as they would have live). And the bulk deals of
`demo large` (bench/deals.py).

Runs after the accounts step (the organisations and people, hub/accounts/demo.py) and after the
rewards' tier history (each win is priced at the tier held on its won date). Deterministic: it draws
on from `rng_after_people()`, so the deals are the ones release 0.1.0 made.
"""
from __future__ import annotations

import bisect
import math
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import click

from sqlalchemy import exists, func, insert, literal, select
from sqlalchemy.orm import aliased

from ..accounts.demo import (BRONZE_DEMO, GOLD_DEMO, HISTORY_DAYS, LEGAL_FORMS, PARTNERS, PREFIXES,
                             REGION_INN_PREFIX, SUFFIXES, VENDOR_SLUG, inn10, person, random_inn,
                             rng_after_people, translit)
from ..accounts.models import ADMIN, MANAGER, PARTNER_ADMIN, Organisation, User
from ..core.cli import DemoContext, bulk_insert, demo_step
from ..core.services import audit
from ..extensions import db
from ..normalize import normalise_company, normalise_domain
from ..program import rules as program_rules
from .models import ACTIVE, APPROVED, EXPIRED, LOST, REJECTED, SUBMITTED, WON, Deal, DealClaim
from .services import GRANTED, REFUSED, emit_transition

# Customers: (name, domain, region). The INN is generated with the checksum (see random_inn).
CUSTOMERS = (
    ("ООО «Уралтехмонтаж»", "uraltehmontazh.ru", "ural"),
    ("АО «Сибирская энергосбытовая компания»", "sibenergosbyt.ru", "siberia"),
    ("ООО «ВолгаХимПром»", "volgahimprom.ru", "volga"),
    ("ПАО «Северный порт»", "nport.ru", "northwest"),
    ("ООО «Агрохолдинг «Черноземье»", "agro-chernozem.ru", "central"),
    ("АО «Балтийская логистика»", "baltlog.ru", "kaliningrad"),
    ("ООО «Медицинский центр «Здоровье+»", "zdorovie-plus.ru", "moscow"),
    ("ООО «Кубаньагроснаб»", "kubanagrosnab.ru", "south"),
    ("АО «Дальневосточная рыбная компания»", "dvrk.ru", "fareast"),
    ("ООО «ТрансЛогистик»", "translogistic.ru", "moscow"),
    ("ООО «Невский фарм»", "nevpharm.ru", "spb"),
    ("АО «КамаМаш»", "kamamash.ru", "volga"),
    ("ООО «СтройИнвест-Урал»", "stroyinvest-ural.ru", "ural"),
    ("ООО «Енисей Майнинг»", "enisei-mining.ru", "siberia"),
    ("АО «Приморский торговый дом»", "primtd.ru", "fareast"),
    ("ООО «Ростовский хлебокомбинат»", "rostovhleb.ru", "south"),
    ("ООО «Вологодское молоко»", "vologda-milk.ru", "northwest"),
    ("ООО «Тверская мебельная фабрика»", "tvermebel.ru", "central"),
    ("ПАО «Нижегородский автозавод-Сервис»", "nnauto-service.ru", "volga"),
    ("ООО «Карельский лес»", "karles.ru", "northwest"),
    ("АО «МосСтройТехника»", "mosstroytech.ru", "moscow"),
    ("ООО «Петербургская сервисная компания»", "pscompany.ru", "spb"),
    ("ООО «Алтай Агро»", "altai-agro.ru", "siberia"),
    ("ООО «Калининградский янтарь»", "kaliningrad-amber.ru", "kaliningrad"),
    ("АО «Челябинский трубный сервис»", "chts.ru", "ural"),
    ("ООО «Краснодарские теплицы»", "krd-teplicy.ru", "south"),
    ("ООО «Хабаровская энергетическая компания»", "khek.ru", "fareast"),
    ("ООО «Воронежсельмаш-Сервис»", "vsm-service.ru", "central"),
    ("АО «Казанский оптический завод»", "kazopt.ru", "volga"),
    ("ООО «Московская сеть клиник «Медлайн»", "medline-clinic.ru", "moscow"),
    ("ООО «Сеть супермаркетов «Корзинка»", "korzinka-market.ru", "moscow"),
    ("ООО «Томская нефтесервисная компания»", "tnsk.ru", "siberia"),
    ("ООО «Архангельский ЦБК-Логистика»", "acbk-log.ru", "northwest"),
    ("АО «Банк «Северная казна»", "bank-skazna.ru", "ural"),
    ("ООО «Страховая группа «Опора»", "sg-opora.ru", "moscow"),
    ("ООО «Самарский подшипник»", "samara-bearing.ru", "volga"),
    ("ООО «Астраханская судоверфь»", "astr-verf.ru", "south"),
    ("ООО «Якутские алмазные перевозки»", "yap-transport.ru", "fareast"),
    ("ООО «Пермские кабельные системы»", "permcable.ru", "volga"),
    ("АО «Ленинградский металлический завод-Сервис»", "lmz-service.ru", "spb"),
    ("ООО «Ярославские краски»", "yar-kraski.ru", "central"),
    ("ООО «Новосибирский хладокомбинат»", "nsk-hlad.ru", "siberia"),
    ("ООО «ЮгСтройМонолит»", "yugmonolit.ru", "south"),
    ("ООО «Тюменские буровые технологии»", "tbt-drill.ru", "ural"),
    ("ООО «Мурманская рыбная биржа»", "murman-fish.ru", "northwest"),
    ("ООО «Владивостокский морской сервис»", "vlms.ru", "fareast"),
    ("АО «Калужский турбинный сервис»", "kts-kaluga.ru", "central"),
    ("ООО «Псковская агропромышленная группа»", "pskov-agro.ru", "northwest"),
    ("ООО «Московская школа программирования»", "msp-school.ru", "moscow"),
    ("ООО «Университетская клиника «Авиценна»", "avicenna-clinic.ru", "siberia"),
    ("ООО «Оренбургский газовый сервис»", "ogs-oren.ru", "volga"),
    ("ООО «ИнтерТрейд Калининград»", "intertrade39.ru", "kaliningrad"),
    ("ООО «Курская АЭС-Сервис»", "kaes-service.ru", "central"),
    ("ООО «ДонАгроТех»", "donagrotech.ru", "south"),
    ("ООО «Екатеринбургская сеть АЗС»", "ekb-azs.ru", "ural"),
    ("ООО «Иркутская лесная компания»", "irk-les.ru", "siberia"),
    ("АО «Петербургский хлебозавод»", "spb-hleb.ru", "spb"),
    ("ООО «Логистический центр «Восток»", "lc-vostok.ru", "fareast"),
    ("ООО «Пензенские приборы»", "penza-pribor.ru", "volga"),
    ("ООО «Тульский оружейный сервис»", "tos-tula.ru", "central"),
    ("ООО «Девелопмент-Групп «Квартал»", "kvartal-dev.ru", "moscow"),
    ("ООО «Ставропольские минеральные воды»", "stav-voda.ru", "south"),
    ("ООО «Сургутский энергосервис»", "surgut-es.ru", "ural"),
    ("ООО «Омский шинный завод-Сервис»", "osz-service.ru", "siberia"),
    ("ООО «Балтийская судоремонтная компания»", "bsrk39.ru", "kaliningrad"),
    ("ООО «Череповецкая металлоторговая база»", "chmtb.ru", "northwest"),
    ("ООО «Северо-Кавказская сеть аптек»", "skapteka.ru", "south"),
    ("ООО «Рязанский нефтеперерабатывающий сервис»", "rnps.ru", "central"),
    ("ООО «Лаборатория «Геном»", "genom-lab.ru", "moscow"),
    ("ООО «Камчатские морепродукты»", "kamchat-sea.ru", "fareast"),
    ("ООО «Ижевский приборный сервис»", "izh-pribor.ru", "volga"),
    ("ООО «Курганский мостостроительный трест»", "kmst45.ru", "ural"),
    ("ООО «Кемеровский угольный сервис»", "kus42.ru", "siberia"),
    ("ООО «Петрозаводская бумажная фабрика»", "ptz-paper.ru", "northwest"),
    ("ООО «Строительная компания «Невский берег»", "nevbereg.ru", "spb"),
    ("ООО «Волгоградский завод металлоконструкций»", "vzmk34.ru", "south"),
)

REJECTION_REASONS = (
    "Клиент уже работает с нами напрямую по действующему договору.",
    "Недостаточно данных о проекте: нет контактного лица со стороны заказчика.",
    "Сделка за пределами согласованной территории партнёра.",
    "Регистрация дублирует ранее одобренную сделку другого партнёра.",
    "Customer is an existing direct account; please contact your channel manager.",
    "Бюджет не подтверждён заказчиком, зарегистрируйте сделку повторно после пресейла.",
)
NOTES = (
    "Пилот на 20 пользователей, далее тираж на филиалы.",
    "Заказчик сравнивает с конкурентом, нужен пресейл вендора.",
    "Закупка через тендер по 223-ФЗ, плановая дата аукциона в следующем квартале.",
    "Pilot for the sales department first, then the whole company.",
    "Интерес к интеграции с 1С и телефонией.",
    "Customer asked for an English-language demo for its foreign shareholders.",
    "Замена устаревшей системы учёта обращений.",
    None, None, None,
)
EXTENSION_REASONS = (
    "Заказчик перенёс тендер на следующий месяц.",
    "Ждём утверждения бюджета советом директоров.",
    "The customer's legal review of the contract takes longer than planned.",
)
LOSS_REASONS = ("Клиент выбрал другое решение.", "Проект отложен на следующий год.",
                "Бюджет урезан.", "Customer chose an in-house solution.")



class _DemoDeals:
    """The deals of the demo partners, written as 0.1.0's demo builder wrote them."""

    def __init__(self, rng, now: datetime, today: date):
        self.rng = rng
        self.today = today
        self.now = now
        self.rules = program_rules.current()
        self.zone = ZoneInfo(self.rules.timezone)
        self.orgs: dict[str, Organisation] = {}
        self.people: dict[str, list[User]] = {}
        self.counts = {"deals": 0, "claims": 0, "audit entries": 0}
        slugs = [spec.slug for spec in PARTNERS]
        for org in db.session.scalars(select(Organisation).where(Organisation.slug.in_(slugs))):
            self.orgs[org.slug] = org
        # In PARTNERS order, each organisation's people in the order they were created.
        self.orgs = {slug: self.orgs[slug] for slug in slugs if slug in self.orgs}
        by_org = {org.id: slug for slug, org in self.orgs.items()}
        for user in db.session.scalars(select(User).where(User.organisation_id.in_(list(by_org))).order_by(User.id)):
            self.people.setdefault(by_org[user.organisation_id], []).append(user)
        vendor = db.session.scalar(select(Organisation).where(Organisation.slug == VENDOR_SLUG))
        self.managers: list[User] = list(db.session.scalars(
            select(User).where(User.organisation_id == vendor.id, User.role == MANAGER).order_by(User.id)))

    def build(self) -> dict[str, int]:
        self._deals()
        self._deal_events()
        return self.counts

    def _deal_events(self) -> None:
        """The domain events of the decided deals, deal by deal in the order of their decisions:
        the approval, then how it ended (won, lost, expired). Emitted in the demo's transaction."""
        deals = db.session.scalars(select(Deal).where(
            Deal.status.in_((APPROVED, WON, LOST, EXPIRED)), Deal.decided_at.is_not(None))
            .order_by(Deal.decided_at, Deal.id))
        events = 0
        for deal in deals:
            emit_transition(deal, SUBMITTED, APPROVED, deal.decided_by_id, deal.decided_at)
            events += 2
            if deal.status != APPROVED:
                author = deal.created_by_id if deal.status in (WON, LOST) else None
                emit_transition(deal, APPROVED, deal.status, author, deal.updated_at)
                events += 2
        self.counts["domain events"] = events


    def _at(self, day: date, hour: int, minute: int = 0) -> datetime:
        """A wall-clock time in the program's zone on `day`, as aware UTC."""
        return datetime.combine(day, time(hour, minute), self.zone).astimezone(timezone.utc)


    # deals ---------------------------------------------------------------------------------

    def _deals(self) -> None:
        rng = self.rng
        customers = [(name, domain, region, random_inn(rng, region)) for name, domain, region in CUSTOMERS]
        per_tier = {"platinum": (34, 40), "gold": (14, 20), "silver": (6, 11), "bronze": (0, 4)}
        plan: list[tuple[str, datetime, str | None]] = []
        for spec in PARTNERS:
            org = self.orgs[spec.slug]
            low, high = per_tier[spec.tier]
            for _ in range(rng.randint(low, high)):
                span = max(1, (self.now - org.created_at).days - 7)
                age = min(span, int(rng.triangular(0, HISTORY_DAYS, 30)))
                submitted = self.now - timedelta(days=age, hours=rng.randint(0, 10), minutes=rng.randint(0, 59))
                plan.append((spec.slug, submitted, None))
        # Registrations waiting for a decision, two of them past the SLA: the queue is never empty.
        for slug, hours in ((BRONZE_DEMO, 5), ("sibis", 9), ("ural-automation", 26), ("dalit", 31),
                            (GOLD_DEMO, 52), ("chernozemye", 61)):
            plan.append((slug, self.now - timedelta(hours=hours, minutes=rng.randint(0, 59)), SUBMITTED))
        plan.sort(key=lambda item: item[1])

        active: dict[int, Deal] = {}  # customer index -> active deal holding it
        created: list[Deal] = []
        with click.progressbar(plan, label="Deals") as bar:
            for slug, submitted, forced in bar:
                status = forced or self._status(submitted)
                # A customer protected for one partner is not registered by another (conflicts come below).
                choices = [i for i in range(len(customers)) if i not in active]
                org = self.orgs[slug]
                local = [i for i in choices if customers[i][2] == org.region]
                index = rng.choice(local if local and rng.random() < 0.7 else choices)
                # The exclusive territory: other partners do not register there (except the flagged one).
                if customers[index][2] == "kaliningrad" and slug != "baltic-integration":
                    index = rng.choice([i for i in choices if customers[i][2] != "kaliningrad"])
                deal = self._deal(org, customers[index], submitted, status)
                if status in ACTIVE:
                    active[index] = deal
                created.append(deal)

        # Two conflicts: other partners registering customers already protected for someone else.
        holders = [(i, d) for i, d in sorted(active.items()) if d.status == APPROVED]
        for (index, holder), slug in zip(holders[:2], ("yug-inform", "capital-dist")):
            if holder.organisation_id == self.orgs[slug].id:
                slug = "ekb-soft"
            submitted = max(holder.submitted_at, self.now - timedelta(days=2)) + timedelta(hours=3)
            conflict = self._deal(self.orgs[slug], customers[index], min(submitted, self.now - timedelta(hours=1)),
                                  SUBMITTED, conflict_with=holder)
            created.append(conflict)
        # Extension requests on protected deals close to their end: one waiting, one granted, one refused.
        ending = sorted((d for d in active.values() if d.status == APPROVED), key=lambda d: d.protected_until)
        for deal, decision in zip(ending, (None, GRANTED, REFUSED)):
            self._extension(deal, decision)
        # One territory-flagged registration: Kaliningrad is exclusive to baltic-integration.
        free = [i for i, c in enumerate(customers) if c[2] == "kaliningrad" and i not in active]
        if not free:  # every Kaliningrad customer is held: a new one appears
            customers.append(("ООО «Янтарный берег Девелопмент»", "yantbereg.ru", "kaliningrad",
                              random_inn(rng, "kaliningrad")))
            free = [len(customers) - 1]
        flagged = self._deal(self.orgs["technodistr"], customers[free[0]], self.now - timedelta(hours=20),
                             SUBMITTED, territory_org=self.orgs["baltic-integration"])
        created.append(flagged)
        active[free[0]] = flagged
        db.session.flush()

    def _status(self, submitted: datetime) -> str:
        """Plausible final status for a deal submitted at that time."""
        age = (self.now - submitted).days
        roll = self.rng.random()
        if age < 2:
            return SUBMITTED if roll < 0.7 else APPROVED
        if age < self.rules.deals.protection_days:
            return APPROVED if roll < 0.5 else WON if roll < 0.68 else LOST if roll < 0.82 else REJECTED
        if age < self.rules.deals.protection_days + 10:
            # Protection has run out: these closed before it did.
            return WON if roll < 0.45 else LOST if roll < 0.75 else REJECTED
        return WON if roll < 0.42 else LOST if roll < 0.64 else REJECTED if roll < 0.8 else EXPIRED

    def _deal(self, org: Organisation, customer: tuple, submitted: datetime, status: str,
              conflict_with: Deal | None = None, territory_org: Organisation | None = None) -> Deal:
        rng, rules = self.rng, self.rules
        name, domain, region, inn = customer
        people = self.people[org.slug]
        author = rng.choice(people)
        product = rng.choice(rules.products).code
        # Log-uniform between 300 k and 30 M roubles, larger for higher tiers, rounded to 1,000 roubles.
        top = {"platinum": 30e6, "gold": 20e6, "silver": 10e6, "bronze": 5e6}[org.tier]
        amount_rub = int(math.exp(rng.uniform(math.log(300_000), math.log(top))) // 1000 * 1000)
        contact, _, _ = person(rng)
        contact_mail = f"{translit(contact.split()[0])[0]}.{translit(contact.split()[1])}@{domain}"
        submitted_day = submitted.astimezone(self.zone).date()
        deal = Deal(
            organisation_id=org.id, created_by_id=author.id,
            customer_name=name, customer_name_norm=normalise_company(name),
            inn=inn if rng.random() < 0.85 or conflict_with else None,
            domain=domain,
            contact_name=contact, contact_email=contact_mail,
            contact_phone=f"+7 {rng.randint(900, 999)} {rng.randint(100, 999)}-{rng.randint(10, 99)}-{rng.randint(10, 99)}",
            product=product, amount_kopecks=amount_rub * 100,
            expected_close_date=submitted_day + timedelta(days=rng.randint(30, 150)),
            region=region, notes=rng.choice(NOTES), status=SUBMITTED, submitted_at=submitted,
            decision_due_at=submitted + timedelta(hours=rules.deals.decision_sla_hours),
            conflict_with_id=conflict_with.id if conflict_with else None,
            territory_org_id=territory_org.id if territory_org else None,
            updated_at=submitted,
        )
        # A registration needs an INN or a domain; some partners give only one of them.
        if deal.inn and rng.random() < 0.2 and not conflict_with:
            deal.domain = None
        deal.domain_norm = normalise_domain(deal.domain) if deal.domain else None
        db.session.add(deal)
        db.session.flush()
        self.counts["deals"] += 1
        self._audit(deal, "submitted", author, submitted, conflict_with=deal.conflict_with_id,
                    territory_org=deal.territory_org_id)

        if status != SUBMITTED:
            self._decide(deal, org, status)
        if deal.status in ACTIVE and conflict_with is None:
            self._claims(deal)
        return deal

    def _decide(self, deal: Deal, org: Organisation, status: str) -> None:
        rng, rules = self.rng, self.rules
        manager = next((m for m in self.managers if m.id == org.account_manager_id), None) or rng.choice(self.managers)
        # Most decisions inside the SLA, a few late.
        hours = rng.uniform(1, rules.deals.decision_sla_hours * (0.9 if rng.random() < 0.85 else 1.6))
        decided = min(deal.submitted_at + timedelta(hours=hours), self.now - timedelta(minutes=30))
        deal.decided_at, deal.decided_by_id, deal.updated_at = decided, manager.id, decided
        if status == REJECTED:
            deal.status = REJECTED
            deal.rejection_reason = rng.choice(REJECTION_REASONS)
            self._audit(deal, "rejected", manager, decided, reason=deal.rejection_reason)
            return
        deal.status = APPROVED
        decided_day = decided.astimezone(self.zone).date()
        deal.protected_until = decided_day + timedelta(days=rules.deals.protection_days)
        self._audit(deal, "approved", manager, decided, protected_until=deal.protected_until.isoformat())
        if status == APPROVED:
            return
        author = deal.created_by_id and next(u for u in self.people[org.slug] if u.id == deal.created_by_id)
        if status == EXPIRED:
            expired_day = deal.protected_until + timedelta(days=1)
            expired = self._at(expired_day, 3)
            deal.status, deal.updated_at = EXPIRED, expired
            self._audit(deal, "expired", None, expired, protected_until=deal.protected_until.isoformat())
            return
        latest = min(deal.protected_until, self.today - timedelta(days=1))
        span = max(1, (latest - decided_day).days)
        closed_day = decided_day + timedelta(days=rng.randint(min(7, span), span))
        closed = self._at(closed_day, rng.randint(10, 18), rng.randint(0, 59))
        deal.closed_on, deal.updated_at = closed_day, closed
        if status == WON:
            deal.status = WON
            factor = rng.choice((1, 1, 1, 0.9, 0.85, 1.1))
            deal.final_amount_kopecks = int(deal.amount_kopecks * factor) // 100_000 * 100_000
            self._audit(deal, "won", author, closed, final_amount_kopecks=deal.final_amount_kopecks,
                        closed_on=closed_day.isoformat())
        else:
            deal.status = LOST
            deal.lost_reason = rng.choice(LOSS_REASONS) if rng.random() < 0.7 else None
            self._audit(deal, "lost", author, closed, reason=deal.lost_reason)

    def _extension(self, deal: Deal, decision: str | None) -> None:
        rng, rules = self.rng, self.rules
        org = next(o for o in self.orgs.values() if o.id == deal.organisation_id)
        author = next(u for u in self.people[org.slug] if u.role == PARTNER_ADMIN)
        asked = max(deal.decided_at + timedelta(days=30), self.now - timedelta(days=6)) if decision else \
            self.now - timedelta(hours=rng.randint(3, 30))
        asked = min(asked, self.now - timedelta(hours=2))
        deal.extension_requested_at, deal.updated_at = asked, asked
        deal.extension_reason = rng.choice(EXTENSION_REASONS)
        self._audit(deal, "extension_requested", author, asked, reason=deal.extension_reason)
        if decision is None:
            return
        manager = next((m for m in self.managers if m.id == org.account_manager_id), self.managers[0])
        decided = min(asked + timedelta(hours=rng.randint(2, 40)), self.now - timedelta(hours=1))
        deal.extension_decision, deal.updated_at = decision, decided
        if decision == GRANTED:
            previous = deal.protected_until
            deal.protected_until = previous + timedelta(days=rules.deals.extension_days)
            self._audit(deal, "extension_granted", manager, decided,
                        protected_until=deal.protected_until.isoformat(), previous_until=previous.isoformat())
        else:
            self._audit(deal, "extension_refused", manager, decided)

    def _claims(self, deal: Deal) -> None:
        keys = [f"name:{deal.customer_name_norm}"]
        if deal.inn:
            keys.append(f"inn:{deal.inn}")
        if deal.domain_norm:
            keys.append(f"domain:{deal.domain_norm}")
        for key in keys:
            db.session.add(DealClaim(key=key, deal_id=deal.id, created_at=deal.submitted_at))
            self.counts["claims"] += 1

    def _audit(self, deal: Deal, action: str, actor: User | None, when: datetime, **details) -> None:
        entry = audit("deal", deal.id, action, actor=actor, organisation_id=deal.organisation_id, **details)
        entry.created_at = when
        self.counts["audit entries"] += 1



def _present() -> bool:
    slugs = [spec.slug for spec in PARTNERS]
    return db.session.scalar(select(Deal.id).join(Organisation, Organisation.id == Deal.organisation_id)
                             .where(Organisation.slug.in_(slugs)).limit(1)) is not None


@demo_step("deals", order=30)
def demo_deals(ctx: DemoContext) -> dict[str, int] | None:
    if _present():
        return None
    if len(db.session.scalars(select(Organisation.id).where(
            Organisation.slug.in_([spec.slug for spec in PARTNERS]))).all()) < len(PARTNERS):
        ctx.echo("deals demo: the demo organisations are missing (the accounts step makes them)")
        return {}
    return _DemoDeals(rng_after_people(), ctx.now, ctx.today).build()


# --- the large demo (benchmarks) -------------------------------------------------------------------

@demo_step("deals", order=30, large=True)
def large_deals(ctx: DemoContext) -> dict[str, int]:
    """`deals` deals of the organisations the large accounts step just added, bulk-inserted; active
    deals get their claims (INSERT ... SELECT), so the live conflict check searches a realistically
    sized table. No audit entries are written."""
    deals, batch = ctx.options.get("deals", 200_000), ctx.options.get("batch", 5000)
    org_ids = ctx.shared.get("large_organisations") or []
    counts = {"deals": 0, "claims": 0}
    if not org_ids or deals <= 0:
        return counts
    rng, now = ctx.rng, ctx.now
    today = now.date()
    rules = program_rules.current()
    products = [p.code for p in rules.products]
    deal_offset = db.session.scalar(select(func.max(Deal.id))) or 0
    first_org_id = org_ids[0][0]
    first_user = dict(db.session.execute(
        select(User.organisation_id, func.min(User.id)).where(User.organisation_id >= first_org_id)
        .group_by(User.organisation_id)).all())
    manager_ids = list(db.session.scalars(select(User.id).where(User.role.in_((MANAGER, ADMIN)))))

    # Revenue concentrates on the top tiers (SPEC: Platinum 1-3 % of partners, 25-40 % of revenue).
    weight = {"platinum": 60.0, "gold": 12.0, "silver": 4.0, "bronze": 1.0}
    cumulative, total = [], 0.0
    for _org_id, tier, _region in org_ids:
        total += weight.get(tier, 1.0)
        cumulative.append(total)

    protection = rules.deals.protection_days
    sla = timedelta(hours=rules.deals.decision_sla_hours)

    def rows():
        for n in range(deals):
            number = deal_offset + n + 1
            org_id, tier, region = org_ids[_pick(cumulative, rng.random() * total)]
            submitted = now - timedelta(minutes=rng.randint(30, HISTORY_DAYS * 24 * 60))
            age = (now - submitted).days
            roll = rng.random()
            if age < 2:
                status = SUBMITTED if roll < 0.7 else APPROVED
            elif age < protection:
                status = APPROVED if roll < 0.5 else WON if roll < 0.68 else LOST if roll < 0.8 else REJECTED
            else:
                status = WON if roll < 0.42 else LOST if roll < 0.64 else REJECTED if roll < 0.8 else EXPIRED
            word = f"{rng.choice(PREFIXES)}{rng.choice(SUFFIXES)}"
            customer = f"{rng.choice(LEGAL_FORMS)} «{word.capitalize()}-{number}»"
            domain = f"{translit(word)}-{number}.ru"
            amount = int(math.exp(rng.uniform(math.log(300_000), math.log(30_000_000))) // 1000 * 1000)
            row = dict(
                organisation_id=org_id, created_by_id=first_user.get(org_id), customer_name=customer,
                customer_name_norm=normalise_company(customer),
                inn=inn10(f"{rng.choice(REGION_INN_PREFIX[region])}{number % 10_000_000:07d}"),
                # Generated lower-case ASCII: already canonical (checked on the first rows;
                # IDNA encoding every one of 200,000 would double the seeding time).
                domain=domain, domain_norm=normalise_domain(domain) if n < 1000 else domain,
                contact_name=person(rng)[0], contact_email=f"info@{domain}",
                product=rng.choice(products), amount_kopecks=amount * 100,
                expected_close_date=(submitted + timedelta(days=rng.randint(30, 150))).date(),
                region=region, status=status, submitted_at=submitted,
                decision_due_at=submitted + sla, decided_at=None, decided_by_id=None,
                protected_until=None, rejection_reason=None, final_amount_kopecks=None, closed_on=None,
                updated_at=submitted)
            if status != SUBMITTED:
                decided = min(submitted + timedelta(hours=rng.uniform(1, 60)), now)
                row.update(decided_at=decided, decided_by_id=rng.choice(manager_ids) if manager_ids else None,
                           updated_at=decided)
                if status == REJECTED:
                    row["rejection_reason"] = REJECTION_REASONS[number % len(REJECTION_REASONS)]
                else:
                    row["protected_until"] = decided.date() + timedelta(days=protection)
                if status in (WON, LOST):
                    closed = min(decided.date() + timedelta(days=rng.randint(7, protection)), today)
                    row.update(closed_on=closed)
                    if status == WON:
                        row["final_amount_kopecks"] = amount * 100
            if n < 1000:
                assert row["domain_norm"] == domain, domain
            yield row

    bulk_insert(Deal, rows(), batch, "Deals", length=deals)
    counts["deals"] = deals

    # Claims for the new active deals, one per key, in three set-based statements.
    new_active = (Deal.id > deal_offset) & Deal.status.in_(ACTIVE) & Deal.conflict_with_id.is_(None)
    before = db.session.scalar(select(func.count(DealClaim.id))) or 0
    held = aliased(DealClaim)
    for prefix, column in (("name:", Deal.customer_name_norm), ("inn:", Deal.inn), ("domain:", Deal.domain_norm)):
        key = literal(prefix) + column
        # A generated key that an earlier registration already holds stays unclaimed (first one wins).
        db.session.execute(insert(DealClaim).from_select(
            ["key", "deal_id", "created_at"],
            select(key, Deal.id, Deal.submitted_at).where(
                new_active, column.is_not(None), ~exists().where(held.key == key))))
    counts["claims"] = (db.session.scalar(select(func.count(DealClaim.id))) or 0) - before
    return counts


def _pick(cumulative: list[float], x: float) -> int:
    return min(bisect.bisect_right(cumulative, x), len(cumulative) - 1)
