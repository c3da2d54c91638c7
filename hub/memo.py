"""Figures over the whole program, computed once per state of what they read (per process).

Some pages summarise every partner: the key partners' health, the funnel, the peers' medians on a
partner's dashboard, the KPI table. Computing them costs the same whether or not anything happened
since the last view, so each such page keeps its result here, under a key that holds the *state* of
what it read — the position of the durable event log (`events_position()`), a read model's last
change, a table's count and last id — and a time bucket of `seconds`. A change that moves the state
is seen at the next view; a change no state token carries (a partner renamed, a rule edited) is seen
within `seconds`. Results must be plain data (numbers, strings, dataclasses of them), never ORM
objects: those belong to the request's session.

Each gunicorn worker keeps its own memo; they agree because they key on the same database state.
Tests call `clear_all()` before each test (a fresh database can repeat an earlier one's state)."""
from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import TypeVar

from sqlalchemy import func, select

T = TypeVar("T")

_ALL: list["StateMemo"] = []


class StateMemo:
    def __init__(self, name: str, size: int = 32, seconds: int = 60):
        self.name, self.size, self.seconds = name, size, seconds
        self._items: OrderedDict[tuple, object] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = self.misses = 0
        _ALL.append(self)

    def get(self, key: tuple[Hashable, ...], compute: Callable[[], T]) -> T:
        full = (*key, int(time.monotonic() // self.seconds))
        with self._lock:
            if full in self._items:
                self._items.move_to_end(full)
                self.hits += 1
                return self._items[full]  # type: ignore[return-value]
        value = compute()  # outside the lock: two first views may both compute, and agree
        with self._lock:
            self.misses += 1
            self._items[full] = value
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return value

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


def clear_all() -> None:
    for memo in _ALL:
        memo.clear()


def events_position() -> int:
    """The id of the last durable domain event (SPEC P11): every cross-feature change moves it."""
    from .domain_events.models import DomainEvent
    from .extensions import db
    return int(db.session.scalar(select(func.max(DomainEvent.id))) or 0)
