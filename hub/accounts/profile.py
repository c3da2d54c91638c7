"""The organisation profile (P12, issue 9 point 4): what a partner tells about itself, its logo, and
when it counts as complete. Partner admins edit their own organisation's; channel managers any.

The lists are closed vocabularies (codes, labelled in the viewer's language) so that the partner
directory can filter on them; regions and products are the program's own (content/program.yml).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from .. import files
from ..database import utcnow, write_intent
from ..extensions import db
from ..core.services import audit
from ..program import rules
from .models import ADMIN, MANAGER, Organisation, OrganisationTag, User

LOGO = files.UploadRule(types=("png", "jpeg"), max_bytes=1024 * 1024)
LOGO_OWNER = "organisation-logo"

EXPERTISE = {
    "implementation": _l("Implementation"),
    "integration": _l("Integration with other systems"),
    "consulting": _l("Business consulting"),
    "custom-development": _l("Custom development"),
    "migration": _l("Migration from other systems"),
    "training": _l("User training"),
    "support": _l("Support and maintenance"),
    "licence-resale": _l("Licence resale"),
}
INDUSTRIES = {
    "retail": _l("Retail"), "manufacturing": _l("Manufacturing"), "logistics": _l("Logistics"),
    "banking": _l("Banking"), "healthcare": _l("Healthcare"), "education": _l("Education"),
    "public-sector": _l("Public sector"), "it-services": _l("IT services"),
}
LANGUAGES = {"ru": _l("Russian"), "en": _l("English"), "de": _l("German"), "zh": _l("Chinese"),
             "kk": _l("Kazakh")}


def _program_regions() -> dict[str, str]:
    return {r.code: str(r.name) for r in rules.current().regions}


def _program_products() -> dict[str, str]:
    return {p.code: str(p.name) for p in rules.current().products}


FACETS: dict[str, Callable[[], dict]] = {
    "expertise": lambda: EXPERTISE,
    "industries": lambda: INDUSTRIES,
    "regions": _program_regions,
    "products": _program_products,
    "languages": lambda: LANGUAGES,
}
FACET_LABELS = {
    "expertise": _l("Expertise"), "industries": _l("Industries"), "regions": _l("Regions we work in"),
    "products": _l("Products we work with"), "languages": _l("Languages"),
}
# What the onboarding step "complete your company profile" asks for (content/onboarding.yml says so).
REQUIRED = ("description", "logo", "expertise", "industries", "regions", "products")
REQUIRED_LABELS = {
    "description": _l("a description"), "logo": _l("a logo"), "expertise": _l("your expertise"),
    "industries": _l("the industries"), "regions": _l("the regions you work in"),
    "products": _l("the products you work with"),
}


def choices(facet: str) -> list[tuple[str, str]]:
    return [(code, str(label)) for code, label in FACETS[facet]().items()]


def value_label(facet: str, code: str) -> str:
    return str(FACETS[facet]().get(code, code))


def missing(org: Organisation) -> list[str]:
    """The parts the profile still lacks to count as complete, in REQUIRED order."""
    out = []
    for part in REQUIRED:
        if part == "description":
            ok = bool((org.description or "").strip())
        elif part == "logo":
            ok = bool(org.logo_sha256)
        else:
            ok = bool(org.profile_values(part))
        if not ok:
            out.append(part)
    return out


def can_edit(viewer: User, org: Organisation) -> bool:
    if viewer.role in (MANAGER, ADMIN):
        return not org.is_vendor
    return viewer.is_partner_admin and viewer.organisation_id == org.id


def can_view(viewer: User, org: Organisation) -> bool:
    return viewer.is_vendor or viewer.organisation_id == org.id


def channel_team() -> list[User]:
    """The vendor's channel managers: whom a partner without a dedicated account manager writes to."""
    from .models import VENDOR
    return list(db.session.scalars(
        select(User).join(Organisation, Organisation.id == User.organisation_id)
        .where(Organisation.kind == VENDOR, User.role == MANAGER, User.is_active_user.is_(True))
        .order_by(User.name, User.id)))


def account_managers() -> list[User]:
    """Who a manager may make an organisation's account manager: active vendor staff."""
    from .models import VENDOR
    return list(db.session.scalars(
        select(User).join(Organisation, Organisation.id == User.organisation_id)
        .where(Organisation.kind == VENDOR, User.role.in_((MANAGER, ADMIN)), User.is_active_user.is_(True))
        .order_by(User.name, User.id)))


@dataclass
class ProfileInput:
    website: str | None
    description: str | None
    lists: dict[str, list[str]] = field(default_factory=dict)
    remove_logo: bool = False
    # Only managers set it; None from a partner admin means "leave as it is".
    account_manager_id: int | None = None
    set_account_manager: bool = False


def save(org: Organisation, data: ProfileInput, logo_upload, actor: User) -> Organisation:
    """Store the logo (if one was sent) and the profile, in one transaction with its audit entry.
    A refused logo raises files.UploadRefused before anything in the database changes."""
    if not can_edit(actor, org):
        raise PermissionError("not allowed to edit this organisation's profile")
    logo = files.save_upload(logo_upload, LOGO) if logo_upload is not None and logo_upload.filename else None
    with write_intent():
        org.website = data.website or None
        org.description = (data.description or "").strip() or None
        current = {(t.facet, t.value): t for t in org.profile_tags}
        wanted = [(facet, value) for facet in FACETS for value in dict.fromkeys(data.lists.get(facet, []))]
        org.profile_tags = [current.get(key) or OrganisationTag(facet=key[0], value=key[1]) for key in wanted]
        if logo is not None:
            org.logo_sha256, org.logo_content_type = logo.sha256, logo.content_type
        elif data.remove_logo:
            org.logo_sha256 = org.logo_content_type = None
        if data.set_account_manager:
            org.account_manager_id = data.account_manager_id
        db.session.flush()
        if org.profile_completed_at is None and not missing(org):
            org.profile_completed_at = utcnow()
        audit("organisation", org.id, "profile_updated", actor=actor, organisation_id=org.id,
              website=org.website, lists={facet: org.profile_values(facet) for facet in FACETS},
              logo=org.logo_sha256, account_manager_id=org.account_manager_id)
        db.session.commit()
    return org


@files.owner(LOGO_OWNER)
def _logo(viewer, key: str) -> files.Served | None:
    """An organisation's logo: its own people and the vendor's staff (the partner directory, when it
    comes, widens this here)."""
    if not key.isdigit() or not getattr(viewer, "is_authenticated", False):
        return None
    org = db.session.get(Organisation, int(key))
    if org is None or not org.logo_sha256 or not can_view(viewer, org):
        return None
    ext = files.TYPES["png" if org.logo_content_type == "image/png" else "jpeg"].extension
    return files.Served(sha256=org.logo_sha256, name=f"{org.slug}-logo{ext}",
                        content_type=org.logo_content_type or "application/octet-stream", inline=True)
