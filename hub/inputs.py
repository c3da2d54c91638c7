"""What the hub accepts from a request, checked once for every route (present and future).

- Query strings and form bodies are decoded strictly as UTF-8. A value that is not valid UTF-8 or
  holds a NUL byte (PostgreSQL refuses NUL in text, SQLite keeps it and every later comparison goes
  wrong) is kept as `BadText`, and reading it through `request.args` / `request.form` raises
  `BadInput` (400 with a message naming the field) — so it never reaches a query. Forms built on
  `hub.forms.HubForm` read the raw values instead and put the message next to the field.
- Reading one value (`.get()`, `[...]`) of a field sent twice (`a=1&a=2`) is refused the same way;
  `getlist()` is how a view says it expects several.
- JSON bodies: strings with NUL or lone surrogates are refused.
- Path segments: `<int:...>` stops at MAX_ID, the largest id the tables can hold (Integer is 32-bit
  on PostgreSQL; SQLite's driver overflows above 2**63 - 1): above it 404, never a database error;
  `<name>` never matches a NUL byte.
- Sizes: a urlencoded body above MAX_FORM_MEMORY_SIZE (Werkzeug applies the same limit to each
  multipart text part) and a query string above MAX_QUERY_STRING_LENGTH are refused (413 / 414).
"""
from __future__ import annotations

import builtins
import re
from urllib.parse import unquote_to_bytes

from flask import Request, current_app, has_request_context, request
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import CombinedMultiDict, ImmutableMultiDict, MultiDict
from werkzeug.exceptions import BadRequest, RequestEntityTooLarge, RequestURITooLarge
from werkzeug.formparser import FormDataParser, MultiPartParser
from werkzeug.routing import IntegerConverter, UnicodeConverter, ValidationError
from werkzeug.utils import cached_property

NEXT = "next"
MAX_ID = 2**31 - 1       # an Integer column on PostgreSQL (every id in the schema)
MAX_INT64 = 2**63 - 1    # a BigInteger column; SQLite's driver refuses anything above
MIN_INT64 = -(2**63)
_SURROGATE = re.compile("[\ud800-\udfff]")

BAD_TEXT = _l("contains characters that cannot be stored (a NUL byte, or text that is not valid UTF-8).")
DUPLICATED = _l("was sent more than once.")


class BadText(str):
    """A value as decoded (invalid bytes replaced) that must not be used: it was not valid UTF-8 or it
    holds a NUL byte. A str, so that a form can still show its field with an error."""


def is_bad(value) -> bool:
    if isinstance(value, BadText):
        return True
    return isinstance(value, str) and ("\x00" in value or _SURROGATE.search(value) is not None)


class BadInput(BadRequest):
    """400 with a message a person can act on, naming the field when there is one."""

    def __init__(self, message, field: str | None = None):
        self.field = field
        self.message = message
        super().__init__(description=str(message))

    @property
    def readable(self) -> str:
        from flask_babel import gettext as _
        if self.field:
            return _("The field “%(field)s” %(problem)s", field=_shown(self.field), problem=self.message)
        return str(self.message)


def _shown(name: str) -> str:
    name = name.encode("utf-8", "replace").decode("utf-8", "replace").replace("\x00", "")
    return name if len(name) <= 40 else name[:40] + "…"


def _refusing() -> bool:
    """While an error page is being rendered, reading the request again must not raise again."""
    return has_request_context() and request.environ.get("hub.input_refused", False)


def refusing() -> None:
    """Called by the error handlers: from now on this request's bad values read as they are."""
    request.environ["hub.input_refused"] = True


class GuardedMultiDict(ImmutableMultiDict):
    """request.args / request.form: bad values (and single reads of duplicated fields) raise BadInput."""

    def _check(self, key, values, single: bool) -> None:
        if _refusing():
            return
        for value in values:
            if is_bad(value):
                raise BadInput(BAD_TEXT, field=key)
        if single and len(values) > 1:
            raise BadInput(DUPLICATED, field=key)

    def _values_of(self, key):
        return dict.get(self, key, ())

    def __getitem__(self, key):
        self._check(key, self._values_of(key), single=True)
        return super().__getitem__(key)

    def getlist(self, key, type=None):
        self._check(key, self._values_of(key), single=False)
        return super().getlist(key, type)

    def items(self, multi: bool = False):
        for key, values in dict.items(self):
            self._check(key, values, single=False)
        return super().items(multi)

    def lists(self):
        for key, values in dict.items(self):
            self._check(key, values, single=False)
        return super().lists()

    def values(self):
        for key, values in dict.items(self):
            self._check(key, values, single=False)
        return super().values()

    def listvalues(self):
        for key, values in dict.items(self):
            self._check(key, values, single=False)
        return super().listvalues()

    def to_dict(self, flat: bool = True):
        for key, values in dict.items(self):
            self._check(key, values, single=False)
        return super().to_dict(flat)

    def raw_lists(self) -> list[tuple[str, list[str]]]:
        """Every field with all its values, bad ones included (for forms that report them per field)."""
        return [(key, list(values)) for key, values in dict.items(self)]


def unguarded(formdata):
    """A plain MultiDict holding the same fields, bad values included (`BadText`), for HubForm."""
    if isinstance(formdata, GuardedMultiDict):
        return MultiDict([(k, v) for k, values in formdata.raw_lists() for v in values])
    if isinstance(formdata, CombinedMultiDict):
        out = MultiDict()
        for part in formdata.dicts:
            if isinstance(part, GuardedMultiDict):
                for key, values in part.raw_lists():
                    for value in values:
                        out.add(key, value)
            else:
                for key, value in part.items(multi=True):
                    out.add(key, value)
        return out
    return formdata


def decode_part(raw: bytes) -> str:
    """One percent-encoded key or value -> str, or BadText when the bytes are not clean UTF-8 text."""
    return _text(unquote_to_bytes(raw.replace(b"+", b" ")))


def _text(data: bytes) -> str:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return BadText(data.decode("utf-8", "replace"))
    return BadText(text) if "\x00" in text else text


def parse_pairs(raw: bytes, cls=GuardedMultiDict):
    """`a=1&b=2` as the browser sends it (keep blank values, like parse_qsl), decoded strictly."""
    items = []
    for chunk in raw.split(b"&"):
        if not chunk:
            continue
        key, _eq, value = chunk.partition(b"=")
        items.append((decode_part(key), decode_part(value)))
    return cls(items)


class _MultiPartParser(MultiPartParser):
    """Text parts are read as bytes (latin-1 keeps every byte) and then decoded strictly below."""

    def get_part_charset(self, headers) -> str:
        return "latin-1"

    def parse(self, stream, boundary, content_length):
        form, files = super().parse(stream, boundary, content_length)
        return self.cls([(key, _strict(value)) for key, values in dict.items(form) for value in values]), files


def _strict(latin: str) -> str:
    return _text(latin.encode("latin-1"))


class _FormDataParser(FormDataParser):
    def _parse_urlencoded(self, stream, mimetype, content_length, options):
        # Werkzeug reads the whole urlencoded body at once and applies no limit to it: a body of
        # text fields is held to the same limit as one multipart text part.
        limit = self.max_form_memory_size
        if limit is not None and content_length is not None and content_length > limit:
            raise RequestEntityTooLarge()
        raw = stream.read() if limit is None else stream.read(limit + 1)
        if limit is not None and len(raw) > limit:
            raise RequestEntityTooLarge()
        return stream, parse_pairs(raw, self.cls), self.cls()

    def _parse_multipart(self, stream, mimetype, content_length, options):
        parser = _MultiPartParser(stream_factory=self.stream_factory, max_form_memory_size=self.max_form_memory_size,
                                  max_form_parts=self.max_form_parts, cls=self.cls)
        boundary = options.get("boundary", "").encode("ascii")
        if not boundary:
            raise ValueError("Missing boundary")
        form, files = parser.parse(stream, boundary, content_length)
        return stream, form, files


class HubRequest(Request):
    parameter_storage_class = GuardedMultiDict
    form_data_parser_class = _FormDataParser

    @cached_property
    def args(self):
        return parse_pairs(self.query_string, self.parameter_storage_class)

    @property
    def full_path(self) -> str:
        # Werkzeug decodes the raw query string strictly here: a stray byte would fail the error page.
        return f"{self.path}?{self.query_string.decode('utf-8', 'replace')}"

    def get_json(self, force: bool = False, silent: bool = False, cache: bool = True):
        data = super().get_json(force=force, silent=silent, cache=cache)
        if not _refusing():
            _check_json(data)
        return data


def _check_json(value, key: str | None = None) -> None:
    if isinstance(value, str):
        if is_bad(value):
            raise BadInput(BAD_TEXT, field=key or "JSON")
    elif isinstance(value, dict):
        for k, v in value.items():
            _check_json(k, key)
            _check_json(v, k if isinstance(k, str) and not is_bad(k) else key)
    elif isinstance(value, list):
        for item in value:
            _check_json(item, key)


def check_request(request) -> None:
    """The checks that need no view: query length; field names (no form has a field whose name holds
    a NUL byte or broken UTF-8, so such a request is refused outright); and `next`, the hub's
    where-to-go-afterwards field, which views read only after they have acted."""
    limit = current_app.config.get("MAX_QUERY_STRING_LENGTH")
    if limit and len(request.query_string) > limit:
        raise RequestURITooLarge()
    sources = [request.args] if request.method in ("GET", "HEAD") else [request.args, request.form]
    for source in sources:
        for key in source.keys():
            if is_bad(key):
                raise BadInput(_l("The request contains a field name that cannot be read."))
        source.getlist(NEXT)


class BoundedIntConverter(IntegerConverter):
    """The app's `<int:...>`: an id above MAX_ID matches no route (404) instead of failing in the
    database ("integer out of range" on PostgreSQL, OverflowError in SQLite's driver above 2**63 - 1).
    A route over a BigInteger column says so: `<int(max=9223372036854775807):n>`."""

    def __init__(self, map, fixed_digits: int = 0, min: int | None = None, max: int | None = None,
                 signed: bool = False):
        upper = MAX_ID if max is None else builtins.min(max, MAX_INT64)
        lower = min
        if signed:
            lower = MIN_INT64 if min is None else builtins.max(min, MIN_INT64)
        super().__init__(map, fixed_digits=fixed_digits, min=lower, max=upper, signed=signed)

    def to_python(self, value: str):
        if len(value) > 20:  # more digits than any int64: no int() of a huge string
            raise ValidationError()
        return super().to_python(value)



class TextConverter(UnicodeConverter):
    """The app's default `<name>`: one path segment without a NUL byte."""

    def __init__(self, map, minlength: int = 1, maxlength: int | None = None, length: int | None = None):
        super().__init__(map, minlength=minlength, maxlength=maxlength, length=length)
        self.regex = self.regex.replace("[^/]", "[^/\\x00]", 1)


def install(app) -> None:
    """Converters and the request class. Call before any blueprint is registered (rules bind their
    converters when they are added)."""
    app.request_class = HubRequest
    app.url_map.converters["int"] = BoundedIntConverter
    app.url_map.converters["default"] = TextConverter
    app.url_map.converters["string"] = TextConverter
