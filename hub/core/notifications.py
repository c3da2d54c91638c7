"""Notifications (P7): typed, rendered when read, in the reader's language; e-mail from templates.

A notification is stored as *what happened*, never as finished text: its type ("deals.approved"),
the object it is about (type + id), parameters (JSON) and a link. Its text is rendered each time
it is read, in the reader's language and zone, so an English reader sees English for something a
Russian-speaking manager did, and vice versa. E-mail bodies are templates (text + HTML, one shared
layout), rendered per recipient and sent as multipart/alternative through the outbox.

Features register their types at import time (`hub/<feature>/notifications.py`) and send through
one call; this module knows no feature.

    # hub/deals/notifications.py
    from flask_babel import lazy_gettext as _l
    from ..core import notifications

    notifications.feature("deals", _l("Deals"), order=10)
    notifications.register(
        "deals.approved", _l("Our deal is approved"),
        text=_l("Your deal «%(customer)s» was approved: protected until %(until)s"),
        audience=lambda user: user.is_partner)

    # hub/deals/services.py, in the transaction that approves the deal
    notifications.send(partner_users, "deals.approved", obj=deal,
                       params={"customer": deal.customer_name, "until": deal.protected_until},
                       link_endpoint="deals.show", link_values={"deal_id": deal.id})

Registering a type (`register(key, label, ...)`):
- `key` is "<feature>.<event>"; the feature part groups the type on the profile page's e-mail
  choices under the label given by `feature(...)`.
- `label`: what the e-mail choice says ("Our deal is approved").
- How the line is rendered — exactly one of:
  `text=_l("... %(name)s ...")` (placeholders filled from the parameters, each formatted for the
  reader: dates, `Day`s and datetimes per locale and zone, `Money` per locale, `Translated` in the
  reader's language), `render=function(note) -> str` (gets a `Note`: `.params`, `.object_type`,
  `.object_id`, `.reader`), or `template="feature/_note_x.txt"` (a Jinja template given `params`
  and `note`).
- `email`: OPTIONAL (the user chooses, default `email_default`, a bool or `function(user)`),
  ALWAYS (not a choice: password reset, invitation) or NEVER (inbox only).
- `inbox=False` for e-mail-only messages (people without an account get only e-mail anyway).
- `audience=function(user) -> bool`: who sees the choice (a partner never sees manager-only types).
- E-mail: `templates/email/<feature>/<event>.txt` and `.html` when they exist (they extend
  `email/_layout.txt` / `.html`; a `{% block subject %}` there gives the subject), otherwise
  `email/notification.txt` / `.html` (the line and the link). Templates get `params`, `text` (the
  rendered line), `url` (absolute link), `recipient`, `note`; filters `date`, `datetime`, `money`
  and `_()` speak the recipient's language.

Sending (`send(recipients, key, obj=..., params=..., link_endpoint=..., link_values=...,
email=True)`): recipients are users (anything with `id`, `email`, `name`, `locale`, `timezone`)
or `Address(email, name=, locale=)` for people without an account (e-mail only). Rows and mail
are added to the caller's session: they commit, or roll back, with the change they tell about.
`email=False` keeps this one occurrence out of e-mail whatever the choices; `attachments` (objects
with `filename`, `content_type`, text `content`, e.g. a calendar invitation) go with the e-mail. Parameters hold what
the text needs (a snapshot), so the inbox renders without loading the objects (bounded queries):
str, int, float, bool, None, lists and dicts of those, `date`, `datetime` (aware; shown with its
time), `Day.of(datetime)` (shown as the day), `Decimal`, `Money(kopecks)` and
`Translated({"ru": ..., "en": ...})`. A type's parameters may grow: a
`text` whose placeholder is missing from an old row falls back to the type's label.

Reading: `inbox(user)` (one query; each `Note.text` rendered in the current language),
`unread_count`, `mark_all_read`, `render_line(note)`; `email_choices(user)` /
`save_email_choices(user, keys)` back the choices form, on the page named by `choices_page(...)`
(accounts: the profile), which every optional e-mail links to.

For the features to come: digests (weekly reports, "new answers in your threads") are types of
their own sent by a tick job (`send(users, "insights.weekly", params={...})` with a rich e-mail
template); a per-type delivery value other than "instant"/"off" (e.g. "daily") is where a digest
job would read which notifications to gather — the choice column is a string for that reason.
Webhooks and insights will subscribe to the domain events (hub.signals), not to notifications.
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Callable, Iterable, Mapping

from flask import current_app
from jinja2 import TemplateNotFound
from jinja2_fragments import render_block
from sqlalchemy import func, select

from ..database import utcnow
from ..extensions import db
from ..i18n import fmt_date, fmt_time, locale_code, money, speaking_to
from ..web import absolute_url, path_for
from .models import Notification, NotificationPreference
from .services import one_line, queue_mail

log = logging.getLogger(__name__)

OPTIONAL = "optional"
ALWAYS = "always"
NEVER = "never"

INSTANT = "instant"  # a notification of this type is also e-mailed at once
OFF = "off"          # inbox only
DELIVERIES = (INSTANT, OFF)

LEGACY = "core.legacy_text"


# --- parameters ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Money:
    """An amount in kopecks, shown per the reader's locale («1 500 000 ₽», "RUB 1,500,000")."""
    kopecks: int


@dataclass(frozen=True)
class Translated:
    """A text given in each language (a track title, a product name): the reader's is shown."""
    texts: Mapping[str, str]

    def get(self, locale: str) -> str:
        return self.texts.get(locale) or self.texts.get("ru") or next(iter(self.texts.values()), "")

    def __str__(self) -> str:
        return self.get(locale_code())


class Day(datetime):
    """An aware moment shown as its calendar day in the reader's zone (an expiry, a deadline):
    `Day.of(cert.expires_at)` reads «3 мар. 2026 г.» in Vladivostok when it is still 2 March in
    Moscow. A plain datetime parameter is shown with its time."""

    @classmethod
    def of(cls, moment: datetime) -> "Day":
        if moment.tzinfo is None:
            raise ValueError("naive datetime given to Day.of; use an aware (UTC) value")
        return cls.fromisoformat(moment.isoformat())


def encode(params: Mapping[str, Any]) -> dict:
    return {str(key): _encode(value) for key, value in params.items()}


def _encode(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, Money):
        return {"$money": int(value.kopecks)}
    if isinstance(value, Translated):
        return {"$text": {str(k): str(v) for k, v in value.texts.items()}}
    if isinstance(value, Day):
        return {"$day": value.isoformat()}
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("naive datetime in notification parameters; use an aware (UTC) value")
        return {"$datetime": value.isoformat()}
    if isinstance(value, date):
        return {"$date": value.isoformat()}
    if isinstance(value, Decimal):
        return {"$decimal": str(value)}
    if isinstance(value, (list, tuple)):
        return [_encode(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): _encode(v) for k, v in value.items()}
    # A lazy string would freeze the sender's language: store codes, translate when rendering.
    raise TypeError(f"cannot store {type(value).__name__} in notification parameters")


def decode(params: Mapping[str, Any] | None) -> dict:
    return {key: _decode(value) for key, value in (params or {}).items()}


def _decode(value: Any) -> Any:
    if isinstance(value, list):
        return [_decode(v) for v in value]
    if isinstance(value, dict):
        if len(value) == 1:
            (tag, inner), = value.items()
            try:
                if tag == "$money":
                    return Money(int(inner))
                if tag == "$text":
                    return Translated(dict(inner))
                if tag == "$day":
                    return Day.fromisoformat(inner)
                if tag == "$datetime":
                    return datetime.fromisoformat(inner)
                if tag == "$date":
                    return date.fromisoformat(inner)
                if tag == "$decimal":
                    return Decimal(inner)
            except (TypeError, ValueError):
                return None
        return {k: _decode(v) for k, v in value.items()}
    return value


def shown(value: Any) -> str:
    """A parameter as the reader should see it (current locale and zone)."""
    if value is None:
        return ""
    if isinstance(value, Money):
        return money(value.kopecks)
    if isinstance(value, Day):
        return fmt_date(value, "medium")
    if isinstance(value, datetime):
        return f"{fmt_date(value, 'medium')}, {fmt_time(value, 'short')}"
    if isinstance(value, date):
        return fmt_date(value, "medium")
    return str(value)


# --- the registry --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Feature:
    name: str
    label: Any
    order: int


@dataclass(frozen=True)
class NotificationType:
    key: str
    label: Any
    text: Any = None
    render: Callable[["Note"], str] | None = None
    template: str | None = None
    email: str = OPTIONAL
    email_default: bool | Callable[[Any], bool] = True
    inbox: bool = True
    audience: Callable[[Any], bool] | None = None

    @property
    def feature(self) -> str:
        return self.key.split(".", 1)[0]

    def default_delivery(self, user) -> str:
        wanted = self.email_default(user) if callable(self.email_default) else self.email_default
        return INSTANT if wanted else OFF

    def offered_to(self, user) -> bool:
        """Whether `user` chooses about e-mail for this type on the profile page."""
        return self.email == OPTIONAL and (self.audience is None or bool(self.audience(user)))


_FEATURES: dict[str, Feature] = {}
_TYPES: dict[str, NotificationType] = {}
_CHOICES_PAGE: list[tuple[str, str | None]] = []  # where users make their e-mail choices


def choices_page(endpoint: str, anchor: str | None = None) -> None:
    """Name the page where users choose their e-mails; each optional e-mail links to it."""
    _CHOICES_PAGE[:] = [(endpoint, anchor)]


def feature(name: str, label, order: int = 50) -> None:
    """Name a feature's group of types on the e-mail choices (its label, its place in the list)."""
    _FEATURES[name] = Feature(name, label, order)


def register(key: str, label, *, text=None, render: Callable | None = None, template: str | None = None,
             email: str = OPTIONAL, email_default: bool | Callable = True, inbox: bool = True,
             audience: Callable | None = None) -> NotificationType:
    if "." not in key:
        raise ValueError(f"notification type {key!r}: name it '<feature>.<event>'")
    if sum(x is not None for x in (text, render, template)) != 1:
        raise ValueError(f"notification type {key!r}: give exactly one of text, render, template")
    if email not in (OPTIONAL, ALWAYS, NEVER):
        raise ValueError(f"notification type {key!r}: email must be OPTIONAL, ALWAYS or NEVER")
    kind = NotificationType(key, label, text, render, template, email, email_default, inbox, audience)
    _TYPES[key] = kind
    return kind


def get_type(key: str) -> NotificationType | None:
    return _TYPES.get(key)


def types() -> list[NotificationType]:
    return list(_TYPES.values())


register(LEGACY, "", render=lambda note: str(note.params.get("text") or ""), email=NEVER)


# --- rendering -----------------------------------------------------------------------------------

@dataclass
class Note:
    """What a render function or template gets: the stored notification, parameters decoded."""
    type: str
    params: dict
    object_type: str | None = None
    object_id: int | None = None
    link: str | None = None
    reader: Any = None
    created_at: datetime | None = None
    read_at: datetime | None = None
    id: int | None = None
    text: str = field(default="")

    @classmethod
    def of(cls, row: Notification, reader=None) -> "Note":
        return cls(row.type, decode(row.params), row.object_type, row.object_id, row.link, reader,
                   row.created_at, row.read_at, row.id)


def render_line(note: Note) -> str:
    """The one-line text of a notification in the current language (call inside `speaking_to` to
    render for someone other than the viewer)."""
    kind = _TYPES.get(note.type)
    if kind is None:
        log.warning("notification %s has unknown type %r", note.id, note.type)
        return str(note.params.get("text") or "")
    try:
        if kind.render is not None:
            return kind.render(note)
        if kind.template is not None:
            return _render(kind.template, params=note.params, note=note).strip()
        return str(kind.text) % {key: shown(value) for key, value in note.params.items()}
    except (KeyError, ValueError, TypeError, AttributeError):
        # An old row missing a parameter a newer version of its type needs: say what kind it was.
        log.exception("notification %s (%s) could not be rendered", note.id, note.type)
        return str(kind.label)


# --- sending -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Address:
    """Someone without an account (an invitee): e-mail only, in `locale` (default: the hub's)."""
    email: str
    name: str | None = None
    locale: str | None = None
    timezone: str | None = None
    id: None = None


def _object_ref(obj) -> tuple[str | None, int | None]:
    if obj is None:
        return None, None
    if isinstance(obj, tuple):
        return obj[0], obj[1]
    return obj.__tablename__, obj.id


def send(recipients: Iterable, key: str, *, obj=None, params: Mapping[str, Any] | None = None,
         link_endpoint: str | None = None, link_values: Mapping[str, Any] | None = None,
         email: bool = True, now: datetime | None = None, attachments: Iterable | None = None) -> list[Notification]:
    """Tell each recipient, in their own language: an inbox row for each user (when the type has an
    inbox) and an e-mail where the type and the user's choice want one. Added to the caller's
    session, never committed here. Returns the inbox rows."""
    kind = _TYPES.get(key)
    if kind is None:
        raise KeyError(f"notification type {key!r} is not registered")
    now = now or utcnow()
    stored = encode(params or {})
    object_type, object_id = _object_ref(obj)
    link = path_for(link_endpoint, **dict(link_values or {})) if link_endpoint else None
    url = absolute_url(link_endpoint, **dict(link_values or {})) if link_endpoint else None

    people, seen = [], set()
    for person in recipients:
        ident = person.id if getattr(person, "id", None) is not None else ("@", person.email.lower())
        if ident not in seen:
            seen.add(ident)
            people.append(person)

    rows = []
    for person in people:
        if kind.inbox and person.id is not None:
            row = Notification(user_id=person.id, type=key, object_type=object_type, object_id=object_id,
                               params=stored, link=link, created_at=now)
            db.session.add(row)
            rows.append((person, row))
    if email and kind.email != NEVER:
        wanted = _email_wanted(kind, [p for p in people if p.id is not None])
        for person in people:
            if person.id is None or wanted.get(person.id):
                _queue(kind, person, Note(key, decode(stored), object_type, object_id, link, person, now), url,
                       attachments)
    return [row for _person, row in rows]


def _email_wanted(kind: NotificationType, users: list) -> dict[int, bool]:
    if not users:
        return {}
    if kind.email == ALWAYS:
        return {user.id: True for user in users}
    chosen = dict(db.session.execute(
        select(NotificationPreference.user_id, NotificationPreference.email)
        .where(NotificationPreference.type == kind.key,
               NotificationPreference.user_id.in_([user.id for user in users]))).all())
    return {user.id: chosen.get(user.id, kind.default_delivery(user)) == INSTANT for user in users}


def _queue(kind: NotificationType, person, note: Note, url: str | None, attachments=None) -> None:
    with speaking_to(getattr(person, "locale", None), getattr(person, "timezone", None)):
        note.text = render_line(note)
        choices = None
        if person.id is not None and kind.email == OPTIONAL and _CHOICES_PAGE:
            endpoint, anchor = _CHOICES_PAGE[0]
            choices = absolute_url(endpoint, _anchor=anchor) if anchor else absolute_url(endpoint)
        context = {"params": note.params, "note": note, "text": note.text, "url": url, "recipient": person,
                   "choices_url": choices}
        feature_name, event = kind.key.split(".", 1)
        specific = f"email/{feature_name}/{event}"
        text_template = _first_template(f"{specific}.txt", "email/notification.txt")
        html_template = _first_template(f"{specific}.html", "email/notification.html")
        subject = ""
        if "subject" in current_app.jinja_env.get_template(text_template).blocks:
            subject = render_block(current_app.jinja_env, text_template, "subject", **context)
        subject = one_line(subject or note.text)
        # Templates end blocks on their own lines; a reader should not see the seams.
        body = re.sub(r"\n{3,}", "\n\n", _render(text_template, **context)).strip() + "\n"
        html = _render(html_template, **context)
    files = [{"filename": a.filename, "content_type": a.content_type, "content": a.content}
             for a in attachments or ()]
    queue_mail(person.email, subject, body, html=html, kind=kind.key, attachments=files)


def _render(name: str, **context) -> str:
    # The app's environment without its context processors: an e-mail is not a page of the
    # current request (no unread badge, no CSRF token, nothing of the viewer's).
    return current_app.jinja_env.get_template(name).render(**context)


def _first_template(*names: str) -> str:
    env = current_app.jinja_env
    for name in names:
        try:
            env.get_template(name)
        except TemplateNotFound:
            continue
        return name
    raise TemplateNotFound(names[-1])


# --- reading -------------------------------------------------------------------------------------

def inbox(user, limit: int = 100) -> list[Note]:
    """The user's latest notifications, each with `.text` rendered in the current language.
    One query, whatever the types."""
    rows = db.session.scalars(select(Notification).where(Notification.user_id == user.id)
                              .order_by(Notification.id.desc()).limit(limit))
    notes = []
    for row in rows:
        note = Note.of(row, user)
        note.text = render_line(note)
        notes.append(note)
    return notes


def unread_count(user) -> int:
    return db.session.scalar(select(func.count(Notification.id)).where(
        Notification.user_id == user.id, Notification.read_at.is_(None))) or 0


def mark_all_read(user, now: datetime | None = None) -> None:
    db.session.execute(Notification.__table__.update()
                       .where(Notification.user_id == user.id, Notification.read_at.is_(None))
                       .values(read_at=now or utcnow()))


# --- e-mail choices ------------------------------------------------------------------------------

@dataclass
class Choice:
    type: NotificationType
    email: bool


def email_choices(user) -> list[tuple[Feature, list[Choice]]]:
    """The types `user` chooses about, grouped by feature (in the features' order), with the
    current choice. One query."""
    stored = dict(db.session.execute(
        select(NotificationPreference.type, NotificationPreference.email)
        .where(NotificationPreference.user_id == user.id)).all())
    groups: dict[str, list[Choice]] = {}
    for kind in _TYPES.values():
        if kind.offered_to(user):
            delivery = stored.get(kind.key, kind.default_delivery(user))
            groups.setdefault(kind.feature, []).append(Choice(kind, delivery == INSTANT))
    ordered = sorted(groups, key=lambda name: (_FEATURES[name].order if name in _FEATURES else 99, name))
    return [(_FEATURES.get(name) or Feature(name, name, 99), groups[name]) for name in ordered]


def save_email_choices(user, wanted: Iterable[str]) -> None:
    """Store the user's choice for every type offered to them: e-mail for those in `wanted`."""
    wanted = set(wanted)
    offered = [kind.key for kind in _TYPES.values() if kind.offered_to(user)]
    existing = {row.type: row for row in db.session.scalars(
        select(NotificationPreference).where(NotificationPreference.user_id == user.id))}
    for key in offered:
        delivery = INSTANT if key in wanted else OFF
        row = existing.get(key)
        if row is None:
            db.session.add(NotificationPreference(user_id=user.id, type=key, email=delivery))
        else:
            row.email = delivery
