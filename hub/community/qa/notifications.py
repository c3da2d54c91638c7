"""The notification types of Q&A: replies to my question, mentions, my answer accepted, the reminder."""
from flask_babel import lazy_gettext as _l

from ...core import notifications

notifications.feature("qa", _l("Community"), order=42)

for key, label, text in (
    ("qa.replied", _l("Someone replies to my question"), _l("%(by)s replied to «%(thread)s»")),
    ("qa.mentioned", _l("Someone mentions me in the community"), _l("%(by)s mentioned you in «%(thread)s»")),
    ("qa.accepted", _l("My reply is accepted as the answer"), _l("Your reply in «%(thread)s» is accepted as the answer")),
    ("qa.unsolved", _l("Reminder to accept an answer to my question"),
     _l("«%(thread)s» has %(replies)s replies: if one answers your question, mark it as the answer")),
):
    notifications.register(key, label, text=text, email_default=True)
