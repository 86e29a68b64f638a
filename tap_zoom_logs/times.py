"""Zoom's times, in one place: how an entry's time is read, how the tap writes a moment the
way Zoom does, how a setting's or a state's moment is parsed, and Zoom's own clock.

Zoom writes times as RFC 3339 UTC to the second (`2026-03-29T11:38:50Z`), except the
meeting audit trail (`2026-03-21 07:09:03:216`: UTC, milliseconds after a colon) and Team
Chat's channel activity (epoch milliseconds, an integer). The tap
compares times as strings in Zoom's own form, which is exact and fast.
"""

from __future__ import annotations

import datetime
import logging
import re
import threading
import typing as t
from collections.abc import Callable
from email.utils import parsedate_to_datetime

import pendulum

from tap_zoom_logs.errors import SettingError

#: Zoom's own form of a moment, as pendulum formats and parses it.
ZOOM_FORMAT = "YYYY-MM-DDTHH:mm:ss[Z]"


def zoom_second(moment: pendulum.DateTime) -> str:
    """`moment` in Zoom's own format, so entries' times compare as strings (fast, exact)."""
    return moment.in_timezone("UTC").format(ZOOM_FORMAT)


def from_zoom_second(value: str) -> pendulum.DateTime:
    """A time in Zoom's own form as a moment."""
    return pendulum.from_format(value, ZOOM_FORMAT, tz="UTC")


def is_zoom_time(value: t.Any) -> bool:
    """`2026-03-29T11:38:50Z`: Zoom's form, which compares as a string (the fast path)."""
    return (
        type(value) is str
        and len(value) == 20
        and value[10] == "T"
        and value[19] == "Z"
        and value[:4].isdigit()
    )


def parse_iso(value: str) -> pendulum.DateTime | None:
    """An ISO date-time (a zone, an offset, or none: UTC), or None if `value` is not one."""
    try:
        moment = pendulum.parse(value, tz="UTC")
    except (ValueError, TypeError, pendulum.parsing.exceptions.ParserError):
        return None
    return moment if isinstance(moment, pendulum.DateTime) else None


def iso_time_key(value: t.Any) -> str:
    """An entry's `time` as a sortable UTC second; "" when it is not a date-time."""
    if is_zoom_time(value):
        return str(value)
    moment = parse_iso(value) if isinstance(value, str) else None
    return zoom_second(moment) if moment is not None else ""


_MEETING_TIME = re.compile(r"(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d):(\d{3})")


def meeting_time_key(value: t.Any) -> str:
    """Meeting activity's `2026-03-21 07:09:03:216` (UTC, milliseconds after a colon) as
    `2026-03-21T07:09:03.216Z`; an ISO date-time to the millisecond; "" otherwise."""
    if not isinstance(value, str):
        return ""
    match = _MEETING_TIME.fullmatch(value.strip())
    if match:  # every entry comes here: checked by the stdlib's C parser, not pendulum
        day, clock, millis = match.groups()
        try:
            datetime.datetime.fromisoformat(f"{day}T{clock}")
        except ValueError:
            return ""
        return f"{day}T{clock}.{millis}Z"
    moment = parse_iso(value)
    if moment is None:
        return ""
    return f"{zoom_second(moment)[:19]}.{moment.microsecond // 1000:03d}Z"


def any_time_key(value: t.Any) -> str:
    """A time whose form no sample shows (remote support's): an ISO date-time, or the audit
    trail's `2026-03-21 07:09:03:216`, as a UTC second in Zoom's form; "" otherwise."""
    key = iso_time_key(value)
    if key:
        return key
    key = meeting_time_key(value)
    return f"{key[:19]}Z" if key else ""


#: Epoch milliseconds and epoch seconds of 2001-09-09 to 2286-11-20: a number in neither
#: range is no plausible time of a log entry.
EPOCH_MS = range(10**12, 10**13)
EPOCH_SECONDS = range(10**9, 10**10)


def epoch_number(value: t.Any) -> int | None:
    """An epoch number as Zoom may send it: an integer, a whole float, or its digits."""
    if type(value) is int:
        return value
    if type(value) is float and value.is_integer():
        return int(value)
    if type(value) is str and value.isascii() and value.strip().isdigit():
        return int(value.strip())
    return None


def epoch_ms_time_key(value: t.Any) -> str:
    """Team Chat's `activity_timestamp` (epoch milliseconds, an integer in Zoom's definition)
    as `2026-03-21T07:09:03.216Z`; also epoch milliseconds or seconds as a number or digits
    (by their size: see EPOCH_MS), or an ISO date-time, to the millisecond; "" otherwise."""
    number = epoch_number(value)
    if number is not None:
        if number in EPOCH_SECONDS:
            number *= 1000
        if number not in EPOCH_MS:
            return ""
        second = datetime.datetime.fromtimestamp(number // 1000, datetime.timezone.utc)
        return f"{second:%Y-%m-%dT%H:%M:%S}.{number % 1000:03d}Z"
    moment = parse_iso(value) if isinstance(value, str) else None
    if moment is None:
        return ""
    return f"{zoom_second(moment)[:19]}.{moment.microsecond // 1000:03d}Z"


#: How a stream's time field is written -> how to read it.
TIME_KEYS: dict[str, Callable[[t.Any], str]] = {
    "iso": iso_time_key,
    "meeting": meeting_time_key,
    "any": any_time_key,
    "epoch_ms": epoch_ms_time_key,
}


def parse_moment(label: str, value: t.Any, *, whole_day: bool = False) -> pendulum.DateTime:
    """A setting's or a state's `value` as a UTC date-time; `label` names where it came
    from in the error. A bare date is its midnight, or with `whole_day` its last second."""
    try:
        moment = pendulum.parse(str(value), strict=False, tz="UTC")
    except (ValueError, pendulum.parsing.exceptions.ParserError):
        moment = None
    if not isinstance(value, str) or not isinstance(moment, pendulum.DateTime):
        msg = (
            f"{label}: {value!r} is not an ISO date or date-time"
            " (write it like 2026-05-01 or 2026-05-01T08:00:00Z)"
        )
        raise SettingError(msg)
    if whole_day and len(value.strip()) == len("2026-05-01"):
        moment = moment.end_of("day").replace(microsecond=0)
    return moment.in_timezone("UTC")


def parse_day(value: str) -> pendulum.Date:
    """A `yyyy-mm-dd` day as a pendulum Date, built from its numbers: on Python 3.10 the SDK
    patches `date.fromisoformat` on import, after which pendulum's returns a plain date."""
    day = datetime.date.fromisoformat(value)
    return pendulum.date(day.year, day.month, day.day)


def age_seconds(zoom_time: str) -> int:
    """Whole seconds from a time in Zoom's UTC form to now (0 for "")."""
    if not zoom_time:
        return 0
    return max(0, int(pendulum.now("UTC").diff(from_zoom_second(zoom_time)).in_seconds()))


#: Zoom cuts its report days in a zone it does not document, from UTC-12 to UTC+14 at the
#: extremes: its "today" is the UTC day of its clock less 12 hours at the earliest.
ZOOM_DAY_BEHIND_UTC_HOURS = 12
#: A difference between the tap's clock and Zoom's worth naming (the bookmark follows
#: Zoom's either way); a `Date` header is to the second, and the answer takes its time.
SKEW_WARNING_SECONDS = 60


class ZoomClock:
    """Zoom's clock, as its answers tell it: the HTTP `Date` header of each answer, against
    the tap's clock when it arrives. The tap's clock alone until an answer carries a Date (a
    proxy may drop it). Shared by the run's threads.

    An answer's Date is stamped before the answer arrives, and to the second, rounded down:
    the difference it shows is never more than the true one, so the largest seen is the
    best, and `now()` is never after Zoom's now (the bookmark must not pass it).
    """

    def __init__(self, logger: logging.Logger) -> None:
        self._logger = logger
        self._lock = threading.Lock()
        #: Zoom's clock less the tap's, in seconds (None: no answer has said).
        self._offset: float | None = None
        self._named = False
        #: The earliest `to` day Zoom refused as after its today (paging.py).
        self.refused_day: pendulum.Date | None = None

    def observe(self, date_header: str | None) -> None:
        """An answer arrived now carrying `date_header` (None or garbage: nothing learned)."""
        arrived = pendulum.now("UTC")
        try:
            stamped = parsedate_to_datetime(date_header) if date_header else None
        except (TypeError, ValueError, IndexError):
            stamped = None
        if stamped is None or stamped.tzinfo is None:
            return
        offset = stamped.timestamp() - arrived.timestamp()
        with self._lock:
            if self._offset is not None and offset <= self._offset:
                return
            self._offset = offset
            if self._named or abs(offset) <= SKEW_WARNING_SECONDS:
                return
            self._named = True
        self._logger.warning(
            "this machine's clock is %s %s Zoom's (Zoom's answers say %s when it is %s here):"
            " the bookmark follows Zoom's clock, so nothing is lost; set this machine's clock"
            " right (NTP) all the same",
            _duration(abs(offset)),
            "behind" if offset > 0 else "ahead of",
            zoom_second(pendulum.instance(stamped)),
            zoom_second(arrived),
        )

    def now(self) -> pendulum.DateTime:
        """Zoom's now, at the latest (the tap's own clock while no answer has said)."""
        return self.zoom_time(pendulum.now("UTC"))

    def zoom_time(self, moment: pendulum.DateTime) -> pendulum.DateTime:
        """Zoom's clock at the moment the tap's clock said `moment`."""
        offset = self._offset
        return moment if offset is None else moment.add(microseconds=int(offset * 1_000_000))

    def refuse(self, day: pendulum.Date) -> bool:
        """Zoom refused a `to` of `day` as after its today; whether it is the run's first."""
        with self._lock:
            first = self.refused_day is None
            if first or day < t.cast("pendulum.Date", self.refused_day):
                self.refused_day = day
            return first

    def earliest_today(self) -> pendulum.Date:
        """The earliest day Zoom's today can be, wherever it cuts days."""
        return self.now().subtract(hours=ZOOM_DAY_BEHIND_UTC_HOURS).date()


def _duration(seconds: float) -> str:
    if seconds < 2 * 3600:
        return f"{seconds / 60:.0f} minutes"
    return f"{seconds / 3600:.1f} hours"
