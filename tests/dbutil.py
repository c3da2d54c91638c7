"""Database plumbing for the test suite: scratch databases, copying rows between databases (the
upgrade test, the demo snapshot) and resetting PostgreSQL sequences after explicit ids."""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from sqlalchemy import Table, create_engine, func, select, text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.schema import sort_tables_and_constraints


def create_database(base_url: str, name: str) -> str:
    """A new, empty PostgreSQL database `name` on the server of `base_url` (dropped first if it is
    left over from an interrupted run); returns its URL. The test user must be allowed CREATEDB
    (pg_virtualenv's is a superuser)."""
    url = make_url(base_url)
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    finally:
        engine.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


def drop_database(base_url: str, name: str) -> None:
    engine = create_engine(make_url(base_url), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        engine.dispose()


def insert_order(tables: Iterable[Table]) -> tuple[list[Table], dict[str, list[str]]]:
    """Tables in foreign-key order, and the columns of the keys that close a cycle (such as
    organisation.account_manager_id -> user), which must be filled in after every row exists."""
    ordered: list[Table] = []
    deferred: dict[str, list[str]] = {}
    def breakable(fk) -> bool | None:
        # Only a nullable key can be left empty for the first pass.
        return None if all(c.nullable for c in fk.columns) else False

    for table, constraints in sort_tables_and_constraints(list(tables), filter_fn=breakable):
        if table is not None:
            ordered.append(table)
            continue
        for fk in constraints:
            deferred.setdefault(fk.table.name, []).extend(c.name for c in fk.columns)
    return ordered, deferred


def insert_rows(conn: Connection, tables: Mapping[str, Table], rows: Mapping[str, Sequence[dict]]) -> None:
    """Insert `rows` (table name -> list of column dicts, explicit primary keys included) into the
    empty `tables`, in foreign-key order, with the cycle-closing keys set in a second pass, so that
    no constraint is switched off and no superuser is needed."""
    ordered, deferred = insert_order(t for name, t in tables.items() if name in rows)
    for table in ordered:
        batch = rows[table.name]
        if not batch:
            continue
        later = deferred.get(table.name, [])
        conn.execute(table.insert(), [{**row, **{c: None for c in later}} for row in batch])
    for name, columns in deferred.items():
        table = tables[name]
        pk = [c.name for c in table.primary_key.columns]
        updates = [row for row in rows.get(name, ()) if any(row.get(c) is not None for c in columns)]
        for row in updates:
            conn.execute(table.update().where(*(table.c[k] == row[k] for k in pk))
                         .values({c: row[c] for c in columns}))


def read_rows(conn: Connection, tables: Iterable[Table]) -> dict[str, list[dict]]:
    """Every row of every table, as column dicts, in primary-key order."""
    out = {}
    for table in tables:
        query = select(table).order_by(*table.primary_key.columns)
        out[table.name] = [dict(row) for row in conn.execute(query).mappings()]
    return out


def reset_sequences(conn: Connection, tables: Iterable[Table]) -> None:
    """After rows were inserted with explicit ids, point each PostgreSQL sequence past the largest
    id, so the next insert does not collide. Nothing to do on SQLite (rowids follow MAX)."""
    if conn.dialect.name != "postgresql":
        return
    for table in tables:
        for column in table.primary_key.columns:
            sequence = conn.execute(text("SELECT pg_get_serial_sequence(:t, :c)"),
                                    {"t": f'"{table.name}"', "c": column.name}).scalar()
            if sequence is None:
                continue
            top = conn.execute(select(func.max(column))).scalar()
            conn.execute(text("SELECT setval(:s, :v, :called)"),
                         {"s": sequence, "v": top or 1, "called": top is not None})
