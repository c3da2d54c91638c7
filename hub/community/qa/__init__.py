"""Community Q&A (SPEC C5): threads with sanitised Markdown in a space for every partner and a private
space for the key partners (Gold/Platinum) and the vendor; replies, mentions, votes, accepted answers
(discourse-solved: the asker chooses, a manager when the asker forgets, a reminder for unsolved
threads), moderation, reports and search."""
from flask import Blueprint

bp = Blueprint("qa", __name__, url_prefix="/community")

from . import rules, nav, notifications, jobs, search_index, demo, routes  # noqa: E402,F401
