"""Co-branded material forms: the contacts stamped into a piece, a partner's custom request, a
manager's decision and delivery."""
from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional, Regexp, ValidationError

from ...forms import DateField, HubForm
from ...i18n import locale_code
from . import catalogue, services

PHONE = re.compile(r"^[0-9+()\-.\s]{0,40}$")
EMAIL = re.compile(r"^[^@\s<>\"']+@[^@\s<>\"']+\.[^@\s<>\"']+$")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def _no_control(form, field):
    if field.data and _CONTROL.search(field.data):
        raise ValidationError(_l("Remove the control characters."))


class StampForm(HubForm):
    """Sent with GET (the preview and the download link carry it): no CSRF, nothing is saved by it."""

    class Meta(HubForm.Meta):
        csrf = False

    lang = SelectField(_l("Language of the piece"), choices=[SelectChoice(value="ru", label="Русский"),
                                                             SelectChoice(value="en", label="English")],
                       validators=[Optional()])
    person = StringField(_l("Contact person"), validators=[Optional(), Length(max=120), _no_control])
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=40),
                                                 Regexp(PHONE, message=_l("Digits, spaces, +, ( ) and - only."))])
    # Printed text, not an address the hub writes to: the shape is enough (no deliverability check).
    email = StringField(_l("E-mail"), validators=[Optional(), Length(max=254),
                                                  Regexp(EMAIL, message=_l("Enter an e-mail address."))])
    website = StringField(_l("Website"), validators=[Optional(), Length(max=200), _no_control])
    details = TextAreaField(_l("Event details (date, time, place)"), validators=[Optional(), Length(max=500), _no_control])

    def language(self) -> str:
        return self.lang.data if self.lang.data in catalogue.LANGUAGES else ("en" if locale_code().startswith("en") else "ru")

    def contacts(self) -> dict:
        return {name: (getattr(self, name).data or "") for name in ("person", "phone", "email", "website", "details")}

    def query(self) -> dict:
        """The values as query arguments for the download link (empty ones left out)."""
        out = {"lang": self.language(), **self.contacts()}
        return {key: value for key, value in out.items() if value}


class RequestForm(HubForm):
    template = SelectField(_l("Template"), validators=[Optional()])
    description = TextAreaField(_l("What you need (if no template fits, or what to change)"),
                                validators=[Optional(), Length(max=services.DESCRIPTION_MAX)])
    deadline = DateField(_l("Needed by"), validators=[InputRequired()])
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=services.NOTES_MAX)])
    logo = FileField(_l("A logo for this piece (PNG or JPEG, at most 1 MB; empty: your profile's logo)"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        lang = "en" if locale_code().startswith("en") else "ru"
        self.template.choices = [SelectChoice(value="", label=_l("None: described below"))] + [
            SelectChoice(value=t.slug, label=t.title_in(lang)) for t in catalogue.templates().values()]

    def values(self) -> dict:
        return {"template": self.template.data or None, "description": self.description.data or "",
                "deadline": self.deadline.data, "notes": self.notes.data or ""}

    def validate(self, extra_validators=None) -> bool:
        if not super().validate(extra_validators):
            return False
        problems = services.check_request(self.values())
        for name, message in problems.items():
            getattr(self, name).errors = [message]
        return not problems


class DecisionForm(HubForm):
    decision = SelectField(_l("Decision"), choices=[SelectChoice(value="in_progress", label=_l("Take it on (in progress)")),
                                                     SelectChoice(value="declined", label=_l("Decline"))],
                           validators=[InputRequired()])
    reason = TextAreaField(_l("Reason (for a decline)"), validators=[Optional(), Length(max=services.REASON_MAX)])


class DeliverForm(HubForm):
    file = FileField(_l("The finished piece (PDF, PNG, JPEG, PowerPoint or Word, at most 20 MB)"))
