"""Accounts rules: authentication with per-account lock-out, invitations, password reset, profile,
partner organisations. No `request` here: every function can be called from a test or the CLI."""
from __future__ import annotations

import re
import secrets
from datetime import datetime, timedelta

from flask import current_app, has_request_context
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from .. import signals
from ..core import notifications
from ..core.services import audit
from ..database import utcnow, write_intent
from ..normalize import normalise_company
from ..upsert import dialect_insert
from ..extensions import db
from ..i18n import locale_code
from ..web import Page
from . import sessions
from .models import (MANAGER, MEMBER, PARTNER, PARTNER_ADMIN, PARTNER_ROLES, ROLES, VENDOR, VENDOR_ROLES, Invitation,
                     LoginFailure, Organisation, PasswordReset, User, token_digest)

RESET_VALID = timedelta(hours=1)


class AccountsError(Exception):
    """A rule refused the action; `field` names the form field the message belongs to."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class LoginLocked(Exception):
    def __init__(self, until):
        self.until = until


# --- log in ---------------------------------------------------------------------------------------

def authenticate(email: str, password: str, now: datetime | None = None) -> User | None:
    """The user when the password is right; None otherwise. Raises LoginLocked while locked.

    After LOGIN_MAX_FAILURES wrong passwords the address is locked for LOGIN_LOCK_MINUTES, kept in
    the database so that it holds across workers and machines. An address without an account is
    counted and locked exactly like one with (LoginFailure), and the password is hashed in every
    case, so neither the answer nor its timing tells which addresses have accounts.
    """
    email = (email or "").strip().lower()
    now = now or utcnow()
    with write_intent():
        user = db.session.scalar(select(User).where(func.lower(User.email) == email))
        holder = user if user is not None else db.session.get(LoginFailure, token_digest(email))
        right = (user or User(password_hash=_dummy_hash())).check_password(password)
        if holder is not None and holder.locked_until and holder.locked_until > now:
            db.session.rollback()
            raise LoginLocked(holder.locked_until)
        if user is None or not right or not user.is_active:
            _count_failure(user, email, now)
            db.session.commit()
            return None
        user.failed_logins = 0
        user.locked_until = None
        user.last_login_at = now
        db.session.commit()
        return user


def _count_failure(user: User | None, email: str, now: datetime) -> None:
    if user is None:
        # An upsert: two first failures racing for one unknown address must not collide.
        insert = dialect_insert(LoginFailure).values(address_hash=token_digest(email), failed_logins=1,
                                                     updated_at=now)
        db.session.execute(insert.on_conflict_do_update(
            index_elements=[LoginFailure.address_hash],
            set_={"failed_logins": LoginFailure.failed_logins + 1, "updated_at": now}))
        holder = db.session.get(LoginFailure, token_digest(email), populate_existing=True)
    else:
        holder = user
        holder.failed_logins += 1
    if holder.failed_logins >= current_app.config["LOGIN_MAX_FAILURES"]:
        holder.locked_until = now + timedelta(minutes=current_app.config["LOGIN_LOCK_MINUTES"])
        holder.failed_logins = 0


def purge_login_failures(now: datetime | None = None) -> int:
    """Forget the counters of unknown addresses that are neither locked nor recently tried."""
    now = now or utcnow()
    quiet = now - timedelta(minutes=current_app.config["LOGIN_LOCK_MINUTES"]) - timedelta(days=1)
    return db.session.execute(delete(LoginFailure).where(
        LoginFailure.updated_at < quiet,
        (LoginFailure.locked_until.is_(None)) | (LoginFailure.locked_until < now))).rowcount


_DUMMY: list[str] = []


def _dummy_hash() -> str:
    if not _DUMMY:
        from werkzeug.security import generate_password_hash
        _DUMMY.append(generate_password_hash("not a password", method="scrypt"))
    return _DUMMY[0]


def _set_password(user: User, password: str) -> None:
    user.set_password(password)
    # A new password is a fresh start: whoever was guessing the old one is no longer relevant.
    user.failed_logins = 0
    user.locked_until = None


# --- profile and password -------------------------------------------------------------------------

def update_profile(user: User, name: str, locale: str | None, timezone: str) -> None:
    with write_intent():
        user.name = name
        user.locale = locale
        user.timezone = timezone
        db.session.commit()


def change_password(user: User, current: str, new: str, keep_session: str | None = None) -> int:
    """Set a new password and end every other login of the user (all but `keep_session`, the key
    of the login that made the change). Returns how many logins were ended."""
    if not user.check_password(current):
        raise AccountsError(_l("This is not your current password."), "current_password")
    with write_intent():
        _set_password(user, new)
        _kill_resets(user, utcnow())
        ended = sessions.end_sessions(user, keep=keep_session)
        audit("user", user.id, "password_changed", actor=user, organisation_id=user.organisation_id,
              sessions_ended=ended)
        db.session.commit()
    return ended


def save_email_choices(user: User, wanted: list[str]) -> None:
    """Which notification types also reach the user by e-mail (the others stay in the inbox)."""
    with write_intent():
        notifications.save_email_choices(user, wanted)
        db.session.commit()


def sign_out_everywhere(user: User) -> int:
    """End every login of the user, on every device. Returns how many."""
    with write_intent():
        ended = sessions.end_sessions(user)
        audit("user", user.id, "signed_out_everywhere", actor=user, organisation_id=user.organisation_id,
              sessions_ended=ended)
        db.session.commit()
    return ended


# --- password reset -------------------------------------------------------------------------------

def request_password_reset(email: str, now: datetime | None = None) -> str | None:
    """Queue a reset link for the address if it belongs to an active user.

    Returns the token (for tests) or None; the caller must answer the same either way, so that
    the form does not tell who has an account.
    """
    now = now or utcnow()
    email = (email or "").strip().lower()
    with write_intent():
        user = db.session.scalar(select(User).where(func.lower(User.email) == email))
        if user is None or not user.is_active:
            db.session.rollback()
            return None
        token = secrets.token_urlsafe(32)
        db.session.add(PasswordReset(token_hash=token_digest(token), user_id=user.id, created_at=now,
                                     expires_at=now + RESET_VALID))
        # To the address, in the user's language, else the one the request was made in.
        to = notifications.Address(user.email, name=user.name, locale=_mail_locale(user.locale),
                                   timezone=user.timezone)
        notifications.send([to], "accounts.password_reset", obj=user,
                           link_endpoint="accounts.reset_password", link_values={"token": token})
        db.session.commit()
        return token


def find_reset(token: str, now: datetime | None = None) -> PasswordReset:
    """The usable reset for a token, or AccountsError saying why not (unknown, used, expired)."""
    now = now or utcnow()
    reset = db.session.scalar(select(PasswordReset).where(PasswordReset.token_hash == token_digest(token or "")))
    if reset is None:
        raise AccountsError(_l("This link is not valid. Check that you copied the whole link, "
                              "or ask for a new one."))
    if reset.used_at is not None:
        raise AccountsError(_l("This link has already been used. Ask for a new one if you need to."))
    if reset.expires_at <= now:
        raise AccountsError(_l("This link has expired: reset links work for one hour. Ask for a new one."))
    return reset


def reset_password(token: str, password: str, now: datetime | None = None) -> User:
    now = now or utcnow()
    with write_intent():
        reset = find_reset(token, now)
        # The conditional update makes the token single use even when two requests race.
        taken = db.session.execute(
            update(PasswordReset).where(PasswordReset.id == reset.id, PasswordReset.used_at.is_(None))
            .values(used_at=now)).rowcount
        if taken != 1:
            db.session.rollback()
            raise AccountsError(_l("This link has already been used. Ask for a new one if you need to."))
        user = db.session.get(User, reset.user_id)
        _set_password(user, password)
        _kill_resets(user, now)
        # Whoever knew the old password may be logged in somewhere: every login ends.
        ended = sessions.end_sessions(user)
        audit("user", user.id, "password_reset", actor=user, organisation_id=user.organisation_id,
              sessions_ended=ended)
        db.session.commit()
        return user


def _kill_resets(user: User, now: datetime) -> None:
    db.session.execute(update(PasswordReset).where(
        PasswordReset.user_id == user.id, PasswordReset.used_at.is_(None)).values(used_at=now))


# --- invitations ----------------------------------------------------------------------------------

def invitable_roles(inviter: User) -> tuple[str, ...]:
    if inviter.is_admin:
        return ROLES
    if inviter.is_manager:
        # Only an administrator makes another administrator.
        return (MEMBER, PARTNER_ADMIN, MANAGER)
    if inviter.is_partner_admin:
        return PARTNER_ROLES
    return ()


def invitable_organisations(inviter: User) -> list[Organisation]:
    if inviter.is_manager:
        return list(db.session.scalars(select(Organisation).order_by(Organisation.kind.desc(),
                                                                      Organisation.name)))
    if inviter.is_partner_admin:
        return [inviter.organisation]
    return []


def can_invite(inviter: User, organisation: Organisation, role: str) -> bool:
    if role not in invitable_roles(inviter):
        return False
    if role not in (VENDOR_ROLES if organisation.is_vendor else PARTNER_ROLES):
        return False
    if inviter.is_manager:
        return True
    return inviter.is_partner_admin and organisation.id == inviter.organisation_id


def pending_invitation(email: str, now: datetime | None = None) -> Invitation | None:
    now = now or utcnow()
    return db.session.scalar(select(Invitation).where(
        func.lower(Invitation.email) == email.strip().lower(), Invitation.accepted_at.is_(None),
        Invitation.revoked_at.is_(None), Invitation.expires_at > now))


def invite(inviter: User | None, email: str, role: str, organisation: Organisation,
           name: str | None = None, now: datetime | None = None) -> tuple[Invitation, str]:
    """Create an invitation and queue its e-mail. Returns (invitation, token).

    `inviter=None` is the system itself (e.g. an approved partner application); otherwise the
    inviter's rights are checked here too, not only in the form.
    """
    now = now or utcnow()
    email = email.strip().lower()
    if inviter is not None and not can_invite(inviter, organisation, role):
        raise PermissionError("not allowed to invite this role into this organisation")
    if role not in ROLES or (role in VENDOR_ROLES) != organisation.is_vendor:
        raise AccountsError(_l("This role does not fit this organisation."), "role")
    with write_intent():
        if db.session.scalar(select(User.id).where(func.lower(User.email) == email)):
            db.session.rollback()
            raise AccountsError(_l("This address already has an account."), "email")
        if pending_invitation(email, now) is not None:
            db.session.rollback()
            raise AccountsError(_l("An invitation to this address is still pending. Revoke it "
                                  "on the team page to send a new one."), "email")
        token = secrets.token_urlsafe(32)
        invitation = Invitation(
            token_hash=token_digest(token), email=email, name=name or None, role=role,
            organisation_id=organisation.id, invited_by_id=getattr(inviter, "id", None), created_at=now,
            expires_at=now + timedelta(days=current_app.config["INVITATION_DAYS"]))
        db.session.add(invitation)
        db.session.flush()
        notifications.send(
            [notifications.Address(email, name=name or None, locale=_mail_locale())], "accounts.invitation",
            obj=invitation, params={"org": organisation.name, "inviter": getattr(inviter, "name", None),
                                    "days": current_app.config["INVITATION_DAYS"]},
            link_endpoint="accounts.accept_invitation", link_values={"token": token})
        audit("invitation", invitation.id, "sent", actor=inviter, organisation_id=organisation.id,
              email=email, role=role)
        db.session.commit()
        return invitation, token


def _mail_locale(preferred: str | None = None) -> str:
    """The recipient's language when known, else the sender's current one, else the default."""
    if preferred:
        return preferred
    if has_request_context():
        return locale_code()
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def find_invitation(token: str, now: datetime | None = None) -> Invitation:
    """The usable invitation for a token, or AccountsError saying why not."""
    now = now or utcnow()
    invitation = db.session.scalar(
        select(Invitation).where(Invitation.token_hash == token_digest(token or "")))
    if invitation is None:
        raise AccountsError(_l("This invitation link is not valid. Check that you copied the whole "
                              "link, or ask for a new invitation."))
    state = invitation.state(now)
    if state == "accepted":
        raise AccountsError(_l("This invitation has already been used. Log in with your e-mail "
                              "and password, or reset the password."))
    if state == "revoked":
        raise AccountsError(_l("This invitation has been withdrawn. Ask your administrator for a new one."))
    if state == "expired":
        raise AccountsError(_l("This invitation has expired. Ask your administrator for a new one."))
    return invitation


def accept_invitation(token: str, name: str, password: str, locale: str | None = None,
                      now: datetime | None = None) -> User:
    now = now or utcnow()
    with write_intent():
        invitation = find_invitation(token, now)
        taken = db.session.execute(
            update(Invitation).where(Invitation.id == invitation.id, Invitation.accepted_at.is_(None),
                                     Invitation.revoked_at.is_(None)).values(accepted_at=now)).rowcount
        if taken != 1:
            db.session.rollback()
            raise AccountsError(_l("This invitation has already been used. Log in with your e-mail "
                                  "and password, or reset the password."))
        user = User(email=invitation.email, name=name, role=invitation.role,
                    organisation_id=invitation.organisation_id, locale=locale, created_at=now,
                    last_login_at=now)
        user.set_password(password)
        db.session.add(user)
        try:
            db.session.flush()
        except IntegrityError:
            db.session.rollback()
            raise AccountsError(_l("This address already has an account. Log in, or reset the password."))
        audit("invitation", invitation.id, "accepted", actor=user,
              organisation_id=invitation.organisation_id, email=user.email, role=user.role)
        db.session.commit()
        return user


def revoke_invitation(actor: User, invitation: Invitation, now: datetime | None = None) -> None:
    """Withdraw a pending invitation (the caller has checked that the actor may see it)."""
    now = now or utcnow()
    if invitation.state(now) != "pending":
        raise AccountsError(_l("Only a pending invitation can be revoked."))
    with write_intent():
        invitation.revoked_at = now
        audit("invitation", invitation.id, "revoked", actor=actor,
              organisation_id=invitation.organisation_id, email=invitation.email)
        db.session.commit()


def visible_invitation(viewer: User, invitation_id: int) -> Invitation | None:
    """The invitation if the viewer may manage it: managers any, a partner admin their own org's."""
    invitation = db.session.get(Invitation, invitation_id)
    if invitation is None:
        return None
    if viewer.is_manager:
        return invitation
    if viewer.is_partner_admin and invitation.organisation_id == viewer.organisation_id:
        return invitation
    return None


def team(organisation_id: int, now: datetime | None = None) -> tuple[list[User], list[Invitation]]:
    """An organisation's people and its invitations that have not been accepted (newest first)."""
    users = list(db.session.scalars(
        select(User).where(User.organisation_id == organisation_id).order_by(User.name, User.id)))
    invitations = list(db.session.scalars(
        select(Invitation).options(selectinload(Invitation.invited_by))
        .where(Invitation.organisation_id == organisation_id, Invitation.accepted_at.is_(None))
        .order_by(Invitation.id.desc()).limit(100)))
    return users, invitations


# --- organisations --------------------------------------------------------------------------------

_TRANSLIT = dict(zip(
    "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
    ["a", "b", "v", "g", "d", "e", "e", "zh", "z", "i", "y", "k", "l", "m", "n", "o", "p", "r", "s",
     "t", "u", "f", "kh", "ts", "ch", "sh", "shch", "", "y", "", "e", "yu", "ya"]))
_NOT_SLUG = re.compile(r"[^a-z0-9]+")


def slugify(name: str) -> str:
    """A URL-safe slug from a Russian or English company name, legal form and quotes dropped."""
    text = normalise_company(name) or (name or "").lower()
    text = "".join(_TRANSLIT.get(ch, ch) for ch in text)
    slug = _NOT_SLUG.sub("-", text).strip("-")[:60].strip("-")
    return slug or "partner"


def _free_slug(base: str) -> str:
    taken = set(db.session.scalars(select(Organisation.slug).where(
        (Organisation.slug == base) | Organisation.slug.like(f"{base}-%"))))
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def create_organisation(actor: User | None, name: str, partner_type: str, segment: str, region: str,
                        tier: str, inn: str | None = None) -> Organisation:
    """A partner organisation; `organisation_created` is emitted in the same transaction."""
    with write_intent():
        org = Organisation(slug=_free_slug(slugify(name)), name=name, kind=PARTNER,
                           partner_type=partner_type, segment=segment, region=region, tier=tier,
                           inn=inn or None, created_at=utcnow())
        db.session.add(org)
        db.session.flush()
        audit("organisation", org.id, "created", actor=actor, organisation_id=org.id, name=name,
              partner_type=partner_type, segment=segment, region=region, tier=tier, inn=inn or None)
        signals.organisation_created.emit(organisation_id=org.id, slug=org.slug, kind=org.kind,
                                          partner_type=org.partner_type, created_at=org.created_at,
                                          actor_id=actor.id if actor is not None else None)
        db.session.commit()
    return org


def organisations_page(page: int, per_page: int, partner_type: str | None = None,
                       segment: str | None = None, region: str | None = None, tier: str | None = None,
                       kind: str | None = None, text: str | None = None) -> Page:
    """Organisations with their user counts: one query for the rows, one for the total."""
    conditions = []
    if partner_type:
        conditions.append(Organisation.partner_type == partner_type)
    if segment:
        conditions.append(Organisation.segment == segment)
    if region:
        conditions.append(Organisation.region == region)
    if tier:
        conditions.append(Organisation.tier == tier)
    if kind in (VENDOR, PARTNER):
        conditions.append(Organisation.kind == kind)
    if text:
        like = f"%{text.strip().lower()}%"
        conditions.append(func.lower(Organisation.name).like(like) | Organisation.slug.like(like)
                          | Organisation.inn.like(like))
    total = db.session.scalar(select(func.count(Organisation.id)).where(*conditions))
    users = (select(User.organisation_id, func.count(User.id).label("n"))
             .group_by(User.organisation_id).subquery())
    rows = db.session.execute(
        select(Organisation, func.coalesce(users.c.n, 0))
        .outerjoin(users, users.c.organisation_id == Organisation.id)
        .where(*conditions).order_by(Organisation.kind.desc(), func.lower(Organisation.name), Organisation.id)
        .limit(per_page).offset((page - 1) * per_page)).all()
    return Page([(org, count) for org, count in rows], page, per_page, total or 0)

