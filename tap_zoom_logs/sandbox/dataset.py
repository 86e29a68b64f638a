"""Entries per (stream, UTC day): generated lazily, cached, extended by late entries."""

from __future__ import annotations

import random
import re
import threading
from bisect import insort
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from .common import (
    CATEGORY_LABELS,
    DUPLICATE_RATE,
    EMPTY_DAY_RATE,
    MISSING_FIELD_RATE,
    _days,
    _stamp,
)
from .data import _FIRST_NAMES, _LAST_NAMES, _MAKERS, _UNICODE_EMAILS, _burst_seconds, _drop_a_field

if TYPE_CHECKING:
    from .api import _Query


class _Dataset:
    """Entries per (stream, UTC day), generated lazily from the seed and cached.

    Ascending lists are the source of truth (late entries are inserted in them); descending
    lists, the order Zoom serves, are derived snapshots that are never mutated, so a page can
    slice them outside the lock.
    """

    def __init__(self, seed: int, history_days: int, entries_per_day: int, now: datetime) -> None:
        self._seed = seed
        self._per_day = entries_per_day
        self._now = _stamp(now)
        self._today = now.date()
        self._oldest = self._today - timedelta(days=max(history_days, 1) - 1)
        self._users = self._make_users()
        self._lock = threading.RLock()
        self._ascending: dict[tuple[str, date], list[dict[str, Any]]] = {}
        self._descending: dict[tuple[str, date, str | None], list[dict[str, Any]]] = {}

    def _make_users(self) -> tuple[str, ...]:
        rng = random.Random(f"{self._seed}:users")
        names = {f"{rng.choice(_FIRST_NAMES)}.{rng.choice(_LAST_NAMES)}" for _ in range(40)}
        return (*(f"{name}@example.com" for name in sorted(names)), *_UNICODE_EMAILS)

    def history(self) -> list[date]:
        return list(_days(self._oldest, self._today))

    def _quiet(self, stream: str, day: date) -> bool:
        return random.Random(f"{self._seed}:{stream}:{day}:quiet").random() < EMPTY_DAY_RATE

    def _is_empty(self, stream: str, day: date) -> bool:
        # The oldest day always has data (it is the config's start_date) and two empty days
        # never follow each other, so no window goes silent just because of this rule.
        if day == self._oldest or not self._quiet(stream, day):
            return False
        return not self._quiet(stream, day - timedelta(days=1))

    def _count(self, stream: str, day: date, rng: random.Random) -> int:
        if not self._oldest <= day <= self._today or self._is_empty(stream, day):
            return 0
        low = max(1, round(self._per_day * 0.5)) if self._per_day > 0 else 0
        return rng.randint(low, max(low, round(self._per_day * 1.5)))

    def _generate(self, stream: str, day: date) -> list[dict[str, Any]]:
        rng = random.Random(f"{self._seed}:{stream}:{day.isoformat()}")
        make, users, prefix = _MAKERS[stream], self._users, f"{day.isoformat()}T"
        entries: list[dict[str, Any]] = []
        for second in _burst_seconds(rng, self._count(stream, day, rng)):
            hours, rest = divmod(second, 3600)
            entry = make(rng, f"{prefix}{hours:02d}:{rest // 60:02d}:{rest % 60:02d}Z", users)
            if rng.random() < MISSING_FIELD_RATE:
                _drop_a_field(rng, entry)
            entries.append(entry)
            if rng.random() < DUPLICATE_RATE:
                entries.append(dict(entry))
        if day == self._today:
            # The whole day is drawn, then cut at now: a later run sees a superset.
            entries = [entry for entry in entries if entry["time"] <= self._now]
        return entries

    def ascending(self, stream: str, day: date) -> list[dict[str, Any]]:
        with self._lock:
            key = (stream, day)
            if key not in self._ascending:
                self._ascending[key] = self._generate(stream, day)
            return self._ascending[key]

    def descending(self, stream: str, day: date, label: str | None) -> list[dict[str, Any]]:
        with self._lock:
            key = (stream, day, label)
            if key not in self._descending:
                newest_first = reversed(self.ascending(stream, day))
                self._descending[key] = [
                    entry
                    for entry in newest_first
                    if label is None or entry.get("category_type") == label
                ]
            return self._descending[key]

    def known_days(self, stream: str) -> list[date]:
        with self._lock:
            late = {day for (name, day), rows in self._ascending.items() if name == stream and rows}
        return sorted(late.union(self.history()))

    def add(self, stream: str, entry: dict[str, Any]) -> None:
        stamp = entry.get("time")
        if not isinstance(stamp, str) or not re.fullmatch(
            r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", stamp
        ):
            raise ValueError(f"entry needs a 'time' like 2026-03-29T11:38:50Z, got {stamp!r}")
        day = date.fromisoformat(stamp[:10])
        with self._lock:
            # After the entries of the same second: it arrived late.
            insort(self.ascending(stream, day), dict(entry), key=lambda row: row["time"])
            self._descending = {k: v for k, v in self._descending.items() if k[:2] != (stream, day)}

    def between(self, stream: str, start: str, end: str) -> list[dict[str, Any]]:
        first, last = date.fromisoformat(start[:10]), date.fromisoformat(end[:10])
        with self._lock:
            return [
                dict(entry)
                for day in self.known_days(stream)
                if first <= day <= last
                for entry in self.ascending(stream, day)
                if start <= entry["time"] <= end
            ]

    def page(self, stream: str, query: _Query, offset: int) -> tuple[list[dict[str, Any]], bool]:
        """Entries ``offset`` onwards of a window, newest first; and whether more follow."""
        label = None if query.category == "all" else CATEGORY_LABELS[query.category]
        newest_day_first = reversed(list(_days(query.first, query.last)))
        days = [self.descending(stream, day, label) for day in newest_day_first]
        rows: list[dict[str, Any]] = []
        skip = offset
        for day_rows in days:
            if skip >= len(day_rows):
                skip -= len(day_rows)
                continue
            rows.extend(day_rows[skip : skip + query.page_size - len(rows)])
            skip = 0
            if len(rows) >= query.page_size:
                break
        return rows, offset + len(rows) < sum(map(len, days))
