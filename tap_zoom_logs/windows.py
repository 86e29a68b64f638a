"""What one stream reads in a run: its range of seconds, and the report windows (whole days)
that cover it. Pure functions of the settings, the bookmark and the clock."""

from __future__ import annotations

import typing as t
from dataclasses import dataclass

import pendulum

from tap_zoom_logs.reports import MAX_WINDOW_DAYS
from tap_zoom_logs.times import parse_day, parse_moment, zoom_second

if t.TYPE_CHECKING:
    from collections.abc import Mapping

#: Zoom keeps six months of report data; a request reaching further back is refused.
RETENTION_MONTHS = 6
#: A window is "open" while Zoom may still add entries to it: until this long after the end
#: of its last UTC day, since Zoom's day boundary may be as far as UTC+14 (undocumented).
OPEN_HOURS_AFTER_LAST_DAY = 14
#: Zoom's day is at most this far ahead of UTC's (UTC+14): its day D may end at 10:00 UTC.
ZOOM_DAY_AHEAD_OF_UTC_HOURS = 14
#: How long after a day has closed it is read whole, once (settle_after_hours): the entries
#: Zoom writes up to this long after their time are then in (unconfirmed: nobody publishes
#: Zoom's delays; meeting reports can take 30 minutes).
SETTLE_AFTER_HOURS = 48


def oldest_day(now: pendulum.DateTime) -> pendulum.DateTime:
    """The oldest day Zoom still answers for (a day inside its six months)."""
    return now.start_of("day").subtract(months=RETENTION_MONTHS).add(days=1)


@dataclass(frozen=True)
class Window:
    """Whole days `[first_day, last_day]`: one report query (`to` is inclusive)."""

    first_day: pendulum.Date
    last_day: pendulum.Date
    #: The oldest second the window emits ("": the plan's). Zoom serves newest first, so a
    #: read ends at the first page that reaches an older entry, once the pages prove the
    #: order (paging.py).
    lower: str = ""
    #: Read whole after it closed: once it is emitted its days are settled (no entry can
    #: still be added to them, in any time zone Zoom may cut days in).
    settles: bool = False

    @property
    def label(self) -> str:
        if self.first_day == self.last_day:
            return self.first_day.isoformat()
        return f"{self.first_day.isoformat()}..{self.last_day.isoformat()}"

    def query(self, names: tuple[str, str] = ("from", "to")) -> dict[str, str]:
        """The window's days as the report's query parameters `names` (first, last)."""
        first, last = names
        return {first: self.first_day.isoformat(), last: self.last_day.isoformat()}

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

    def held_through(self) -> pendulum.DateTime:
        """The last second the window holds whole, wherever Zoom cuts days: where its day is
        furthest ahead (UTC+14), the last day ends 14 hours before its UTC end."""
        return self.end().subtract(hours=ZOOM_DAY_AHEAD_OF_UTC_HOURS)

    def is_open(self, now: pendulum.DateTime) -> bool:
        """Whether Zoom may still be adding entries to this window while it is paged."""
        return now < self.end().add(hours=OPEN_HOURS_AFTER_LAST_DAY, seconds=1)


def last_closed_day(now: pendulum.DateTime) -> pendulum.Date:
    """The newest day that has ended wherever Zoom cuts days (see Window.is_open): Zoom's day
    at UTC-12 ends 12 hours after the UTC day, so this leaves it 2 hours more."""
    return now.subtract(hours=OPEN_HOURS_AFTER_LAST_DAY).date().subtract(days=1)


def last_day_to_settle(now: pendulum.DateTime, settle_after_hours: int) -> pendulum.Date:
    """The newest day closed for `settle_after_hours`: an entry Zoom writes that long after
    its time, in any zone it may cut days in, is there to be read when the day is settled."""
    return last_closed_day(now.subtract(hours=settle_after_hours))


@dataclass(frozen=True)
class Plan:
    """A stream's range for this run: entries with `start <= time <= end`, read as windows."""

    start: pendulum.DateTime
    end: pendulum.DateTime
    windows: tuple[Window, ...]
    #: Warnings about the state that the stream logs (a bookmark in the future, or older
    #: than Zoom's six months, or a lookback that costs requests).
    notes: tuple[str, ...] = ()
    #: The bookmark the run starts from, at most the plan's end (a bookmark in the future
    #: is set back to what this run reads): the state never moves back before it, whatever
    #: window is emitted.
    bookmark: pendulum.DateTime | None = None
    #: The state says days are settled that were not yet due (settled before their wait
    #: was over, by a version that settled sooner or with a shorter settle_after_hours):
    #: its settled_through goes back to this day, and the later ones are settled when due.
    settle_again_after: pendulum.Date | None = None

    @property
    def lower(self) -> str:
        """The first second to emit, as Zoom writes times (a fraction rounds up)."""
        return _first_second(self.start)

    @property
    def upper(self) -> str:
        return zoom_second(self.end)


def _first_second(moment: pendulum.DateTime) -> str:
    return zoom_second(moment.add(seconds=1) if moment.microsecond else moment)


class Bounds(t.NamedTuple):
    """The range settings, parsed: `start_date` and `end_date` (None when not set)."""

    start: pendulum.DateTime | None
    end: pendulum.DateTime | None


class Reading(t.NamedTuple):
    """How a stream re-reads what it has (the settings that shape an incremental run)."""

    window_days: int
    #: Minutes before the bookmark read again, for entries Zoom writes a little late.
    margin_minutes: int
    #: The deprecated whole-day re-read; None when not set.
    lookback_days: int | None = None
    #: Whether closed days are read whole once, for entries Zoom adds later still.
    settle: bool = True
    #: How long after it closed a day is read whole: entries written that late are caught.
    settle_after_hours: int = SETTLE_AFTER_HOURS
    #: The most days one query of the stream's endpoint may span.
    max_window_days: int = MAX_WINDOW_DAYS

    def fitted(self, max_days: int) -> Reading:
        """This reading for an endpoint whose queries span at most `max_days` days."""
        return self._replace(
            window_days=min(self.window_days, max_days),
            max_window_days=min(self.max_window_days, max_days),
        )


def plan_stream(
    *,
    name: str,
    bounds: Bounds,
    bookmark: pendulum.DateTime | None,
    reading: Reading,
    now: pendulum.DateTime,
    settled_through: pendulum.Date | None = None,
) -> Plan:
    """The range a stream reads: from its bookmark less the margin, or from start_date;
    never before what Zoom keeps; up to end_date or now, whichever comes first.

    Zoom filters by whole days, cut in a time zone it does not document (UTC-12 to UTC+14
    at the extremes), so the days asked for cover the range in any of them, and entries
    are then kept to the second. A bookmarked run reads, newest first, only down to the
    bookmark less the margin (`Window.lower`); the days that have been closed for
    settle_after_hours since they were last read whole are read whole once more
    (`Window.settles`), for late entries.
    """
    floor = oldest_day(now)
    # Never past now: the bookmark becomes the plan's end once its last window is read, and
    # a bookmark past what was read would skip, in the next run, what arrives until then.
    end = min(bounds.end, now) if bounds.end is not None else now
    start = max(bounds.start or floor, floor)
    first_day = start.date().subtract(days=1) if start.date() > floor.date() else start.date()
    range_lower, range_first_day = _first_second(start), first_day
    notes: list[str] = []
    if bookmark is not None:
        bookmark = _usable(name, bookmark, now, notes)
        resume = _resume_from(bookmark, reading)
        if resume < floor:
            notes.append(
                f"{name}: the state's bookmark {zoom_second(bookmark)} is older than the six"
                f" months Zoom keeps: entries from {resume.to_date_string()} to"
                f" {floor.subtract(days=1).to_date_string()} can no longer be read;"
                f" starting at {floor.to_date_string()}"
            )
        if resume >= start:
            start = max(resume, floor)
            west = start if reading.lookback_days is not None else start.subtract(hours=12)
            first_day = max(west.date(), floor.date())
    # Up to the day `end` falls on where Zoom's day is furthest ahead (UTC+14), or the day
    # after a past end_date; Zoom may refuse a day in the future (paging.py then asks less).
    last_day = min(end.date().add(days=1), now.add(hours=OPEN_HOURS_AFTER_LAST_DAY).date())
    held = min(bookmark, end) if bookmark else None
    if start > end:
        return Plan(start, end, (), tuple(notes), held)
    settled = _settled_through(reading, bookmark, settled_through, range_first_day, now)
    windows = _windows(
        first_day=first_day,
        last_day=last_day,
        lower=_first_second(start),
        range_lower=range_lower,
        settled=settled,
        reading=reading,
        now=now,
    )
    resettled = reading.settle and settled_through is not None and settled < settled_through
    again = settled if resettled else None
    return Plan(start, end, tuple(windows), tuple(notes), held, again)


def plan_from_state(
    name: str,
    state: Mapping[str, t.Any],
    *,
    bounds: Bounds,
    reading: Reading,
    now: pendulum.DateTime,
) -> Plan:
    """`plan_stream` for the stream `name` whose entry of the state is `state` ({} before
    its first run): its bookmark (a bookmark without its key is taken as time's: state.py
    refuses any other key) and the newest day it has settled."""
    value = state.get("replication_key_value")
    bookmark = None
    if value and state.get("replication_key", "time") == "time":
        bookmark = parse_moment(f"state: bookmarks.{name}.replication_key_value", value)
    settled = state.get("settled_through")
    return plan_stream(
        name=name,
        bounds=bounds,
        bookmark=bookmark,
        reading=reading,
        now=now,
        settled_through=parse_day(settled) if settled else None,
    )


def _usable(
    name: str, bookmark: pendulum.DateTime, now: pendulum.DateTime, notes: list[str]
) -> pendulum.DateTime:
    if bookmark <= now:
        return bookmark
    notes.append(
        f"{name}: the state's bookmark {zoom_second(bookmark)} is in the future (the"
        f" clock is now {zoom_second(now)}); reading as if it were now, and the"
        " bookmark is set back to what this run reads"
    )
    return now


def _resume_from(bookmark: pendulum.DateTime, reading: Reading) -> pendulum.DateTime:
    if reading.lookback_days is not None:
        return bookmark.start_of("day").subtract(days=reading.lookback_days)
    return bookmark.subtract(minutes=reading.margin_minutes)


def _settled_through(
    reading: Reading,
    bookmark: pendulum.DateTime | None,
    settled_through: pendulum.Date | None,
    range_first_day: pendulum.Date,
    now: pendulum.DateTime,
) -> pendulum.Date:
    """The newest day up to which no day needs reading whole again."""
    if not reading.settle:
        return last_closed_day(now)  # nothing is settled, so nothing waits for it
    if bookmark is None:
        return range_first_day.subtract(days=1)  # a backfill settles what it reads closed
    due = last_day_to_settle(now, reading.settle_after_hours)
    if settled_through is None:
        # A state from before settling: the runs that made it read whole days, so the days
        # due when its bookmark was set are taken as settled.
        settled_through = last_day_to_settle(bookmark, reading.settle_after_hours)
    # A day settled before its wait was over (by a version that settled sooner, or with a
    # shorter settle_after_hours) is settled again when it is due: late entries may follow.
    return max(min(settled_through, due), range_first_day.subtract(days=1))


def _windows(
    *,
    first_day: pendulum.Date,
    last_day: pendulum.Date,
    lower: str,
    range_lower: str,
    settled: pendulum.Date,
    reading: Reading,
    now: pendulum.DateTime,
) -> list[Window]:
    """Days already settled (newest first down to `lower`), the days due and not yet settled
    (whole, from the range's start), then the days not yet due (down to `lower`) in one
    window: reading newest first, they cost the pages of their news, not of their days."""
    due = last_day_to_settle(now, reading.settle_after_hours) if reading.settle else None
    closed = min(due or last_closed_day(now), last_day)
    newest_from = max(closed.add(days=1), first_day)
    if settled >= closed and (newest_from - first_day).days <= MARGIN_DAYS:
        newest_from = first_day  # the margin reaching back into settled days: one window
    days = reading.window_days
    windows = plan_windows(first_day, min(settled, newest_from.subtract(days=1)), days, lower=lower)
    windows += plan_windows(settled.add(days=1), closed, days, lower=range_lower, settles=True)
    windows += plan_windows(newest_from, last_day, reading.max_window_days, lower=lower)
    return windows


#: Closed, settled days a bookmarked run may reach back into and still read in its one
#: newest-first window: the margin's reach; a bookmark older than that keeps window_days.
MARGIN_DAYS = 2


def plan_windows(
    first: pendulum.Date, last: pendulum.Date, days: int, *, lower: str = "", settles: bool = False
) -> list[Window]:
    """Split the days from `first` to `last` into windows of `days` days, oldest first."""
    windows = []
    while first <= last:
        window_last = min(first.add(days=days - 1), last)
        windows.append(Window(first, window_last, lower, settles))
        first = window_last.add(days=1)
    return windows
