import re
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select

from hub import inn as inn_numbers
from hub.core.models import AuditEntry, OutboxMessage
from hub.extensions import db
from tests import factories
from tests.helpers import _english_browser, url  # noqa: F401 (autouse fixture, re-exported helper)

INN = inn_numbers.company("770708389")
INN2 = inn_numbers.company("502700012")
LINK = re.compile(r"https?://\S+")


def form_data(**kw):
    out = {"company": "ООО «Новый партнёр»", "inn": INN, "website": "www.new-partner.example",
           "partner_type": "integrator", "regions": ["moscow", "spb"], "products": ["crm"],
           "expected_deals": "Two CRM projects", "contact_name": "Nadia New", "contact_email": "Nadia@New-Partner.example",
           "contact_phone": "+7 900 123-45-67", "consent": "y"}
    out.update(kw)
    return {k: v for k, v in out.items() if v is not None}


def values(**kw):
    out = {"company": "ООО «Новый партнёр»", "inn": INN, "website": "https://new-partner.example",
           "partner_type": "integrator", "regions": "moscow", "products": "crm", "expected_deals": "",
           "contact_name": "Nadia New", "contact_email": "nadia@new-partner.example", "contact_phone": ""}
    out.update(kw)
    return out


def mails_to(address: str) -> list[OutboxMessage]:
    return list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == address)
                                   .order_by(OutboxMessage.id)))


def link_path(message: OutboxMessage, part: str = "") -> str:
    for match in LINK.finditer(message.body):
        link = urlsplit(match.group(0))
        assert link.scheme in ("http", "https") and link.netloc, "links in e-mail are absolute"
        if part in link.path:
            return link.path
    raise AssertionError(message.body)


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def audit_actions(obj_type: str) -> list[str]:
    return list(db.session.scalars(select(AuditEntry.action).where(AuditEntry.object_type == obj_type)
                                   .order_by(AuditEntry.id)))


def text(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def w(app):
    world = factories.world()
    world.manager2 = factories.create_user(world.vendor, "manager", "manager2@example.test", name="Mikhail")
    db.session.commit()
    return world
