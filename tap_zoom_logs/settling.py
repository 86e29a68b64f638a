"""Entries found late: how many entries Zoom wrote after the tap had read their second.

Per UTC day, the state counts the entries first read (their second read for the first
time: after the run's starting bookmark, or in a backfill) and the entries read by the
reads that settle days. A UTC day's entries lie on Zoom's days before, of and after it
(wherever from UTC-12 to UTC+14 Zoom cuts days), so once those three are settled the day's
two counts are final, and their difference is the day's entries found late: by a later
run's margin, or by settling. No other collector gives that completeness figure.
"""

from __future__ import annotations

import typing as t
from collections import Counter

from tap_zoom_logs.times import parse_day

#: The state's keys (per stream) for the two counts of days not yet final.
FIRST_READ = "first_read_per_day"
SETTLE_READ = "settle_read_per_day"


class DayCounts:
    """One window's counts, per UTC day of the entries it emitted."""

    def __init__(self, bookmark: str, *, settles: bool) -> None:
        self._after = bookmark[:19]  # "": everything is a first read
        self._settles = settles
        self.first: Counter[str] = Counter()
        self.settle: Counter[str] = Counter()

    def count(self, key: str) -> None:
        """An emitted entry whose time is `key` (Zoom's UTC form)."""
        if key[:19] > self._after:
            self.first[key[:10]] += 1
        if self._settles:
            self.settle[key[:10]] += 1


def count_late(state: dict[str, t.Any], counts: DayCounts) -> list[tuple[str, int]]:
    """Add a window's counts to the stream's state; return each day made final by the
    state's settled_through, with its entries found late (and drop its counts)."""
    first = Counter(state.get(FIRST_READ, {})) + counts.first
    settle = Counter(state.get(SETTLE_READ, {})) + counts.settle
    settled = state.get("settled_through")
    final: list[tuple[str, int]] = []
    if settled:
        last_final = parse_day(settled).subtract(days=1).isoformat()
        for day in sorted(d for d in set(first) | set(settle) if d <= last_final):
            if day in settle and day in first:  # else read before counting began: moot
                final.append((day, max(0, settle[day] - first[day])))
            first.pop(day, None)
            settle.pop(day, None)
    _store(state, FIRST_READ, first)
    _store(state, SETTLE_READ, settle)
    return final


def settling_again(state: dict[str, t.Any], first_day: str) -> None:
    """A settling read from `first_day` on, in a stream whose state says it settled later
    days already (settled before their wait was over, by a version that settled sooner or
    with a shorter settle_after_hours): those days' entries are counted again, so the UTC
    days they reach get no figure (as days read before counting began), never a made-up one."""
    settled = state.get("settled_through")
    if not settled or settled < first_day:
        return
    first = parse_day(first_day).subtract(days=1).isoformat()
    last = parse_day(settled).add(days=1).isoformat()
    kept = {d: n for d, n in state.get(FIRST_READ, {}).items() if not first <= d <= last}
    _store(state, FIRST_READ, Counter(kept))


def _store(state: dict[str, t.Any], key: str, counts: Counter[str]) -> None:
    if counts:
        state[key] = dict(sorted(counts.items()))
    else:
        state.pop(key, None)
