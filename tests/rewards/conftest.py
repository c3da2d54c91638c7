from datetime import date, datetime, timezone
from types import SimpleNamespace

import pytest

from hub import facts, signals
from tests.helpers import _english_browser, url  # noqa: F401 (autouse fixture, re-exported helper)

# Wednesday 15 April 2026, 12:00 in Moscow.
NOW = datetime(2026, 4, 15, 9, 0, tzinfo=timezone.utc)

_ids = iter(range(10_000, 1_000_000))


def deal_ns(org, user=None, product="crm", amount=100_000_00, closed_on=date(2026, 4, 10), deal_id=None):
    """A deal as the tests describe it; approved() and won() emit its events (hub/signals.py)."""
    return SimpleNamespace(id=deal_id or next(_ids), organisation_id=org.id, created_by_id=user.id if user else None,
                           product=product, amount_kopecks=amount, final_amount_kopecks=amount,
                           closed_on=closed_on, status="won", decided_at=NOW)


def certificate_ns(user, track="sales", cert_id=None):
    return SimpleNamespace(id=cert_id or next(_ids), user_id=user.id, organisation_id=user.organisation_id,
                           track_slug=track, issued_at=NOW, expires_at=NOW.replace(year=2028))


def _commit():
    from hub.extensions import db
    db.session.commit()  # the outbox delivers to the listeners once this returns


def approved(deal, actor_id=None):
    signals.deal_approved.emit(deal_id=deal.id, organisation_id=deal.organisation_id,
                               created_by_id=deal.created_by_id, decided_at=deal.decided_at,
                               protected_until=None, actor_id=actor_id)
    _commit()


def won(deal, actor_id=None):
    signals.deal_won.emit(deal_id=deal.id, organisation_id=deal.organisation_id, created_by_id=deal.created_by_id,
                          product=deal.product, amount_kopecks=deal.final_amount_kopecks or deal.amount_kopecks,
                          closed_on=deal.closed_on, actor_id=actor_id)
    _commit()


def certified(cert, renewal=False):
    signals.certificate_earned.emit(certificate_id=cert.id, user_id=cert.user_id,
                                    organisation_id=cert.organisation_id, track_slug=cert.track_slug,
                                    issued_at=cert.issued_at, expires_at=cert.expires_at, renewal=renewal)
    _commit()


def attended(registration_id, user, at=NOW):
    signals.event_attended.emit(registration_id=registration_id, event_id=1, user_id=user.id,
                                organisation_id=user.organisation_id, attended_at=at)
    _commit()


def answer_accepted(answer_id, user, at=NOW):
    signals.answer_accepted.emit(answer_id=answer_id, question_id=1, user_id=user.id,
                                 organisation_id=user.organisation_id, accepted_at=at)
    _commit()


def win(org, user=None, **kw):
    deal = deal_ns(org, user, **kw)
    won(deal, actor_id=user.id if user else None)
    return deal


@pytest.fixture
def fake_facts():
    """Register fake academy/quality providers; the registry is restored afterwards."""
    saved = dict(facts._PROVIDERS)
    state = SimpleNamespace(certified={}, quality=None, tracks=[], by_track={})

    facts._PROVIDERS["certified_people"] = lambda org_ids, at: {i: state.certified.get(i, 0) for i in org_ids}
    facts._PROVIDERS["all_track_slugs"] = lambda: list(state.tracks)
    facts._PROVIDERS["valid_certifications_by_track"] = lambda org_id, at: dict(state.by_track.get(org_id, {}))

    def in_all_tracks(org_ids, at):
        candidates = state.by_track if org_ids is None else {i: state.by_track.get(i, {}) for i in org_ids}
        return {i for i, by in candidates.items() if state.tracks and all(by.get(t, 0) > 0 for t in state.tracks)}
    facts._PROVIDERS["certified_in_all_tracks"] = in_all_tracks
    # Organisations whose certificates changed, as the academy would tell the tick: tests add to it.
    state.changed = set()
    facts._PROVIDERS["certificates_changed"] = lambda since, until: set(state.changed)

    def quality(org_ids):
        return {i: state.quality.get(i) for i in org_ids} if state.quality is not None else {}
    state.enable_quality = lambda: facts._PROVIDERS.__setitem__("partner_quality", quality)
    yield state
    facts._PROVIDERS.clear()
    facts._PROVIDERS.update(saved)


@pytest.fixture
def badges_loaded(app):
    from pathlib import Path

    from hub.rewards.badges import read_badges, sync_badges
    from hub.extensions import db
    sync_badges(read_badges(Path(app.config["CONTENT_DIR"]) / "badges.yml", Path(app.static_folder)))
    db.session.commit()


