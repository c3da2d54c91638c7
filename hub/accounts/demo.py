"""The demo program's organisations and people (P1, P9): the vendor Kvant Soft with its admin and
channel managers, thirty partner organisations of every type, segment, region and tier with their
partner admins and members, account managers for the key partners; `demo logins`; and the bulk
organisations and people of `demo large`.

Platform, like the rest of hub/accounts: the features' demo steps build on what is here (the
organisations by slug, `GOLD_DEMO` / `BRONZE_DEMO`, `person()`, `random_inn()`, `program_time()`).

Determinism: the demo of release 0.1.0 drew the people and then the deals from ONE generator seeded
with SEED. To keep every name, INN and amount as it was, this step draws from `random.Random(SEED)`
(not the per-step `ctx.rng`), and the deals step continues that stream from `rng_after_people()`,
which replays exactly the draws made here without touching the database.
"""
from __future__ import annotations

import os
import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.security import generate_password_hash

from .. import inn as inn_numbers
from ..core.cli import DemoContext, bulk_insert, demo_step
from ..extensions import db
from ..program import rules as program_rules
from .models import ADMIN, MANAGER, MEMBER, PARTNER, PARTNER_ADMIN, VENDOR, Organisation, User

SEED = 20240601
VENDOR_SLUG = "kvant"
DEFAULT_PASSWORD = "partnerhub-demo"
HISTORY_DAYS = 540  # eighteen months


def demo_password() -> str:
    return current_app.config.get("DEMO_PASSWORD") or os.environ.get("HUB_DEMO_PASSWORD") or DEFAULT_PASSWORD


_HASHES: dict[str, str] = {}


def password_hash() -> str:
    """One scrypt hash for every demo user: scrypt is deliberately slow, thousands would take minutes."""
    password = demo_password()
    if password not in _HASHES:
        _HASHES[password] = generate_password_hash(password, method="scrypt")
    return _HASHES[password]


# --- INN (taxpayer number): generated here, checked by hub/inn.py -----------------------------

def inn10(body9: str) -> str:
    """A legal entity's INN: nine digits (region, tax office, record) plus the check digit."""
    return inn_numbers.company(body9)


def inn12(body10: str) -> str:
    """A sole trader's INN: ten digits plus two check digits."""
    return inn_numbers.personal(body10)


REGION_INN_PREFIX = {
    "moscow": ("77", "50"), "spb": ("78", "47"), "central": ("36", "76", "71", "40"),
    "northwest": ("10", "29", "35", "53"), "south": ("23", "61", "34"), "volga": ("16", "52", "63", "59"),
    "ural": ("66", "74", "72"), "siberia": ("54", "24", "70", "38"), "fareast": ("25", "27", "14"),
    "kaliningrad": ("39",),
}


def random_inn(rng: random.Random, region: str, sole_trader: bool = False) -> str:
    """A valid INN of the region (one the hub accepts: never a one-digit placeholder)."""
    while True:
        prefix = rng.choice(REGION_INN_PREFIX.get(region, ("77",)))
        if sole_trader:
            number = inn12(prefix + "".join(rng.choice("0123456789") for _ in range(8)))
        else:
            number = inn10(prefix + "".join(rng.choice("0123456789") for _ in range(7)))
        if inn_numbers.is_valid(number):
            return number


# --- names ------------------------------------------------------------------------------------

_TRANSLIT = dict(zip(
    "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
    ["a", "b", "v", "g", "d", "e", "e", "zh", "z", "i", "y", "k", "l", "m", "n", "o", "p", "r", "s",
     "t", "u", "f", "kh", "ts", "ch", "sh", "shch", "", "y", "", "e", "yu", "ya"]))


def translit(text: str) -> str:
    return "".join(_TRANSLIT.get(ch, ch) for ch in text.lower())


MALE_FIRST = ["Алексей", "Андрей", "Дмитрий", "Сергей", "Иван", "Михаил", "Николай", "Павел", "Олег",
              "Артём", "Виктор", "Евгений", "Константин", "Роман", "Глеб", "Илья", "Тимур", "Максим",
              "Денис", "Владимир", "Юрий", "Григорий", "Степан", "Кирилл"]
FEMALE_FIRST = ["Анна", "Мария", "Елена", "Ольга", "Татьяна", "Наталья", "Ирина", "Екатерина",
                "Светлана", "Юлия", "Дарья", "Ксения", "Алина", "Вера", "Полина", "Марина", "Софья"]
# (masculine, feminine) surname forms
SURNAMES = [("Иванов", "Иванова"), ("Смирнов", "Смирнова"), ("Кузнецов", "Кузнецова"),
            ("Попов", "Попова"), ("Соколов", "Соколова"), ("Лебедев", "Лебедева"),
            ("Козлов", "Козлова"), ("Новиков", "Новикова"), ("Морозов", "Морозова"),
            ("Волков", "Волкова"), ("Соловьёв", "Соловьёва"), ("Васильев", "Васильева"),
            ("Зайцев", "Зайцева"), ("Павлов", "Павлова"), ("Семёнов", "Семёнова"),
            ("Голубев", "Голубева"), ("Виноградов", "Виноградова"), ("Богданов", "Богданова"),
            ("Воробьёв", "Воробьёва"), ("Фёдоров", "Фёдорова"), ("Михайлов", "Михайлова"),
            ("Беляев", "Беляева"), ("Тарасов", "Тарасова"), ("Белов", "Белова"),
            ("Комаров", "Комарова"), ("Орлов", "Орлова"), ("Киселёв", "Киселёва"),
            ("Макаров", "Макарова"), ("Андреев", "Андреева"), ("Ковалёв", "Ковалёва"),
            ("Ильин", "Ильина"), ("Гусев", "Гусева"), ("Титов", "Титова"), ("Кузьмин", "Кузьмина"),
            ("Кудрявцев", "Кудрявцева"), ("Баранов", "Баранова"), ("Куликов", "Куликова"),
            ("Алексеев", "Алексеева"), ("Степанов", "Степанова"), ("Яковлев", "Яковлева"),
            ("Сорокин", "Сорокина"), ("Сергеев", "Сергеева"), ("Романов", "Романова"),
            ("Захаров", "Захарова"), ("Борисов", "Борисова"), ("Королёв", "Королёва"),
            ("Герасимов", "Герасимова"), ("Пономарёв", "Пономарёва"), ("Григорьев", "Григорьева"),
            ("Лазарев", "Лазарева"), ("Медведев", "Медведева"), ("Ершов", "Ершова"),
            ("Никитин", "Никитина"), ("Соболев", "Соболева"), ("Рябов", "Рябова"),
            ("Поляков", "Полякова"), ("Цветков", "Цветкова"), ("Данилов", "Данилова"),
            ("Жуков", "Жукова"), ("Фролов", "Фролова"), ("Журавлёв", "Журавлёва"),
            ("Николаев", "Николаева"), ("Крылов", "Крылова"), ("Максимов", "Максимова"),
            ("Сидоров", "Сидорова"), ("Осипов", "Осипова"), ("Белоусов", "Белоусова"),
            ("Федотов", "Федотова"), ("Дорофеев", "Дорофеева"), ("Егоров", "Егорова"),
            ("Матвеев", "Матвеева"), ("Бобров", "Боброва"), ("Дмитриев", "Дмитриева"),
            ("Калинин", "Калинина"), ("Анисимов", "Анисимова"), ("Петухов", "Петухова"),
            ("Шубин", "Шубина"), ("Гарипов", "Гарипова"), ("Хабибуллин", "Хабибуллина")]


def person(rng: random.Random) -> tuple[str, str, str]:
    """(full name, first name, surname) of a random Russian person."""
    male = rng.random() < 0.6
    first = rng.choice(MALE_FIRST if male else FEMALE_FIRST)
    surname = rng.choice(SURNAMES)[0 if male else 1]
    return f"{first} {surname}", first, surname


@dataclass(frozen=True)
class OrgSpec:
    slug: str
    name: str
    partner_type: str
    segment: str
    region: str
    tier: str
    website: str
    members: int
    about_ru: str
    about_en: str


# One Platinum, three Gold, six Silver, the rest Bronze: the shape the program guide describes.
PARTNERS: tuple[OrgSpec, ...] = (
    OrgSpec("sibis", "ООО «Сибирские информационные системы»", "integrator", "strategic", "siberia",
            "platinum", "sibis.ru", 4,
            "Системный интегратор из Новосибирска: внедрения для промышленности и энергетики Сибири.",
            "Systems integrator from Novosibirsk serving industry and energy companies across Siberia."),
    OrgSpec("volgasoft", "ООО «Волга-Софт»", "integrator", "sales", "volga", "gold", "volgasoft.ru", 3,
            "Внедряет CRM и аналитику в Казани, Самаре и Нижнем Новгороде.",
            "Implements CRM and analytics in Kazan, Samara and Nizhny Novgorod."),
    OrgSpec("technodistr", "АО «ТехноДистрибуция»", "distributor", "sales", "moscow", "gold",
            "technodistr.ru", 4,
            "Федеральный дистрибьютор программного обеспечения, более 400 реселлеров.",
            "Nationwide software distributor with more than 400 resellers."),
    OrgSpec("nevsky-solutions", "ООО «Невские решения»", "integrator", "strategic", "spb", "gold",
            "nevsky-solutions.ru", 3,
            "Интегратор для банков и ритейла Северо-Запада, собственный центр поддержки.",
            "Integrator for banks and retail in the North-West with its own support centre."),
    OrgSpec("baltic-integration", "ООО «Балтик Интеграция»", "integrator", "sales", "kaliningrad", "silver",
            "baltic-integration.ru", 2,
            "Эксклюзивный партнёр в Калининградской области: логистика, порты, торговля.",
            "Exclusive partner in the Kaliningrad region: logistics, ports and trade."),
    OrgSpec("ural-automation", "ООО «Урал-Автоматизация»", "integrator", "sales", "ural", "silver",
            "ural-automation.ru", 3,
            "Автоматизация сервиса и продаж для машиностроения Урала.",
            "Service and sales automation for Ural engineering companies."),
    OrgSpec("yug-inform", "ООО «Юг-Информ»", "dealer", "sales", "south", "silver", "yug-inform.ru", 2,
            "Дилер в Краснодаре и Ростове-на-Дону, продажи и первая линия поддержки.",
            "Dealer in Krasnodar and Rostov-on-Don: sales and first-line support."),
    OrgSpec("cbs-center", "ООО «Центр бизнес-систем»", "integrator", "referral", "central", "silver",
            "cbs-center.ru", 2,
            "Клиент «Квант» с 2019 года, рекомендует платформу коллегам по отрасли.",
            "A Kvant customer since 2019 that recommends the platform to industry peers."),
    OrgSpec("dalit", "ООО «ДальИТ»", "integrator", "sales", "fareast", "silver", "dalit.ru", 2,
            "Интегратор во Владивостоке и Хабаровске, проекты для портов и рыбной отрасли.",
            "Integrator in Vladivostok and Khabarovsk working for ports and the fishing industry."),
    OrgSpec("nw-distribution", "АО «Северо-Западная дистрибуция»", "distributor", "sales", "northwest",
            "silver", "nwdistr.ru", 3,
            "Дистрибьютор для Карелии, Архангельской и Вологодской областей.",
            "Distributor for Karelia and the Arkhangelsk and Vologda regions."),
    OrgSpec("megapolis-td", "ООО «Торговый дом «Мегаполис»", "agent", "referral", "moscow", "bronze",
            "td-megapolis.ru", 1,
            "Оптовая торговля; пользуется «Квант CRM» и приводит партнёров по цепочке поставок.",
            "Wholesaler using Kvant CRM that refers its supply-chain partners."),
    OrgSpec("vector-consulting", "ООО «Консалтинговая группа «Вектор»", "agent", "strategic", "moscow",
            "bronze", "vector-consult.ru", 2,
            "Управленческий консалтинг; рекомендует «Квант» в проектах цифровой трансформации.",
            "Management consultancy recommending Kvant in digital transformation projects."),
    OrgSpec("kazan-it", "ООО «ИТ-Партнёр Казань»", "dealer", "sales", "volga", "bronze", "itpartner-kzn.ru", 1,
            "Небольшой дилер в Казани, продажи малому и среднему бизнесу.",
            "A small dealer in Kazan selling to small and medium businesses."),
    OrgSpec("ekb-soft", "ООО «Екатеринбург Софт»", "dealer", "sales", "ural", "bronze", "ekbsoft.ru", 2,
            "Продажи лицензий и обучение пользователей в Свердловской области.",
            "Licence sales and end-user training in the Sverdlovsk region."),
    OrgSpec("chernozemye", "ООО «Черноземье Системы»", "integrator", "sales", "central", "bronze",
            "chernozem-sys.ru", 2,
            "Внедрения для агрохолдингов Воронежа, Белгорода и Липецка.",
            "Implementations for agricultural holdings in Voronezh, Belgorod and Lipetsk."),
    OrgSpec("krasnoyarsk-tech", "ООО «КрасТехСервис»", "integrator", "sales", "siberia", "bronze",
            "krastech.ru", 1,
            "Сервис-деск и автоматизация поддержки для горнодобывающих компаний.",
            "Service desk and support automation for mining companies."),
    OrgSpec("don-trade", "ИП Ковалёв А. С. («Дон-Трейд»)", "agent", "sales", "south", "bronze",
            "don-trade.ru", 1,
            "Агент в Ростове-на-Дону, приводит клиентов из оптовой торговли.",
            "An agent in Rostov-on-Don bringing wholesale trade customers."),
    OrgSpec("samara-cs", "ООО «Самара Консалт-Сервис»", "integrator", "referral", "volga", "bronze",
            "samaracs.ru", 2,
            "Клиент и партнёр: внедрил «Квант Сервис-деск» у себя и советует его клиентам.",
            "Customer and partner: runs Kvant Service Desk in-house and recommends it to clients."),
    OrgSpec("pskov-it", "ООО «ПсковИнфоТех»", "dealer", "sales", "northwest", "bronze", "pskovit.ru", 1,
            "Дилер в Пскове и Великом Новгороде.",
            "A dealer in Pskov and Veliky Novgorod."),
    OrgSpec("arktika-soft", "ООО «Арктика Софт»", "integrator", "sales", "northwest", "bronze",
            "arktikasoft.ru", 2,
            "Внедрения в Мурманске для портов и энергетики.",
            "Implementations in Murmansk for ports and energy."),
    OrgSpec("amur-distribution", "ООО «Амур Дистрибуция»", "distributor", "sales", "fareast", "bronze",
            "amurdistr.ru", 2,
            "Дистрибьютор на Дальнем Востоке, склад и логистика в Хабаровске.",
            "Far East distributor with a warehouse and logistics in Khabarovsk."),
    OrgSpec("tula-digital", "ООО «Тула Диджитал»", "agent", "sales", "central", "bronze", "tuladigital.ru", 1,
            "Маркетинговое агентство, продаёт CRM своим клиентам.",
            "A marketing agency reselling CRM to its clients."),
    OrgSpec("chelyabinsk-prom", "ООО «ЧелябПромАвтоматика»", "integrator", "sales", "ural", "bronze",
            "chelprom-auto.ru", 3,
            "Интегратор для металлургии и машиностроения Челябинска.",
            "Integrator for steel and engineering companies in Chelyabinsk."),
    OrgSpec("kuban-biz", "ООО «Кубань Бизнес Решения»", "dealer", "sales", "south", "bronze", "kubanbiz.ru", 1,
            "Продажи и внедрение для агробизнеса Кубани.",
            "Sales and implementation for Kuban agribusiness."),
    OrgSpec("tomsk-analytics", "ООО «Томск Аналитика»", "integrator", "strategic", "siberia", "bronze",
            "tomsk-analytics.ru", 2,
            "Команда бывших исследователей ТГУ, специализация — BI и отчётность.",
            "A team of former Tomsk University researchers specialising in BI and reporting."),
    OrgSpec("spb-retail-it", "ООО «Ритейл ИТ»", "dealer", "referral", "spb", "bronze", "retail-it.ru", 1,
            "Сеть магазинов электроники, пользуется «Квант» и рекомендует поставщикам.",
            "An electronics chain that uses Kvant and recommends it to suppliers."),
    OrgSpec("nn-integrator", "ООО «НН Интеграция»", "integrator", "sales", "volga", "bronze",
            "nn-integration.ru", 2,
            "Интегратор в Нижнем Новгороде, проекты для автопрома.",
            "Integrator in Nizhny Novgorod working for the automotive industry."),
    OrgSpec("yakutia-service", "ООО «Якутия Сервис»", "agent", "sales", "fareast", "bronze",
            "yakutservice.ru", 1,
            "Агент в Якутске, клиенты в добыче и транспорте.",
            "An agent in Yakutsk with customers in mining and transport."),
    OrgSpec("capital-dist", "АО «Столичный дистрибьютор»", "distributor", "strategic", "moscow", "bronze",
            "capital-dist.ru", 3,
            "Крупный дистрибьютор, начинает работу с «Квант» в 2024 году.",
            "A large distributor starting to work with Kvant in 2024."),
    OrgSpec("yaroslavl-soft", "ООО «Ярославль Софт»", "dealer", "sales", "central", "bronze",
            "yarsoft.ru", 1,
            "Дилер в Ярославле и Костроме.",
            "A dealer in Yaroslavl and Kostroma."),
)

GOLD_DEMO = "volgasoft"
BRONZE_DEMO = "kazan-it"
# Partners with an account manager (the vendor's key partners): Platinum, Gold and three Silver.
KEY_PARTNERS = ("sibis", "volgasoft", "technodistr", "nevsky-solutions", "baltic-integration",
                "ural-automation", "nw-distribution")

VENDOR_PEOPLE = (
    # email, name, role, locale
    ("admin@kvant.demo", "Ирина Воронцова", ADMIN, "ru"),
    ("manager@kvant.demo", "Павел Горшков", MANAGER, "ru"),
    ("e.sokolova@kvant.demo", "Елена Соколова", MANAGER, "ru"),
    ("d.harris@kvant.demo", "Daniel Harris", MANAGER, "en"),
)


# Words of the bulk organisations' and customers' names (`demo large`).
PREFIXES = ("Урал", "Сибирь", "Волга", "Север", "Юг", "Балт", "Дон", "Кама", "Ока", "Енисей", "Ангара",
             "Алтай", "Байкал", "Амур", "Нева", "Вятка", "Печора", "Кубань", "Тайга", "Восток", "Запад",
             "Центр", "Меридиан", "Вектор", "Полюс", "Гранит", "Сапфир", "Альфа", "Омега", "Прима")
SUFFIXES = ("техмонтаж", "строй", "пром", "энерго", "снаб", "логистик", "агро", "мед", "фарм", "трейд",
             "инвест", "сервис", "маш", "хим", "металл", "транс", "софт", "телеком", "нефть", "лес")
LEGAL_FORMS = ("ООО", "ООО", "ООО", "АО", "ПАО")


def timezone_for(region: str | None) -> str:
    return {"kaliningrad": "Europe/Kaliningrad", "ural": "Asia/Yekaterinburg", "siberia": "Asia/Novosibirsk",
            "fareast": "Asia/Vladivostok", "volga": "Europe/Samara"}.get(region or "", "Europe/Moscow")



def demo_present() -> bool:
    return db.session.scalar(select(Organisation.id).where(Organisation.slug == VENDOR_SLUG)) is not None


def logins_table() -> str:
    password = demo_password()
    rows = [("admin", "admin@kvant.demo", "Квант Софт")]
    rows.append(("channel manager", "manager@kvant.demo", "Квант Софт"))
    for slug, tier in ((GOLD_DEMO, "Gold"), (BRONZE_DEMO, "Bronze")):
        spec = next(p for p in PARTNERS if p.slug == slug)
        rows.append((f"partner admin ({tier})", f"admin@{spec.slug}.demo", spec.name))
        rows.append((f"partner member ({tier})", f"member@{spec.slug}.demo", spec.name))
    width_role = max(len(r[0]) for r in rows)
    width_mail = max(len(r[1]) for r in rows)
    lines = [f"Demo logins (password: {password})"]
    lines += [f"  {role:<{width_role}}  {email:<{width_mail}}  {org}" for role, email, org in rows]
    try:
        present = demo_present()
    except SQLAlchemyError:  # no schema yet
        db.session.rollback()
        present = False
    if not present:
        lines.append("  (the demo program is not loaded yet: run `flask --app hub demo`)")
    return "\n".join(lines)


def program_time(day: date, hour: int, minute: int = 0) -> datetime:
    """A wall-clock time in the program's zone on `day`, as aware UTC (demo timestamps)."""
    zone = ZoneInfo(program_rules.current().timezone)
    return datetime.combine(day, time(hour, minute), zone).astimezone(timezone.utc)


# --- the demo program's organisations and people ------------------------------------------------

@dataclass(frozen=True)
class _Person:
    email: str
    name: str
    role: str
    locale: str
    created: datetime
    last_login: timedelta | None  # how long before "now" they last logged in


@dataclass(frozen=True)
class _Partner:
    spec: OrgSpec
    created: datetime
    inn: str
    people: tuple[_Person, ...]


def _last_login(rng: random.Random) -> timedelta | None:
    if rng.random() < 0.8:
        return timedelta(days=rng.randint(0, 60), minutes=rng.randint(0, 1440))
    return None


def _draw(rng: random.Random, now: datetime) -> tuple[list[_Person], list[_Partner]]:
    """Everything random about the organisations and people, in the order 0.1.0 drew it; no database."""
    vendor_created = now - timedelta(days=HISTORY_DAYS + 120)
    vendor = [_Person(email, name, role, locale, vendor_created, _last_login(rng))
              for email, name, role, locale in VENDOR_PEOPLE]
    partners = []
    for i, spec in enumerate(PARTNERS):
        # Key partners joined early; the newest Bronze ones only a few months ago.
        joined_days = HISTORY_DAYS + 60 - i * 14 + rng.randint(0, 10)
        created = now - timedelta(days=max(joined_days, 45))
        inn = random_inn(rng, spec.region, sole_trader=spec.name.startswith("ИП"))
        partners.append(_Partner(spec, created, inn, tuple(_draw_people(rng, spec, created, now))))
    return vendor, partners


def _draw_people(rng: random.Random, spec: OrgSpec, created: datetime, now: datetime) -> list[_Person]:
    demo_org = spec.slug in (GOLD_DEMO, BRONZE_DEMO)
    # Partners near the border and the distributors work partly in English.
    english = spec.region == "kaliningrad" or spec.partner_type == "distributor"
    people, used = [], set()
    for n in range(1 + spec.members):
        name, first, surname = person(rng)
        while surname in used:
            name, first, surname = person(rng)
        used.add(surname)
        role = PARTNER_ADMIN if n == 0 else MEMBER
        # Addresses under .demo, never the company's real-looking domain: nobody gets demo mail.
        if demo_org and n <= 1:
            email = f"{'admin' if n == 0 else 'member'}@{spec.slug}.demo"
        else:
            email = f"{translit(first)[0]}.{translit(surname)}@{spec.slug}.demo"
        locale = "en" if english and n % 2 == 1 else "ru"
        joined = created + timedelta(days=0 if n == 0 else rng.randint(1, 120))
        people.append(_Person(email, name, role, locale, min(joined, now), _last_login(rng)))
    return people


def rng_after_people(seed: int = SEED) -> random.Random:
    """The demo's generator where 0.1.0 left it after drawing the organisations and people: the deals
    step draws on from here, so its deals are the ones 0.1.0 made."""
    rng = random.Random(seed)
    _draw(rng, datetime(2000, 1, 1, tzinfo=timezone.utc))
    return rng


def _add_people(org: Organisation, people, now: datetime, hashed: str) -> list[User]:
    users = []
    for p in people:
        user = User(email=p.email, name=p.name, role=p.role, organisation_id=org.id, password_hash=hashed,
                    locale=p.locale, timezone=timezone_for(org.region), created_at=p.created)
        if p.last_login is not None:
            user.last_login_at = now - p.last_login
        db.session.add(user)
        users.append(user)
    db.session.flush()
    return users


@demo_step("accounts", order=10)
def demo_accounts(ctx: DemoContext) -> dict[str, int] | None:
    """The vendor, the partner organisations and their people (rows in the order 0.1.0 wrote them,
    so their ids are the same too)."""
    if demo_present():
        return None
    now, hashed = ctx.now, password_hash()
    vendor_people, partners = _draw(random.Random(SEED), now)
    vendor = Organisation(
        slug=VENDOR_SLUG, name="Квант Софт", kind=VENDOR, region="moscow",
        inn=inn10("770861234"), website="https://kvant.demo", created_at=vendor_people[0].created,
        description="Разработчик платформы «Квант»: CRM, аналитика и сервис-деск.\n\n"
                    "Kvant Soft develops the Kvant platform: CRM, analytics and service desk.")
    db.session.add(vendor)
    db.session.flush()
    managers = [u for u in _add_people(vendor, vendor_people, now, hashed) if u.role == MANAGER]
    orgs, users = {}, len(vendor_people)
    for partner in partners:
        spec = partner.spec
        org = Organisation(
            slug=spec.slug, name=spec.name, kind=PARTNER, partner_type=spec.partner_type,
            segment=spec.segment, region=spec.region, tier=spec.tier, inn=partner.inn,
            website=f"https://{spec.website}", created_at=partner.created,
            description=f"{spec.about_ru}\n\n{spec.about_en}")
        db.session.add(org)
        db.session.flush()
        orgs[spec.slug] = org
        users += len(_add_people(org, partner.people, now, hashed))
    # Account managers for the key partners, spread across the channel managers.
    for i, slug in enumerate(KEY_PARTNERS):
        orgs[slug].account_manager_id = managers[i % len(managers)].id
    db.session.flush()
    return {"organisations": 1 + len(orgs), "users": users}


# --- the large demo (benchmarks) -------------------------------------------------------------------

@demo_step("accounts", order=10, large=True)
def large_accounts(ctx: DemoContext) -> dict[str, int]:
    """`orgs` partner organisations with `users_per_org` people each, bulk-inserted. Leaves the new
    organisations as (id, tier, region) in `ctx.shared["large_organisations"]` for the deals."""
    orgs, users_per_org = ctx.options.get("orgs", 5000), ctx.options.get("users_per_org", 4)
    batch, rng, now = ctx.options.get("batch", 5000), ctx.rng, ctx.now
    regions = [r.code for r in program_rules.current().regions]
    tiers = ("platinum",) * 2 + ("gold",) * 8 + ("silver",) * 17 + ("bronze",) * 73
    hashed = password_hash()
    org_offset = db.session.scalar(select(func.count(Organisation.id))) or 0
    first_org_id = (db.session.scalar(select(func.max(Organisation.id))) or 0) + 1

    org_rows = []
    for n in range(orgs):
        number = org_offset + n + 1
        slug = f"bulk-{number:06d}"
        region = rng.choice(regions)
        name = f"{rng.choice(LEGAL_FORMS)} «{rng.choice(PREFIXES)}{rng.choice(SUFFIXES)} {number}»"
        org_rows.append(dict(
            slug=slug, name=name, kind=PARTNER, partner_type=rng.choice(("integrator", "distributor", "agent", "dealer")),
            segment=rng.choice(("referral", "sales", "sales", "strategic")), region=region,
            tier=rng.choice(tiers), inn=inn10(f"{rng.choice(REGION_INN_PREFIX[region])}{number:07d}"),
            website=f"https://{slug}.demo", created_at=now - timedelta(days=rng.randint(30, 900))))
    bulk_insert(Organisation, org_rows, batch, "Organisations")

    # The new organisations' ids, in slug order (the numbers are zero-padded).
    org_ids = [tuple(row) for row in db.session.execute(
        select(Organisation.id, Organisation.tier, Organisation.region).where(Organisation.slug.like("bulk-%"))
        .where(Organisation.id >= first_org_id).order_by(Organisation.id))]
    user_rows = []
    for org_id, _tier, _region in org_ids:
        for k in range(users_per_org):
            name, _first, _surname = person(rng)
            user_rows.append(dict(
                email=f"{'admin' if k == 0 else f'member{k}'}@org{org_id}.bulk.demo", name=name,
                password_hash=hashed, role=PARTNER_ADMIN if k == 0 else MEMBER, organisation_id=org_id,
                locale="en" if k % 5 == 4 else "ru", timezone="Europe/Moscow", is_active_user=True,
                created_at=now - timedelta(days=30), failed_logins=0))
    bulk_insert(User, user_rows, batch, "Users")
    ctx.shared["large_organisations"] = org_ids
    return {"organisations": len(org_rows), "users": len(user_rows)}
