"""MDF forms: a partner's request, a manager's decision, a ledger adjustment."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from ...forms import DateField, HubForm, MoneyField
from . import services
from .models import ACTIVITIES


def activity_label(value: str) -> str:
    return str({"event": _l("Event"), "webinar": _l("Webinar"), "campaign": _l("Campaign"),
                "trade_show": _l("Trade show"), "content": _l("Content")}.get(value, value))


class RequestForm(HubForm):
    activity = SelectField(_l("Activity type"), choices=[SelectChoice(value=a, label=a) for a in ACTIVITIES], validators=[InputRequired()])
    title = StringField(_l("Title"), validators=[InputRequired(), Length(max=200)])
    starts_on = DateField(_l("Starts on"), validators=[InputRequired()])
    ends_on = DateField(_l("Ends on"), validators=[InputRequired()])
    planned_cost = MoneyField(_l("Planned cost, ₽"), validators=[InputRequired()], minimum=100)
    share_percent = IntegerField(_l("Vendor share, %"), validators=[InputRequired(), NumberRange(1, 100)])
    requested = MoneyField(_l("Requested amount, ₽"), validators=[InputRequired()], minimum=100)
    expected_leads = IntegerField(_l("Expected leads"), validators=[Optional(), NumberRange(0, 100_000)])
    expected_pipeline = MoneyField(_l("Expected pipeline, ₽"), validators=[Optional()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.activity.choices = [SelectChoice(value=a, label=activity_label(a)) for a in ACTIVITIES]

    def values(self) -> dict:
        return {"activity": self.activity.data, "title": self.title.data.strip(), "starts_on": self.starts_on.data,
                "ends_on": self.ends_on.data, "planned_cost_kopecks": self.planned_cost.data,
                "share_percent": self.share_percent.data, "requested_kopecks": self.requested.data,
                "expected_leads": self.expected_leads.data or 0,
                "expected_pipeline_kopecks": self.expected_pipeline.data or 0}

    def validate(self, extra_validators=None) -> bool:
        if not super().validate(extra_validators):
            return False
        problems = services.check_values(self.values())
        for name, message in problems.items():
            target = {"planned_cost_kopecks": "planned_cost", "requested_kopecks": "requested"}.get(name, name)
            getattr(self, target).errors = [message]
        return not problems


class DecisionForm(HubForm):
    decision = SelectField(_l("Decision"), choices=[SelectChoice(value="approve", label=_l("Approve")),
                                                     SelectChoice(value="partial", label=_l("Approve in part")),
                                                     SelectChoice(value="changes_requested", label=_l("Ask for changes")),
                                                     SelectChoice(value="declined", label=_l("Decline"))],
                           validators=[InputRequired()])
    amount = MoneyField(_l("Approved amount, ₽ (for a partial approval)"), validators=[Optional()], minimum=100)
    reason = TextAreaField(_l("Reason (for changes or a decline)"), validators=[Optional(), Length(max=2000)])


class AdjustForm(HubForm):
    quarter = StringField(_l("Quarter"), validators=[InputRequired(), Length(min=7, max=7)])
    direction = SelectField(_l("Direction"), choices=[SelectChoice(value="add", label=_l("Add")), SelectChoice(value="remove", label=_l("Remove"))],
                            validators=[InputRequired()])
    amount = MoneyField(_l("Amount, ₽"), validators=[InputRequired()], minimum=100)
    reason = StringField(_l("Reason"), validators=[InputRequired(), Length(max=500)])
