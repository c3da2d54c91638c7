"""Audit log (P8) and the e-mail outbox (P7); notifications are hub.core.notifications."""
from __future__ import annotations

import re
import smtplib
import sys
from email.message import EmailMessage
from typing import Any

from flask import current_app
from sqlalchemy import select

from ..database import utcnow
from ..extensions import db
from .models import AuditEntry, OutboxMessage


def audit(obj_type: str, obj_id: int, action: str, actor=None, organisation_id: int | None = None,
          **details: Any) -> AuditEntry:
    """Record a decision or change. Added to the session: committed with the change it records."""
    entry = AuditEntry(object_type=obj_type, object_id=obj_id, action=action,
                       actor_id=getattr(actor, "id", None), organisation_id=organisation_id,
                       details=_jsonable(details), created_at=utcnow())
    db.session.add(entry)
    return entry


def _jsonable(details: dict) -> dict:
    out = {}
    for key, value in details.items():
        if value is None or isinstance(value, (str, int, float, bool, list, dict)):
            out[key] = value
        else:
            out[key] = str(value)
    return out


def history(obj_type: str, obj_id: int) -> list[AuditEntry]:
    return list(db.session.scalars(
        select(AuditEntry).where(AuditEntry.object_type == obj_type, AuditEntry.object_id == obj_id)
        .order_by(AuditEntry.id)))


def queue_mail(recipient: str, subject: str, body: str, html: str | None = None,
               kind: str | None = None, attachments: list[dict] | None = None) -> OutboxMessage:
    """Put a message in the outbox; `flask --app hub outbox send` (and `tick`) delivers it.

    Features do not call this: they send a notification (hub.core.notifications.send), which
    renders the e-mail's text and HTML from templates in the recipient's language.
    `attachments`: [{"filename", "content_type", "content"}] with text content (an .ics file).
    """
    message = OutboxMessage(recipient=recipient, subject=one_line(subject)[:200], body=body,
                            html_body=html, kind=kind, attachments=attachments or None,
                            created_at=utcnow())
    db.session.add(message)
    return message


def one_line(text: str) -> str:
    """A header value: line breaks and tabs become single spaces (no header injection); the
    no-break spaces of formatted money and dates («1 500 000 ₽», «5 дек. 2026 г.») stay."""
    return re.sub(r"[ \t\r\n\f\v]+", " ", text).strip()


def build_email(message: OutboxMessage, sender: str) -> EmailMessage:
    """The message as sent: text, plus the HTML as its alternative (multipart/alternative)."""
    email = EmailMessage()
    email["From"] = sender
    email["To"] = message.recipient
    email["Subject"] = message.subject
    email.set_content(message.body)
    if message.html_body:
        email.add_alternative(message.html_body, subtype="html")
    for attachment in message.attachments or ():
        # "text/calendar; method=REQUEST": mail clients show an invitation only with the method.
        main, _, rest = attachment["content_type"].partition(";")
        maintype, subtype = main.strip().split("/", 1)
        params = dict(part.strip().split("=", 1) for part in rest.split(";") if "=" in part)
        if maintype == "text":
            email.add_attachment(attachment["content"], subtype=subtype, filename=attachment["filename"],
                                 params=params)
    return email


def send_outbox(limit: int = 100) -> tuple[int, int]:
    """Deliver unsent messages by SMTP, or print them to the console when no SMTP host is set.

    Returns (sent, failed). A failed message stays in the outbox with its error and is retried.
    """
    config = current_app.config
    pending = list(db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.sent_at.is_(None), OutboxMessage.attempts < 5)
        .order_by(OutboxMessage.id).limit(limit)))
    sent = failed = 0
    smtp = None
    try:
        for message in pending:
            message.attempts += 1
            try:
                if config["SMTP_HOST"]:
                    if smtp is None:
                        smtp = smtplib.SMTP(config["SMTP_HOST"], config["SMTP_PORT"], timeout=30)
                        if config["SMTP_STARTTLS"]:
                            smtp.starttls()
                        if config["SMTP_USER"]:
                            smtp.login(config["SMTP_USER"], config["SMTP_PASSWORD"])
                    smtp.send_message(build_email(message, config["MAIL_SENDER"]))
                else:
                    html = " (+ HTML alternative)" if message.html_body else ""
                    print(f"--- e-mail to {message.recipient}: {message.subject}{html}\n{message.body}\n---",
                          file=sys.stderr)
                message.sent_at = utcnow()
                message.last_error = None
                sent += 1
            except (OSError, smtplib.SMTPException) as exc:
                message.last_error = str(exc)[:1000]
                failed += 1
                smtp = None
            db.session.commit()
    finally:
        if smtp is not None:
            try:
                smtp.quit()
            except (OSError, smtplib.SMTPException):
                pass
    return sent, failed
