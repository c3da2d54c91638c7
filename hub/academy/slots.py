"""Certificates on the pages hub/accounts owns (hub/ui.py page slots): a person's own on their
profile, the valid certificates of an organisation's people on its page and on its team page.

Two queries each (the certificates, with their holders when listed by organisation; the tracks'
titles), whatever the number of certificates.
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..database import utcnow
from ..extensions import db
from ..ui import ORGANISATION, PROFILE, SIGNED_IN, TEAM, page_slot
from . import services
from .models import Certificate, Track


def _titles() -> dict[str, Track]:
    return {t.slug: t for t in db.session.scalars(select(Track))}


@page_slot(PROFILE, "academy.certificates", "academy/_profile_certificates.html", order=20, roles=SIGNED_IN)
def own_certificates(user, viewer):
    certificates = services.user_certificates(user.id)
    if not certificates and not user.is_partner:
        return None  # vendor staff take no exams as a rule: no empty box for them
    return {"certificates": certificates, "tracks": _titles(), "lang": services.lang(), "now": utcnow()}


def _organisation_certificates(organisation, viewer):
    if organisation.is_vendor:
        return None
    now = utcnow()
    certificates = list(db.session.scalars(
        select(Certificate)
        .where(Certificate.organisation_id == organisation.id, services._valid_at(now))
        .options(selectinload(Certificate.user)).order_by(Certificate.track_slug, Certificate.user_id)))
    return {"certificates": certificates, "tracks": _titles(), "lang": services.lang(), "now": now,
            "people": len({c.user_id for c in certificates})}


page_slot(ORGANISATION, "academy.certificates", "academy/_org_certificates.html", order=20,
          roles=SIGNED_IN)(_organisation_certificates)
page_slot(TEAM, "academy.certificates", "academy/_org_certificates.html", order=20,
          roles=SIGNED_IN)(_organisation_certificates)
