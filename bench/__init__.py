"""Benchmarks (not tests): `python -m bench.deals`, `bench.library`, `bench.rewards`, `bench.events`,
`bench.qa`, `bench.directory` (in-process, the Flask test client) and `bench.pages` (a real server).

The in-process ones share the steps below: a fresh data directory, the schema and content, the demo
program plus `demo large` organisations, a logged-in test client, and p50 / p95 timing of pages."""
from __future__ import annotations

import os
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from contextlib import contextmanager


def p95(values: list[float]) -> float:
    """The 95th percentile (inclusive method, as every bench prints it)."""
    return statistics.quantiles(values, n=20, method="inclusive")[18] if len(values) > 1 else values[0]


@contextmanager
def fresh_data_dir(prefix: str, database_url_env: str | None = None):
    """A temporary HUB_DATA_DIR (SQLite inside it unless the environment variable `database_url_env`
    names a throwaway database, whose tables are all dropped first), removed afterwards."""
    data_dir = tempfile.mkdtemp(prefix=prefix)
    os.environ["HUB_DATA_DIR"] = data_dir
    url = os.environ.get(database_url_env) if database_url_env else None
    if url:
        os.environ["HUB_DATABASE_URL"] = url
    else:
        os.environ.pop("HUB_DATABASE_URL", None)
        os.environ.pop("DATABASE_URL", None)
    try:
        yield data_dir
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


def build_program(orgs: int, users_per_org: int, deals: int = 0):
    """The app on an empty database: migrated, content/ loaded, the demo program and `demo large`
    organisations and people (and every large demo step the features register), then ANALYZE.
    Returns the app. Set-up that follows runs in `with app.app_context():`, and the timed requests
    outside it: a request inside an app context that is already pushed shares its `g`, so every
    client would be whoever logged in first."""
    from flask_migrate import upgrade

    from hub import create_app, demo
    from hub.core.cli import CONTENT_LOADERS
    from hub.extensions import db

    app = create_app()
    with app.app_context():
        db.drop_all()
        db.session.execute(db.text("DROP TABLE IF EXISTS alembic_version"))
        db.session.commit()
        upgrade()
        for loader in CONTENT_LOADERS.values():
            loader(app.config["CONTENT_DIR"], lambda _t: None)
            db.session.commit()
        demo.create_demo(echo=lambda _t: None)
        demo.create_large(orgs=orgs, deals=deals, users_per_org=users_per_org, echo=lambda _t: None)
        db.session.execute(db.text("ANALYZE"))
        db.session.commit()
    return app


def client_as(app, email: str | None):
    """A test client logged in (a real server-side session) as the person with this e-mail; None: anonymous."""
    client = app.test_client()
    if email is None:
        return client
    from sqlalchemy import select

    from hub.accounts import sessions
    from hub.accounts.models import User
    from hub.extensions import db

    with app.app_context():
        key = sessions.open_session(db.session.scalar(select(User).where(User.email == email)), remember=False)
        db.session.commit()
    with client.session_transaction() as session:
        session["_user_id"] = key
        session["_fresh"] = True
    return client


def time_get(client, path: str, requests: int, headers: dict | None = None, warm: int = 3) -> list[float]:
    """Milliseconds of `requests` GETs of one page after `warm` unmeasured ones (each must answer 200)."""
    for _ in range(warm):
        response = client.get(path, headers=headers or {})
        assert response.status_code == 200, (path, response.status_code)
    times = []
    for _ in range(requests):
        started = time.perf_counter()
        client.get(path, headers=headers or {})
        times.append((time.perf_counter() - started) * 1000)
    return times


def print_times(name: str, times: list[float], extra: str = "", width: int = 28) -> None:
    print(f"  {name:{width}} p50 {statistics.median(times):6.1f} ms   p95 {p95(times):6.1f} ms{extra}")


def timed(label: str, step: Callable[[], object]) -> object:
    started = time.perf_counter()
    out = step()
    print(f"  {label}: {time.perf_counter() - started:.1f} s")
    return out
