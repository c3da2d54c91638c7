"""Upsert by stable slug, shared by every `content load` loader: a row whose checksum matches its
source is left alone, a new slug is created, a changed one refilled; `counts` says which."""
from __future__ import annotations

from typing import Any, Callable, Iterable

from ..extensions import db


def new_counts() -> dict[str, int]:
    return {"created": 0, "updated": 0, "unchanged": 0, "removed": 0}


def upsert_by_slug(model, existing: dict, slug: str, digest: str, counts: dict, fill: Callable[[Any], None],
                   **new_values) -> Any:
    row = existing.get(slug)
    if row is not None and row.checksum == digest:
        counts["unchanged"] += 1
        return row
    if row is None:
        row = model(slug=slug, **new_values)
        db.session.add(row)
        counts["created"] += 1
    else:
        counts["updated"] += 1
    fill(row)
    row.checksum = digest
    return row


def remove_missing(existing: dict, wanted: Iterable[str], counts: dict,
                   owned: Callable[[Any], bool] = lambda row: True) -> None:
    """Delete the rows (that the files own) whose slug no source names any more."""
    wanted = set(wanted)
    for slug, row in list(existing.items()):
        if slug not in wanted and owned(row):
            db.session.delete(row)
            counts["removed"] += 1
