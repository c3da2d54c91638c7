"""Static files and HTTP caching (issue 10): content-hashed names, long caching, gzip, ETag / 304.

- `url_for("static", filename="css/hub.css")` gives `/static/css/hub.3f2a9c1b7d4e.css`: the first
  12 hex digits of the file's SHA-256 before the extension. A hashed name is served with
  `Cache-Control: public, max-age=31536000, immutable`: a browser never asks again, and a changed
  file gets a new name, so a deploy is seen at once. The plain name (`/static/css/hub.css`, and
  links built without a request, e.g. badge images in Open Badges) is still served, with `no-cache`
  and an ETag, so it is revalidated (304) rather than downloaded again.
- Text files (CSS, JS, SVG, JSON) are sent gzip-compressed to browsers that accept it, compressed
  once per file and kept in memory: gunicorn does not compress.
- HTML: `conditional_html` gives the pages an anonymous visitor sees (public pages: the program,
  the login page, ...) an ETag and answers 304 when it matches; see there for the CSRF token.
  HTML is compressed only for anonymous visitors (public pages, no personal data in them): for a
  logged-in page, compression next to reflected input (a search term) would let an attacker who
  sees the response sizes guess the page's other contents byte by byte (BREACH), and the hub's
  pages carry personal data. Behind a reverse proxy that compresses, turn its compression off for
  responses with `Cache-Control: no-store` (logged-in pages) for the same reason.
"""
from __future__ import annotations

import gzip
import hashlib
import re
from pathlib import Path

from flask import Flask, Response, current_app, g, request, session
from werkzeug.exceptions import NotFound
from werkzeug.security import safe_join

HASH_LENGTH = 12
IMMUTABLE = "public, max-age=31536000, immutable"
COMPRESSIBLE = {".css", ".js", ".svg", ".json", ".txt", ".map", ".html"}
# Below this size compression buys nothing a TCP packet would not carry anyway.
MIN_COMPRESS = 1400
_HASHED = re.compile(r"^(?P<stem>.+)\.(?P<digest>[0-9a-f]{%d})(?P<ext>\.[A-Za-z0-9]+)$" % HASH_LENGTH)


class _Asset:
    __slots__ = ("path", "mtime", "digest", "data", "gzipped", "mimetype")

    def __init__(self, path: Path, mtime: float, data: bytes, mimetype: str):
        self.path, self.mtime, self.data, self.mimetype = path, mtime, data, mimetype
        self.digest = hashlib.sha256(data).hexdigest()[:HASH_LENGTH]
        self.gzipped = gzip.compress(data, 9, mtime=0) if path.suffix in COMPRESSIBLE else None


def _asset(app: Flask, filename: str) -> _Asset | None:
    """The file under static/ (read and hashed once; again when it changes in debug mode)."""
    cache: dict[str, _Asset] = app.extensions.setdefault("hub_assets", {})
    found = cache.get(filename)
    if found is not None and not (app.debug or app.config.get("TEMPLATES_AUTO_RELOAD")):
        return found
    joined = safe_join(app.static_folder, filename)
    if joined is None:
        return None
    path = Path(joined)
    try:
        mtime = path.stat().st_mtime
    except OSError:
        return None
    if found is not None and found.mtime == mtime:
        return found
    if not path.is_file():
        return None
    import mimetypes
    mimetype = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    found = cache[filename] = _Asset(path, mtime, path.read_bytes(), mimetype)
    return found


def hashed_name(filename: str) -> str:
    """`css/hub.css` -> `css/hub.<digest>.css`; a file that does not exist keeps its name."""
    asset = _asset(current_app, filename)
    if asset is None:
        return filename
    stem, dot, ext = filename.rpartition(".")
    if not dot or "/" in ext:
        return f"{filename}.{asset.digest}"
    return f"{stem}.{asset.digest}.{ext}"


def _add_hash(endpoint: str, values: dict) -> None:
    if endpoint == "static" and "filename" in values:
        values["filename"] = hashed_name(values["filename"])


def serve_static(filename: str):
    app = current_app
    asset = _asset(app, filename)
    immutable = False
    if asset is None:
        match = _HASHED.match(filename)
        if match:
            original = f"{match['stem']}{match['ext']}"
            asset = _asset(app, original)
            # An older digest (a page cached before a deploy) still gets today's file, uncached.
            immutable = asset is not None and asset.digest == match["digest"]
        if asset is None:
            raise NotFound()
    use_gzip = asset.gzipped is not None and len(asset.data) >= MIN_COMPRESS and _accepts_gzip()
    body = asset.gzipped if use_gzip else asset.data
    response = Response(body, mimetype=asset.mimetype)
    if asset.mimetype.startswith("text/") or asset.mimetype in ("application/javascript", "image/svg+xml"):
        response.charset = "utf-8"
    if use_gzip:
        response.headers["Content-Encoding"] = "gzip"
    if asset.gzipped is not None:
        response.vary.add("Accept-Encoding")
    response.set_etag(asset.digest + ("-gz" if use_gzip else ""))
    response.headers["Cache-Control"] = IMMUTABLE if immutable else "no-cache"
    return response.make_conditional(request)


def _accepts_gzip() -> bool:
    return "gzip" in request.accept_encodings


def conditional_html(response: Response, authenticated: bool) -> Response:
    """ETag / 304 and gzip for a page an anonymous visitor gets (its Cache-Control is `no-cache`:
    the browser revalidates every time, and a 304 spares the transfer).

    Every page carries a CSRF token (the language switch, htmx's header) that Flask-WTF re-signs
    with the current second on each render, so the body differs every time. The ETag is taken over
    the body without that token plus the session's own token (the one every signed form of it
    stands for; WTF_CSRF_TIME_LIMIT is None, so an older signature stays valid): the same page for
    the same session gives the same ETag, and a 304 keeps a page whose token still works.
    """
    if (authenticated or request.method not in ("GET", "HEAD") or response.status_code != 200
            or response.mimetype != "text/html" or response.direct_passthrough
            or response.headers.get("Cache-Control") != "no-cache"):
        return response
    body = response.get_data()
    field = current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    signed = g.get(field)
    stable = body.replace(signed.encode(), b"") if signed else body
    digest = hashlib.sha256(stable)
    digest.update(str(session.get(field, "")).encode())
    use_gzip = len(body) >= MIN_COMPRESS and _accepts_gzip()
    # The compressed body is another representation: another (strong) ETag.
    response.set_etag(digest.hexdigest()[:24] + ("-gz" if use_gzip else ""))
    response.vary.add("Cookie")
    response.vary.add("Accept-Encoding")
    response.make_conditional(request)
    if response.status_code == 200 and use_gzip:
        response.set_data(gzip.compress(body, 6))
        response.headers["Content-Encoding"] = "gzip"
    return response


def install(app: Flask) -> None:
    app.url_defaults(_add_hash)
    app.view_functions["static"] = serve_static
