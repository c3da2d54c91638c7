"""Tiers (R3): evaluated from the program rules, explained to the partner.

Criteria of a tier (content/program.yml `tiers[].thresholds`): won revenue over the trailing
twelve months (closing days in program time), people holding a valid certificate (the academy's
`certified_people` fact; none without the academy), and, where a tier sets `min_quality`, the
quality score (the `partner_quality` fact; while no feature measures quality the criterion is
shown as "not measured" and does not block).

Promotion happens at once. A demotion happens only after the organisation has stayed below its
tier for `demotion_grace_days` in a row; climbing back within the grace period resets the clock.
A manager's override (tier, reason, end date) masks the rules' tier until it ends; then the
rules' tier applies again. Every change is audited and told to the organisation.
"""
from __future__ import annotations

import bisect
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import func, select

from .. import facts
from ..accounts.models import PARTNER, Organisation, User
from ..core import notifications
from ..core.services import audit
from ..database import utcnow
from ..extensions import db
from ..program import rules as program_rules
from ..program.rules import TIER_ORDER
from .models import TierChange, TierState, WonDeal
from .services import program_date, program_zone

PROMOTION = "promotion"
DEMOTION = "demotion"
OVERRIDE = "override"
OVERRIDE_ENDED = "override_ended"


class TierError(Exception):
    """Refused input (message translated for the user)."""


def rank(tier: str) -> int:
    return TIER_ORDER.index(tier) if tier in TIER_ORDER else 0


def year_ago(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


@dataclass
class Figures:
    revenue_12m_kopecks: int
    certified_people: int
    quality: Decimal | None  # None: not measured


def gather(org_ids: list[int], now: datetime) -> dict[int, Figures]:
    """The criteria's figures for many organisations at once (one query plus two facts)."""
    today = program_date(now)
    revenue = dict(db.session.execute(
        select(WonDeal.organisation_id, func.sum(WonDeal.amount_kopecks))
        .where(WonDeal.organisation_id.in_(org_ids), WonDeal.closed_on > year_ago(today),
               WonDeal.closed_on <= today)
        .group_by(WonDeal.organisation_id)).all()) if org_ids else {}
    certified = facts.get("certified_people", list(org_ids), now, default={}) or {}
    quality = facts.get("partner_quality", list(org_ids), default=None) if facts.has("partner_quality") else None
    out = {}
    for org_id in org_ids:
        q = None
        if quality is not None:
            raw = quality.get(org_id)
            q = Decimal(str(raw)) if raw is not None else Decimal(0)
        out[org_id] = Figures(int(revenue.get(org_id) or 0), int(certified.get(org_id) or 0), q)
    return out


def qualifies(tier, figures: Figures) -> bool:
    if figures.revenue_12m_kopecks < tier.min_revenue_kopecks:
        return False
    if figures.certified_people < tier.min_certified_people:
        return False
    if tier.min_quality is not None and figures.quality is not None and figures.quality < tier.min_quality:
        return False
    return True


def qualified_tier(figures: Figures) -> str:
    best = TIER_ORDER[0]
    for tier in program_rules.current().tiers:
        if qualifies(tier, figures):
            best = tier.code
    return best


def _state(org: Organisation, states: dict[int, TierState]) -> TierState:
    state = states.get(org.id)
    if state is None:
        state = TierState(organisation_id=org.id, rule_tier=org.tier or TIER_ORDER[0],
                          qualified_tier=org.tier or TIER_ORDER[0])
        db.session.add(state)
        states[org.id] = state
    return state


def override_active(state: TierState, today: date) -> bool:
    return state.override_tier is not None and state.override_until is not None and today <= state.override_until


def evaluate(org_ids: list[int] | None = None, now: datetime | None = None) -> list[TierChange]:
    """Re-evaluate the given organisations (all partners when None). The caller commits."""
    now = now or utcnow()
    today = program_date(now)
    grace = timedelta(days=program_rules.current().demotion_grace_days)
    # Lock the organisations (PostgreSQL; SQLite writers are serialised by BEGIN IMMEDIATE) so two
    # evaluations of one organisation run one after the other: the second then sees the tier state
    # the first created instead of inserting its own.
    query = select(Organisation).where(Organisation.kind == PARTNER).order_by(Organisation.id).with_for_update()
    if org_ids is not None:
        query = query.where(Organisation.id.in_(org_ids))
    orgs = list(db.session.scalars(query))
    ids = [o.id for o in orgs]
    states = {s.organisation_id: s for s in db.session.scalars(
        select(TierState).where(TierState.organisation_id.in_(ids)))} if ids else {}
    figures = gather(ids, now)
    changes = []
    for org in orgs:
        state = _state(org, states)
        fig = figures[org.id]
        state.revenue_12m_kopecks, state.certified_people, state.quality = (
            fig.revenue_12m_kopecks, fig.certified_people, fig.quality)
        state.evaluated_at = now
        qualified = qualified_tier(fig)
        state.qualified_tier = qualified
        reason = None
        if rank(qualified) > rank(state.rule_tier):
            state.rule_tier, state.below_since, reason = qualified, None, PROMOTION
        elif rank(qualified) < rank(state.rule_tier):
            if state.below_since is None:
                state.below_since = now
            elif now - state.below_since >= grace:
                state.rule_tier, state.below_since, reason = qualified, None, DEMOTION
        else:
            state.below_since = None
        ended = False
        if state.override_tier is not None and not override_active(state, today):
            state.override_tier = state.override_reason = state.override_until = state.override_by_id = None
            ended = True
        effective = state.override_tier if override_active(state, today) else state.rule_tier
        if effective != org.tier:
            if ended:
                reason = OVERRIDE_ENDED
            elif reason is None:  # the tier was set outside the engine (e.g. by hand): follow the rules
                reason = PROMOTION if rank(effective) > rank(org.tier) else DEMOTION
            changes.append(_change(org, effective, reason, now))
    return changes


def set_override(org: Organisation, tier: str, reason: str, until: date, actor, now: datetime | None = None) -> TierChange | None:
    """A manager's override: `tier` applies until `until` (inclusive, program time). Caller commits."""
    now = now or utcnow()
    if not actor.is_manager:
        raise TierError(_("You are not allowed to do this."))
    if tier not in TIER_ORDER:
        raise TierError(_("Choose a tier from the list."))
    if not reason or not reason.strip():
        raise TierError(_("Give a reason for the override."))
    if until < program_date(now):
        raise TierError(_("The end date must be today or later."))
    states = {}
    state = db.session.get(TierState, org.id)
    if state is not None:
        states[org.id] = state
    state = _state(org, states)
    state.override_tier, state.override_reason, state.override_until, state.override_by_id = (
        tier, reason.strip(), until, actor.id)
    audit("organisation", org.id, "tier_override", actor=actor, organisation_id=org.id, tier=tier,
          reason=reason.strip(), until=until.isoformat())
    if tier != org.tier:
        return _change(org, tier, OVERRIDE, now, actor=actor, note=reason.strip())
    return None


def _change(org: Organisation, new: str, reason: str, now: datetime, actor=None, note: str | None = None) -> TierChange:
    old = org.tier
    org.tier = new
    change = TierChange(organisation_id=org.id, old_tier=old, new_tier=new, reason=reason, note=note,
                        actor_id=getattr(actor, "id", None), created_at=now)
    db.session.add(change)
    audit("organisation", org.id, "tier_changed", actor=actor, organisation_id=org.id, old=old, new=new,
          reason=reason)
    _tell(org, old, new)
    return change


def _tell(org: Organisation, old: str, new: str) -> None:
    users = list(db.session.scalars(select(User).where(User.organisation_id == org.id, User.is_active_user)))
    notifications.send(users, "rewards.tier_changed", obj=org,
                       params={"old": old, "new": new, "up": rank(new) > rank(old)},
                       link_endpoint="rewards.tier", link_values={"org_id": org.id})


# --- explaining (the "why" and "what next" page) ------------------------------------------------

@dataclass
class Criterion:
    key: str
    label: str
    value: object
    required: object
    met: bool
    missing: object  # how much is still needed (0 when met); None when not measured
    percent: int
    measured: bool = True


@dataclass
class Explanation:
    tier: str
    rule_tier: str
    qualified_tier: str
    held: list[Criterion]  # the criteria of the tier held now
    next_tier: str | None
    next: list[Criterion]
    below_since: datetime | None
    demotion_on: date | None
    override: TierState | None
    evaluated_at: datetime | None


def _criteria(tier, state: TierState) -> list[Criterion]:
    def crit(key, label, value, required, measured=True):
        met = (not measured) or value >= required
        if required:
            percent = 100 if met else int(min(100, (Decimal(value) * 100 / Decimal(required)) if value else 0))
        else:
            percent = 100
        missing = None if not measured else max(required - value, 0)
        return Criterion(key, label, value, required, met, missing, percent, measured)
    out = [crit("revenue", _("Won revenue, last 12 months"), state.revenue_12m_kopecks, tier.min_revenue_kopecks),
           crit("certified", _("People with a valid certificate"), state.certified_people, tier.min_certified_people)]
    if tier.min_quality is not None:
        out.append(crit("quality", _("Quality score (0-10)"), state.quality if state.quality is not None else Decimal(0),
                        tier.min_quality, measured=state.quality is not None))
    return out


def explain(org: Organisation, now: datetime | None = None) -> Explanation:
    now = now or utcnow()
    state = db.session.get(TierState, org.id)
    if state is None or state.evaluated_at is None:
        # Never evaluated (no event yet, no tick yet): explain from today's figures without
        # writing anything, as this runs inside a page view.
        fig = gather([org.id], now)[org.id]
        state = TierState(organisation_id=org.id, rule_tier=org.tier, qualified_tier=qualified_tier(fig),
                          revenue_12m_kopecks=fig.revenue_12m_kopecks, certified_people=fig.certified_people,
                          quality=fig.quality, evaluated_at=None)
    rules = program_rules.current()
    current = rules.tier(org.tier) or rules.tiers[0]
    index = rank(current.code)
    nxt = rules.tiers[index + 1] if index + 1 < len(rules.tiers) else None
    demotion_on = None
    if state.below_since is not None:
        demotion_on = program_date(state.below_since + timedelta(days=rules.demotion_grace_days))
    return Explanation(
        tier=org.tier, rule_tier=state.rule_tier, qualified_tier=state.qualified_tier,
        held=_criteria(current, state), next_tier=nxt.code if nxt else None,
        next=_criteria(nxt, state) if nxt else [], below_since=state.below_since, demotion_on=demotion_on,
        override=state if override_active(state, program_date(now)) else None, evaluated_at=state.evaluated_at)


# --- the tier held at a moment (commissions price a deal at the tier held on its won date) -------

def won_moment(closed_on: date, recorded_at: datetime | None = None) -> datetime:
    """The moment whose tier prices a deal won on `closed_on` (program time): the end of that day,
    or the moment the win was recorded if that came first (a deal won today is priced at the tier
    held when it was marked won; a promotion later that day does not re-price it).

    Tier changes strictly before this moment count. The tier history only grows at "now", so the
    answer for a past moment never changes: the same line is priced the same at creation, in
    `rewards repair`, and in any later check.
    """
    end = datetime.combine(closed_on + timedelta(days=1), time.min, program_zone()).astimezone(timezone.utc)
    return min(end, recorded_at) if recorded_at is not None else end


class TierHistory:
    """The tier history of some organisations, loaded once (one query each for the changes and the
    current tiers), answering "which tier did it hold at that moment" for many moments."""

    def __init__(self, org_ids):
        ids = sorted(set(org_ids))
        self._changes: dict[int, list[TierChange]] = {org_id: [] for org_id in ids}
        self._current: dict[int, str] = {}
        self._times: dict[int, list[datetime]] = {}
        if not ids:
            return
        changes = select(TierChange).order_by(TierChange.created_at, TierChange.id)
        current = select(Organisation.id, Organisation.tier)
        if len(ids) <= 1000:  # beyond that, reading them all is cheaper than a huge IN list
            changes = changes.where(TierChange.organisation_id.in_(ids))
            current = current.where(Organisation.id.in_(ids))
        for change in db.session.scalars(changes):
            self._changes.setdefault(change.organisation_id, []).append(change)
        self._current = dict(db.session.execute(current).all())
        self._times = {org_id: [c.created_at for c in changes] for org_id, changes in self._changes.items()}

    def at(self, org_id: int, moment: datetime) -> str:
        """The tier held just before `moment`: the last change before it, else the tier the first
        change started from, else (never changed) the organisation's tier today."""
        changes = self._changes.get(org_id) or []
        if not changes:
            return self._current.get(org_id) or TIER_ORDER[0]
        index = bisect.bisect_left(self._times[org_id], moment)
        return changes[index - 1].new_tier if index else changes[0].old_tier

    def on_won_date(self, org_id: int, closed_on: date, recorded_at: datetime | None = None) -> str:
        return self.at(org_id, won_moment(closed_on, recorded_at))


def tier_on_won_date(org_id: int, closed_on: date, recorded_at: datetime | None = None) -> str:
    """The tier an organisation held on a deal's won date (see `won_moment`), overrides included:
    an override and its end are tier changes like promotions and demotions."""
    return TierHistory([org_id]).on_won_date(org_id, closed_on, recorded_at)


def history(org_id: int, limit: int = 20) -> list[TierChange]:
    return list(db.session.scalars(select(TierChange).where(TierChange.organisation_id == org_id)
                                   .order_by(TierChange.created_at.desc(), TierChange.id.desc()).limit(limit)))
