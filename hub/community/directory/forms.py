"""Directory forms: the organisation's listing, a person's own listing, the locator's contact form."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, Optional, Regexp

from ...forms import HubForm
from ...program import rules as program_rules
from . import services


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class SettingsForm(HubForm):
    in_directory = BooleanField(_l("Show our organisation in the partner directory (partners and the vendor)"))
    in_locator = BooleanField(_l("Show our organisation on the public partner locator (customers, no login)"))


class PersonForm(HubForm):
    listed = BooleanField(_l("List me in the partner directory"))
    job_title = StringField(_l("Job title"), validators=[Optional(), Length(max=services.LIMITS["job_title"])],
                            filters=[_strip])


class ContactForm(HubForm):
    company = StringField(_l("Your company"), validators=[DataRequired(), Length(max=services.LIMITS["company"])],
                          filters=[_strip], render_kw={"autocomplete": "organization"})
    contact_name = StringField(_l("Your name"),
                               validators=[DataRequired(), Length(max=services.LIMITS["contact_name"])],
                               filters=[_strip], render_kw={"autocomplete": "name"})
    contact_email = EmailField(_l("E-mail"), validators=[DataRequired(), Email(),
                                                          Length(max=services.LIMITS["contact_email"])],
                               filters=[_strip], render_kw={"autocomplete": "email"})
    contact_phone = StringField(_l("Phone"), validators=[
        Optional(), Length(max=services.LIMITS["contact_phone"]),
        Regexp(services.PHONE, message=_l("Use digits, spaces, brackets, dashes and a leading +."))],
        filters=[_strip], render_kw={"autocomplete": "tel", "inputmode": "tel"})
    region = SelectField(_l("Your region"), validators=[Optional()])
    message = TextAreaField(_l("What do you need?"), validators=[Optional(), Length(max=services.LIMITS["message"])],
                            filters=[_strip], render_kw={"rows": 5})
    consent = BooleanField(_l("I agree that the vendor stores my details and passes them to this partner to answer me"),
                           validators=[DataRequired(_l("We can pass your request on only with your consent."))])
    # Hidden from people, filled in by bots: a filled one means the post is dropped (as on /recruitment/apply).
    nickname = StringField(_l("Leave this field empty"), validators=[Optional(), Length(max=200)],
                           render_kw={"autocomplete": "off", "tabindex": "-1"})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.region.choices = [("", _l("Choose…"))] + [(r.code, str(r.name)) for r in program_rules.current().regions]

    def values(self) -> dict:
        return {"company": self.company.data or "", "contact_name": self.contact_name.data or "",
                "contact_email": self.contact_email.data or "", "contact_phone": self.contact_phone.data or "",
                "region": self.region.data or "", "message": self.message.data or "",
                "consent": bool(self.consent.data)}
