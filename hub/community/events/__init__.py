"""Events (SPEC C1-C3): webinars, summits, regional meetups, trainings and office visits; registration
that never overbooks, a first-come waitlist with held offers, calendars, attendance."""
from flask import Blueprint

bp = Blueprint("events", __name__, url_prefix="/events")

from . import rules, nav, notifications, jobs, loaders, demo, slots, facts, routes  # noqa: E402,F401
