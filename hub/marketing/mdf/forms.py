"""MDF forms: a partner's request, a manager's decision, a ledger adjustment."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
import re
import secrets

from wtforms import BooleanField, FileField, HiddenField, IntegerField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional, Regexp
from wtforms.widgets import CheckboxInput, ListWidget

from ...forms import DateField, HubForm, MoneyField
from . import services
from .models import ACTIVITIES, PROOF_KINDS

TOKEN = re.compile(r"^[0-9a-f]{32}$")


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
    # One token per rendered form: it becomes the entry's unique key, so a double submit adds nothing.
    token = HiddenField(validators=[InputRequired(), Regexp(TOKEN)])

    @staticmethod
    def new_token() -> str:
        return secrets.token_hex(16)


def proof_kind_label(value: str) -> str:
    return str({"invoice": _l("Invoice"), "photo": _l("Photos"), "act": _l("Act of services (акт)"),
                "upd": _l("UPD (УПД)"), "other": _l("Other proof")}.get(value, value))


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _kind_choices():
    return [SelectChoice(value=k, label=proof_kind_label(k)) for k in PROOF_KINDS]


class ProofsMixin:
    """Up to three proof files, each with what it is; hub.files checks type and size."""

    file1 = FileField(_l("Proof file 1"))
    kind1 = SelectField(_l("What file 1 is"), choices=[SelectChoice(value=k, label=k) for k in PROOF_KINDS],
                        validate_choice=False)
    file2 = FileField(_l("Proof file 2"))
    kind2 = SelectField(_l("What file 2 is"), choices=[SelectChoice(value=k, label=k) for k in PROOF_KINDS],
                        validate_choice=False)
    file3 = FileField(_l("Proof file 3"))
    kind3 = SelectField(_l("What file 3 is"), choices=[SelectChoice(value=k, label=k) for k in PROOF_KINDS],
                        validate_choice=False)

    def _set_kinds(self):
        for n in (1, 2, 3):
            getattr(self, f"kind{n}").choices = _kind_choices()

    def uploads(self) -> list:
        return [(getattr(self, f"kind{n}").data, getattr(self, f"file{n}").data) for n in (1, 2, 3)]


class ClaimForm(ProofsMixin, HubForm):
    actual_cost = MoneyField(_l("Actual cost of the activity, ₽"), validators=[InputRequired()], minimum=100)
    claimed = MoneyField(_l("Amount claimed, ₽"), validators=[InputRequired()], minimum=100)
    note = TextAreaField(_l("What was done (results, links)"), validators=[Optional(), Length(max=5000)])
    deals = CheckboxesField(_l("Deals this activity brought"), coerce=int, validate_choice=True)
    attendance = BooleanField(_l("Include my people's attendance at vendor events during the activity"))

    def __init__(self, *args, deal_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self._set_kinds()
        self.deals.choices = list(deal_choices)


class MoreProofForm(ProofsMixin, HubForm):
    note = TextAreaField(_l("Note for the manager"), validators=[Optional(), Length(max=2000)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._set_kinds()


class ClaimDecisionForm(HubForm):
    decision = SelectField(_l("Decision on the claim"), choices=[
        SelectChoice(value="approve", label=_l("Approve the claim")),
        SelectChoice(value="more_info", label=_l("Ask for more proof")),
        SelectChoice(value="rejected", label=_l("Reject the claim"))], validators=[InputRequired()])
    reason = TextAreaField(_l("Reason (for more proof or a rejection)"), validators=[Optional(), Length(max=2000)])


class PaidForm(HubForm):
    paid_on = DateField(_l("Paid on"), validators=[InputRequired()])
    reference = StringField(_l("Payment reference (order number)"), validators=[InputRequired(), Length(max=100)])


class CloseForm(HubForm):
    reason = StringField(_l("Why the request closes without a claim"), validators=[InputRequired(), Length(max=500)])


class LinkDealsForm(HubForm):
    deals = CheckboxesField(_l("Deals this activity brought"), coerce=int, validate_choice=True)

    def __init__(self, *args, deal_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.deals.choices = list(deal_choices)
