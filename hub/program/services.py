"""The program's arithmetic (P5, L4): the partner earnings calculator. No `request` here.

All money is integer kopecks; percentages are Decimals from the rules file. Every amount is
rounded to the kopeck once, half up, at the point where it would appear on a statement.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal

from . import commission as arithmetic
from .commission import next_retro_step, percent_of, retro_step
from .rules import RetroBonus, Rules

__all__ = ("EarningsInput", "Estimate", "estimate", "percent_of", "retro_step", "next_retro_step")


@dataclass(frozen=True)
class EarningsInput:
    product: str
    tier: str
    deals_per_year: int
    licences: int | None = None
    deal_amount_kopecks: int | None = None  # when given, used instead of licences × list price
    implementation_kopecks: int = 0  # the partner's own implementation revenue per deal
    first_deal: bool = False


@dataclass(frozen=True)
class Estimate:
    product: str
    tier: str
    licences: int | None
    licence_price_kopecks: int
    deal_amount_kopecks: int
    percent: Decimal
    commission_per_deal_kopecks: int
    deals_per_year: int
    commission_per_year_kopecks: int
    spiff_kopecks: int
    yearly_revenue_kopecks: int
    quarter_revenue_kopecks: Decimal  # yearly / 4, kept exact for comparing with the steps
    retro_percent: Decimal  # 0 when no step is reached
    retro_per_quarter_kopecks: int
    retro_per_year_kopecks: int
    next_retro: RetroBonus | None
    implementation_per_deal_kopecks: int
    implementation_per_year_kopecks: int
    total_kopecks: int

    @property
    def by_licences(self) -> bool:
        return self.licences is not None

    @property
    def quarter_revenue_rounded_kopecks(self) -> int:
        return int(self.quarter_revenue_kopecks.to_integral_value(rounding=ROUND_HALF_UP))

    @property
    def to_next_retro_kopecks(self) -> int:
        """How much more revenue per quarter reaches the next retro step (0 when none is left)."""
        if self.next_retro is None:
            return 0
        return int((self.next_retro.min_quarter_revenue_kopecks - self.quarter_revenue_kopecks)
                   .to_integral_value(rounding=ROUND_CEILING))


def estimate(rules: Rules, data: EarningsInput) -> Estimate:
    """What a partner earns in a year with `data.deals_per_year` deals like the one described.

    Commission: deal amount × the tier's rate for the product (`commission()`, the engine's own). SPIFF: once, for the organisation's
    first deal. Retro-bonus: the year's revenue spread evenly over four quarters, each quarter
    paid the percent of the highest step it reaches. Implementation: the partner's own revenue.
    """
    product = rules.product(data.product)
    if product is None:
        raise ValueError(f"unknown product {data.product!r}")
    if rules.tier(data.tier) is None:
        raise ValueError(f"unknown tier {data.tier!r}")
    if data.deals_per_year < 1:
        raise ValueError("deals_per_year must be at least 1")
    if data.deal_amount_kopecks is not None:
        if data.deal_amount_kopecks <= 0:
            raise ValueError("deal amount must be positive")
        licences, deal_amount = None, data.deal_amount_kopecks
    else:
        if data.licences is None or data.licences < 1:
            raise ValueError("give licences (at least 1) or a deal amount")
        licences, deal_amount = data.licences, data.licences * product.licence_price_kopecks
    if data.implementation_kopecks < 0:
        raise ValueError("implementation revenue must not be negative")

    line = arithmetic.commission(rules, product.code, data.tier, deal_amount)
    percent, per_deal = line.percent, line.amount_kopecks
    per_year = per_deal * data.deals_per_year
    spiff = rules.spiff_first_deal_kopecks if data.first_deal else 0

    yearly_revenue = deal_amount * data.deals_per_year
    quarter = Decimal(yearly_revenue) / 4
    step = retro_step(rules, quarter)
    retro_percent = step.percent if step else Decimal(0)
    retro_quarter = percent_of(quarter, retro_percent)
    retro_year = retro_quarter * 4

    implementation_year = data.implementation_kopecks * data.deals_per_year
    return Estimate(
        product=product.code, tier=data.tier, licences=licences,
        licence_price_kopecks=product.licence_price_kopecks, deal_amount_kopecks=deal_amount,
        percent=percent, commission_per_deal_kopecks=per_deal, deals_per_year=data.deals_per_year,
        commission_per_year_kopecks=per_year, spiff_kopecks=spiff, yearly_revenue_kopecks=yearly_revenue,
        quarter_revenue_kopecks=quarter, retro_percent=retro_percent, retro_per_quarter_kopecks=retro_quarter,
        retro_per_year_kopecks=retro_year, next_retro=next_retro_step(rules, quarter),
        implementation_per_deal_kopecks=data.implementation_kopecks,
        implementation_per_year_kopecks=implementation_year,
        total_kopecks=per_year + spiff + retro_year + implementation_year,
    )
