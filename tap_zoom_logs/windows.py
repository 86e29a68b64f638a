"""What one stream reads in a run: its range of seconds, and the report windows (whole days)
that cover it. Pure functions of the settings, the bookmark and the clock."""

from __future__ import annotations

import typing as t
from dataclasses import dataclass

import pendulum

#: Zoom keeps six months of report data; a request reaching further back is refused.
RETENTION_MONTHS = 6
#: A window is "open" while Zoom may still add entries to it: until this long after the end
#: of its last UTC day, since Zoom's day boundary may be as far as UTC+14 (undocumented).
OPEN_HOURS_AFTER_LAST_DAY = 14


def oldest_day(now: pendulum.DateTime) -> pendulum.DateTime:
    """The oldest day Zoom still answers for (a day inside its six months)."""
    return now.start_of("day").subtract(months=RETENTION_MONTHS).add(days=1)


def zoom_second(moment: pendulum.DateTime) -> str:
    """`moment` in Zoom's own format, so entries' times compare as strings (fast, exact)."""
    return moment.in_timezone("UTC").format("YYYY-MM-DDTHH:mm:ss[Z]")


@dataclass(frozen=True)
class Window:
    """Whole days `[first_day, last_day]`: one report query (`to` is inclusive)."""

    first_day: pendulum.Date
    last_day: pendulum.Date

    @property
    def label(self) -> str:
        if self.first_day == self.last_day:
            return self.first_day.isoformat()
        return f"{self.first_day.isoformat()}..{self.last_day.isoformat()}"

    def query(self) -> dict[str, str]:
        return {"from": self.first_day.isoformat(), "to": self.last_day.isoformat()}

    def near(self) -> tuple[str, str]:
        """The days whose entries may come back for this window: one more on either side,
        since the time zone Zoom cuts days in is not documented."""
        return (
            self.first_day.subtract(days=1).isoformat(),
            self.last_day.add(days=1).isoformat(),
        )

    def end(self) -> pendulum.DateTime:
        """The last second of the window's last UTC day."""
        day = self.last_day
        return pendulum.datetime(day.year, day.month, day.day, 23, 59, 59)

    def is_open(self, now: pendulum.DateTime) -> bool:
        """Whether Zoom may still be adding entries to this window while it is paged."""
        return now < self.end().add(hours=OPEN_HOURS_AFTER_LAST_DAY, seconds=1)


@dataclass(frozen=True)
class Plan:
    """A stream's range for this run: entries with `start <= time <= end`, read as windows."""

    start: pendulum.DateTime
    end: pendulum.DateTime
    windows: tuple[Window, ...]
    #: Warnings about the state that the stream logs (a bookmark in the future, or older
    #: than Zoom's six months).
    notes: tuple[str, ...] = ()

    @property
    def lower(self) -> str:
        """The first second to emit, as Zoom writes times (a fraction rounds up)."""
        start = self.start.add(seconds=1) if self.start.microsecond else self.start
        return zoom_second(start)

    @property
    def upper(self) -> str:
        return zoom_second(self.end)


class Bounds(t.NamedTuple):
    """The range settings, parsed: `start_date` and `end_date` (None when not set)."""

    start: pendulum.DateTime | None
    end: pendulum.DateTime | None


def plan_stream(
    *,
    name: str,
    bounds: Bounds,
    bookmark: pendulum.DateTime | None,
    lookback_days: int,
    window_days: int,
    now: pendulum.DateTime,
) -> Plan:
    """The range a stream reads: from its bookmark less the lookback, or from start_date;
    never before what Zoom keeps; up to end_date or now, whichever comes first.

    Zoom filters by whole days, cut in a time zone it does not document. So where the range
    comes from the settings rather than a bookmark, one more day is read at each edge (while
    Zoom still keeps it), and entries are then kept to the second.
    """
    floor = oldest_day(now)
    # Never past now: the bookmark becomes the plan's end once its last window is read, and
    # a bookmark past what was read would skip, in the next run, what arrives until then.
    end = min(bounds.end, now) if bounds.end is not None else now
    start = max(bounds.start or floor, floor)
    notes = []
    from_settings = True
    if bookmark is not None:
        if bookmark > now:
            notes.append(
                f"{name}: the state's bookmark {zoom_second(bookmark)} is in the future (the"
                f" clock is now {zoom_second(now)}); reading as if it were now, and the"
                " bookmark is set back to what this run reads"
            )
            bookmark = now
        resume = bookmark.start_of("day").subtract(days=lookback_days)
        if resume < floor:
            notes.append(
                f"{name}: the state's bookmark {zoom_second(bookmark)} is older than the six"
                f" months Zoom keeps: entries from {resume.to_date_string()} to"
                f" {floor.subtract(days=1).to_date_string()} can no longer be read;"
                f" starting at {floor.to_date_string()}"
            )
        if resume >= start:
            start, from_settings = max(resume, floor), False
    first_day, last_day = start.date(), end.date()
    if from_settings and first_day > floor.date():
        first_day = first_day.subtract(days=1)
    if bounds.end is not None and last_day < now.date():
        last_day = last_day.add(days=1)
    windows = plan_windows(first_day, last_day, window_days) if start <= end else []
    return Plan(start, end, tuple(windows), tuple(notes))


def plan_windows(first: pendulum.Date, last: pendulum.Date, days: int) -> list[Window]:
    """Split the days from `first` to `last` into windows of `days` days, oldest first."""
    windows = []
    while first <= last:
        window_last = min(first.add(days=days - 1), last)
        windows.append(Window(first, window_last))
        first = window_last.add(days=1)
    return windows
