"""Entries found late: how many entries Zoom wrote after the tap had read their second.

Per UTC day, the state counts the entries first read (their second read for the first
time: after the run's starting bookmark, or in a backfill) and the entries read by the
reads that settle days. A UTC day's entries lie on Zoom's days before, of and after it
(wherever from UTC-12 to UTC+14 Zoom cuts days), so once those three are settled the day's
two counts are final, and their difference is the day's entries found late: by a later
run's margin, or by settling. No other collector gives that completeness figure.

A day read in part before the state counted (a state written before settling existed, or
with settling off) has a first-read count that falls short: it is final with no figure,
rather than one made up of the entries read uncounted.
"""

from __future__ import annotations

import typing as t
from collections import Counter
from collections.abc import Iterable

from tap_zoom_logs.times import parse_day

#: The state's keys (per stream) for the two counts of days not yet final.
FIRST_READ = "first_read_per_day"
SETTLE_READ = "settle_read_per_day"
#: The state's key (per stream) for the newest day read in part before the state counted:
#: the day of the bookmark of a state that had no counts.
UNCOUNTED = "uncounted_through"


class DayCounts:
    """One window's counts, per UTC day of the entries it emitted. `counted` are the UTC
    days whose first reads this window counts whole (0 if it reads none of them): a day
    whose every entry is written late has first reads, none, and its late ones are found."""

    def __init__(self, bookmark: str, *, settles: bool, counted: Iterable[str] = ()) -> None:
        #: The run's starting bookmark, in Zoom's form ("": everything is a first read).
        self.after = bookmark[:19]
        self._settles = settles
        self.first: Counter[str] = Counter(dict.fromkeys(counted, 0))
        self.settle: Counter[str] = Counter()

    def count(self, key: str) -> None:
        """An emitted entry whose time is `key` (Zoom's UTC form)."""
        if key[:19] > self.after:
            self.first[key[:10]] += 1
        if self._settles:
            self.settle[key[:10]] += 1


def count_late(state: dict[str, t.Any], counts: DayCounts) -> list[tuple[str, int]]:
    """Add a window's counts to the stream's state; return each day made final by the
    state's settled_through, with its entries found late (and drop its counts)."""
    if counts.after and not any(state.get(key) for key in (FIRST_READ, SETTLE_READ, UNCOUNTED)):
        # A bookmark and no counts: what was read up to it was not counted.
        state[UNCOUNTED] = counts.after[:10]
    first = Counter(state.get(FIRST_READ) or {})
    first.update(counts.first)  # a day counted with no first read keeps its 0
    settle = Counter(state.get(SETTLE_READ) or {}) + counts.settle
    settled = state.get("settled_through")
    uncounted = state.get(UNCOUNTED) or ""
    final: list[tuple[str, int]] = []
    if settled:
        last_final = parse_day(settled).subtract(days=1).isoformat()
        for day in sorted(d for d in set(first) | set(settle) if d <= last_final):
            # Else read before counting began: moot.
            if day in settle and day in first and day > uncounted:
                final.append((day, max(0, settle[day] - first[day])))
            first.pop(day, None)
            settle.pop(day, None)
        if uncounted and uncounted <= last_final:
            del state[UNCOUNTED]
    _store(state, FIRST_READ, first)
    _store(state, SETTLE_READ, settle)
    return final


def settle_again_after(state: dict[str, t.Any], day: str) -> None:
    """The state's settled_through set back to `day`: the days after it were settled before
    their wait was over and are settled again when due. Their entries would be counted a
    second time, so the UTC days they reach get no figure (like days read before counting
    began), never a made-up one."""
    settled = state.get("settled_through")
    if not settled or settled <= day:
        return
    last = parse_day(settled).add(days=1).isoformat()
    kept = {d: n for d, n in state.get(FIRST_READ, {}).items() if not day <= d <= last}
    _store(state, FIRST_READ, Counter(kept))
    state["settled_through"] = day


def _store(state: dict[str, t.Any], key: str, counts: Counter[str]) -> None:
    if counts:
        state[key] = dict(sorted(counts.items()))
    else:
        state.pop(key, None)
