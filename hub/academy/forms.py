from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length

from ..forms import HubForm


class ActionForm(HubForm):
    """A button that changes something: only the CSRF token."""


class RevokeForm(HubForm):
    reason = TextAreaField(_l("Reason for revoking"), validators=[
        DataRequired(message=_l("Give the reason for revoking.")), Length(max=2000)])
