"""Badges (R2): definitions in content/badges.yml, awarded once per holder by rules.

The same function decides on both paths: the listeners call `evaluate` for the organisation and
person an event concerns, `flask --app hub tick` calls it for everyone. Awards are inserted with
ON CONFLICT DO NOTHING on (badge, holder), so each badge is held once however often it is earned.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Annotated, Callable, Literal

import click
import yaml
from flask import current_app
from pydantic import BeforeValidator, ValidationError, ValidationInfo, field_validator, model_validator
from sqlalchemy import func, literal, select

from .. import facts
from ..accounts.models import PARTNER, Organisation, User
from ..content.sync import new_counts, remove_missing, upsert_by_slug
from ..core.cli import content_loader
from ..database import utcnow, write_intent
from ..extensions import db
from ..schema import ListOf, Model, Text, adapter, describe, key_path, problem_at
from .models import (ACCEPTED_ANSWER, CERTIFICATE_EARNED, EVENT_ATTENDED, METRICS, Badge, BadgeAward,
                     PeriodStat, PointEntry, WonDeal)
from .services import insert_many_ignore, period_key, program_date

USER = "user"
ORGANISATION = "organisation"
# rule -> (scope, {parameter: type})
RULE_TYPES = {
    "deals_won": (ORGANISATION, {"count": int}),
    "certificates": (USER, {"count": int}),
    "all_tracks_certified": (ORGANISATION, {}),
    "top_month": (ORGANISATION, {"top": int, "metric": str}),
    "events_attended": (USER, {"count": int}),
    "accepted_answers": (USER, {"count": int}),
    "points": (USER, {"total": int}),
}
_ACTION_OF_RULE = {"certificates": CERTIFICATE_EARNED, "events_attended": EVENT_ATTENDED,
                   "accepted_answers": ACCEPTED_ANSWER}
IMAGE_DIR = ("img", "badges")
# Awarded by tick only: a month's ranking is known when the month is over, not on one event.
PERIODIC_RULES = ("top_month",)


class BadgeFileError(ValueError):
    pass


@dataclass(frozen=True)
class BadgeSource:
    slug: str
    scope: str
    rule: str
    params: dict
    name_ru: str
    name_en: str
    description_ru: str
    description_en: str
    image: str
    order: int
    checksum: str


def _badge_slug(value):
    if not isinstance(value, str) or not value or not all(c.isalnum() or c == "-" for c in value):
        raise ValueError(f"must be letters, digits and dashes, got {value!r}")
    return value


def _order(value):
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError("must be a whole number")
    return value


class BadgeEntry(Model):
    slug: Annotated[str, BeforeValidator(_badge_slug)]
    rule: Literal[tuple(RULE_TYPES)]  # type: ignore[valid-type]
    params: Annotated[dict, BeforeValidator(lambda value: {} if value is None else value)] = {}
    name: Text
    description: Text
    image: str
    order: Annotated[int, BeforeValidator(_order)] = 100

    @field_validator("image")
    @classmethod
    def _an_image_we_have(cls, image: str, info: ValidationInfo) -> str:
        if "/" in image or not image.endswith(".svg"):
            raise ValueError("must be the name of an .svg file in static/img/badges")
        if not (info.context["static_dir"].joinpath(*IMAGE_DIR) / image).is_file():
            raise ValueError(f"static/img/badges/{image} does not exist")
        return image

    @model_validator(mode="after")
    def _parameters_of_the_rule(self):
        _scope, spec = RULE_TYPES[self.rule]
        for name, kind in spec.items():
            value = self.params.get(name)
            if kind is int and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
                raise problem_at(("params", name), f"must be a whole number of at least 1, got {value!r}")
            if kind is str and not isinstance(value, str):
                raise problem_at(("params", name), f"must be a text, got {value!r}")
        extra = sorted(set(self.params) - set(spec))
        if extra:
            raise problem_at(("params", extra[0]), f"is not a parameter of {self.rule}")
        if self.rule == "top_month" and self.params["metric"] not in METRICS:
            raise problem_at(("params", "metric"), f"must be one of {', '.join(METRICS)}")
        return self


class BadgesFile(Model):
    badges: ListOf[BadgeEntry]

    @model_validator(mode="after")
    def _each_slug_once(self):
        seen = set()
        for n, badge in enumerate(self.badges):
            if badge.slug in seen:
                raise problem_at(("badges", n, "slug"), f"{badge.slug!r} appears twice")
            seen.add(badge.slug)
        return self


def _where(loc: tuple, raw: dict) -> str:
    """'badges[first-deal].params.count': a badge is named by its slug once the slug is readable."""
    if len(loc) > 2 and loc[0] == "badges" and isinstance(loc[1], int) and loc[2] != "slug":
        items = raw.get("badges")
        slug = items[loc[1]].get("slug") if isinstance(items, list) and isinstance(items[loc[1]], dict) else None
        if isinstance(slug, str) and slug:
            rest = key_path(loc[2:])
            return f"badges[{slug}]" + (f".{rest}" if not rest.startswith("[") else rest)
    return key_path(loc)


def read_badges(path: Path, static_dir: Path) -> list[BadgeSource]:
    """content/badges.yml, validated; BadgeFileError names the file, the key and the problem."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BadgeFileError(f"{path}: (file): does not exist") from None
    except yaml.YAMLError as exc:
        raise BadgeFileError(f"{path}: (file): is not valid YAML: {exc}") from None
    try:
        parsed = adapter(BadgesFile).validate_python(raw, context={"static_dir": static_dir})
    except ValidationError as exc:
        raise BadgeFileError("\n".join(f"{path}: {_where(error['loc'], raw if isinstance(raw, dict) else {})}: "
                                        f"{describe(error)}" for error in exc.errors())) from None
    out = []
    for item, badge in zip(raw["badges"], parsed.badges):
        digest = hashlib.sha256(json.dumps(item, sort_keys=True, ensure_ascii=False, default=str).encode()).hexdigest()
        out.append(BadgeSource(slug=badge.slug, scope=RULE_TYPES[badge.rule][0], rule=badge.rule,
                               params=dict(badge.params), image=badge.image, order=badge.order, checksum=digest,
                               name_ru=badge.name.ru, name_en=badge.name.en,
                               description_ru=badge.description.ru, description_en=badge.description.en))
    return out


def sync_badges(sources: list[BadgeSource]) -> dict[str, int]:
    counts = new_counts()
    existing = {b.slug: b for b in db.session.scalars(select(Badge))}
    for src in sources:
        def fill(badge, src=src):
            badge.scope, badge.rule, badge.params, badge.image, badge.sort_order = (
                src.scope, src.rule, src.params, src.image, src.order)
            badge.name_ru, badge.name_en = src.name_ru, src.name_en
            badge.description_ru, badge.description_en = src.description_ru, src.description_en
        upsert_by_slug(Badge, existing, src.slug, src.checksum, counts, fill)
    remove_missing(existing, (s.slug for s in sources), counts)
    db.session.flush()
    return counts


@content_loader("badges")
def load_badges(directory: str, echo: Callable[[str], None]) -> dict[str, int]:
    path = Path(directory) / "badges.yml"
    if not path.is_file():
        # Like pages: a content directory without the file is more likely a wrong --dir.
        echo(f"badges: {path} does not exist, badges left as they are")
        return {}
    try:
        sources = read_badges(path, Path(current_app.static_folder))
    except BadgeFileError as exc:
        raise click.ClickException(str(exc)) from None
    with write_intent():
        return sync_badges(sources)


# --- rules ------------------------------------------------------------------------------------

def _count_by_org(rule_filter, org_ids):
    query = select(WonDeal.organisation_id).group_by(WonDeal.organisation_id)
    if org_ids is not None:
        query = query.where(WonDeal.organisation_id.in_(org_ids))
    return query.having(rule_filter)


def _org_holders(badge: Badge, org_ids: list[int] | None, now: datetime) -> set[int]:
    params = badge.params or {}
    if badge.rule == "deals_won":
        return set(db.session.scalars(_count_by_org(func.count(WonDeal.id) >= params["count"], org_ids)))
    if badge.rule == "all_tracks_certified":
        # One query for every candidate (the academy's fact), not one per organisation.
        held = set(facts.get("certified_in_all_tracks", org_ids, now, default=set()) or ())
        if org_ids is None and held:
            held &= set(db.session.scalars(select(Organisation.id).where(Organisation.kind == PARTNER)))
        return held
    if badge.rule == "top_month":
        return top_month_holders(params["metric"], params["top"], org_ids, now)
    return set()


def top_month_holders(metric: str, top: int, org_ids: list[int] | None, now: datetime) -> set[int]:
    """Organisations ranked within `top` in any closed month (same order as the leaderboard:
    value, then who reached it first, then name)."""
    value, reached = {"revenue": (PeriodStat.revenue_kopecks, PeriodStat.revenue_at),
                      "points": (PeriodStat.points, PeriodStat.points_at),
                      "deals": (PeriodStat.deals_won, PeriodStat.deals_at)}[metric]
    this_month = period_key("month", program_date(now))
    position = func.row_number().over(partition_by=PeriodStat.period,
                                      order_by=(value.desc(), reached.asc(), Organisation.name.asc(),
                                                Organisation.id.asc())).label("position")
    ranked = (select(PeriodStat.organisation_id.label("org_id"), position)
              .join(Organisation, Organisation.id == PeriodStat.organisation_id)
              .where(PeriodStat.period.like("____-__"), PeriodStat.period < this_month, value > 0)
              .subquery())
    query = select(ranked.c.org_id).where(ranked.c.position <= top).distinct()
    if org_ids is not None:
        query = query.where(ranked.c.org_id.in_(org_ids))
    return set(db.session.scalars(query))


def _user_holders(badge: Badge, user_ids: list[int] | None) -> set[int]:
    params = badge.params or {}
    if badge.rule in _ACTION_OF_RULE:
        query = (select(PointEntry.user_id).where(PointEntry.action == _ACTION_OF_RULE[badge.rule],
                                                  PointEntry.user_id.is_not(None))
                 .group_by(PointEntry.user_id).having(func.count(PointEntry.id) >= params["count"]))
    elif badge.rule == "points":
        query = (select(PointEntry.user_id).where(PointEntry.user_id.is_not(None))
                 .group_by(PointEntry.user_id).having(func.sum(PointEntry.points) >= params["total"]))
    else:
        return set()
    if user_ids is not None:
        query = query.where(PointEntry.user_id.in_(user_ids))
    return set(db.session.scalars(query))


def evaluate(org_ids: list[int] | None = None, user_ids: list[int] | None = None,
             now: datetime | None = None, periodic: bool | None = None) -> int:
    """Award every badge the given holders have earned (everyone when both are None).
    The periodic rules (PERIODIC_RULES) run when everyone is evaluated, or when `periodic` says so
    (then for everyone: a ranking is everyone's). Runs in the caller's transaction; returns the
    number of new awards."""
    now = now or utcnow()
    everyone = org_ids is None and user_ids is None
    periodic = everyone if periodic is None else periodic
    org_ids = None if everyone else [i for i in (org_ids or []) if i]
    user_ids = None if everyone else [i for i in (user_ids or []) if i]
    rows: list[dict] = []
    badges = list(db.session.scalars(select(Badge).order_by(Badge.sort_order, Badge.slug)))
    user_orgs: dict[int, int] | None = None
    for badge in badges:
        if badge.rule in PERIODIC_RULES:
            if not periodic:
                continue
            for org_id in sorted(_org_holders(badge, None, now)):
                rows.append(dict(badge_id=badge.id, holder_key=f"org:{org_id}", user_id=None,
                                 organisation_id=org_id, awarded_at=now))
            continue
        if badge.scope == ORGANISATION:
            if org_ids == []:
                continue
            for org_id in sorted(_org_holders(badge, org_ids, now)):
                rows.append(dict(badge_id=badge.id, holder_key=f"org:{org_id}", user_id=None,
                                 organisation_id=org_id, awarded_at=now))
        else:
            if user_ids == []:
                continue
            holders = _user_holders(badge, user_ids)
            if not holders:
                continue
            if user_orgs is None or not holders <= set(user_orgs):
                user_orgs = dict(db.session.execute(select(User.id, User.organisation_id).where(
                    User.id.in_(holders) if len(holders) < 5000 else literal(True))).all())
            for user_id in sorted(holders):
                if user_id in user_orgs:
                    rows.append(dict(badge_id=badge.id, holder_key=f"user:{user_id}", user_id=user_id,
                                     organisation_id=user_orgs[user_id], awarded_at=now))
    if not rows:
        return 0
    # Skip what is held already (one query), then insert the rest; the unique key still decides.
    held = set(db.session.execute(select(BadgeAward.badge_id, BadgeAward.holder_key).where(
        BadgeAward.badge_id.in_({r["badge_id"] for r in rows}))).all()) if len(rows) > 50 else set()
    return insert_many_ignore(BadgeAward, [r for r in rows if (r["badge_id"], r["holder_key"]) not in held])


def awards_of_user(user_id: int, limit: int | None = None) -> list[BadgeAward]:
    query = select(BadgeAward).where(BadgeAward.user_id == user_id).order_by(BadgeAward.awarded_at.desc(),
                                                                            BadgeAward.id.desc())
    return list(db.session.scalars(query.limit(limit) if limit else query))


def awards_of_org(org_id: int, limit: int | None = None, include_people: bool = False) -> list[BadgeAward]:
    query = select(BadgeAward).where(BadgeAward.organisation_id == org_id)
    if not include_people:
        query = query.where(BadgeAward.user_id.is_(None))
    query = query.order_by(BadgeAward.awarded_at.desc(), BadgeAward.id.desc())
    return list(db.session.scalars(query.limit(limit) if limit else query))


@facts.provides("badges_held")
def badges_held(org_ids: list[int], user_ids: list[int], locale: str) -> dict[str, dict[int, list[dict]]]:
    """Badges of several organisations (their own, not their people's) and people, in one query: for
    the partner directory's cards and pages (hub/facts.py)."""
    out: dict[str, dict[int, list[dict]]] = {"organisations": {}, "people": {}}
    org_ids, user_ids = list(org_ids or []), list(user_ids or [])
    if not org_ids and not user_ids:
        return out
    holders = [f"org:{i}" for i in org_ids] + [f"user:{i}" for i in user_ids]
    query = (select(BadgeAward).where(BadgeAward.holder_key.in_(holders))
             .order_by(BadgeAward.awarded_at.desc(), BadgeAward.id.desc()))
    for award in db.session.scalars(query):
        item = {"slug": award.badge.slug, "name": award.badge.name(locale), "image": award.badge.image,
                "awarded_at": award.awarded_at}
        if award.user_id is None:
            out["organisations"].setdefault(award.organisation_id, []).append(item)
        else:
            out["people"].setdefault(award.user_id, []).append(item)
    return out


def award_set() -> set[tuple[str, str]]:
    """Every (badge slug, holder) pair: what the equality test compares."""
    return set(db.session.execute(select(Badge.slug, BadgeAward.holder_key).join(Badge)).all())
