"""Demo program (P4, P9): `flask --app hub demo`, `demo logins`, `demo large`.

The small demo is a realistic, bilingual partner program of the vendor Kvant Soft: about thirty
partner organisations across types, segments, regions and tiers, their people, and deals in every
status spread over the last eighteen months with the audit trail of each transition. It is
deterministic (one seeded random generator) and idempotent (the vendor's slug marks it present).

`demo large` bulk-inserts thousands of organisations and hundreds of thousands of deals for the
benchmark (bench/deals.py). It adds to what is there, so it can run after the small demo.
"""
from __future__ import annotations

import math
import os
import random
from dataclasses import dataclass
from zoneinfo import ZoneInfo
from datetime import date, datetime, time, timedelta, timezone

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import exists, func, insert, literal, select
from sqlalchemy.orm import aliased
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.security import generate_password_hash

from . import inn as inn_numbers
from .accounts.models import ADMIN, MANAGER, MEMBER, PARTNER, PARTNER_ADMIN, VENDOR, Organisation, User
from .core.cli import DEMO_STEPS, LARGE_DEMO_STEPS, run_demo_steps
from .core.services import audit
from .database import utcnow, write_intent
from .deals.models import (ACTIVE, APPROVED, EXPIRED, LOST, REJECTED, SUBMITTED, WON, Deal,
                           DealClaim)
from .extensions import db

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


# --- CLI -------------------------------------------------------------------------------------

@click.group("demo", invoke_without_command=True)
@click.pass_context
@with_appcontext
def demo_command(ctx: click.Context) -> None:
    """Create the realistic bilingual demo program (idempotent); see also `logins` and `large`."""
    if ctx.invoked_subcommand is None:
        create_demo(echo=click.echo)
        create_academy_demo_for(echo=click.echo)
        run_feature_steps(echo=click.echo)


def run_feature_steps(echo=print, seed: int = SEED) -> dict[str, dict]:
    """The demo data of the features that register a demo step (hub/core/cli.py), after the program's
    organisations, people and deals exist. Each step is idempotent on its own."""
    now = utcnow()
    return run_demo_steps(DEMO_STEPS, seed=seed, today=now.date(), now=now, echo=echo)


def create_academy_demo_for(echo=print) -> dict[str, int]:
    """The academy's demo (idempotent on its own), told when each organisation registered its first deal."""
    from .academy.demo import create_academy_demo
    first = dict(db.session.execute(select(Deal.organisation_id, func.min(Deal.submitted_at))
                                    .group_by(Deal.organisation_id)).all())
    return create_academy_demo(echo=echo, first_deals=first, gold=GOLD_DEMO, bronze=BRONZE_DEMO)


@demo_command.command("logins")
@with_appcontext
def demo_logins() -> None:
    """Print the demo logins, one per role."""
    click.echo(logins_table())


@demo_command.command("large")
@click.option("--orgs", default=5000, show_default=True, help="Partner organisations to add.")
@click.option("--deals", default=200_000, show_default=True, help="Deals to add.")
@click.option("--users-per-org", default=4, show_default=True, help="People per organisation.")
@click.option("--batch", default=5000, show_default=True, help="Rows per INSERT batch.")
@click.option("--seed", default=SEED, show_default=True)
@with_appcontext
def demo_large(orgs: int, deals: int, users_per_org: int, batch: int, seed: int) -> None:
    """Bulk-insert a large program for benchmarks (adds to what is there)."""
    counts = create_large(orgs=orgs, deals=deals, users_per_org=users_per_org, batch=batch, seed=seed,
                          echo=click.echo)
    click.echo(", ".join(f"{k}: {v}" for k, v in counts.items()))
    now = utcnow()
    run_demo_steps(LARGE_DEMO_STEPS, seed=seed, today=now.date(), now=now, echo=click.echo,
                   options={"orgs": orgs, "deals": deals, "users_per_org": users_per_org, "batch": batch})


# --- the small demo ----------------------------------------------------------------------------

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


def create_demo(echo=print, seed: int = SEED, today: date | None = None) -> dict[str, int]:
    """Create the demo program once. Returns the counts of what it created (empty when present)."""
    from .rewards.demo import seed as seed_rewards
    if demo_present():
        echo("demo program already present")
        seed_rewards(echo)
        return {}
    with write_intent():
        builder = _DemoBuilder(random.Random(seed), today or utcnow().date(), echo)
        counts = builder.build()
        # The deals' events go out once this commits: rewards and the academy learn of the demo's
        # approvals and wins through their listeners, as they would have live.
        db.session.commit()
    echo("demo program created: " + ", ".join(f"{k}: {v}" for k, v in counts.items()))
    seed_rewards(echo)
    return counts


class _DemoBuilder:
    def __init__(self, rng: random.Random, today: date, echo):
        from .program import rules as program_rules
        self.rng = rng
        self.today = today
        self.now = utcnow()
        self.echo = echo
        self.rules = program_rules.current()
        self.zone = ZoneInfo(self.rules.timezone)
        self.hash = password_hash()
        self.orgs: dict[str, Organisation] = {}
        self.people: dict[str, list[User]] = {}
        self.managers: list[User] = []
        self.counts = {"organisations": 0, "users": 0, "deals": 0, "claims": 0, "audit entries": 0}

    def build(self) -> dict[str, int]:
        self._vendor()
        self._partners()
        self._deals()
        self._library_usage()
        self._tier_history()
        self._deal_events()
        return self.counts

    def _tier_history(self) -> None:
        """How the organisations climbed to their demo tiers, written before the deals' events go
        out: rewards prices each win at the tier held on its won date."""
        from .rewards.demo import seed_tier_history
        added = seed_tier_history(self.now)
        if added:
            self.echo(f"rewards demo: tier history: {added} changes")

    def _deal_events(self) -> None:
        """The domain events of the decided deals, deal by deal in the order of their decisions:
        the approval, then how it ended (won, lost, expired). Emitted in the demo's transaction."""
        from .deals.services import emit_transition
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

    def _library_usage(self) -> None:
        """Views and downloads of the library (loaded by `content load`) for the usage report: each
        partner used a few of the items its tier may see. Its own generator: the rest stays as it was."""
        from .library.models import TIERS, LibraryItem, LibraryUsage
        items = list(db.session.scalars(select(LibraryItem).order_by(LibraryItem.slug)))
        if not items:
            return
        rng = random.Random(SEED + 4)
        popular = items[: max(1, len(items) // 4)]
        rows = 0
        for org in self.orgs.values():
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
                                            last_used_at=self._at(self.today - timedelta(days=rng.randint(0, 90)), 11)))
                rows += 1
        self.counts["library usage rows"] = rows

    def _at(self, day: date, hour: int, minute: int = 0) -> datetime:
        """A wall-clock time in the program's zone on `day`, as aware UTC."""
        return datetime.combine(day, time(hour, minute), self.zone).astimezone(timezone.utc)

    def _user(self, org: Organisation, email: str, name: str, role: str, locale: str,
              created: datetime) -> User:
        user = User(email=email, name=name, role=role, organisation_id=org.id, password_hash=self.hash,
                    locale=locale, timezone=_timezone(org.region), created_at=created)
        if self.rng.random() < 0.8:
            user.last_login_at = self.now - timedelta(days=self.rng.randint(0, 60), minutes=self.rng.randint(0, 1440))
        db.session.add(user)
        self.counts["users"] += 1
        return user

    def _vendor(self) -> None:
        created = self.now - timedelta(days=HISTORY_DAYS + 120)
        vendor = Organisation(
            slug=VENDOR_SLUG, name="Квант Софт", kind=VENDOR, region="moscow",
            inn=inn10("770861234"), website="https://kvant.demo", created_at=created,
            description="Разработчик платформы «Квант»: CRM, аналитика и сервис-деск.\n\n"
                        "Kvant Soft develops the Kvant platform: CRM, analytics and service desk.")
        db.session.add(vendor)
        db.session.flush()
        self.counts["organisations"] += 1
        self.vendor = vendor
        for email, name, role, locale in VENDOR_PEOPLE:
            user = self._user(vendor, email, name, role, locale, created)
            if role == MANAGER:
                self.managers.append(user)
        db.session.flush()

    def _partners(self) -> None:
        rng = self.rng
        with click.progressbar(PARTNERS, label="Partner organisations") as bar:
            for i, spec in enumerate(bar):
                # Key partners joined early; the newest Bronze ones only a few months ago.
                joined_days = HISTORY_DAYS + 60 - i * 14 + rng.randint(0, 10)
                created = self.now - timedelta(days=max(joined_days, 45))
                org = Organisation(
                    slug=spec.slug, name=spec.name, kind=PARTNER, partner_type=spec.partner_type,
                    segment=spec.segment, region=spec.region, tier=spec.tier,
                    inn=random_inn(rng, spec.region, sole_trader=spec.name.startswith("ИП")),
                    website=f"https://{spec.website}", created_at=created,
                    description=f"{spec.about_ru}\n\n{spec.about_en}")
                db.session.add(org)
                db.session.flush()
                self.counts["organisations"] += 1
                self.orgs[spec.slug] = org
                self.people[spec.slug] = self._partner_people(org, spec, created)
        # Account managers for the key partners, spread across the channel managers.
        for i, slug in enumerate(KEY_PARTNERS):
            self.orgs[slug].account_manager_id = self.managers[i % len(self.managers)].id
        db.session.flush()

    def _partner_people(self, org: Organisation, spec: OrgSpec, created: datetime) -> list[User]:
        rng = self.rng
        demo_org = spec.slug in (GOLD_DEMO, BRONZE_DEMO)
        # Partners near the border and the distributors work partly in English.
        english = spec.region == "kaliningrad" or spec.partner_type == "distributor"
        people = []
        used = set()
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
            people.append(self._user(org, email, name, role, locale, min(joined, self.now)))
        db.session.flush()
        return people

    # deals ---------------------------------------------------------------------------------

    def _deals(self) -> None:
        from .deals.normalize import normalise_company, normalise_domain
        self.norm_company, self.norm_domain = normalise_company, normalise_domain
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
        from .deals.services import GRANTED, REFUSED
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
            customer_name=name, customer_name_norm=self.norm_company(name),
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
        deal.domain_norm = self.norm_domain(deal.domain) if deal.domain else None
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
        from .deals.services import GRANTED
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


def _timezone(region: str | None) -> str:
    return {"kaliningrad": "Europe/Kaliningrad", "ural": "Asia/Yekaterinburg", "siberia": "Asia/Novosibirsk",
            "fareast": "Asia/Vladivostok", "volga": "Europe/Samara"}.get(region or "", "Europe/Moscow")


# --- the large demo (benchmarks) ---------------------------------------------------------------

_PREFIXES = ("Урал", "Сибирь", "Волга", "Север", "Юг", "Балт", "Дон", "Кама", "Ока", "Енисей", "Ангара",
             "Алтай", "Байкал", "Амур", "Нева", "Вятка", "Печора", "Кубань", "Тайга", "Восток", "Запад",
             "Центр", "Меридиан", "Вектор", "Полюс", "Гранит", "Сапфир", "Альфа", "Омега", "Прима")
_SUFFIXES = ("техмонтаж", "строй", "пром", "энерго", "снаб", "логистик", "агро", "мед", "фарм", "трейд",
             "инвест", "сервис", "маш", "хим", "металл", "транс", "софт", "телеком", "нефть", "лес")
_LEGAL = ("ООО", "ООО", "ООО", "АО", "ПАО")


def create_large(orgs: int = 5000, deals: int = 200_000, users_per_org: int = 4, batch: int = 5000,
                 seed: int = SEED, echo=print) -> dict[str, int]:
    """Bulk-insert `orgs` partner organisations with their people and `deals` deals.

    Rows go in with `session.execute(insert(Model), rows)` in batches: the ORM's per-object work
    would take many minutes at this size. Active deals get their claims (INSERT ... SELECT), so the
    live conflict check searches a realistically sized table. No audit entries are written.
    """
    from .deals.normalize import normalise_company, normalise_domain
    from .program import rules as program_rules

    rules = program_rules.current()
    rng = random.Random(seed)
    now = utcnow()
    today = now.date()
    hashed = password_hash()
    counts = {"organisations": 0, "users": 0, "deals": 0, "claims": 0}
    regions = [r.code for r in rules.regions]
    products = [p.code for p in rules.products]
    tiers = ("platinum",) * 2 + ("gold",) * 8 + ("silver",) * 17 + ("bronze",) * 73

    with write_intent():
        org_offset = db.session.scalar(select(func.count(Organisation.id))) or 0
        deal_offset = db.session.scalar(select(func.max(Deal.id))) or 0
        first_org_id = (db.session.scalar(select(func.max(Organisation.id))) or 0) + 1

        org_rows, user_rows = [], []
        for n in range(orgs):
            number = org_offset + n + 1
            slug = f"bulk-{number:06d}"
            region = rng.choice(regions)
            name = f"{rng.choice(_LEGAL)} «{rng.choice(_PREFIXES)}{rng.choice(_SUFFIXES)} {number}»"
            org_rows.append(dict(
                slug=slug, name=name, kind=PARTNER, partner_type=rng.choice(("integrator", "distributor", "agent", "dealer")),
                segment=rng.choice(("referral", "sales", "sales", "strategic")), region=region,
                tier=rng.choice(tiers), inn=inn10(f"{rng.choice(REGION_INN_PREFIX[region])}{number:07d}"),
                website=f"https://{slug}.demo", created_at=now - timedelta(days=rng.randint(30, 900))))
        _bulk(Organisation, org_rows, batch, "Organisations")
        counts["organisations"] = len(org_rows)

        # The new organisations' ids, in slug order (the numbers are zero-padded).
        org_ids = list(db.session.execute(
            select(Organisation.id, Organisation.tier, Organisation.region).where(Organisation.slug.like("bulk-%"))
            .where(Organisation.id >= first_org_id).order_by(Organisation.id)))
        for org_id, _tier, _region in org_ids:
            for k in range(users_per_org):
                name, _first, _surname = person(rng)
                user_rows.append(dict(
                    email=f"{'admin' if k == 0 else f'member{k}'}@org{org_id}.bulk.demo", name=name,
                    password_hash=hashed, role=PARTNER_ADMIN if k == 0 else MEMBER, organisation_id=org_id,
                    locale="en" if k % 5 == 4 else "ru", timezone="Europe/Moscow", is_active_user=True,
                    created_at=now - timedelta(days=30), failed_logins=0))
        _bulk(User, user_rows, batch, "Users")
        counts["users"] = len(user_rows)

        if not org_ids or deals <= 0:
            db.session.commit()
            return counts
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
                word = f"{rng.choice(_PREFIXES)}{rng.choice(_SUFFIXES)}"
                customer = f"{rng.choice(_LEGAL)} «{word.capitalize()}-{number}»"
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

        _bulk(Deal, rows(), batch, "Deals", length=deals)
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
        db.session.commit()
    return counts


def _pick(cumulative: list[float], x: float) -> int:
    import bisect
    return min(bisect.bisect_right(cumulative, x), len(cumulative) - 1)


def _bulk(model, rows, batch: int, label: str, length: int | None = None) -> None:
    rows = iter(rows)
    total = length if length is not None else None
    if total is None:
        rows = list(rows)
        total = len(rows)
        rows = iter(rows)
    with click.progressbar(length=total, label=label) as bar:
        while True:
            chunk = [row for _, row in zip(range(batch), rows)]
            if not chunk:
                break
            # The table's Core insert: one executemany per batch (the ORM's bulk path splits batches
            # into many statements when rows differ in which columns are NULL).
            db.session.execute(insert(model.__table__), chunk)
            bar.update(len(chunk))
