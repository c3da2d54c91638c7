from __future__ import annotations

from decimal import Decimal

from babel import Locale
from babel.numbers import format_decimal, format_percent
from flask import abort, current_app, request
from flask_login import current_user
from werkzeug.datastructures import MultiDict
from sqlalchemy import select
from sqlalchemy.orm import load_only

from ..extensions import db, htmx
from ..i18n import locale_code
from ..web import public, render, render_public
from . import bp
from .forms import CalculatorForm
from .models import ContentPage
from .rules import Rules, current
from .services import EarningsInput, estimate


@bp.app_template_filter("percent")
def percent_filter(value: Decimal | int | None) -> str:
    """A percentage given as a number (25, 27.5) in the current locale: «27,5 %» / «27.5%»."""
    if value is None:
        return ""
    locale = Locale.parse(locale_code())
    pattern = locale.percent_formats[None].pattern.replace("#,##0", "#,##0.##")
    return format_percent(Decimal(value) / 100, format=pattern, locale=locale)


@bp.app_template_filter("score")
def score_filter(value: Decimal | int | None) -> str:
    """A plain number such as a quality score in the current locale: «8,5» / «8.5»."""
    return "" if value is None else format_decimal(value, locale=locale_code())


def _own_tier(rules: Rules) -> str | None:
    """The tier of the viewer's partner organisation, to highlight it (None for visitors and the vendor)."""
    if current_user.is_authenticated and current_user.is_partner:
        tier = current_user.organisation.tier
        return tier if rules.tier(tier) else None
    return None


def _defaults(rules: Rules) -> MultiDict:
    """A typical first year: ten licences a deal, a deal a quarter, the first deal among them."""
    return MultiDict({"product": rules.products[0].code, "tier": _own_tier(rules) or rules.tiers[0].code,
                      "licences": "10", "deals_per_year": "4", "first_deal": "y"})


def _calculate(rules: Rules, from_query: bool):
    """The form (from the query string, or the defaults) and its estimate (None when invalid)."""
    form = CalculatorForm(rules, formdata=request.args if from_query else _defaults(rules))
    if not form.validate():
        return form, None
    result = estimate(rules, EarningsInput(
        product=form.product.data, tier=form.tier.data, deals_per_year=form.deals_per_year.number,
        licences=form.licences.number if form.deal_amount.data is None else None,
        deal_amount_kopecks=form.deal_amount.data, implementation_kopecks=form.implementation.data or 0,
        first_deal=bool(form.first_deal.data)))
    return form, result


def _pages() -> list[ContentPage]:
    """The pages to link to: titles only, not the bodies."""
    columns = load_only(ContentPage.slug, ContentPage.sort_order, ContentPage.title_ru, ContentPage.title_en)
    return list(db.session.scalars(
        select(ContentPage).options(columns).order_by(ContentPage.sort_order, ContentPage.slug)))


@bp.route("/program")
@public
def page():
    rules = current()
    pages = _pages()

    def context() -> dict:
        form, result = _calculate(rules, from_query=False)
        return dict(rules=rules, own_tier=_own_tier(rules), form=form, result=result, pages=pages)

    # The same for every visitor until the rules or the content pages change: rendered once.
    version = (current_app.extensions["program_rules"]["mtime"], id(rules),
               tuple((p.slug, p.title_ru, p.title_en) for p in pages))
    return render_public("program/page.html", version, context)


@bp.route("/program/calculator")
@public
def calculator():
    """The earnings calculator: a full page for a plain GET, the result block for htmx.

    The form pushes this URL with its query string, so a reload or a shared link shows the same
    estimate. Field errors reach their places next to the fields as out-of-band swaps.
    """
    rules = current()
    form, result = _calculate(rules, from_query=bool(request.args))
    fragment = bool(htmx) and not htmx.boosted and not htmx.history_restore_request
    return render("program/calculator.html", block="calc_result", status=200 if result else 422,
                  rules=rules, own_tier=_own_tier(rules), form=form, result=result, oob=fragment)


@bp.route("/pages/<slug>")
@public
def content_page(slug: str):
    item = db.session.scalar(select(ContentPage).where(ContentPage.slug == slug))
    if item is None:
        abort(404)
    return render("program/content_page.html", item=item, pages=_pages())
