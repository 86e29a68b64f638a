"""What the emulator serves, from an in-process copy of its deterministic data.

The emulator's process and this copy share seed, history and clock, so the entries per
(stream, day) here are the ones it serves: what a run must emit, and the fewest pages
that serve them (the requests section's minimum).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any

import pendulum

from benchmarks.zoom_api import PAGE_SIZE, STREAMS
from tap_zoom_logs.windows import SETTLE_AFTER_HOURS, last_day_to_settle
from zoom_emulator import ZoomEmulator

Counts = dict[tuple[str, dt.date], int]


@dataclass
class Expected:
    """The emulator's data: entries per (stream, day) over its history."""

    seed: int
    history_days: int
    per_day: dict[str, int]
    now: dt.datetime
    first_day: dt.date
    last_day: dt.date
    _counts: Counts | None = field(default=None, repr=False)

    @classmethod
    def of(
        cls, config: dict[str, Any], *, seed: int, days: int, per_day: dict[str, int]
    ) -> Expected:
        """For the emulator started with these settings, which answered `config`."""
        now = dt.datetime.strptime(config["end_date"], "%Y-%m-%dT%H:%M:%SZ")
        return cls(
            seed=seed,
            history_days=days,
            per_day=per_day,
            now=now.replace(tzinfo=dt.timezone.utc),
            first_day=dt.date.fromisoformat(config["start_date"][:10]),
            last_day=dt.date.fromisoformat(config["end_date"][:10]),
        )

    def days(self, first: dt.date | None = None) -> list[dt.date]:
        """The days from `first` (the first of the history) to the emulator's today."""
        first = first or self.first_day
        return [first + dt.timedelta(days=n) for n in range((self.last_day - first).days + 1)]

    def counts(self) -> Counts:
        """Entries per (stream, day), from a local emulator with the same seed and clock."""
        if self._counts is None:
            local = ZoomEmulator(
                seed=self.seed,
                history_days=self.history_days,
                entries_per_day=self.per_day,
                now=self.now,
            )
            self._counts = {
                (stream, day): len(local.truth(stream, day, day))
                for stream in STREAMS
                for day in self.days()
            }
        return self._counts

    def windows(self, first: dt.date, window_days: int) -> list[list[dt.date]]:
        """The tap's windows (windows.py) for a start at `first`: the days due to settle
        from the day before `first` (Zoom's day boundary is not documented) in windows of
        `window_days`, then the others in one."""
        closed = last_day_to_settle(pendulum.now("UTC"), SETTLE_AFTER_HOURS)
        days = [first - dt.timedelta(days=1), *self.days(first)]
        shut = [day for day in days if day <= closed]
        windows = [shut[i : i + window_days] for i in range(0, len(shut), window_days)]
        windows += [[day for day in days if day > closed]]
        return [window for window in windows if window]

    def minimum(self, first: dt.date, window_days: int = 1) -> tuple[int, int]:
        """(entries in range, fewest pages that serve them) from day `first` to the end.

        A window that holds older entries than the range is read, newest first, only to
        the first page that reaches one; a window reads at least one page.
        """
        counts, edge = self.counts(), first - dt.timedelta(days=1)
        windows = self.windows(first, window_days)
        entries = pages = 0
        for stream in STREAMS:
            for window in windows:
                n = sum(counts.get((stream, day), 0) for day in window if day >= first)
                older = edge in window and counts.get((stream, edge), 0) > 0
                pages += max(1, math.ceil((n + older) / PAGE_SIZE))
            entries += sum(counts[(stream, day)] for day in self.days(first))
        return entries, pages

    def first_day_for(self, entries: int) -> dt.date:
        """The latest start day with at least `entries` entries from it to the end."""
        total = 0
        for day in reversed(self.days()):
            total += sum(self.counts()[(stream, day)] for stream in STREAMS)
            if total >= entries:
                return day
        return self.first_day
