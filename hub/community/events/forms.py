"""Event forms: the catalogue's filters, a manager's event, registering (with the event's own
questions), handing a seat over, check-in and the attendance upload."""
from __future__ import annotations

import re
from datetime import date, datetime, time
from zoneinfo import ZoneInfo, available_timezones

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, FileField, IntegerField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp, ValidationError

from ...forms import DateField, HubForm, valid_id
from ...program import rules as program_rules
from . import services
from .models import FORMATS, HIDDEN, KINDS, LANGUAGES, LOCKED

SLUG = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def kind_label(kind: str) -> str:
    return str({"webinar": _l("Webinar"), "summit": _l("Summit"), "meetup": _l("Regional meetup"),
                "training": _l("Training"), "office_visit": _l("Office visit")}.get(kind, kind))


def format_label(value: str) -> str:
    return str({"online": _l("Online"), "in_person": _l("In person"), "hybrid": _l("Hybrid")}.get(value, value))


def language_label(value: str) -> str:
    return str({"ru": _l("Russian"), "en": _l("English")}.get(value, value))


def _choices(pairs) -> list[SelectChoice]:
    return [SelectChoice(value=value, label=label) for value, label in pairs]


def _kind_choices(blank):
    return _choices(([("", blank)] if blank else []) + [(k, kind_label(k)) for k in KINDS])


def _format_choices(blank):
    return _choices(([("", blank)] if blank else []) + [(f, format_label(f)) for f in FORMATS])


def _language_choices(blank):
    return _choices(([("", blank)] if blank else []) + [(code, language_label(code)) for code in LANGUAGES])


def _region_choices(blank):
    return _choices([("", blank)] + [(r.code, str(r.name)) for r in program_rules.current().regions])


def _tier_choices(blank):
    return _choices([("", blank)] + [(t.code, str(t.name)) for t in program_rules.current().tiers])


WHEN = (("upcoming", _l("Coming")), ("past", _l("Past")), ("all", _l("All")))


class FilterForm(HubForm):
    """The catalogue's filters: a GET form (no CSRF: it changes nothing)."""

    class Meta:
        csrf = False

    kind = SelectField(_l("Type"), validators=[Optional()])
    format = SelectField(_l("Format"), validators=[Optional()])
    region = SelectField(_l("Region"), validators=[Optional()])
    language = SelectField(_l("Language"), validators=[Optional()])
    tier = SelectField(_l("Open to tier"), validators=[Optional()])
    when = SelectField(_l("When"), validators=[Optional()])
    mine = BooleanField(_l("My events"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = _kind_choices(_l("Any type"))
        self.format.choices = _format_choices(_l("Any format"))
        self.region.choices = _region_choices(_l("Any region"))
        self.language.choices = _language_choices(_l("Any language"))
        self.tier.choices = _tier_choices(_l("Any tier"))
        self.when.choices = _choices(WHEN)

    def to_filters(self) -> services.Filters:
        def ok(field):
            return (field.data or "") if not field.errors else ""
        return services.Filters(kind=ok(self.kind), format=ok(self.format), region=ok(self.region),
                                language=ok(self.language), tier=ok(self.tier),
                                mine=bool(self.mine.data) and not self.mine.errors, when=ok(self.when) or "upcoming")


def _time_field(label):
    return StringField(label, filters=[_strip], validators=[InputRequired(), Regexp(TIME, message=_l(
        "Enter a time such as 10:00."))], render_kw={"type": "time"})


def _lines(text: str | None) -> list[list[str]]:
    return [[part.strip() for part in line.split("|")] for line in (text or "").splitlines() if line.strip()]


class EventForm(HubForm):
    """A manager's event. Times are local to the event's zone; they are stored in UTC."""

    slug = StringField(_l("Address (latin letters, digits, dashes)"), filters=[_strip],
                       validators=[DataRequired(), Length(max=80), Regexp(SLUG, message=_l(
                           "Use small latin letters, digits and dashes, e.g. webinar-crm-march."))])
    kind = SelectField(_l("Type"), validators=[DataRequired()])
    format = SelectField(_l("Format"), validators=[DataRequired()])
    language = SelectField(_l("Language"), validators=[DataRequired()])
    region = SelectField(_l("Region"), validators=[Optional()])
    title_ru = StringField(_l("Title in Russian"), filters=[_strip], validators=[DataRequired(), Length(max=200)])
    title_en = StringField(_l("Title in English"), filters=[_strip], validators=[DataRequired(), Length(max=200)])
    summary_ru = TextAreaField(_l("Description in Russian"), filters=[_strip], validators=[Optional(), Length(max=2000)])
    summary_en = TextAreaField(_l("Description in English"), filters=[_strip], validators=[Optional(), Length(max=2000)])
    timezone = StringField(_l("Time zone of the event"), filters=[_strip], default="Europe/Moscow",
                           validators=[DataRequired(), Length(max=40)])
    start_date = DateField(_l("Start date"), validators=[InputRequired()])
    start_time = _time_field(_l("Start time"))
    end_date = DateField(_l("End date"), validators=[InputRequired()])
    end_time = _time_field(_l("End time"))
    closes_date = DateField(_l("Registration closes on (empty: at the start)"), validators=[Optional()])
    closes_time = StringField(_l("Registration closes at"), filters=[_strip], validators=[Optional(), Regexp(
        TIME, message=_l("Enter a time such as 10:00."))], render_kw={"type": "time"})
    capacity = IntegerField(_l("Seats"), validators=[InputRequired(), NumberRange(
        1, services.MAX_CAPACITY, message=_l("Enter a number of seats from 1 to %(max)s.", max=services.MAX_CAPACITY))])
    org_seat_cap = IntegerField(_l("Seats per partner organisation (empty: no limit)"), validators=[
        Optional(), NumberRange(1, services.MAX_CAPACITY, message=_l("Enter a whole number of at least 1."))])
    min_tier = SelectField(_l("Only for partners of tier (and above)"), validators=[Optional()])
    tier_visibility = SelectField(_l("Lower tiers"))
    offer_hours = IntegerField(_l("Hours a freed seat is held for the waitlist"), validators=[
        Optional(), NumberRange(1, 24 * 14, message=_l("Enter hours from 1 to 336."))])
    venue = StringField(_l("Venue"), filters=[_strip], validators=[Optional(), Length(max=200)])
    city = StringField(_l("City"), filters=[_strip], validators=[Optional(), Length(max=100)])
    address = StringField(_l("Address"), filters=[_strip], validators=[Optional(), Length(max=300)])
    map_url = StringField(_l("Map link"), filters=[_strip], validators=[Optional(), Length(max=500)])
    join_url = StringField(_l("Join link (online)"), filters=[_strip], validators=[Optional(), Length(max=500)])
    recording_url = StringField(_l("Recording link"), filters=[_strip], validators=[Optional(), Length(max=500)])
    slides_url = StringField(_l("Slides link"), filters=[_strip], validators=[Optional(), Length(max=500)])
    agenda = TextAreaField(_l("Agenda: one line each, «10:00 | title in Russian | title in English | speaker»"),
                           filters=[_strip], validators=[Optional(), Length(max=5000)])
    speakers = TextAreaField(_l("Speakers: one line each, «name | role in Russian | role in English»"),
                             filters=[_strip], validators=[Optional(), Length(max=3000)])
    questions = TextAreaField(_l("Questions to registrants: one line each, «question in Russian | in English», "
                                 "a * at the end makes it required"),
                              filters=[_strip], validators=[Optional(), Length(max=3000)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = _kind_choices(None)
        self.format.choices = _format_choices(None)
        self.language.choices = _language_choices(None)
        self.region.choices = _region_choices(_l("No region"))
        self.min_tier.choices = _tier_choices(_l("Every partner"))
        self.tier_visibility.choices = _choices([(LOCKED, _l("see the event, but cannot register")),
                                                 (HIDDEN, _l("do not see the event"))])

    def validate_timezone(self, field):
        if field.data and field.data not in available_timezones():
            raise ValidationError(_l("Enter a time zone such as Europe/Moscow or Asia/Yekaterinburg."))

    def _url(self, field):
        if field.data and not field.data.startswith(("https://", "http://")):
            raise ValidationError(_l("Enter an address that starts with https://."))

    validate_map_url = validate_join_url = validate_recording_url = validate_slides_url = _url

    def validate_agenda(self, field):
        for parts in _lines(field.data):
            if len(parts) < 3 or not TIME.match(parts[0]) or not parts[1] or not parts[2]:
                raise ValidationError(_l("Each line: a time, the title in Russian and in English, separated by |."))

    def validate_speakers(self, field):
        for parts in _lines(field.data):
            if len(parts) != 3 or not all(parts):
                raise ValidationError(_l("Each line: the name, the role in Russian and in English, separated by |."))

    def validate_questions(self, field):
        for parts in _lines(field.data):
            if len(parts) != 2 or not all(p.rstrip("*").strip() for p in parts):
                raise ValidationError(_l("Each line: the question in Russian and in English, separated by |."))

    def _moment(self, day: date | None, clock: str | None) -> datetime | None:
        if day is None or not clock or not TIME.match(clock) or self.timezone.errors or not self.timezone.data:
            return None
        hours, minutes = (int(x) for x in clock.split(":"))
        return datetime.combine(day, time(hours, minutes), tzinfo=ZoneInfo(self.timezone.data)).astimezone(
            ZoneInfo("UTC"))

    def to_input(self) -> services.EventInput:
        questions = []
        for n, (ru, en) in enumerate(_lines(self.questions.data), start=1):
            required = ru.endswith("*") or en.endswith("*")
            questions.append({"key": f"q{n}", "label": {"ru": ru.rstrip("*").strip(), "en": en.rstrip("*").strip()},
                              "required": required})
        return services.EventInput(
            slug=self.slug.data, kind=self.kind.data, format=self.format.data, language=self.language.data,
            title_ru=self.title_ru.data, title_en=self.title_en.data, summary_ru=self.summary_ru.data or "",
            summary_en=self.summary_en.data or "", timezone=self.timezone.data,
            starts_at=self._moment(self.start_date.data, self.start_time.data),
            ends_at=self._moment(self.end_date.data, self.end_time.data),
            registration_closes_at=self._moment(self.closes_date.data, self.closes_time.data or "00:00")
            if self.closes_date.data else None,
            capacity=self.capacity.data, org_seat_cap=self.org_seat_cap.data, min_tier=self.min_tier.data or None,
            tier_visibility=self.tier_visibility.data, offer_hours=self.offer_hours.data,
            region=self.region.data or None, venue=self.venue.data or None, city=self.city.data or None,
            address=self.address.data or None, map_url=self.map_url.data or None,
            join_url=self.join_url.data or None, recording_url=self.recording_url.data or None,
            slides_url=self.slides_url.data or None, questions=questions,
            agenda=[{"time": p[0], "title": {"ru": p[1], "en": p[2]}, "speaker": (p[3] if len(p) > 3 else "") or None}
                    for p in _lines(self.agenda.data)],
            speakers=[{"name": p[0], "role": {"ru": p[1], "en": p[2]}} for p in _lines(self.speakers.data)])

    def fill_from(self, event) -> None:
        zone = ZoneInfo(event.timezone)
        starts, ends = event.starts_at.astimezone(zone), event.ends_at.astimezone(zone)
        closes = event.registration_closes_at.astimezone(zone)
        for name in ("slug", "kind", "format", "language", "title_ru", "title_en", "summary_ru", "summary_en",
                     "timezone", "capacity", "org_seat_cap", "tier_visibility", "offer_hours", "venue", "city",
                     "address", "map_url", "join_url", "recording_url", "slides_url"):
            getattr(self, name).data = getattr(event, name)
        self.region.data = event.region or ""
        self.min_tier.data = event.min_tier or ""
        self.start_date.data, self.start_time.data = starts.date(), starts.strftime("%H:%M")
        self.end_date.data, self.end_time.data = ends.date(), ends.strftime("%H:%M")
        if event.registration_closes_at != event.starts_at:
            self.closes_date.data, self.closes_time.data = closes.date(), closes.strftime("%H:%M")
        self.agenda.data = "\n".join(" | ".join([a["time"], a["title"]["ru"], a["title"]["en"]]
                                                + ([a["speaker"]] if a.get("speaker") else []))
                                     for a in event.agenda or [])
        self.speakers.data = "\n".join(f"{s['name']} | {s['role']['ru']} | {s['role']['en']}"
                                       for s in event.speakers or [])
        self.questions.data = "\n".join(f"{q['label']['ru']} | {q['label']['en']}{' *' if q.get('required') else ''}"
                                        for q in event.questions or [])


def registration_form(event, locale: str, formdata=None):
    """The register form with a field per question of the event (answers optional unless required)."""

    class RegisterForm(HubForm):
        pass

    for question in event.questions or []:
        label = question["label"]["en" if locale.startswith("en") else "ru"]
        validators = [DataRequired(message=_l("Answer this question."))] if question.get("required") else [Optional()]
        setattr(RegisterForm, f"q_{question['key']}", StringField(
            label, filters=[_strip], validators=validators + [Length(max=500)]))
    form = RegisterForm() if formdata is None else RegisterForm(formdata)
    return form


def answers_of(form, event) -> dict[str, str]:
    return {q["key"]: getattr(form, f"q_{q['key']}").data or "" for q in event.questions or []}


class ActionForm(HubForm):
    """A button that changes one thing (cancel, confirm an offer, leave the waitlist): only CSRF."""


def colleague_choices(people, blank=None) -> list[SelectChoice]:
    return _choices(([("", blank)] if blank else []) + [(str(p.id), p.name) for p in people])


class HandOverForm(HubForm):
    registration = StringField(_l("Seat"), validators=[DataRequired()])
    colleague = SelectField(_l("Give the seat to"), validators=[DataRequired(message=_l(
        "Choose a colleague from your organisation."))], validate_choice=False)

    def ids(self) -> tuple[int | None, int | None]:
        return valid_id(self.registration.data), valid_id(self.colleague.data)


class CheckInForm(HubForm):
    registration = SelectMultipleField(_l("Attended"), validate_choice=False)

    def ids(self) -> list[int] | None:
        ids = [valid_id(value) for value in self.registration.data or []]
        return None if any(i is None for i in ids) else ids


class AttendanceUploadForm(HubForm):
    file = FileField(_l("CSV file: one e-mail address per line"), validators=[DataRequired(message=_l(
        "Choose a CSV file."))])


class SearchForm(HubForm):
    class Meta:
        csrf = False

    q = StringField(_l("Search by name, e-mail or organisation"), filters=[_strip],
                    validators=[Optional(), Length(max=200)], render_kw={"type": "search"})
