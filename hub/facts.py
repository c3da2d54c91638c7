"""Facts one feature offers to the others, without the others importing its internals.

A feature registers a provider at import time; a consumer asks for the fact by name and gets the
default when no provider is registered (the feature is absent or switched off). Signals carry what
happened; facts answer what is true now (e.g. the tier engine asks the academy how many people of an
organisation hold a valid certificate).

    # hub/academy/services.py
    @provides("certified_people")
    def certified_people(org_ids, at): ...

    # hub/rewards/tiers.py
    counts = facts.get("certified_people", org_ids, at, default={})

Known facts (name: arguments -> result):
- certified_people: (org_ids: list[int], at: datetime UTC) -> {org_id: number of distinct users
  holding at least one valid (not expired, not revoked) certificate at `at`}
- valid_certifications_by_track: (org_id: int, at: datetime UTC) -> {track_slug: number of valid
  certificates}
- all_track_slugs: () -> list[str] of tracks that issue certificates
- track_titles: (lang: "ru" | "en") -> {track_slug: title in that language} (the partner directory)
- badges_held: (org_ids: list[int], user_ids: list[int], locale: str) -> {"organisations": {org_id:
  [badge]}, "people": {user_id: [badge]}}, badge = {"slug", "name" (in locale), "image" (file name
  under static/img/badges), "awarded_at"}, newest first, in one query (rewards; the partner directory)
- certified_in_all_tracks: (org_ids: list[int] | None (everyone), at: datetime UTC) -> set of
  org_ids holding a valid certificate of every track at `at` (one query)
- certificates_changed: (since: datetime UTC, until: datetime UTC) -> set of org_ids with a
  certificate issued, renewed, revoked or expired in (since, until] (rewards' incremental tick)
- onboarding_status: (org_id: int, now: datetime UTC) -> dict | None (the 60-day plan's state:
  {"started_at", "deadline", "days_left", "first_deal_at", "steps": [...]})
- money_limits: () -> {"ceiling_kopecks", "deal_minimum_kopecks"}: the limits of every money field
  (content/program.yml `deals.amount_max_rub` / `amount_min_rub`; provided by hub/program/rules.py)
- won_deals: () -> list of {"id", "organisation_id", "created_by_id", "product", "amount_kopecks"
  (final amount), "closed_on" (date)}: every won deal (the deals feature; rewards' repair)
- deal_registrations: () -> list of {"id", "organisation_id", "amount_kopecks" (registered),
  "submitted_at" (UTC)}: every deal registration (the deals feature; insights' demo backfill)
- deal_regions: (deal_ids: list[int]) -> {deal_id: region code} (deals; deal_won has no region and the
  partner locator counts wins per region)
- first_deal_at: () -> {org_id: datetime UTC of the organisation's first deal registration} (the
  deals feature; the academy's demo records it on the onboarding plans)
- partner_quality: (org_ids: list[int]) -> {org_id: number 0-10} (quality score for the tiers'
  min_quality; while no provider exists the tier engine shows quality as "not measured")
- events_attended: (org_ids: list[int], since: datetime UTC | None) -> {org_id: number of
  attendances, people x events, checked in since `since`} (community.events; key-partner health)
- event_attendance: (start: datetime UTC, end: datetime UTC) -> list of {"event_id", "slug",
  "kind", "starts_at", "registered", "attended"} for the events starting in [start, end) (insights)
- key_partner_health: (now: datetime UTC | None) -> list of {"organisation_id", "name", "tier",
  "score" (0-100), "at_risk" (bool)} for every key partner, most at risk first (community.care; the
  weekly report's at-risk key partners)
"""
from __future__ import annotations

from typing import Any, Callable

_PROVIDERS: dict[str, Callable[..., Any]] = {}


def provides(name: str):
    def decorator(func):
        _PROVIDERS[name] = func
        return func
    return decorator


def get(name: str, *args, default: Any = None, **kwargs) -> Any:
    provider = _PROVIDERS.get(name)
    if provider is None:
        return default
    return provider(*args, **kwargs)


def has(name: str) -> bool:
    return name in _PROVIDERS
