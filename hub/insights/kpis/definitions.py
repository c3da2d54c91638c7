"""Each KPI's name and definition, shown on the definitions page (one click from every figure) and
used as the row labels of the tables and CSV files."""
from flask_babel import lazy_gettext as _l

LABELS = {
    "partners": _l("Partners"),
    "signed": _l("New partners signed"),
    "activity": _l("Activity, %"),
    "ttfd_median": _l("Time to first deal, median days"),
    "ttfd_share": _l("First deals within the TTFD target, %"),
    "won": _l("Deals won"),
    "revenue": _l("Revenue"),
    "average_deal": _l("Average deal"),
    "arpp": _l("ARPP (revenue per partner)"),
    "large_share": _l("Share of large deals, %"),
    "nps": _l("Partner NPS"),
    "key_retention": _l("Retention of key partners, %"),
    "mdf_approved": _l("MDF approved"),
    "mdf_paid": _l("MDF paid"),
    "mdf_utilisation": _l("MDF utilisation, %"),
    "mdf_roi": _l("MDF ROI, revenue per rouble paid"),
    "attendances": _l("Event attendances"),
    "attending_share": _l("Partners attending events, %"),
    "cacp": _l("CACp (cost to acquire a partner)"),
    "concentration": _l("Revenue concentration"),
    "tiers": _l("Tier distribution"),
    "deals_registered": _l("Deals registered"),
    "active": _l("Active: a deal in the last 90 days (peers: % active)"),
    "ttfd_days": _l("Time to first deal, days"),
}

DEFINITIONS = {
    "partners": _l("Partner organisations signed before the period ended, in this group."),
    "signed": _l("Partner organisations that signed (were created in the hub) during the period."),
    "activity": _l("The share of the group's partners that registered at least one deal in the 90 days "
                   "that end with the period (with today, for the current period)."),
    "ttfd_median": _l("Among the partners whose first deal registration fell in the period: the median "
                      "number of days from signing to that first registration."),
    "ttfd_share": _l("Among the same partners: the share whose first deal came within the program's "
                     "time-to-first-deal target (60 days unless the rules say otherwise)."),
    "won": _l("Deals won in the period (by their closing date)."),
    "revenue": _l("The sum of the final amounts of the deals won in the period."),
    "average_deal": _l("Revenue divided by the number of deals won in the period."),
    "arpp": _l("Average revenue per partner: revenue divided by the group's partners."),
    "large_share": _l("The share of the won deals whose amount is at least the large-deal threshold of the "
                      "program rules (kpis.large_deal_rub, as the rules say now)."),
    "nps": _l("Net promoter score of the answers given in the period: the share of promoters (9–10) minus "
              "the share of detractors (0–6), from −100 to +100."),
    "key_retention": _l("Key partners (the tiers in kpis.key_tiers, Platinum and Gold by default) that won a "
                        "deal in the previous period: the share of them that won a deal in this period too."),
    "mdf_approved": _l("MDF amounts managers approved in the period."),
    "mdf_paid": _l("MDF reimbursements paid to partners in the period."),
    "mdf_utilisation": _l("MDF paid divided by MDF approved in the period."),
    "mdf_roi": _l("Revenue won in the period by the partners that were paid MDF in it, per rouble of MDF paid."),
    "attendances": _l("People × events checked in at events during the period."),
    "attending_share": _l("The share of the group's partners with at least one person attending an event."),
    "cacp": _l("Recruitment costs entered for the period's quarters divided by the partners signed in it. "
               "Costs are entered per quarter and campaign, not per relationship type, so this one figure "
               "is program-wide; for a month there is none."),
    "concentration": _l("Within each group: the share of its revenue that its best fifth of partners (the top 20 "
                        "per cent) bring, and how few partners make 80 per cent of it (the 80/20 rule)."),
    "tiers": _l("The share of the group's partners in each tier now, against the program's guide: Platinum "
                "1–3 %, Gold 7–10 %, Silver 15–20 %, Bronze the rest."),
}
