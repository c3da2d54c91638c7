"""Handing stored files out: only to whom the owning feature allows.

Each feature registers an owner name and a resolver once, at import time:

    @files.owner("library")
    def _library_file(viewer, key: str) -> files.Served | None:
        ...   # None when the file does not exist or the viewer may not see it

and links with `url_for("files.download", owner_name="library", key=...)` (or `files.url(...)`). The
resolver is the only access rule: an unknown owner, an unknown key and a refused viewer all get the
same 404, so nobody learns that a file exists. Anonymous viewers never reach a resolver: every view
that is not marked public asks for a login first.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import Callable, Optional
from urllib.parse import quote

from flask import abort, send_file, url_for
from flask_login import current_user

from . import store


@dataclass(frozen=True)
class Served:
    sha256: str
    name: str
    content_type: str
    # Run after the viewer was allowed and the file exists, e.g. to count a download.
    on_served: Optional[Callable[[], None]] = None
    # Images shown in a page are served inline; everything else is an attachment.
    inline: bool = False


Resolver = Callable[[object, str], Optional[Served]]
_OWNERS: dict[str, Resolver] = {}


def owner(name: str):
    """Register the resolver deciding who may see the files of owner `name`."""
    def decorator(func: Resolver) -> Resolver:
        if name in _OWNERS and _OWNERS[name] is not func:
            raise ValueError(f"file owner {name!r} is registered twice")
        _OWNERS[name] = func
        return func
    return decorator


def owners() -> tuple[str, ...]:
    return tuple(sorted(_OWNERS))


def url(owner_name: str, key: str, **values) -> str:
    return url_for("files.download", owner_name=owner_name, key=key, **values)


_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def content_disposition(name: str, inline: bool = False) -> str:
    """A plain ASCII fallback and the exact name as RFC 5987 filename*."""
    stem, ext = os.path.splitext(name)
    ext = _UNSAFE.sub("", ext)
    fallback = (_UNSAFE.sub("_", stem).strip("._") or "download") + (ext if len(ext) > 1 else "")
    kind = "inline" if inline else "attachment"
    return f"{kind}; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


def respond(served: Served):
    """The HTTP response for a file a resolver allowed."""
    if not store.exists(served.sha256):
        abort(404)
    if served.on_served is not None:
        served.on_served()
    response = send_file(store.path_of(served.sha256), mimetype=served.content_type, conditional=True,
                         etag=served.sha256, max_age=0)
    headers = response.headers
    headers["Content-Type"] = served.content_type  # exactly as stored (send_file would add a charset)
    headers["Content-Disposition"] = content_disposition(served.name, served.inline)
    headers["X-Content-Type-Options"] = "nosniff"
    headers["Cache-Control"] = "private, no-store"
    # A stored file is never a page: even if a browser rendered one, it could run nothing.
    headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def serve(owner_name: str, key: str, viewer=None):
    resolver = _OWNERS.get(owner_name)
    if resolver is None:
        abort(404)
    served = resolver(viewer if viewer is not None else current_user._get_current_object(), key)
    if served is None:
        abort(404)
    return respond(served)
