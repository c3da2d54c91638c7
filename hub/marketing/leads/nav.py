"""Leads in the header: the partner's leads (Sell), the vendor's lead pool and referrals (Manage)."""
from flask_babel import lazy_gettext as _l

from ...ui import MANAGE, PARTNERS, SELL, VENDOR, nav_item

nav_item("leads.index", _l("Leads"), group=SELL, order=15, roles=PARTNERS,
         current=("leads.index", "leads.show", "leads.recommend", "leads.referrals", "leads.referral"))
nav_item("leads.pool", _l("Lead pool"), group=MANAGE, order=57, roles=VENDOR,
         current=("leads.pool", "leads.new", "leads.manage", "leads.referral_report", "leads.referral_queue"))
