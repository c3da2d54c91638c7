"""The commission arithmetic of the program (D5, L4), in one place: the public earnings calculator
(hub/program/services.py) and the commission engine (hub/rewards/commissions.py) both call these,
so what the calculator promises is what the statement pays.

Money is integer kopecks (or an exact Decimal of kopecks); a rate is a Decimal percent from
content/program.yml. An amount is rounded once, half up to the whole kopeck (0.5 kopeck goes up),
where it would appear on a statement. Never float.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from .rules import RetroBonus, Rules

HUNDRED = Decimal(100)


def percent_of(kopecks: int | Decimal, percent: Decimal | int) -> int:
    """`percent` % of an amount, rounded half up to the kopeck."""
    return int((Decimal(kopecks) * Decimal(percent) / HUNDRED).to_integral_value(rounding=ROUND_HALF_UP))


@dataclass(frozen=True)
class Commission:
    product: str
    tier: str
    base_kopecks: int
    percent: Decimal
    amount_kopecks: int


def commission(rules: Rules, product: str, tier: str, base_kopecks: int) -> Commission:
    """The commission on a won deal's licence amount: the tier's rate for the product.

    Which tier is the caller's business: the engine passes the tier held on the won date, the
    calculator the tier the visitor picked. Raises KeyError for a product or tier the rules lack.
    """
    percent = rules.rate(product, tier)
    return Commission(product, tier, base_kopecks, percent, percent_of(base_kopecks, percent))


def retro_step(rules: Rules, quarter_revenue_kopecks: int | Decimal) -> RetroBonus | None:
    """The highest retro-bonus step the quarter's revenue reaches (steps are sorted ascending)."""
    reached = None
    for step in rules.retro_bonuses:
        if quarter_revenue_kopecks >= step.min_quarter_revenue_kopecks:
            reached = step
    return reached


def next_retro_step(rules: Rules, quarter_revenue_kopecks: int | Decimal) -> RetroBonus | None:
    return next((s for s in rules.retro_bonuses if quarter_revenue_kopecks < s.min_quarter_revenue_kopecks), None)
