from datetime import date, datetime, timezone
from types import SimpleNamespace

import pytest

from hub import facts, signals
from tests.helpers import _english_browser, url  # noqa: F401 (autouse fixture, re-exported helper)

# Wednesday 15 April 2026, 12:00 in Moscow.
NOW = datetime(2026, 4, 15, 9, 0, tzinfo=timezone.utc)

_ids = iter(range(10_000, 1_000_000))


def deal_ns(org, user=None, product="crm", amount=100_000_00, closed_on=date(2026, 4, 10), deal_id=None):
    """What deal_won / deal_approved listeners may read (hub/signals.py)."""
    return SimpleNamespace(id=deal_id or next(_ids), organisation_id=org.id, created_by_id=user.id if user else None,
                           product=product, amount_kopecks=amount, final_amount_kopecks=amount,
                           closed_on=closed_on, status="won", decided_at=NOW)


def certificate_ns(user, track="sales", cert_id=None):
    return SimpleNamespace(id=cert_id or next(_ids), user_id=user.id, organisation_id=user.organisation_id,
                           track_slug=track, issued_at=NOW, expires_at=NOW.replace(year=2028))


def win(org, user=None, **kw):
    deal = deal_ns(org, user, **kw)
    signals.deal_won.send(deal, actor=user)
    return deal


@pytest.fixture
def fake_facts():
    """Register fake academy/quality providers; the registry is restored afterwards."""
    saved = dict(facts._PROVIDERS)
    state = SimpleNamespace(certified={}, quality=None, tracks=[], by_track={})

    facts._PROVIDERS["certified_people"] = lambda org_ids, at: {i: state.certified.get(i, 0) for i in org_ids}
    facts._PROVIDERS["all_track_slugs"] = lambda: list(state.tracks)
    facts._PROVIDERS["valid_certifications_by_track"] = lambda org_id, at: dict(state.by_track.get(org_id, {}))

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


