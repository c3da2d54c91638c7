"""Small helpers shared by the accounts tests."""
from __future__ import annotations

import re
from urllib.parse import urlsplit

from sqlalchemy import func, select

from hub.core.models import AuditEntry, OutboxMessage
from hub.extensions import db

LINK = re.compile(r"https?://\S+")


def mails_to(address: str) -> list[OutboxMessage]:
    return list(db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.recipient == address).order_by(OutboxMessage.id)))


def link_path(message: OutboxMessage) -> str:
    """The path of the (absolute) link in a stored e-mail, ready for the test client."""
    match = LINK.search(message.body)
    assert match, message.body
    url = urlsplit(match.group(0))
    assert url.scheme in ("http", "https") and url.netloc, "the link in the e-mail must be absolute"
    return url.path


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def audit_actions(obj_type: str) -> list[str]:
    return list(db.session.scalars(
        select(AuditEntry.action).where(AuditEntry.object_type == obj_type).order_by(AuditEntry.id)))


def text(response) -> str:
    return response.get_data(as_text=True)
