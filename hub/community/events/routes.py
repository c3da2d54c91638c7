"""Event routes: parse -> form -> service -> render. The rules live in services.py."""
from __future__ import annotations

import calendar as month_calendar
import csv
import io
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import abort, flash, make_response, request, url_for
from flask_babel import format_date, get_locale
from flask_babel import gettext as _
from flask_login import current_user

from ... import csvexport
from ...accounts.models import PARTNER_ADMIN, VENDOR_ROLES
from ...database import utcnow
from ...extensions import db
from ...i18n import fmt_datetime
from ...inputs import BadInput
from ...web import page_number, public, redirect_to, render, roles_required
from . import bp, forms, ics, services
from .models import CANCELLED_REG, EXPIRED, OFFERED, REGISTERED, WAITLISTED, Event, Registration

PER_PAGE = 20
RESERVED = {"new", "manage", "month", "calendar", "feed", "registrations"}


def _locale() -> str:
    return str(get_locale() or "ru")


def _viewer_zone() -> ZoneInfo:
    try:
        return ZoneInfo(current_user.timezone or "Europe/Moscow")
    except Exception:  # noqa: BLE001 - a zone the database no longer knows: the program's
        return ZoneInfo("Europe/Moscow")


@bp.app_template_global("event_title")
def _title(event) -> str:
    return event.title(_locale())


@bp.app_template_global("event_kind")
def _kind(kind: str) -> str:
    return forms.kind_label(kind)


@bp.app_template_global("event_format")
def _format(value: str) -> str:
    return forms.format_label(value)


@bp.app_template_global("event_text")
def _text(value: dict | None) -> str:
    if not value:
        return ""
    return value.get("en" if _locale().startswith("en") else "ru", "")


@bp.app_template_global("event_tier_name")
def _tier_name(code: str | None) -> str:
    return services.tier_name(code)


@bp.app_template_global("event_segment_name")
def _segment_name(code: str | None) -> str:
    return {"referral": _("Referral"), "sales": _("Sales"), "strategic": _("Strategic")}.get(code or "", code or "—")


@bp.app_template_global("event_times")
def _times(event) -> dict:
    """The event's times in the viewer's zone, and in the event's own zone when that differs."""
    viewer = _viewer_zone()
    own = ZoneInfo(event.timezone)
    start, end = event.starts_at.astimezone(viewer), event.ends_at.astimezone(viewer)
    same_day = start.date() == end.date()
    text = fmt_datetime(event.starts_at, "medium") + " – " + (
        end.strftime("%H:%M") if same_day else fmt_datetime(event.ends_at, "medium"))
    local = None
    if own.key != viewer.key:
        ls, le = event.starts_at.astimezone(own), event.ends_at.astimezone(own)
        local = f"{format_date(ls.date(), 'medium')} {ls.strftime('%H:%M')} – {le.strftime('%H:%M')}"
    return {"viewer": text, "viewer_zone": viewer.key, "event_zone": own.key, "local": local}


@bp.app_template_global("event_status_label")
def _status_label(status: str | None) -> str:
    return {REGISTERED: _("Registered"), OFFERED: _("Seat offered"), WAITLISTED: _("On the waitlist"),
            CANCELLED_REG: _("Cancelled"), EXPIRED: _("Offer expired")}.get(status or "", "")


def _event_or_404(slug: str) -> Event:
    try:
        return services.get_event(current_user, slug)
    except services.NotFound:
        abort(404)


def _filters():
    form = forms.FilterForm(request.args)
    form.validate()
    return form, form.to_filters()


# --- the catalogue ----------------------------------------------------------------------------------

@bp.route("/")
def index():
    form, filters = _filters()
    page = services.list_events(current_user, filters, page_number(), PER_PAGE)
    ids = [e.id for e in page.items]
    return render("community/events/index.html", block="results", form=form, page=page, args=filters.as_args(),
                  mine=services.my_statuses(current_user, ids), taken=services.seats_taken(ids))


def _month_arg() -> date:
    value = request.args.get("month", "")
    if not value:
        return datetime.now(_viewer_zone()).date().replace(day=1)
    try:
        year, month = (int(x) for x in value.split("-"))
        if not 2000 <= year <= 2100:
            raise ValueError
        return date(year, month, 1)
    except ValueError:
        raise BadInput(_("must be a month such as 2027-03."), field="month") from None


@bp.route("/month")
def month():
    form, filters = _filters()
    first = _month_arg()
    zone = _viewer_zone()
    weeks = month_calendar.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month)
    start = datetime.combine(weeks[0][0], time(0), tzinfo=zone)
    end = datetime.combine(weeks[-1][-1] + timedelta(days=1), time(0), tzinfo=zone)
    events = services.month_events(current_user, filters, start, end)
    by_day: dict[date, list[Event]] = {}
    for event in events:
        day = max(event.starts_at.astimezone(zone).date(), weeks[0][0])
        last = min(event.ends_at.astimezone(zone).date(), weeks[-1][-1])
        while day <= last:
            by_day.setdefault(day, []).append(event)
            day += timedelta(days=1)
    previous = (first - timedelta(days=1)).replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    args = {k: v for k, v in filters.as_args().items() if k != "when"}
    return render("community/events/month.html", block="month", form=form, weeks=weeks, by_day=by_day,
                  first=first, previous=previous, following=following, args=args,
                  mine=services.my_statuses(current_user, [e.id for e in events]),
                  month_name=format_date(first, "LLLL yyyy"), today=datetime.now(zone).date())


@bp.route("/<slug>")
def show(slug: str):
    event = _event_or_404(slug)
    return _show(event)


def _show(event: Event, register_form=None, status: int = 200, hand_over_form=None):
    user = current_user
    registration = services.registration_of(user, event) if user.is_partner else None
    now = utcnow()
    context = dict(
        event=event, registration=registration, now=now,
        position=services.waitlist_position(registration) if registration else None,
        taken=services.seats_taken([event.id]).get(event.id, 0),
        waiting=services.waiting_count(event.id),
        allowed=services.tier_allows(user, event),
        join_url=services.join_link(user, event, now), join_opens=services.join_opens_at(event),
        materials=services.may_see_materials(user, event, now),
        register_form=register_form or forms.registration_form(event, _locale()),
        action_form=forms.ActionForm(),
    )
    if user.is_partner_admin:
        context["org_registrations"] = services.org_registrations(user, event)
        context["colleagues"] = services.colleagues(user, event)
        form = hand_over_form or forms.HandOverForm()
        form.colleague.choices = forms.colleague_choices(context["colleagues"], _("Choose a colleague"))
        context["hand_over_form"] = form
    return render("community/events/show.html", status=status, **context)


@bp.route("/<slug>/event.ics")
def event_ics(slug: str):
    event = _event_or_404(slug)
    return _calendar_response(ics.event_calendar(event, _locale()), f"{event.slug}.ics")


def _calendar_response(text: str, filename: str):
    response = make_response(text)
    response.headers["Content-Type"] = "text/calendar; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- registering -----------------------------------------------------------------------------------

@bp.route("/<slug>/register", methods=["POST"])
def register(slug: str):
    event = _event_or_404(slug)
    if not current_user.is_partner:
        abort(403)
    form = forms.registration_form(event, _locale(), formdata=request.form)
    if not form.validate():
        return _show(event, register_form=form, status=422)
    try:
        registration = services.register(current_user, event.id, forms.answers_of(form, event))
    except services.NotFound:
        abort(404)
    except services.InvalidAnswers as exc:
        for key, problem in exc.problems.items():
            getattr(form, f"q_{key}").errors = [problem]
        return _show(event, register_form=form, status=422)
    except services.EventError as exc:
        flash(str(exc), "error")
        return _show(services.get_event(current_user, slug), register_form=form, status=409)
    if registration.status == REGISTERED:
        flash(_("You are registered. The invitation with the calendar file is in your e-mail."), "success")
    else:
        flash(_("The event is full: you are on the waitlist, number %(position)s. We tell you as soon as a "
                "seat is yours.", position=services.waitlist_position(registration)), "info")
    return redirect_to(url_for("events.show", slug=event.slug))


def _own_action(registration_id: int, action, done: str):
    form = forms.ActionForm()
    registration = db.session.get(Registration, registration_id)
    if registration is None or registration.user_id != current_user.id:
        abort(404)
    slug = registration.event.slug
    if not form.validate():
        abort(400)
    try:
        action(current_user, registration_id)
    except services.NotFound:
        abort(404)
    except services.EventError as exc:
        flash(str(exc), "error")
    else:
        flash(done, "success")
    return redirect_to(url_for("events.show", slug=slug))


@bp.route("/registrations/<int:registration_id>/cancel", methods=["POST"])
def cancel_registration(registration_id: int):
    return _own_action(registration_id, services.cancel_registration,
                       _("Your registration is cancelled. The calendar cancellation is in your e-mail."))


@bp.route("/registrations/<int:registration_id>/confirm", methods=["POST"])
def confirm_offer(registration_id: int):
    return _own_action(registration_id, services.confirm_offer, _("The seat is yours. See you there!"))


@bp.route("/registrations/<int:registration_id>/calendar.ics")
def registration_ics(registration_id: int):
    registration = db.session.get(Registration, registration_id)
    if registration is None or registration.user_id != current_user.id:
        abort(404)
    method = "REQUEST" if registration.status == REGISTERED and not registration.event.is_cancelled else "CANCEL"
    return _calendar_response(ics.registration_calendar(registration, method), f"{registration.event.slug}.ics")


@bp.route("/<slug>/hand-over", methods=["POST"])
@roles_required(PARTNER_ADMIN)
def hand_over(slug: str):
    event = _event_or_404(slug)
    form = forms.HandOverForm()
    form.colleague.choices = forms.colleague_choices(services.colleagues(current_user, event))
    registration_id, colleague_id = form.ids()
    if not form.validate() or registration_id is None or colleague_id is None:
        if not form.colleague.errors:
            form.colleague.errors = [_("Choose a colleague from your organisation.")]
        return _show(event, hand_over_form=form, status=422)
    try:
        services.hand_over(current_user, registration_id, colleague_id)
    except services.NotFound:
        abort(404)
    except services.InvalidAnswers as exc:
        form.colleague.errors = list(exc.problems.values())
        return _show(event, hand_over_form=form, status=422)
    except services.EventError as exc:
        flash(str(exc), "error")
        return _show(event, hand_over_form=form, status=409)
    flash(_("The seat is handed over; your colleague has the invitation."), "success")
    return redirect_to(url_for("events.show", slug=event.slug))


# --- the personal calendar feed ---------------------------------------------------------------------

@bp.route("/calendar", methods=["GET", "POST"])
def calendar_page():
    form = forms.ActionForm()
    if request.method == "POST":
        if not form.validate():
            abort(400)
        services.feed_token(current_user, regenerate=True)
        flash(_("A new address is made: the old one no longer works. Subscribe again with the new one."), "success")
        return redirect_to(url_for("events.calendar_page"))
    token = services.feed_token(current_user)
    return render("community/events/calendar.html", form=form,
                  feed_url=services.absolute_feed_url(token))


@bp.route("/feed/<token>.ics")
@public
def feed(token: str):
    user = services.feed_owner(token)
    if user is None:
        abort(404)
    locale = user.locale or "ru"
    response = _calendar_response(ics.feed_calendar(services.feed_registrations(user), "Partner Hub", locale),
                                  "partner-hub.ics")
    response.headers["Content-Disposition"] = 'inline; filename="partner-hub.ics"'
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


# --- managers ------------------------------------------------------------------------------------

@bp.route("/manage")
@roles_required(*VENDOR_ROLES)
def manage():
    return render("community/events/manage.html", rows=services.stats_rows(),
                  by_tier=services.attendance_by(None, "tier"), by_segment=services.attendance_by(None, "segment"))


@bp.route("/manage/export.csv")
@roles_required(*VENDOR_ROLES)
def manage_export():
    headers = [_("Event"), _("Type"), _("Starts"), _("Seats"), _("Registered"), _("Seat offered"),
               _("On the waitlist"), _("Attended"), _("Attendance rate, %")]
    rows = ([event.title(_locale()), forms.kind_label(event.kind), event.starts_at, event.capacity,
             c[REGISTERED], c[OFFERED], c[WAITLISTED], c["attended"], c["rate"] if c["rate"] is not None else ""]
            for event, c in services.stats_rows())
    return csvexport.response("events.csv", headers, rows)


@bp.route("/new", methods=["GET", "POST"])
@roles_required(*VENDOR_ROLES)
def new():
    form = forms.EventForm()
    if request.method == "POST":
        if form.validate() and _save(form, None):
            return redirect_to(url_for("events.show", slug=form.slug.data))
        return render("community/events/edit.html", form=form, event=None, status=422)
    return render("community/events/edit.html", form=form, event=None)


@bp.route("/<slug>/edit", methods=["GET", "POST"])
@roles_required(*VENDOR_ROLES)
def edit(slug: str):
    event = _event_or_404(slug)
    form = forms.EventForm()
    if request.method == "POST":
        form.slug.data = event.slug
        if form.validate() and _save(form, event):
            return redirect_to(url_for("events.show", slug=event.slug))
        return render("community/events/edit.html", form=form, event=event, status=422)
    form.fill_from(event)
    return render("community/events/edit.html", form=form, event=event)


def _save(form, event: Event | None) -> bool:
    if event is None and form.slug.data in RESERVED:
        form.slug.errors = [_("This address is reserved: choose another.")]
        return False
    data = form.to_input()
    if data.starts_at is None or data.ends_at is None:
        return False
    try:
        if event is None:
            services.create_event(current_user, data)
            flash(_("The event is published."), "success")
        else:
            services.update_event(current_user, event.id, data)
            flash(_("The event is saved. Registrants get the update for their calendars."), "success")
    except services.InvalidEvent as exc:
        mapping = {"starts_at": "start_date", "ends_at": "end_date", "registration_closes_at": "closes_date"}
        for name, problem in exc.problems.items():
            field = getattr(form, mapping.get(name, name), None) or form.slug
            field.errors = list(field.errors or []) + [problem]
        return False
    except services.EventError as exc:
        flash(str(exc), "error")
        return False
    return True


@bp.route("/<slug>/cancel", methods=["POST"])
@roles_required(*VENDOR_ROLES)
def cancel_event(slug: str):
    event = _event_or_404(slug)
    if not forms.ActionForm().validate():
        abort(400)
    try:
        services.cancel_event(current_user, event.id)
    except services.EventError as exc:
        flash(str(exc), "error")
    else:
        flash(_("The event is cancelled; every registrant is told, with the calendar cancellation."), "success")
    return redirect_to(url_for("events.show", slug=event.slug))


@bp.route("/<slug>/attendees", methods=["GET", "POST"])
@roles_required(*VENDOR_ROLES)
def attendees(slug: str):
    event = _event_or_404(slug)
    search = forms.SearchForm(request.args)
    search.validate()
    check_form, upload_form = forms.CheckInForm(), forms.AttendanceUploadForm()
    status, result = 200, None
    if request.method == "POST" and request.form.get("action") == "upload":
        if upload_form.validate():
            lines = _csv_lines(upload_form.file.data)
            if lines is None:
                upload_form.file.errors = [_("The file is not a CSV text file (UTF-8).")]
                status = 422
            else:
                try:
                    result = services.import_attendance(current_user, event.id, lines)
                except services.EventError as exc:
                    flash(str(exc), "error")
                    status = 409
                else:
                    if result.errors:
                        status = 422
                    else:
                        flash(_("%(count)s people checked in from the file.", count=result.checked_in), "success")
                        return redirect_to(url_for("events.attendees", slug=event.slug))
        else:
            status = 422
    elif request.method == "POST":
        ids = check_form.ids() if check_form.validate() else None
        if not ids:
            flash(_("Choose the people who came."), "error")
            status = 422
        else:
            try:
                count = services.check_in(current_user, event.id, ids)
            except services.NotFound:
                abort(404)
            except services.EventError as exc:
                flash(str(exc), "error")
                status = 409
            else:
                flash(_("%(count)s people checked in.", count=count), "success")
                return redirect_to(url_for("events.attendees", slug=event.slug, q=search.q.data or None))
    q = (search.q.data or "") if not search.q.errors else ""
    return render("community/events/attendees.html", block="people", status=status, event=event, search=search,
                  people=services.attendees(event, q), counts=services.event_counts(event.id),
                  by_tier=services.attendance_by(event.id, "tier"),
                  by_segment=services.attendance_by(event.id, "segment"),
                  check_form=check_form, upload_form=upload_form, result=result)


def _csv_lines(storage) -> list[list[str]] | None:
    raw = storage.read(1_000_001) if storage else b""
    if len(raw) > 1_000_000:
        return None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
    if "\x00" in text:
        return None
    try:
        dialect = csv.Sniffer().sniff(text[:2000], delimiters=",;\t") if text.strip() else csv.excel
    except csv.Error:
        dialect = csv.excel
    return [row for row in csv.reader(io.StringIO(text), dialect)]


@bp.route("/<slug>/registrations.csv")
@roles_required(*VENDOR_ROLES)
def registrations_csv(slug: str):
    event = _event_or_404(slug)
    keys = [q["key"] for q in event.questions or []]
    headers = [_("Name"), _("E-mail"), _("Organisation"), _("Tier"), _("Status"), _("Registered"),
               _("Attended")] + [_text(q["label"]) for q in event.questions or []]
    rows = ([r.user.name, r.user.email, r.organisation.name, services.tier_name(r.organisation.tier),
             _status_label(r.status), r.created_at, r.attended_at or ""] + [r.answers.get(k, "") for k in keys]
            for r in services.registrations_for_export(event))
    return csvexport.response(f"{event.slug}.csv", headers, rows)
