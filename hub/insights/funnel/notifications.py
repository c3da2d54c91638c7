"""The managers' weekly report: an inbox line and a rich e-mail (templates/email/insights/weekly.*),
sent by the tick once per week (weekly.py)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ...core import notifications

notifications.feature("insights", _l("Insights"), order=80)
notifications.register("insights.weekly", _l("The weekly partner program report"),
                       text=_l("The partner program report for the week of %(week)s"),
                       audience=lambda user: user.is_vendor, email_default=True)
