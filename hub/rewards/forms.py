"""Rewards forms."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from ..forms import DateField, HubForm, valid_id
from ..accounts.models import PARTNER_TYPES
from ..program import rules as program_rules
from ..program.rules import TIER_ORDER
from .models import APPROVED, PAID


def _choices(pairs) -> list[SelectChoice]:
    return [SelectChoice(value=value, label=label) for value, label in pairs]


def _tier_choices(blank: bool):
    rules = program_rules.current()
    choices = [(t.code, str(t.name)) for t in rules.tiers]
    return _choices(([("", _l("All tiers"))] if blank else []) + choices)


METRIC_CHOICES = (("revenue", _l("Won revenue")), ("points", _l("Points")), ("deals", _l("Deals won")))
PERIOD_CHOICES = (("month", _l("This month")), ("quarter", _l("This quarter")), ("year", _l("This year")),
                  ("all", _l("All time")))


def metric_label(metric: str) -> str:
    return str(dict(METRIC_CHOICES).get(metric, metric))


def partner_type_label(code: str) -> str:
    labels = {"integrator": _l("Integrators"), "distributor": _l("Distributors"), "agent": _l("Agents"),
              "dealer": _l("Dealers")}
    return str(labels.get(code, code))


class LeaderboardForm(HubForm):
    """The leaderboard's filters: a GET form (no CSRF: it changes nothing)."""

    class Meta:
        csrf = False

    metric = SelectField(_l("Ranked by"), choices=_choices(METRIC_CHOICES), default="revenue",
                         validators=[Optional()])
    period = SelectField(_l("Period"), choices=_choices(PERIOD_CHOICES), default="month", validators=[Optional()])
    partner_type = SelectField(_l("Partner type"), validators=[Optional()])
    region = SelectField(_l("Region"), validators=[Optional()])
    tier = SelectField(_l("Tier"), validators=[Optional()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        rules = program_rules.current()
        self.partner_type.choices = _choices([("", _l("All types"))] + [(t, partner_type_label(t)) for t in PARTNER_TYPES])
        self.region.choices = _choices([("", _l("All regions"))] + [(r.code, str(r.name)) for r in rules.regions])
        self.tier.choices = _tier_choices(blank=True)


class OverrideForm(HubForm):
    tier = SelectField(_l("Tier"), validators=[InputRequired()])
    until = DateField(_l("Until (inclusive)"), validators=[InputRequired(message=_l("Enter the end date."))])
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(message=_l("Give a reason for the override.")),
                                                     Length(max=1000)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.tier.choices = _tier_choices(blank=False)

    def validate_tier(self, field):
        if field.data not in TIER_ORDER:
            raise ValidationError(_l("Choose a tier from the list."))


class LineActionForm(HubForm):
    line_id = HiddenField(validators=[InputRequired()])
    action = HiddenField(validators=[InputRequired()])

    def validate_action(self, field):
        if field.data not in (APPROVED, PAID):
            raise ValidationError(_l("Unknown action."))

    def validate_line_id(self, field):
        if valid_id(field.data) is None:
            raise ValidationError(_l("Unknown line."))
