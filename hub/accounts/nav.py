"""Accounts in the header: the partner admin's team, the vendor's list of organisations."""
from flask_babel import lazy_gettext as _l

from ..ui import MANAGE, PARTNER_ADMIN, VENDOR, nav_item

nav_item("accounts.team", _l("Team"), group=MANAGE, order=10, roles={PARTNER_ADMIN})
nav_item("accounts.organisations", _l("Organisations"), group=MANAGE, order=20, roles=VENDOR,
         current=("accounts.organisations", "accounts.organisation", "accounts.new_organisation"))
