"""Entries per (stream, UTC day): generated lazily, cached, extended by late entries."""

from __future__ import annotations

import random
import re
import threading
from bisect import insort
from collections.abc import Mapping
from datetime import date, datetime, time, timedelta, timezone
from typing import TYPE_CHECKING, Any

from .chat import epoch_text
from .common import DEFAULT_ENTRIES_PER_DAY, EMPTY_DAY_RATE, STREAMS, days_between
from .data import People, generate_day, make_entry
from .timeforms import TIME_FIELDS, TIME_PATTERNS, second_bound, time_text, time_value

if TYPE_CHECKING:
    from .endpoints import Filter, Query

#: Rows of one UTC day, newest first, and the slice [start, stop) of them in a window.
Segment = tuple[list[dict[str, Any]], int, int]


def _time_key(entry: Mapping[str, Any], field: str) -> str:
    """An entry's time text for ordering (Team Chat's epoch milliseconds as `epoch_text`);
    "" for one a test has broken (no time, a number where text is due)."""
    value = entry.get(field)
    if isinstance(value, str):
        return value
    return epoch_text(value) if type(value) is int else ""


def _first_older(rows: list[dict[str, Any]], bound: str, field: str) -> int:
    """Index of the first of newest-first ``rows`` whose time is before ``bound``."""
    low, high = 0, len(rows)
    while low < high:
        middle = (low + high) // 2
        if _time_key(rows[middle], field) >= bound:
            low = middle + 1
        else:
            high = middle
    return low


class Dataset:
    """Entries per (stream, UTC day), generated lazily from the seed and cached.

    Ascending lists are the source of truth (late entries are inserted in them); descending
    lists, the order Zoom serves, are derived snapshots that are never mutated, so a page can
    slice them outside the lock, and a pinned window (snapshot paging) keeps what it saw.
    """

    def __init__(
        self, seed: int, history_days: int, entries_per_day: Mapping[str, int], now: datetime
    ) -> None:
        self._seed = seed
        self._per_day = dict(entries_per_day)
        self._now = now
        self._today = now.date()
        self._oldest = self._today - timedelta(days=max(history_days, 1) - 1)
        self._people = People.of(seed)
        self._lock = threading.RLock()
        self._ascending: dict[tuple[str, date], list[dict[str, Any]]] = {}
        self._descending: dict[tuple[str, date, Filter | None], list[dict[str, Any]]] = {}
        self._arrivals = 0
        #: When Zoom writes an entry (see `written`): per row (by identity: rows live as
        #: long as the data set), its time and its share of the write delay, or the moment a
        #: test gave; and the (stream, day)s holding a row with a given moment.
        self._writes: dict[int, tuple[datetime | None, float]] = {}
        self._given: dict[int, datetime] = {}
        self._given_days: set[tuple[str, date]] = set()

    def history(self) -> list[date]:
        return list(days_between(self._oldest, self._today))

    def _rng(self, stream: str, day: date, purpose: str = "") -> random.Random:
        """The RNG of one (stream, day), seeded by the day's age, not its date: the data set
        then looks the same on every calendar day (a test's data cannot pass on one date and
        fail on the next); only today's cut at ``now`` moves with the hour."""
        age = (self._today - day).days
        return random.Random(f"{self._seed}:{stream}:{age}d{purpose}")

    def _quiet(self, stream: str, day: date) -> bool:
        return self._rng(stream, day, ":quiet").random() < EMPTY_DAY_RATE

    def _is_empty(self, stream: str, day: date) -> bool:
        # The oldest day always has data (it is the config's start_date) and two empty days
        # never follow each other, so no window goes silent just because of this rule.
        if day == self._oldest or not self._quiet(stream, day):
            return False
        return not self._quiet(stream, day - timedelta(days=1))

    def _count(self, stream: str, day: date, rng: random.Random) -> int:
        if not self._oldest <= day <= self._today or self._is_empty(stream, day):
            return 0
        per_day = self._per_day[stream]
        low = max(1, round(per_day * 0.5)) if per_day > 0 else 0
        return rng.randint(low, max(low, round(per_day * 1.5)))

    def _generate(self, stream: str, day: date) -> list[dict[str, Any]]:
        rng = self._rng(stream, day)
        count = self._count(stream, day, rng)
        entries = generate_day(stream, day, rng, count, self._people)
        if day == self._today:
            # The whole day is drawn, then cut at now: a later run sees a superset.
            field, now = TIME_FIELDS[stream], time_text(stream, self._now)
            entries = [entry for entry in entries if _time_key(entry, field) <= now]
        return entries

    def ascending(self, stream: str, day: date) -> list[dict[str, Any]]:
        with self._lock:
            key = (stream, day)
            if key not in self._ascending:
                self._ascending[key] = self._generate(stream, day)
            return self._ascending[key]

    def descending(self, stream: str, day: date, found: Filter | None) -> list[dict[str, Any]]:
        with self._lock:
            key = (stream, day, found)
            if key not in self._descending:
                newest_first = reversed(self.ascending(stream, day))
                self._descending[key] = (
                    list(newest_first)
                    if found is None
                    else [entry for entry in newest_first if found.matches(entry)]
                )
            return self._descending[key]

    def known_days(self, stream: str) -> list[date]:
        with self._lock:
            late = {day for (name, day), rows in self._ascending.items() if name == stream and rows}
        return sorted(late.union(self.history()))

    def has_entries(self, stream: str, day: date) -> bool:
        """Whether ``stream`` has entries on ``day``, without drawing a large day to know."""
        with self._lock:
            if (stream, day) in self._ascending:
                return bool(self._ascending[stream, day])
        if not self._oldest <= day <= self._today:
            return False  # nothing is drawn there, and nothing was added (not cached)
        if day == self._today:  # cut at now: only the entries can tell
            return bool(self.ascending(stream, day))
        return self._count(stream, day, self._rng(stream, day)) > 0

    def add(self, stream: str, entry: dict[str, Any], written_at: datetime | None = None) -> None:
        field = TIME_FIELDS[stream]
        stamp = _time_key(entry, field)
        if not re.fullmatch(TIME_PATTERNS[stream], stamp):
            example = time_value(stream, datetime(2026, 3, 29, 11, 38, 50, 216_000))
            raise ValueError(f"entry needs a {field!r} like {example!r}, got {entry.get(field)!r}")
        day = date.fromisoformat(stamp[:10])
        with self._lock:
            # After the entries of the same time: it arrived late.
            rows = self.ascending(stream, day)
            row = dict(entry)
            insort(rows, row, key=lambda row: _time_key(row, field))
            if written_at is not None:
                self._given[id(row)] = written_at
                self._given_days.add((stream, day))
            self._descending = {k: v for k, v in self._descending.items() if k[:2] != (stream, day)}

    def arrive(
        self, stream: str, given: Mapping[str, Any] | None, at: Any = None
    ) -> dict[str, Any]:
        """Add an entry at ``now`` (``given``, or a drawn one), newest of the stream; or at
        ``at`` (a time as the stream writes it), after the entries of that time."""
        with self._lock:
            self._arrivals += 1
            number = self._arrivals
        field, stamp = TIME_FIELDS[stream], at or time_value(stream, self._now)
        if given is None:
            rng = random.Random(f"{self._seed}:{stream}:arrival:{number}")
            entry = make_entry(stream, rng, stamp, self._people)
        else:
            entry = {field: stamp, **given} if at is None else {**given, field: stamp}
        self.add(stream, entry)
        return entry

    def between(self, stream: str, start: str, end: str) -> list[dict[str, Any]]:
        """Copies of the entries with ``start`` <= time <= ``end`` (whole seconds, ISO text)."""
        first, last = date.fromisoformat(start[:10]), date.fromisoformat(end[:10])
        low, high = second_bound(stream, start, end=False), second_bound(stream, end, end=True)
        field, width = TIME_FIELDS[stream], len(low)
        with self._lock:
            return [
                dict(entry)
                for day in self.known_days(stream)
                if first <= day <= last
                for entry in self.ascending(stream, day)
                if low <= (stamp := _time_key(entry, field)) <= high and len(stamp) == width
            ]

    def everything(self, stream: str) -> list[dict[str, Any]]:
        """Copies of every entry as served, day by day (even one whose time was broken)."""
        with self._lock:
            return [
                dict(entry)
                for day in self.known_days(stream)
                for entry in self.ascending(stream, day)
            ]

    @property
    def holds_write_times(self) -> bool:
        """Whether a test gave an entry the moment Zoom writes it (add_entry's written_at)."""
        return bool(self._given_days)

    def written(self, stream: str, row: dict[str, Any], delay: timedelta) -> datetime | None:
        """When Zoom writes ``row``: the moment a test gave, or its time plus its own share
        (drawn from the seed and the entry) of ``delay``; None for a row without a time."""
        given = self._given.get(id(row))
        if given is not None:
            return given
        found = self._writes.get(id(row))
        if found is None:
            found = (_moment(stream, row), random.Random(f"{self._seed}:{stream}:{row}").random())
            with self._lock:
                self._writes[id(row)] = found
        moment, share = found
        return None if moment is None else moment + share * delay

    def _written_by(
        self, stream: str, day: date, rows: list[dict[str, Any]], now: datetime, delay: timedelta
    ) -> list[dict[str, Any]]:
        """The rows of one day that Zoom has written by ``now``."""
        day_end = datetime.combine(day + timedelta(days=1), time(), timezone.utc)
        if day_end + delay <= now and (stream, day) not in self._given_days:
            return rows  # every entry of the day is written: nothing to read
        return [
            row
            for row in rows
            if (moment := self.written(stream, row, delay)) is None or moment <= now
        ]

    def window(
        self, stream: str, query: Query, written_by: datetime | None = None, delay: float = 0.0
    ) -> tuple[Segment, ...]:
        """The entries of a query's window, newest first, as slices of day lists: with
        ``written_by``, only those Zoom has written by then, each its time plus its share of
        ``delay`` hours (or the moment add_entry was given) after its time."""
        field = TIME_FIELDS[stream]
        first, last = query.start.date(), (query.end - timedelta(microseconds=1)).date()
        segments: list[Segment] = []
        for day in reversed(list(days_between(first, last))):
            rows = self.descending(stream, day, query.filter)
            if written_by is not None:
                rows = self._written_by(stream, day, rows, written_by, timedelta(hours=delay))
            day_start = datetime.combine(day, time(), timezone.utc)
            if query.start <= day_start and day_start + timedelta(days=1) <= query.end:
                segments.append((rows, 0, len(rows)))  # the whole day: no time is read
                continue
            newest = _first_older(rows, time_text(stream, query.end), field)
            oldest = _first_older(rows, time_text(stream, query.start), field)
            segments.append((rows, newest, oldest))
        return tuple(segments)


def _moment(stream: str, row: dict[str, Any]) -> datetime | None:
    """A row's time as a UTC moment (None if a test broke it)."""
    stamp = _time_key(row, TIME_FIELDS[stream])
    if not re.fullmatch(TIME_PATTERNS[stream], stamp):
        return None
    moment = datetime.fromisoformat(stamp[:19].replace(" ", "T")).replace(tzinfo=timezone.utc)
    return moment + timedelta(milliseconds=int(stamp[20:23])) if len(stamp) == 23 else moment


def in_order(segments: tuple[Segment, ...], order: str, salt: str) -> tuple[Segment, ...]:
    """A window's newest-first segments served in ``order`` (see ORDERS); a shuffle is the
    same for the same ``salt`` (the query) while the entries stay the same."""
    if order == "newest":
        return segments
    rows = [row for day_rows, start, stop in segments for row in day_rows[start:stop]]
    if order == "oldest":
        rows.reverse()
    else:
        random.Random(f"{salt}:{len(rows)}").shuffle(rows)
    return ((rows, 0, len(rows)),)


def page_of(
    segments: tuple[Segment, ...], offset: int, size: int
) -> tuple[list[dict[str, Any]], bool, int]:
    """Entries ``offset`` onwards of a window, at most ``size``; whether more follow; total."""
    total = sum(stop - start for _, start, stop in segments)
    rows: list[dict[str, Any]] = []
    skip = offset
    for day_rows, start, stop in segments:
        if skip >= stop - start:
            skip -= stop - start
            continue
        begin = start + skip
        rows.extend(day_rows[begin : min(stop, begin + size - len(rows))])
        skip = 0
        if len(rows) >= size:
            break
    return rows, offset + len(rows) < total, total


def volumes(entries_per_day: int | Mapping[str, int]) -> dict[str, int]:
    """Entries per day for every stream: one number for all, or a mapping stream -> number
    in which a stream not named gets DEFAULT_ENTRIES_PER_DAY (name it with 0 to silence it)."""
    if isinstance(entries_per_day, int):
        found = dict.fromkeys(STREAMS, entries_per_day)
    else:
        for stream in entries_per_day:
            check_stream(stream)
        found = {s: entries_per_day.get(s, DEFAULT_ENTRIES_PER_DAY) for s in STREAMS}
    negative = sorted(stream for stream, n in found.items() if n < 0)
    if negative:
        raise ValueError(f"entries per day cannot be negative ({', '.join(negative)})")
    return found


def check_stream(stream: str) -> None:
    if stream not in STREAMS:
        raise ValueError(f"unknown stream {stream!r}; expected one of {STREAMS}")
