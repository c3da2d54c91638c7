"""Organisations and people (P1)."""
from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Optional

from flask_login import UserMixin
from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from ..database import UTCDateTime, utcnow
from ..extensions import db

VENDOR = "vendor"
PARTNER = "partner"
PARTNER_TYPES = ("integrator", "distributor", "agent", "dealer")
SEGMENTS = ("referral", "sales", "strategic")

MEMBER = "member"
PARTNER_ADMIN = "partner_admin"
MANAGER = "manager"
ADMIN = "admin"
PARTNER_ROLES = (MEMBER, PARTNER_ADMIN)
VENDOR_ROLES = (MANAGER, ADMIN)
ROLES = PARTNER_ROLES + VENDOR_ROLES


def token_digest(token: str) -> str:
    """Tokens are stored only as digests, so a leaked table does not leak working links."""
    return hashlib.sha256(token.encode()).hexdigest()


class Organisation(db.Model):
    __tablename__ = "organisation"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(10), default=PARTNER)
    partner_type: Mapped[Optional[str]] = mapped_column(String(20), index=True)
    # referral / sales / strategic: the relationship, kept apart in every report (SPEC "segments")
    segment: Mapped[Optional[str]] = mapped_column(String(20), index=True)
    region: Mapped[Optional[str]] = mapped_column(String(40), index=True)
    tier: Mapped[str] = mapped_column(String(20), default="bronze", index=True)
    inn: Mapped[Optional[str]] = mapped_column(String(12))
    website: Mapped[Optional[str]] = mapped_column(String(200))
    description: Mapped[Optional[str]] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    account_manager_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL", use_alter=True))
    # The logo is a file in hub.files' store (PNG or JPEG), named by its digest.
    logo_sha256: Mapped[Optional[str]] = mapped_column(String(64))
    logo_content_type: Mapped[Optional[str]] = mapped_column(String(40))
    # When the profile first had everything the onboarding step "complete your profile" asks for.
    profile_completed_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())

    account_manager = relationship("User", foreign_keys=[account_manager_id], post_update=True)
    profile_tags: Mapped[list["OrganisationTag"]] = relationship(
        back_populates="organisation", cascade="all, delete-orphan", order_by="OrganisationTag.id")

    def profile_values(self, facet: str) -> list[str]:
        return [t.value for t in self.profile_tags if t.facet == facet]

    @property
    def is_vendor(self) -> bool:
        return self.kind == VENDOR

    def __repr__(self) -> str:
        return f"<Organisation {self.slug}>"


class OrganisationTag(db.Model):
    """One value of a profile list (expertise, industries, regions, products, languages): rows, not
    a JSON blob, so that the partner directory can filter on them with an index."""

    __tablename__ = "organisation_tag"
    __table_args__ = (
        UniqueConstraint("organisation_id", "facet", "value", name="uq_organisation_tag_org_facet_value"),
        Index("ix_organisation_tag_facet_value", "facet", "value"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"))
    facet: Mapped[str] = mapped_column(String(20))
    value: Mapped[str] = mapped_column(String(40))

    organisation: Mapped[Organisation] = relationship(back_populates="profile_tags")


class User(UserMixin, db.Model):
    __tablename__ = "user"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(256))
    role: Mapped[str] = mapped_column(String(20), default=MEMBER)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    locale: Mapped[Optional[str]] = mapped_column(String(5))
    timezone: Mapped[str] = mapped_column(String(40), default="Europe/Moscow")
    is_active_user: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_login_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())

    organisation: Mapped[Organisation] = relationship(foreign_keys=[organisation_id], lazy="joined")

    # The login (UserSession) this object was loaded for; not a column. Flask-Login keeps get_id()
    # in the session cookie and the remember cookie, so both name one server-side login that
    # logout, a password change or "sign out everywhere" can end (Flask-Login's alternative
    # tokens).
    session_key = None

    def get_id(self) -> str:  # Flask-Login
        if not self.session_key:
            raise RuntimeError("log users in with hub.accounts.sessions.log_in(), which opens a login")
        return self.session_key

    # UserMixin compares get_id(), which is now per login: the same person is the same user.
    def __eq__(self, other):
        if isinstance(other, User):
            return self.id == other.id
        return NotImplemented

    def __ne__(self, other):
        equal = self.__eq__(other)
        return equal if equal is NotImplemented else not equal

    __hash__ = object.__hash__

    def set_password(self, password: str) -> None:
        # scrypt: memory-hard, Werkzeug's default KDF.
        self.password_hash = generate_password_hash(password, method="scrypt")

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    @property
    def is_active(self) -> bool:  # Flask-Login
        return self.is_active_user

    @property
    def is_vendor(self) -> bool:
        return self.role in VENDOR_ROLES

    @property
    def is_manager(self) -> bool:
        return self.role in VENDOR_ROLES

    @property
    def is_admin(self) -> bool:
        return self.role == ADMIN

    @property
    def is_partner(self) -> bool:
        return self.role in PARTNER_ROLES

    @property
    def is_partner_admin(self) -> bool:
        return self.role == PARTNER_ADMIN

    def __repr__(self) -> str:
        return f"<User {self.email}>"


class Invitation(db.Model):
    __tablename__ = "invitation"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    email: Mapped[str] = mapped_column(String(254))
    name: Mapped[Optional[str]] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(String(20))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    invited_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    accepted_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    revoked_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())

    organisation: Mapped[Organisation] = relationship(lazy="joined")
    invited_by = relationship("User", foreign_keys=[invited_by_id])

    def state(self, now: datetime | None = None) -> str:
        """pending / accepted / revoked / expired."""
        if self.accepted_at is not None:
            return "accepted"
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at <= (now or utcnow()):
            return "expired"
        return "pending"


class PasswordReset(db.Model):
    __tablename__ = "password_reset"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()


class UserSession(db.Model):
    """One login on one device: the session cookie and the remember cookie carry its random key
    (only the digest is stored). Deleting the row ends the login, whatever cookies remain."""

    __tablename__ = "user_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    remember: Mapped[bool] = mapped_column(default=False)


class LoginFailure(db.Model):
    """Wrong-password counter of an e-mail address that has no account.

    An account keeps its counter on its own row (User.failed_logins / locked_until); an address
    without one counts here the same way, so that the lock-out, and its message, cannot tell
    which addresses have accounts.
    """

    __tablename__ = "login_failure"

    address_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
