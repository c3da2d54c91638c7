"""The admin's page of domain-event deliveries that have not gone through (failed, or pending)."""
from __future__ import annotations

from flask import flash, request, url_for
from flask_babel import gettext as _

from ..ui import ADMIN
from ..web import choice_arg, page_number, redirect_to, render, roles_required
from . import bp, outbox
from .models import DONE, FAILED, PENDING

# What the page lists: "attention" is everything not delivered yet.
VIEWS = {"attention": (FAILED, PENDING), FAILED: (FAILED,), PENDING: (PENDING,)}
PER_PAGE = 50


@bp.route("/admin/event-deliveries")
@roles_required(ADMIN)
def deliveries():
    view = choice_arg("status", VIEWS, default="attention")
    page = page_number()
    return render("domain_events/deliveries.html", block="deliveries", view=view,
                  page=outbox.deliveries_page(VIEWS[view], page, PER_PAGE), counts=outbox.status_counts(),
                  is_known=outbox.is_known, FAILED=FAILED, PENDING=PENDING)


@bp.route("/admin/event-deliveries/<int:delivery_id>/retry", methods=["POST"])
@roles_required(ADMIN)
def retry(delivery_id: int):
    status = outbox.retry(delivery_id)
    if status == DONE:
        flash(_("Delivered."), "success")
    elif status is None:
        flash(_("Nothing to retry: the delivery is done, unknown, or its listener is not in this version."), "info")
    else:
        flash(_("The listener failed again; the error is below."), "error")
    return redirect_to(_back())


@bp.route("/admin/event-deliveries/retry", methods=["POST"])
@roles_required(ADMIN)
def retry_all():
    count = outbox.retry_all()
    flash(_("%(count)s deliveries are due now; the worker delivers them.", count=count), "success")
    return redirect_to(_back())


def _back() -> str:
    view = request.form.get("status")
    return url_for("domain_events.deliveries", status=view if view in VIEWS else None)
