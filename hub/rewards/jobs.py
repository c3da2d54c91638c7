"""`flask --app hub tick` for rewards: overrides that ended, tiers, retro-bonuses, badges.

The tick costs what changed. The listeners already evaluate the organisation and person an event
concerns, in the event's transaction; what is left to the tick is what time alone changes, plus a
safety net for whatever the listeners did not see. It remembers what it saw last (`TickMark`: the
last ledger entry and won deal, the moment of the run, a digest of the rules) and evaluates only:

- tiers of the organisations with a new won deal; with a won deal entering or leaving the trailing
  twelve months because the program day moved (closed_on in (year_ago(last day), year_ago(today)]
  or in (last day, today]); with a certificate issued, renewed, revoked or expired in (last run,
  now] (the academy's `certificates_changed` fact); whose demotion grace ended (below_since + grace
  <= now); whose override ended (override_until < today); whose tier differs from what the engine
  holds (set by hand) or that the engine has never seen (a new partner);
- retro-bonuses of the organisations with a new won deal in a closed quarter, and everyone's when
  a quarter closed since the last run;
- badges of the organisations and people with new ledger entries or won deals; the monthly ranking
  badges when a month closed or an entry landed in a closed month;
- everything (a full pass, in chunks that are committed one by one so no lock is ever held on all
  organisations) on the first run, when the rules, the badges or the academy's tracks changed, and
  while a quality score is provided (the `partner_quality` fact says nothing of when it changed).

Evaluating an organisation whose figures did not change changes nothing (the tier engine only
moves on a changed figure or a date above), so this gives what a full evaluation gives.
"""
from __future__ import annotations

import hashlib
from datetime import datetime, timedelta, timezone

from sqlalchemy import func, or_, select

from .. import facts
from ..accounts.models import PARTNER, Organisation
from ..core.cli import tick_job
from ..database import utcnow, write_intent
from ..extensions import db
from ..program import rules as program_rules
from . import badges, commissions, tiers
from .models import Badge, PointEntry, TickMark, TierState, WonDeal
from .services import insert_many_ignore, period_key, program_date, quarter_bounds, quarter_of

MARK = "rewards"
# A full pass commits after every chunk: the row locks (PostgreSQL) of one chunk at a time.
CHUNK = 500
# Won deals recorded this long before the last run are looked at again: on PostgreSQL a transaction
# that took an id before the last run may have committed after it (its own listener evaluated the
# organisation then; this only keeps the retro-bonus of a late deal from being missed).
LOOKBACK = timedelta(hours=1)


def full_evaluation(now=None, org_ids: list[int] | None = None) -> dict[str, int]:
    """Re-evaluate everything from rewards' own tables (idempotent), for the given organisations
    or everyone. The caller commits."""
    now = now or utcnow()
    changes = tiers.evaluate(org_ids, now)
    retro = commissions.compute_retro_bonuses(now, org_ids=org_ids)
    if org_ids is None:
        awards = badges.evaluate(None, None, now)
    else:
        awards = badges.evaluate(org_ids, _people_of(org_ids), now, periodic=False)
    return {"tier changes": len(changes), "retro-bonus lines": retro, "badges awarded": awards}


def _people_of(org_ids: list[int]) -> list[int]:
    if not org_ids:
        return []
    return list(db.session.scalars(select(PointEntry.user_id).where(
        PointEntry.organisation_id.in_(org_ids), PointEntry.user_id.is_not(None)).distinct()))


def rules_digest() -> str:
    """What the evaluation depends on besides the data: a change means a full pass."""
    rules = program_rules.current()
    parts = [repr(rules.tiers), repr(rules.demotion_grace_days), repr(rules.retro_bonuses), repr(rules.timezone),
             repr(sorted(db.session.execute(select(Badge.slug, Badge.checksum)).all())),
             repr(facts.get("all_track_slugs", default=[]) or [])]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def _mark() -> TickMark:
    """The job's mark, locked for the run (two ticks at once take turns)."""
    insert_many_ignore(TickMark, [dict(name=MARK, point_entry_id=0, won_deal_id=0, ran_at=datetime(1970, 1, 1, tzinfo=timezone.utc),
                                       rules_digest="")])
    return db.session.scalars(select(TickMark).where(TickMark.name == MARK).with_for_update()).one()


def _partner_ids() -> list[int]:
    return list(db.session.scalars(select(Organisation.id).where(Organisation.kind == PARTNER).order_by(Organisation.id)))


def incremental_evaluation(now: datetime | None = None, commit=None) -> dict[str, int]:
    """What the tick runs: evaluate only what changed since the last run (see the module
    docstring). `commit` (the tick passes db.session.commit) ends a full pass's chunks; the caller
    commits the rest."""
    now = now or utcnow()
    commit = commit or db.session.flush
    mark = _mark()
    digest = rules_digest()
    top_point = db.session.scalar(select(func.max(PointEntry.id))) or 0
    top_won = db.session.scalar(select(func.max(WonDeal.id))) or 0
    report = {"organisations evaluated": 0, "tier changes": 0, "retro-bonus lines": 0, "badges awarded": 0}

    def add(part: dict[str, int]) -> None:
        for key, value in part.items():
            report[key] += value

    if mark.rules_digest != digest or facts.has("partner_quality") or mark.ran_at > now:
        # Tiers lock their organisations: chunk by chunk. Retro-bonuses and badges lock none and
        # are cheaper in one pass over everyone than in chunks.
        ids = _partner_ids()
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start:start + CHUNK]
            report["tier changes"] += len(tiers.evaluate(chunk, now))
            report["organisations evaluated"] += len(chunk)
            commit()
        mark = _mark()
        add({"retro-bonus lines": commissions.compute_retro_bonuses(now),
             "badges awarded": badges.evaluate(None, None, now)})
    else:
        add(_changed_only(mark, now, top_point, top_won))
    mark.point_entry_id, mark.won_deal_id, mark.ran_at, mark.rules_digest = top_point, top_won, now, digest
    return report


def _changed_only(mark: TickMark, now: datetime, top_point: int, top_won: int) -> dict[str, int]:
    last, today = mark.ran_at, program_date(now)
    last_day = program_date(last)
    grace = timedelta(days=program_rules.current().demotion_grace_days)

    # What is new since the last run: ledger entries (people and organisations) and won deals.
    entries = db.session.execute(
        select(PointEntry.organisation_id, PointEntry.user_id, PointEntry.created_at)
        .where(PointEntry.id > mark.point_entry_id, PointEntry.id <= top_point)).all()
    wins = db.session.execute(
        select(WonDeal.organisation_id, WonDeal.closed_on, WonDeal.user_id)
        .where(WonDeal.id > mark.won_deal_id, WonDeal.id <= top_won)).all()
    new_orgs = {org for org, _at, _u in entries} | {org for org, _day, _u in wins}
    people = {user for _o, user, _at in entries if user} | {user for _o, _d, user in wins if user}

    # Tiers: new wins, the window's two edges moving, certificates, grace and overrides ending,
    # tiers set outside the engine, partners never evaluated.
    tier_orgs = set(new_orgs)
    if today != last_day:
        tier_orgs |= set(db.session.scalars(select(WonDeal.organisation_id).where(or_(
            (WonDeal.closed_on > tiers.year_ago(last_day)) & (WonDeal.closed_on <= tiers.year_ago(today)),
            (WonDeal.closed_on > last_day) & (WonDeal.closed_on <= today))).distinct()))
    tier_orgs |= set(facts.get("certificates_changed", last, now, default=set()) or ())
    tier_orgs |= set(db.session.scalars(select(TierState.organisation_id).where(or_(
        TierState.below_since <= now - grace,
        TierState.override_tier.is_not(None) & (TierState.override_until < today)))))
    held = func.coalesce(TierState.override_tier, TierState.rule_tier)
    tier_orgs |= set(db.session.scalars(
        select(Organisation.id).outerjoin(TierState, TierState.organisation_id == Organisation.id)
        .where(Organisation.kind == PARTNER, or_(TierState.organisation_id.is_(None), Organisation.tier != held))))
    changes = tiers.evaluate(sorted(tier_orgs), now) if tier_orgs else []

    # Retro-bonuses: a closed quarter's revenue moves only with a late win; a quarter closing is new.
    if commissions.closed_quarters(today) != commissions.closed_quarters(last_day):
        retro = commissions.compute_retro_bonuses(now)
    else:
        this_quarter = period_key("quarter", today)
        first_day = quarter_bounds(today.year, quarter_of(today))[0]
        late = {org for org, day, _u in wins if period_key("quarter", day) < this_quarter}
        late |= set(db.session.scalars(select(WonDeal.organisation_id).where(
            WonDeal.recorded_at > last - LOOKBACK, WonDeal.recorded_at <= now, WonDeal.closed_on < first_day)
            .distinct()))
        late = sorted(late)
        retro = commissions.compute_retro_bonuses(now, org_ids=late) if late else 0

    # Badges: the holders something happened to; the monthly ranking when a closed month moved.
    this_month = period_key("month", today)
    periodic = (period_key("month", last_day) != this_month
                or any(period_key("month", program_date(at)) < this_month for _o, _u, at in entries)
                or any(period_key("month", day) < this_month for _o, day, _u in wins))
    awards = badges.evaluate(sorted(new_orgs), sorted(people), now, periodic=periodic) \
        if new_orgs or people or periodic else 0
    return {"organisations evaluated": len(tier_orgs), "tier changes": len(changes),
            "retro-bonus lines": retro, "badges awarded": awards}


@tick_job("rewards")
def rewards_tick(echo) -> None:
    with write_intent():
        report = incremental_evaluation(commit=db.session.commit)
        db.session.commit()
    echo(", ".join(f"{k}: {v}" for k, v in report.items()))


@tick_job("rewards.plans")
def plans_tick(echo) -> None:
    """R5 at a quarter's end: the bonus of every individual plan reached in the last closed
    quarters that no won-deal delivery wrote yet (idempotent: one line per plan and quarter)."""
    from . import terms
    with write_intent():
        written = terms.evaluate_closed_quarters()
        db.session.commit()
    echo(f"plan bonus lines: {written}")
