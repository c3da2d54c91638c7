"""NPS forms: a partner's answer (0–10 and a comment), a manager's follow-up."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import RadioField, SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length

from ...forms import HubForm
from .models import CLOSED, COMMENT_MAX, CONTACTED, FOLLOW_OPEN, NOTE_MAX


def follow_up_label(value: str | None) -> str:
    return str({FOLLOW_OPEN: _l("To follow up"), CONTACTED: _l("Contacted"), CLOSED: _l("Closed")}
               .get(value or "", value or ""))


class AnswerForm(HubForm):
    score = RadioField(_l("Score"), choices=[SelectChoice(value=n, label=str(n)) for n in range(11)], coerce=int,
                       validators=[InputRequired(message=_l("Choose a score from 0 to 10."))])
    comment = TextAreaField(_l("What is the main reason for your score? (optional)"),
                            validators=[Length(max=COMMENT_MAX)])


class FollowUpForm(HubForm):
    status = SelectField(_l("Follow-up"), validators=[InputRequired()],
                         choices=[SelectChoice(value=v, label=v) for v in (FOLLOW_OPEN, CONTACTED, CLOSED)])
    note = TextAreaField(_l("Note"), validators=[Length(max=NOTE_MAX)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.status.choices = [SelectChoice(value=v, label=follow_up_label(v)) for v in (FOLLOW_OPEN, CONTACTED, CLOSED)]
