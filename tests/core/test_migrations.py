"""The schema comes only from migrations, and upgrades keep the data.

- On the migrated test database autogenerate finds no difference between the migrations and the
  models (SQLite and PostgreSQL alike), and the database is at the single head.
- Released revisions are frozen: their files are pinned by SHA-256 here.
- The demo database exactly as release 0.1.0 built it (tests/fixtures/release-0.1.0-demo.sqlite.gz)
  is copied into a database created at `0001_initial` and upgraded to the head: every revision
  added since, data steps included, runs on real rows, and every row of 0.1.0 must still be there
  with the values it had.
"""
from __future__ import annotations

import gzip
import hashlib
import json
import shutil
from datetime import date, datetime, timezone
from decimal import Decimal
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import MetaData, create_engine, select, text
from sqlalchemy.engine import make_url

from hub import create_app
from hub.database import include_name
from hub.extensions import db

from ..conftest import make_config
from ..dbutil import create_database, drop_database, insert_rows, read_rows, reset_sequences

ROOT = Path(__file__).resolve().parents[2]
VERSIONS = ROOT / "migrations" / "versions"
FIXTURE = ROOT / "tests" / "fixtures" / "release-0.1.0-demo.sqlite.gz"
RELEASE_HEAD = "0001_initial"

# Revisions that shipped in a release, by file: never edited, never regenerated (README, "Schema
# changes and upgrades"). A release adds its new revision files here.
RELEASED = {
    "0001_initial_initial_schema.py": "df7dbbaafc5813566224fa694a63ed6f8e7cc8c84f7314bcd2f4f614dff6d4e6",
}

# What a later revision changes ON PURPOSE in data that 0.1.0 stored: "table" or "table.column"
# -> the revision and why. The upgrade test leaves exactly these out of its comparison; every other
# row and value of 0.1.0 must survive the upgrade unchanged.
CHANGED_ON_PURPOSE: dict[str, str] = {
    # 0004_trust_notifications: notifications are typed; a 0.1.0 row's finished text moves into the
    # parameters of the `core.legacy_text` type (the upgrade test checks each text arrived).
    "notification.message": "moved into notification.params",
    # 0007_search: the library's own tsvector (derived data) gave way to the search package's tables.
    "library_item.search_vector": "dropped; rebuilt as search_document.vector by `search reindex`",
}


def _compare(conn) -> list:
    context = MigrationContext.configure(conn, opts={"compare_type": True, "render_as_batch": True,
                                                   "include_name": include_name})
    return compare_metadata(context, db.metadata)


def test_migrations_match_the_models(app):
    with db.engine.connect() as conn:
        diff = _compare(conn)
    assert diff == [], "models and migrations differ; add a new revision with `flask --app hub db migrate -m ...` (never edit a released one):\n" + "\n".join(map(str, diff))


def test_the_database_is_at_the_single_head_revision(app):
    config = app.extensions["migrate"].migrate.get_config()
    heads = ScriptDirectory.from_config(config).get_heads()
    assert len(heads) == 1, f"several heads {heads}: point your revision's down_revision at the current head"
    with db.engine.connect() as conn:
        current = MigrationContext.configure(conn).get_current_heads()
    assert set(current) == set(heads)


def test_downgrade_to_nothing_and_upgrade_again(app):
    """The downgrade path works too (it must drop the cycle's foreign key before the tables)."""
    from flask_migrate import downgrade, upgrade
    from sqlalchemy import inspect

    db.session.remove()
    downgrade(revision="base")
    assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
    upgrade()
    with db.engine.connect() as conn:
        assert _compare(conn) == []


# --- released revisions are frozen ------------------------------------------------------------------

def _scripts() -> ScriptDirectory:
    config = Config()
    config.set_main_option("script_location", str(ROOT / "migrations"))
    return ScriptDirectory.from_config(config)


@pytest.mark.parametrize("name", sorted(RELEASED))
def test_released_revisions_are_never_edited(name):
    digest = hashlib.sha256((VERSIONS / name).read_bytes()).hexdigest()
    assert digest == RELEASED[name], (
        f"migrations/versions/{name} shipped in a release and has changed. Released revisions are never "
        f"edited or regenerated: databases built from them already exist. Restore it "
        f"(`git checkout v0.1.0 -- migrations/versions/{name}`) and put the change in a new revision "
        f"(`flask --app hub db migrate -m ...`, down_revision = the current head).")


def test_every_later_revision_builds_on_the_release():
    scripts = _scripts()
    assert scripts.get_bases() == [RELEASE_HEAD], "only 0001_initial may start the history"
    files = {Path(rev.path).name: rev.revision for rev in scripts.walk_revisions()}
    assert [f for f, rev in files.items() if rev == RELEASE_HEAD] == ["0001_initial_initial_schema.py"]
    released = {files[name] for name in RELEASED}
    for rev in scripts.walk_revisions():
        if rev.revision not in released:
            # A new revision descends from the released head (never replaces or forks it).
            assert RELEASE_HEAD in {r.revision for r in scripts.iterate_revisions(rev.revision, "base")}, rev.path


# --- an upgrade of the 0.1.0 demo database keeps every row ---------------------------------------------

@pytest.fixture(scope="module")
def release_database(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("release") / "release-0.1.0-demo.sqlite"
    with gzip.open(FIXTURE) as src, path.open("wb") as dst:
        shutil.copyfileobj(src, dst)
    return path


@pytest.fixture
def scratch_url(database_url, tmp_path):
    """An empty database of the kind under test, apart from the suite's own."""
    if not database_url.startswith("postgresql"):
        yield f"sqlite:///{tmp_path / 'upgrade.db'}"
        return
    name = f"{make_url(database_url).database}_upgrade"
    url = create_database(database_url, name)
    yield url
    drop_database(database_url, name)


def _canon(value):
    """One spelling per value whichever database returned it."""
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(timezone.utc).replace(tzinfo=None)
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value.normalize())
    if isinstance(value, (dict, list)):
        return json.dumps(value, sort_keys=True, ensure_ascii=False)
    if isinstance(value, (bytes, memoryview)):
        return bytes(value).hex()
    return value


def _rows(conn, table, columns) -> list[tuple]:
    query = select(*(table.c[c] for c in columns)).order_by(*(table.c[c.name] for c in table.primary_key.columns))
    return [tuple(_canon(v) for v in row) for row in conn.execute(query)]


def _digest(rows) -> str:
    return hashlib.sha256(repr(rows).encode()).hexdigest()


def test_an_upgrade_of_the_0_1_0_demo_database_keeps_every_row(release_database, scratch_url, tmp_path):
    from flask_migrate import upgrade

    source_engine = create_engine(f"sqlite:///{release_database}")
    source = MetaData()
    source.reflect(source_engine)
    with source_engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == RELEASE_HEAD
        rows = read_rows(conn, [t for name, t in source.tables.items() if name != "alembic_version"])
        kept = {}
        for name, rows_ in rows.items():
            if name in CHANGED_ON_PURPOSE:
                continue
            table = source.tables[name]
            columns = [c.name for c in table.columns if f"{name}.{c.name}" not in CHANGED_ON_PURPOSE]
            kept[name] = (columns, _rows(conn, table, columns))
        notes = source.tables["notification"]
        old_texts = {r.id: r.message for r in conn.execute(select(notes.c.id, notes.c.message))}
    source_engine.dispose()
    assert sum(len(r) for r in rows.values()) > 3000, "the fixture is the whole demo program"

    app = create_app(make_config(scratch_url, tmp_path / "data"))
    with app.app_context():
        try:
            upgrade(revision=RELEASE_HEAD)
            at_release = MetaData()
            at_release.reflect(db.engine)
            assert set(at_release.tables) == set(source.tables), "the fixture is not the 0001_initial schema"
            with db.engine.begin() as conn:
                insert_rows(conn, at_release.tables, rows)
                reset_sequences(conn, at_release.tables.values())

            upgrade()  # every revision since 0.1.0, data steps included

            head = MetaData()
            head.reflect(db.engine)
            problems = []
            with db.engine.connect() as conn:
                for name, (columns, before) in kept.items():
                    if name not in head.tables:
                        problems.append(f"table {name} of 0.1.0 is gone")
                        continue
                    table = head.tables[name]
                    missing = [c for c in columns if c not in table.c]
                    if missing:
                        problems.append(f"{name}: columns {missing} of 0.1.0 are gone")
                        continue
                    after = _rows(conn, table, columns)
                    if len(after) != len(before):
                        problems.append(f"{name}: {len(before)} rows at 0.1.0, {len(after)} after the upgrade")
                    elif _digest(after) != _digest(before):
                        old, new = next((b, a) for b, a in zip(before, after) if b != a)
                        changes = {c: (o, n) for c, o, n in zip(columns, old, new) if o != n}
                        problems.append(f"{name}: values changed, first in the row {dict(zip(columns, old[:1]))}: {changes}")
                assert not problems, ("the upgrade from 0.1.0 lost or changed data (declare a deliberate change in "
                                      "CHANGED_ON_PURPOSE):\n" + "\n".join(problems))
                # What CHANGED_ON_PURPOSE moved is still there: each 0.1.0 notification's text.
                note = head.tables["notification"]
                moved = {row.id: (row.type, row.params) for row in conn.execute(select(note.c.id, note.c.type, note.c.params))}
                assert old_texts and {i: ("core.legacy_text", {"text": t}) for i, t in old_texts.items()} == {
                    i: (kind, params if isinstance(params, dict) else json.loads(params)) for i, (kind, params) in moved.items()}
                # 0009_filter's data step indexed every 0.1.0 deal for the text filter.
                if conn.dialect.name == "sqlite":
                    names = [r[0] for r in conn.execute(text("SELECT customer_name_norm FROM deal"))]
                    term = max((n for n in names if len(n) >= 3), key=len)[1:4]
                    indexed = conn.execute(text("SELECT count(*) FROM deal_name_fts WHERE deal_name_fts MATCH :q"),
                                           {"q": f'"{term}"'}).scalar()
                    assert names and indexed == sum(term in n for n in names) > 0
                # The upgraded database is the schema a fresh one gets.
                diff = _compare(conn)
                assert diff == [], "\n".join(map(str, diff))
        finally:
            db.session.remove()
            db.engine.dispose()
