"""Key-partner care forms: a QBR, an action item and its tick, a beta and its sign-up and feedback,
an announcement."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, InputRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from ...accounts.labels import tier_label
from ...forms import DateField, HubForm, valid_id
from ...program.rules import TIER_ORDER


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _tiers_field(label):
    return CheckboxesField(label, validators=[DataRequired(_l("Choose at least one tier."))])


class QbrForm(HubForm):
    meeting_on = DateField(_l("Date of the review"), validators=[InputRequired(_l("Enter a date."))])
    agenda = TextAreaField(_l("Agenda"), validators=[DataRequired(_l("Write the agenda.")), Length(max=5000)])
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=20_000)])

    def values(self) -> dict:
        return {"meeting_on": self.meeting_on.data, "agenda": self.agenda.data or "", "notes": self.notes.data or ""}


class ActionItemForm(HubForm):
    title = StringField(_l("What is to be done"), validators=[DataRequired(_l("Say what is to be done.")),
                                                             Length(max=300)])
    owner = SelectField(_l("Owner"), coerce=lambda v: valid_id(v) if isinstance(v, str) else v,
                        validators=[InputRequired(_l("Choose a person of this partner or of the vendor."))])
    due_on = DateField(_l("Due on"), validators=[InputRequired(_l("Enter a date."))])

    def __init__(self, *args, people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.owner.choices = [(p.id, f"{p.name} ({p.organisation.name})") for p in people]

    def values(self) -> dict:
        return {"title": self.title.data or "", "owner_id": self.owner.data, "due_on": self.due_on.data}


class DoneForm(HubForm):
    done = HiddenField(validators=[InputRequired(), AnyOf(["0", "1"])])


class BetaForm(HubForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    description = TextAreaField(_l("Description"), validators=[DataRequired(), Length(max=10_000)])
    tiers = _tiers_field(_l("Tiers allowed"))
    signup_closes_on = DateField(_l("Sign-up closes on"), validators=[InputRequired(_l("Enter a date."))])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.tiers.choices = [(t, tier_label(t)) for t in TIER_ORDER]

    def values(self) -> dict:
        return {"title": self.title.data, "description": self.description.data, "tiers": self.tiers.data,
                "signup_closes_on": self.signup_closes_on.data}


class SignupForm(HubForm):
    """Only the CSRF token: the organisation signs up once."""


class FeedbackForm(HubForm):
    feedback = TextAreaField(_l("Your feedback"), validators=[DataRequired(_l("Write your feedback.")),
                                                             Length(max=5000)])


class AnnouncementForm(HubForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    body = TextAreaField(_l("Text"), validators=[DataRequired(), Length(max=10_000)])
    tiers = _tiers_field(_l("For the tiers"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.tiers.choices = [(t, tier_label(t)) for t in TIER_ORDER]

    def values(self) -> dict:
        return {"title": self.title.data, "body": self.body.data, "tiers": self.tiers.data}
