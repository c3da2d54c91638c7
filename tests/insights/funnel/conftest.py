from datetime import date, datetime, timedelta, timezone

import pytest

from hub import signals
from hub.extensions import db
from hub.recruitment import public as recruitment
from tests import factories
from tests.helpers import _english_browser, url  # noqa: F401 (autouse fixture, re-exported helper)

T0 = datetime(2026, 1, 5, 12, 0, tzinfo=timezone.utc)  # noon, as a won deal's day is kept


def at(days: float) -> datetime:
    return T0 + timedelta(days=days)


def day(days: int) -> date:
    return (T0 + timedelta(days=days)).date()


def applied(application_id: int, days: float = 0, partner_type: str = "integrator") -> None:
    recruitment.application_submitted.emit(application_id=application_id, inn="7707083893", partner_type=partner_type,
                                           referrer_id=None, target_id=None, submitted_at=at(days))
    db.session.commit()


def decided(application_id: int, decision: str, days: float, organisation_id: int | None = None) -> None:
    recruitment.application_decided.emit(application_id=application_id, decision=decision,
                                         organisation_id=organisation_id, decided_at=at(days), actor_id=None)
    db.session.commit()


def signed(org, days: float) -> None:
    signals.organisation_created.emit(organisation_id=org.id, slug=org.slug, kind=org.kind,
                                      partner_type=org.partner_type, created_at=at(days), actor_id=None)
    db.session.commit()


def submitted(org, deal_id: int, days: float) -> None:
    signals.deal_submitted.emit(deal_id=deal_id, organisation_id=org.id, created_by_id=None, product="crm",
                                region="moscow", amount_kopecks=100_000_00, submitted_at=at(days),
                                conflict_with_id=None, actor_id=None)
    db.session.commit()


def won(org, deal_id: int, days: int, amount_kopecks: int = 100_000_00) -> None:
    signals.deal_won.emit(deal_id=deal_id, organisation_id=org.id, created_by_id=None, product="crm",
                          amount_kopecks=amount_kopecks, closed_on=day(days), actor_id=None)
    db.session.commit()


@pytest.fixture
def w(app):
    world = factories.world()
    return world
