"""Partner Hub: the application factory."""
from __future__ import annotations

import os
from pathlib import Path

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from . import config as _config


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(
        __name__,
        template_folder=str(_config.ROOT / "templates"),
        static_folder=str(_config.ROOT / "static"),
        instance_path=str(_config.data_dir()),
    )
    app.config.from_object(_config.Defaults)
    app.config.update(_config.from_environment())
    if test_config:
        app.config.update(test_config)

    if app.config["HUB_PROXY_HOPS"]:
        hops = app.config["HUB_PROXY_HOPS"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]

    from . import inputs
    inputs.install(app)  # the request class and the bounded converters, before any route is added
    _init_extensions(app)
    _register_blueprints(app)
    # After the features are imported: each registers its own sections of program.yml.
    _init_rules(app)

    from . import web, i18n, ui
    web.install(app)
    i18n.install(app)
    ui.install(app)

    from .core import cli as core_cli
    from . import demo
    core_cli.register(app)
    # Here, not in hub/core: the demo orchestrator runs the features' steps and sits above the core.
    app.cli.add_command(demo.demo_command)
    return app


def _init_extensions(app: Flask) -> None:
    from flask_babel import lazy_gettext as _l

    from .database import configure_sqlite, include_name, set_write_intent, watch_reading_request
    from .extensions import babel, csrf, db, htmx, limiter, login_manager, migrate
    from .i18n import select_locale, select_timezone

    db.init_app(app)
    migrate.init_app(app, db, directory=str(_config.ROOT / "migrations"), render_as_batch=True,
                    include_name=include_name)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)
    htmx.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("Please log in to see this page.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"

    with app.app_context():
        configure_sqlite(db.engine)

    from flask import request

    @app.before_request
    def _writes_lock_early():
        reading = request.method in ("GET", "HEAD", "OPTIONS")
        set_write_intent(not reading)
        watch_reading_request(f"{request.method} {request.path}" if reading else None)

    @app.teardown_request
    def _reset_write_intent(_exc):
        set_write_intent(False)
        watch_reading_request(None)

    from .accounts import sessions

    # The id Flask-Login keeps in the cookies is the key of a server-side login, not the user id.
    login_manager.user_loader(sessions.user_for_key)


def _init_rules(app: Flask) -> None:
    from .program import rules

    path = Path(app.config.get("PROGRAM_RULES") or Path(app.config["CONTENT_DIR"]) / "program.yml")
    # Fail at start-up, naming the file and key, rather than on the first request.
    loaded = rules.load(path)
    app.extensions["program_rules"] = {"path": str(path), "mtime": os.stat(path).st_mtime, "rules": loaded}


def _register_blueprints(app: Flask) -> None:
    from . import features

    for feature in features.load():
        app.register_blueprint(feature.bp)

    from . import files
    files.install(app)

    from . import search
    search.install(app)
    search.startup_check(app)
