"""One storage module for every upload (SPEC P12). The public API of `hub.files`:

- `UploadRule(types=("pdf", "xlsx"), max_bytes=...)`: what one use accepts (types from `TYPES`);
- `save_upload(request.files["file"], rule) -> StoredFile` (sha256, size, type, content_type, name)
  or `UploadRefused(message)`; `save(stream, filename, rule)` for any binary stream;
- `inspect_path(path, rule)` + `copy_in(path, stored)` for files on disk (the content loader);
- `safe_name(filename, type)`, `unique_name(name, taken)`: download names from what was sent;
- `@owner("name")` registers who may see an owner's files (`Served` or None), `url(owner, key)`
  links to them, `serve(owner, key)` answers with them (404 for anything not allowed);
- `exists(sha256)`, `path_of(sha256)`, `content_disposition(name)`.

Features keep their own rows and point at files by digest; they never touch the store directory.
"""
from __future__ import annotations

from flask import Blueprint, Flask
from flask_babel import gettext as _

from .serve import Served, content_disposition, owner, owners, respond, serve, url
from .store import (TYPES, FileType, StoredFile, UploadRefused, UploadRule, copy_in, exists, inspect_path,
                    path_of, safe_name, save, save_upload, store_dir, type_of_extension, unique_name)

__all__ = ["TYPES", "FileType", "Served", "StoredFile", "UploadRefused", "UploadRule", "content_disposition",
           "copy_in", "exists", "inspect_path", "owner", "owners", "path_of", "respond", "safe_name", "save",
           "save_upload", "serve", "store_dir", "type_of_extension", "unique_name", "url"]

bp = Blueprint("files", __name__)


@bp.route("/files/<owner_name>/<path:key>")
def download(owner_name: str, key: str):
    return serve(owner_name, key)


@bp.app_errorhandler(413)
def _too_large(_error):
    from ..web import render
    return render("core/error.html", status=413, code=413,
                  message=_("What you sent is too large: a request can be at most %(max)s MB.",
                            max=_max_mb()))


def _max_mb() -> int:
    from flask import current_app
    return int((current_app.config.get("MAX_CONTENT_LENGTH") or 0) // (1024 * 1024))


def install(app: Flask) -> None:
    from pathlib import Path

    from .store import adopt_legacy_dir
    adopt_legacy_dir(Path(app.config["DATA_DIR"]))
    app.jinja_env.globals["files_url"] = url
