"""No 500 on bad input, anywhere (issue 8 point 5), on SQLite and PostgreSQL.

One walk over the whole app, built from `app.url_map` and the pages themselves, so a new feature is
covered without touching this file. On the demo program (content + `flask demo`), as anonymous,
partner member, partner admin, manager and admin:

1. every GET page reachable from the start pages (links followed, a few URLs per endpoint) answers
   below 500;
2. every `<form>` found is sent with each field in turn set to bad values chosen by the field's
   kind — NUL byte, invalid UTF-8, 10 MB, duplicated, missing (when required), and for dates
   0001-01-01 / 9999-12-31, for numbers and choices 40 digits, 2**63, -1 — and must be refused
   readably (a 4xx error page or form error, or a re-rendered form with a message next to a field)
   with nothing saved (row counts of the business tables unchanged);
3. the query arguments of every link (filters, pages, facets) get the same treatment;
4. every `<int:...>` route answers 404 for 40-digit, 2**63 and 2**31 ids, every `<name>` route for
   a NUL byte.

A failure names the role, the route, the field and the value. Values are sampled per field kind;
each (form, field) is tried fully for the first role that sees it and with the guard values only
for the others, which keeps the walk within the time the suite can spend on it.
"""
from __future__ import annotations

import os
import re
import time
from collections import defaultdict
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qsl, quote_from_bytes, urlsplit

import pytest
from sqlalchemy import func, select

from hub import create_app
from hub.accounts.models import User
from hub.extensions import db
from tests.conftest import HubClient, _wipe, make_config

ROLES = {
    "anonymous": None,
    "partner member": "member@volgasoft.demo",
    "partner admin": "admin@volgasoft.demo",
    "manager": "manager@kvant.demo",
    "admin": "admin@kvant.demo",
}
PAGES_PER_ENDPOINT = 3
# Tables that legitimately change when a request is refused (counters, sessions, kept form drafts).
VOLATILE = re.compile(r"session|login|usage|draft")

NUL = "x\x00y"
BAD_UTF8 = b"\xff\xfe\xc3("
HUGE = "x" * (10 * 1024 * 1024)
# A query string that long never gets past a server's request-line limit (gunicorn: 4 KB), and the
# test client takes seconds to build it: just over the hub's own limit is the same test.
LONG_QUERY = "x" * (64 * 1024)
MISSING = object()
DUPLICATED = object()
# Per field: what a field's own handling could get wrong. Per form (on its first field): what is
# handled for the whole request at once (decoding, size), so once per form proves it.
PER_FIELD = [("NUL byte", NUL), ("duplicated", DUPLICATED)]
PER_FORM_POST = [("invalid UTF-8", BAD_UTF8), ("10 MB", HUGE)]
PER_FORM_GET = [("invalid UTF-8", BAD_UTF8), ("64 KB query", LONG_QUERY)]
DATES = [("0001-01-01", "0001-01-01"), ("9999-12-31", "9999-12-31")]
NUMBERS = [("40 digits", "9" * 40), ("2**63", str(2**63)), ("negative", "-1")]
CHOICES = DATES[:1] + NUMBERS


# --- reading pages ---------------------------------------------------------------------------------

@dataclass
class Field:
    name: str
    kind: str                 # text, date, number, choice, flag, next
    value: str
    required: bool = False
    multiple: bool = False


@dataclass
class Form:
    method: str
    action: str
    fields: list[Field] = field(default_factory=list)
    endpoint: str = ""
    extra: list[tuple[str, str, str]] = field(default_factory=list)  # hx-get / hx-post inside the form
    htmx: bool = False        # a live check a field makes (it always sends that field)
    submitted_by_button: bool = False  # a submit button was seen (the first is the one pressed)

    def key(self) -> tuple:
        return (self.method, self.endpoint or _template(self.action), tuple(sorted({f.name for f in self.fields})))

    def fuzzable(self) -> list[Field]:
        # CSRF is off in tests: test_security walks the tokens, test_inputs sends them bad values.
        return [f for f in self.fields if f.name != "csrf_token"]


class PageParser(HTMLParser):
    def __init__(self, url: str):
        super().__init__(convert_charrefs=True)
        self.url = url
        self.links: list[str] = []
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: dict | None = None
        self._textarea: dict | None = None
        self._radios: dict[str, Field] = {}
        self._boxes: dict[str, list[Field]] = {}

    def handle_starttag(self, tag, attrs):
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        if tag != "form":
            # htmx requests: inside a form they send its fields, elsewhere they are links.
            for verb in ("get", "post"):
                url = a.get(f"hx-{verb}")
                if url and self._form is not None:
                    self._form.extra.append((verb.upper(), url, a.get("name", "")))
                elif url and verb == "get":
                    self.links.append(url)
        if tag == "a":
            return
        if tag == "form":
            self._form = Form(method=a.get("method", "get").upper(), action=a.get("action") or self.url)
            self._radios, self._boxes = {}, {}
        elif self._form is None or "disabled" in a:
            return
        elif tag == "input" and a.get("name"):
            kind = a.get("type", "text").lower()
            name = a["name"]
            if kind in ("submit", "image"):
                self._form.submitted_by_button = True
            if kind in ("submit", "button", "reset", "image", "file"):
                return
            if kind == "radio":
                found = self._radios.get(name)
                if found is None:
                    found = self._radios[name] = Field(name, "choice", "", required="required" in a)
                    self._form.fields.append(found)
                if "checked" in a or not found.value:
                    found.value = a.get("value", "on")
                return
            if kind == "checkbox":
                box = Field(name, "flag", a.get("value", "on") if "checked" in a else "")
                self._boxes.setdefault(name, []).append(box)
                if len(self._boxes[name]) == 1:
                    self._form.fields.append(box)
                else:  # several boxes of one name: a multiple choice
                    self._boxes[name][0].kind = "choice"
                    self._boxes[name][0].multiple = True
                return
            self._form.fields.append(Field(name, _kind(name, kind, a), a.get("value", ""), "required" in a))
        elif tag == "select" and a.get("name"):
            self._select = {"name": a["name"], "required": "required" in a, "multiple": "multiple" in a,
                            "value": None, "first": None}
        elif tag == "option" and self._select is not None:
            value = a.get("value", "")
            if self._select["first"] is None:
                self._select["first"] = value
            if "selected" in a:
                self._select["value"] = value
        elif tag == "textarea" and a.get("name"):
            self._textarea = {"name": a["name"], "required": "required" in a, "text": ""}
        elif tag == "button" and a.get("type", "submit") == "submit":
            # Pressing Enter sends the form with its first submit button, the only one the walk
            # presses: a later named button (e.g. "check the customer") is another action.
            first = not self._form.submitted_by_button
            self._form.submitted_by_button = True
            if first and a.get("name") and not any(f.name == a["name"] for f in self._form.fields):
                self._form.fields.append(Field(a["name"], "choice", a.get("value", "")))

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea["text"] += data

    def handle_endtag(self, tag):
        if tag == "form" and self._form is not None:
            self.forms.append(self._form)
            # A field's own live check (hx-get / hx-post on the field) reads that field.
            for method, url, name in self._form.extra:
                own = [f for f in self._form.fields if f.name == name] if name else list(self._form.fields)
                self.forms.append(Form(method, url, own, htmx=True))
            self._form = None
        elif tag == "select" and self._select is not None and self._form is not None:
            s = self._select
            value = s["value"] if s["value"] is not None else (s["first"] or "")
            self._form.fields.append(Field(s["name"], "choice", value, s["required"], s["multiple"]))
            self._select = None
        elif tag == "textarea" and self._textarea is not None and self._form is not None:
            t = self._textarea
            self._form.fields.append(Field(t["name"], "text", t["text"].lstrip("\n"), t["required"]))
            self._textarea = None


def _kind(name: str, kind: str, attrs: dict) -> str:
    if name == "next":
        return "next"
    if kind == "date":
        return "date"
    if kind == "number" or attrs.get("inputmode") in ("numeric", "decimal"):
        return "number"
    if kind == "hidden":
        return "choice"
    return "text"


# Plausible values for the fields the page leaves empty, so that the one bad field is the only
# thing wrong with what is sent (otherwise a form would be refused for the wrong reason).
def _plausible(f: Field, n: int) -> str:
    name = f.name.rsplit("-", 1)[-1]
    if f.kind == "date":
        return "2031-06-30" if "expected" in name or "until" in name else time.strftime("%Y-%m-%d")
    if "email" in name:
        return f"crawler{n}@crawl-partner.ru"
    if "password" in name or name == "confirm":
        return "a long password 1"
    if name == "inn":
        return "7707083893"
    if "domain" in name:
        return f"crawl{n}.example"
    if "phone" in name:
        return "+7 495 000-00-00"
    if f.kind == "number":
        return "100000"
    if name == "slug":
        return f"crawl-item-{n}"
    return f"Crawler text {n}"


def _template(path: str) -> str:
    return re.sub(r"/\d+(?=/|$)", "/<id>", urlsplit(path).path)


# --- sending ---------------------------------------------------------------------------------------

def _encode(pairs) -> bytes:
    out = []
    for name, value in pairs:
        raw = value if isinstance(value, bytes) else value.encode("utf-8")
        out.append(quote_from_bytes(name.encode("utf-8"), safe="") + "=" + quote_from_bytes(raw, safe=""))
    return "&".join(out).encode("ascii")


def _pairs(form: Form, target: Field | None, bad, n: int) -> list:
    pairs = []
    for f in form.fields:
        value = f.value
        if not value and (f.required or f.kind in ("date", "text", "number")) and f.kind not in ("flag", "next"):
            value = _plausible(f, n)
        if f is target:
            if bad is MISSING:
                continue
            if bad is DUPLICATED:
                pairs += [(f.name, value or "1"), (f.name, value or "2")]
                continue
            pairs.append((f.name, bad))
        elif f.kind == "flag" and not value:
            continue
        else:
            pairs.append((f.name, value))
    return pairs


def _values_for(f: Field):
    if f.kind == "next":
        return PER_FIELD[:1]
    values = list(PER_FIELD)
    if f.required:
        values.append(("missing", MISSING))
    if f.kind == "date":
        values += DATES
    elif f.kind == "number":
        values += NUMBERS
    elif f.kind == "choice" and not f.multiple:
        values += CHOICES
    elif f.kind == "flag" or (f.kind == "choice" and f.multiple):
        # Several values of one name are what a checkbox group sends: not a duplicate.
        values = [v for v in values if v[1] is not DUPLICATED]
    return values


def _shows_error(html: str) -> bool:
    return bool(re.search(r'class="(error|error-message)"|aria-invalid="true"|class="flash flash-(error|warning)"'
                          r'|role="alert"', html))


def _readable(response) -> bool:
    return _shows_error(response.get_data(as_text=True))


_COUNT_SQL: list = []


def _counts() -> dict[str, int]:
    """Row counts of the business tables, in one statement (it runs around every post)."""
    if not _COUNT_SQL:
        tables = [t for t in db.metadata.sorted_tables if not VOLATILE.search(t.name)]
        _COUNT_SQL.append(([t.name for t in tables], select(*[
            select(func.count()).select_from(t).scalar_subquery().label(f"c{i}") for i, t in enumerate(tables)])))
    names, statement = _COUNT_SQL[0]
    db.session.rollback()
    row = db.session.execute(statement).one()
    db.session.rollback()
    return dict(zip(names, row))


@dataclass
class Walk:
    app: object
    problems: list[str] = field(default_factory=list)
    requests: int = 0
    pages: int = 0
    phases: dict = field(default_factory=lambda: defaultdict(float))
    forms_seen: set = field(default_factory=set)
    fields_tried: set = field(default_factory=set)
    endpoints: set = field(default_factory=set)

    def fail(self, role, what, response, note=""):
        body = response.get_data(as_text=True) if response is not None else ""
        snippet = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body))[:160]
        status = response.status_code if response is not None else "-"
        self.problems.append(f"[{role}] {what}: {status} {note} {snippet!r}")


def _endpoint(app, path: str, method: str = "GET"):
    try:
        return app.url_map.bind("localhost").match(urlsplit(path).path, method=method)[0]
    except Exception:
        return None


LOCAL_HOSTS = {"", "localhost"}


def _local(url: str, base: str) -> str | None:
    parts = urlsplit(url)
    if parts.scheme and parts.netloc not in LOCAL_HOSTS:
        return None
    if parts.scheme not in ("", "http", "https"):
        return None
    path = parts.path or urlsplit(base).path
    if not path.startswith("/"):
        base_path = urlsplit(base).path
        path = base_path.rsplit("/", 1)[0] + "/" + path
    return path + (f"?{parts.query}" if parts.query else "")


# --- the walk ----------------------------------------------------------------------------------------

def _client(app, email):
    app.test_client_class = HubClient
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    _log_in(client, email)
    return client


def _log_in(client, email):
    """A real server-side login (hub/accounts/sessions.py), opened afresh each time: a walk that
    posted the logout form has ended the previous one."""
    from hub.accounts import sessions
    if not email:
        return
    user = db.session.scalar(select(User).where(User.email == email))
    assert user is not None, f"demo user {email} missing"
    key = sessions.open_session(user)
    with client.session_transaction() as session:
        session["_user_id"] = key
        session["_fresh"] = True


def _seeds(app) -> list[str]:
    """Every GET route without arguments, and the links of the e-mails in the outbox (the only way
    to an invitation or a password reset)."""
    from hub.core.models import OutboxMessage
    adapter = app.url_map.bind("localhost")
    seeds = ["/"]
    for rule in app.url_map.iter_rules():
        if rule.endpoint != "static" and not rule.arguments and "GET" in rule.methods:
            seeds.append(adapter.build(rule.endpoint, {}))
    LOCAL_HOSTS.add(urlsplit(app.config["HUB_BASE_URL"]).netloc)
    for body in db.session.scalars(select(OutboxMessage.body)):
        for link in re.findall(r"https?://[^\s\"'<>]+", body or ""):
            local = _local(link, "/")
            if local:
                seeds.append(local)
    db.session.rollback()
    return seeds


def crawl(walk: Walk, role: str, client, queue: list[str], seen: set[str], per_endpoint: dict[str, int]):
    """GET pages from `queue`, following links; returns the forms and the query arguments found."""
    app = walk.app
    forms: dict[tuple, Form] = {}
    query_args: dict[str, dict[str, str]] = defaultdict(dict)
    form_fields: dict[str, set[str]] = defaultdict(set)
    while queue:
        url = queue.pop(0)
        path = urlsplit(url).path
        if path in seen or path.startswith("/static/"):
            continue
        endpoint = _endpoint(app, path)
        if endpoint is None or per_endpoint[endpoint] >= PAGES_PER_ENDPOINT:
            continue
        seen.add(path)
        per_endpoint[endpoint] += 1
        walk.endpoints.add(endpoint)
        response = client.get(url)
        response.close()  # a download is streamed from an open file
        walk.requests += 1
        walk.pages += 1
        if response.status_code >= 500:
            walk.fail(role, f"GET {url}", response)
            continue
        if response.status_code in (301, 302, 303, 307, 308):
            target = _local(response.headers["Location"], url)
            if target:
                queue.append(target)
            continue
        if "text/html" not in response.content_type:
            continue
        parser = PageParser(url)
        parser.feed(response.get_data(as_text=True))
        for form in parser.forms:
            action = _local(form.action, url)
            endpoint = _endpoint(app, action, form.method) if action else None
            if endpoint is not None:
                form.action, form.endpoint = action, endpoint
                forms.setdefault(form.key(), form)
                if form.method == "GET":
                    form_fields[urlsplit(action).path].update(f.name for f in form.fields)
        for link in parser.links:
            target = _local(link, url)
            if not target:
                continue
            parts = urlsplit(target)
            for name, value in parse_qsl(parts.query, keep_blank_values=True):
                query_args[parts.path].setdefault(name, value)
            queue.append(parts.path)
    # Arguments that a GET form of the same page sends are fuzzed with the form (knowing their kinds).
    for path, fields in form_fields.items():
        for name in fields:
            query_args.get(path, {}).pop(name, None)
    return forms, query_args


def _send(client, method: str, action: str, pairs) -> object:
    body = _encode(pairs)
    if method == "GET":
        base = urlsplit(action)
        query = "&".join(q for q in (base.query, body.decode("ascii")) if q)
        return client.get(base.path, query_string=query)
    return client.open(action, method=method, data=body, content_type="application/x-www-form-urlencoded")


def _plan(form: Form, first_time: bool):
    """(field, label, value) to send: everything the first time a form is seen, then (another role,
    another page with the same form) one NUL byte, which still takes this role's way through the view."""
    fields = form.fuzzable()
    if not fields:
        return []
    if not first_time:
        return [(fields[0], *PER_FIELD[0])]
    plan = [(fields[0], label, bad) for label, bad in (PER_FORM_GET if form.method == "GET" else PER_FORM_POST)]
    for f in fields:
        plan += [(f, label, bad) for label, bad in _values_for(f) if not (form.htmx and bad is MISSING)]
    return plan


def _check(walk: Walk, role: str, client, what: str, response, before: dict | None) -> None:
    """Refused readably (a 4xx page or form error, or the form again with a message), nothing saved."""
    if response.status_code >= 500:
        walk.fail(role, what, response)
        return
    if before is not None:
        after = _counts()
        changed = {k: (before[k], after[k]) for k in before if before[k] != after[k]}
        if changed:
            walk.fail(role, what, response, f"saved: {changed}")
            return
    if 400 <= response.status_code < 500 or response.status_code == 200:
        if not _readable(response):
            walk.fail(role, what, response, "no readable message")
    elif response.status_code in (302, 303):
        location = response.headers["Location"]
        if role == "anonymous" and "/login" in location:
            return  # the login page is the answer to anything an anonymous visitor may not do
        page = client.get(location)
        if not _shows_error(page.get_data(as_text=True)):
            walk.fail(role, what, response, f"redirected to {location} without a message")
    else:
        walk.fail(role, what, response, "unexpected status")


def fuzz_form(walk: Walk, role: str, client, form: Form, n: int, email: str | None):
    """Each field in turn with its bad values."""
    first_time = form.key() not in walk.forms_seen
    walk.forms_seen.add(form.key())
    for target, label, bad in _plan(form, first_time):
        walk.fields_tried.add((form.key(), target.name))
        _log_in(client, email)  # a form may have been the logout button
        before = _counts() if form.method != "GET" else None
        response = _send(client, form.method, form.action, _pairs(form, target, bad, n))
        walk.requests += 1
        _check(walk, role, client, f"{form.method} {form.action} field {target.name!r} = {label}", response, before)


def press_buttons(walk: Walk, role: str, client, forms: dict, n: int, email: str | None) -> list[str]:
    pressed, targets = set(), []
    for form in forms.values():
        if form.method != "POST" or any(f.kind != "next" for f in form.fuzzable()) or form.endpoint in pressed:
            continue
        pressed.add(form.endpoint)
        _log_in(client, email)
        response = _send(client, "POST", form.action, _pairs(form, None, None, n))
        walk.requests += 1
        if response.status_code >= 500:
            walk.fail(role, f"POST {form.action} (the button)", response)
        elif response.status_code in (302, 303):
            target = _local(response.headers["Location"], form.action)
            if target:
                targets.append(target)
    _log_in(client, email)
    return targets


def fuzz_query(walk: Walk, role: str, client, path: str, args: dict[str, str]):
    """The query arguments of the hub's own links (pages, facets, filters without a form), one at a
    time, the first time a (route, argument) is met."""
    first_arg = True
    for name, value in args.items():
        key = ("GET", _template(path), ("?", name))
        if key in walk.fields_tried:
            continue
        walk.fields_tried.add(key)
        target = Field(name, "text" if name == "q" else "choice", value)
        plan = [(label, bad) for label, bad in _values_for(target) if bad is not MISSING]
        if first_arg:
            plan = PER_FORM_GET + plan
            first_arg = False
        for label, bad in plan:
            pairs = [(k, v) for k, v in args.items() if k != name]
            pairs += [(name, value), (name, value)] if bad is DUPLICATED else [(name, bad)]
            response = _send(client, "GET", path, pairs)
            walk.requests += 1
            _check(walk, role, client, f"GET {path} argument {name!r} = {label}", response, None)


def fuzz_path_arguments(walk: Walk, role: str, client):
    """Every <int:...> route with ids the database cannot hold, every <name> route with a NUL byte."""
    from werkzeug.routing import IntegerConverter
    for rule in walk.app.url_map.iter_rules():
        if rule.endpoint == "static" or not rule.arguments:
            continue
        method = "GET" if "GET" in rule.methods else sorted(rule.methods - {"HEAD", "OPTIONS"})[0]
        ints = [a for a in rule.arguments if isinstance(rule._converters[a], IntegerConverter)]
        texts = [a for a in rule.arguments if a not in ints]
        # 2**31: above an Integer column on PostgreSQL; 2**63: above SQLite's driver.
        cases = [("40 digits", "9" * 40), ("2**63", str(2**63)), ("2**31", str(2**31))] if ints else []
        if texts:
            cases.append(("NUL byte", "%00"))
        for label, raw in cases:
            path = rule.rule
            for name in rule.arguments:
                converter = rule._converters[name]
                changed = (name in ints and label != "NUL byte") or (name in texts and label == "NUL byte")
                value = raw if changed else ("1" if isinstance(converter, IntegerConverter) else "x")
                path = re.sub(rf"<(?:[^:<>]+:)?{name}>", value, path)
            response = client.open(path, method=method)
            response.close()
            walk.requests += 1
            if response.status_code != 404 or not _readable(response):
                walk.fail(role, f"{method} {rule.rule} with {label}", response, "expected a readable 404")


# --- the test ------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def demo_app(_migrated, database_url, tmp_path_factory):
    data = tmp_path_factory.mktemp("bad-input")
    app = create_app(make_config(database_url, data, SEARCH_INDEX_DIR=str(data / "index")))
    with app.app_context():
        _wipe()
        runner = app.test_cli_runner()
        for args in (["content", "load"], ["demo"]):
            result = runner.invoke(args=args)
            assert result.exit_code == 0, result.output
        # The ways in that only e-mail knows: a pending invitation and a password reset.
        from hub.accounts import services as accounts
        from hub.accounts.models import Organisation
        with app.test_request_context():
            vendor_admin = db.session.scalar(select(User).where(User.email == ROLES["admin"]))
            org = db.session.scalar(select(Organisation).where(Organisation.slug == "volgasoft"))
            accounts.invite(vendor_admin, "walker@crawl-partner.ru", "member", org or vendor_admin.organisation)
            accounts.request_password_reset(ROLES["partner member"])
        db.session.remove()
        yield app
        db.session.remove()
        _wipe()
        db.engine.dispose()


def test_no_bad_input_gets_a_500_anywhere(demo_app, capsys):
    app = demo_app
    walk = Walk(app)
    started = time.perf_counter()
    found_forms: dict[tuple, tuple[str, Form]] = {}
    for n, (role, email) in enumerate(ROLES.items()):
        client = _client(app, email)
        seen: set[str] = set()
        per_endpoint: dict[str, int] = defaultdict(int)
        t0 = time.perf_counter()
        forms, query_args = crawl(walk, role, client, _seeds(app), seen, per_endpoint)
        t1 = time.perf_counter()
        for key, form in forms.items():
            found_forms.setdefault(key, (role, form))
            fuzz_form(walk, role, client, form, n, email)
        # Buttons (nothing to type: start an exam, mark done, approve) are pressed once each, after the
        # forms they would change have been tried, for the pages they lead to (an exam attempt).
        targets = press_buttons(walk, role, client, forms, n, email)
        more_forms, more_args = crawl(walk, role, client, targets, seen, per_endpoint)
        for key, form in more_forms.items():
            if key not in forms:
                found_forms.setdefault(key, (role, form))
                fuzz_form(walk, role, client, form, n, email)
        for path, args in more_args.items():
            query_args.setdefault(path, args)
        t2 = time.perf_counter()
        for path, args in query_args.items():
            fuzz_query(walk, role, client, path, args)
        t3 = time.perf_counter()
        if role in ("anonymous", "admin"):  # routing refuses these before any view: two roles prove it
            fuzz_path_arguments(walk, role, client)
        t4 = time.perf_counter()
        for phase, took in (("pages", t1 - t0), ("forms", t2 - t1), ("query", t3 - t2), ("paths", t4 - t3)):
            walk.phases[phase] += took
    elapsed = time.perf_counter() - started
    with capsys.disabled():
        print(f"\nbad-input walk ({db.engine.dialect.name}): {walk.requests} requests, {len(found_forms)} forms, "
              f"{len(walk.fields_tried)} fields, {len(walk.endpoints)} endpoints, {walk.pages} pages, {elapsed:.0f} s ("
              + ", ".join(f"{k} {v:.0f} s" for k, v in walk.phases.items()) + ")")
    if os.environ.get("HUB_WALK_DEBUG"):  # list what the walk found, to see what a new feature adds
        with capsys.disabled():
            for key, (role, form) in sorted(found_forms.items()):
                print(role, key)
            print("missed", sorted({r.endpoint for r in app.url_map.iter_rules()} - walk.endpoints))
    assert not walk.problems, f"{len(walk.problems)} problems:\n" + "\n".join(walk.problems[:80])

    # The walk must not pass vacuously: it reached the forms that matter.
    reached = {key[1] for key in found_forms}
    for expected in ("accounts.login", "accounts.forgot_password", "accounts.reset_password",
                     "accounts.accept_invitation", "accounts.profile", "accounts.invite", "accounts.new_organisation",
                     "deals.index", "deals.new", "deals.validate_field", "deals.reject", "deals.won", "deals.lost",
                     "deals.extension", "deals.extension_decision", "library.new", "library.edit", "library.preview",
                     "academy.submit", "academy.revoke", "rewards.leaderboard", "rewards.override",
                     "rewards.line_action", "program.calculator", "core.set_language"):
        assert expected in reached, f"the walk never found a form for {expected}: {sorted(reached)}"
    routes = {r.endpoint for r in app.url_map.iter_rules() if "GET" in r.methods and r.endpoint != "static"}
    missed = routes - walk.endpoints
    assert len(missed) <= len(routes) // 5, f"pages never visited: {sorted(missed)}"
