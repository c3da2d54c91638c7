"""The base of every form in the hub, and the generic bounds of its fields.

`HubForm` (use it instead of FlaskForm) adds, for every field of every form:
- a value that holds a NUL byte or is not valid UTF-8 (hub/inputs.py) becomes an error next to
  its field, and the field's data is emptied so that nothing, not even a "check as you type" query,
  passes it to the database;
- a single-valued field sent twice (`a=1&a=2`) is an error next to the field;
- on a GET of `...?_draft=<token>` (the address a login after an expired session comes back to,
  hub/drafts.py) the form fills itself with what was typed before, never a password or a file.

`DateField` here accepts only dates in a sane window (DATE_MIN..DATE_MAX unless a field narrows it)
and says so next to the field; features add their own business rules on top. `valid_id()` reads
an id sent by a form (1 .. MAX_ID, what an Integer column holds on PostgreSQL).
"""
from __future__ import annotations

from datetime import date

from flask import flash, has_request_context, request
from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.form import _Auto
from werkzeug.datastructures import MultiDict
from wtforms import BooleanField, FieldList, FileField, MultipleFileField, PasswordField, SelectMultipleField
from wtforms import DateField as _WTFormsDateField
from wtforms.validators import StopValidation

from . import drafts
from .inputs import MAX_ID, is_bad, unguarded

DATE_MIN = date(2000, 1, 1)
DATE_MAX = date(2100, 12, 31)

BAD_TEXT = _l("This field contains characters that cannot be stored (a NUL byte, or text that is not "
              "valid UTF-8). Retype it.")
DUPLICATED = _l("This field was sent more than once. Reload the page and send the form again.")
RESTORED = _l("What you typed before logging in is back in the form. Check it and send it again.")

_MULTI = (SelectMultipleField, MultipleFileField, FieldList)
_NEVER_RESTORED = (PasswordField, FileField, MultipleFileField)


def _refuse(_form):
    raise StopValidation()  # the message is already among the field's process errors


def _empty(field):
    if isinstance(field, BooleanField):
        return False
    if isinstance(field, _MULTI):
        return []
    return None


class HubForm(FlaskForm):
    class Meta(FlaskForm.Meta):
        def wrap_formdata(self, form, formdata):
            # Read every value, bad ones included: this form reports them next to their fields.
            return unguarded(super().wrap_formdata(form, formdata))

    def __init__(self, formdata=_Auto, **kwargs):
        super().__init__(formdata=formdata, **kwargs)
        if formdata is _Auto or formdata is None:
            self._restore_draft()

    def process(self, formdata=None, obj=None, data=None, extra_filters=None, **kwargs):
        super().process(formdata, obj, data, extra_filters, **kwargs)
        self.input_problems: dict[str, str] = {}
        for field in self:
            field.__dict__.pop("pre_validate", None)
            raw = getattr(field, "raw_data", None) or []
            if any(is_bad(value) for value in raw):
                problem = BAD_TEXT
            elif len(raw) > 1 and not isinstance(field, _MULTI):
                problem = DUPLICATED
            else:
                continue
            field.data = _empty(field)
            field.raw_data = []
            # Shown next to the field even when the view never validates (a GET filter, a live check);
            # validate() starts again from process_errors, and the field's own checks are skipped.
            field.process_errors = [problem]
            field.errors = [problem]
            field.pre_validate = _refuse
            self.input_problems[field.name] = str(problem)

    def _restore_draft(self) -> None:
        if not has_request_context() or request.method != "GET" or drafts.PARAM not in request.args:
            return
        draft = drafts.restore()
        if draft is None:
            return
        names = {f.name for f in self if not isinstance(f, _NEVER_RESTORED)}
        kept = MultiDict([(k, v) for k, v in draft.items(multi=True) if k in names])
        if not kept:
            return
        self.process(formdata=kept)
        if not request.environ.get("hub.draft_flashed"):
            request.environ["hub.draft_flashed"] = True
            flash(str(RESTORED), "info")


class DateField(_WTFormsDateField):
    """A date within [earliest, latest] (the hub's window by default); outside it, a message next to
    the field and no further checks (which might compute with an absurd date)."""

    def __init__(self, label=None, validators=None, earliest: date = DATE_MIN, latest: date = DATE_MAX,
                 **kwargs):
        render_kw = dict(kwargs.pop("render_kw", None) or {})
        render_kw.setdefault("min", earliest.isoformat())
        render_kw.setdefault("max", latest.isoformat())
        super().__init__(label, validators, render_kw=render_kw, **kwargs)
        self.earliest, self.latest = earliest, latest

    def pre_validate(self, form):
        if self.data is not None and not (self.earliest <= self.data <= self.latest):
            message = _("Enter a date between %(start)s and %(end)s.",
                        start=format_date(self.earliest, "medium"), end=format_date(self.latest, "medium"))
            self.data = None
            raise StopValidation(message)


def valid_id(value) -> int | None:
    """An id as a form sends it (digits only, 1 .. MAX_ID), or None."""
    text = value.strip() if isinstance(value, str) else ""
    if not text.isascii() or not text.isdigit() or len(text) > 19:
        return None
    number = int(text)
    return number if 1 <= number <= MAX_ID else None
