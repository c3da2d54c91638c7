"""The schema comes only from migrations: on the migrated test database, autogenerate finds no
difference between the migrations and the models (SQLite and PostgreSQL alike)."""
from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from hub.extensions import db


def test_migrations_match_the_models(app):
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True,
                                                         "render_as_batch": True})
        diff = compare_metadata(context, db.metadata)
    assert diff == [], "models and migrations differ; add a new revision with `flask --app hub db migrate -m ...` (never edit a released one):\n" + "\n".join(map(str, diff))


def test_the_database_is_at_the_head_revision(app):
    from alembic.script import ScriptDirectory
    from flask_migrate import Config  # noqa: F401  (Flask-Migrate's alembic config)
    config = app.extensions["migrate"].migrate.get_config()
    heads = ScriptDirectory.from_config(config).get_heads()
    with db.engine.connect() as conn:
        current = MigrationContext.configure(conn).get_current_heads()
    assert set(current) == set(heads) and len(heads) == 1


def test_downgrade_to_nothing_and_upgrade_again(app):
    """The downgrade path works too (it must drop the cycle's foreign key before the tables)."""
    from flask_migrate import downgrade, upgrade
    from sqlalchemy import inspect

    db.session.remove()
    downgrade(revision="base")
    assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
    upgrade()
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), db.metadata)
    assert diff == []
