"""What the client needs to know of a Zoom report, whichever stream it feeds: where it is,
where its entries are in the answer, which fields make an entry, and what its time is."""

from __future__ import annotations

import datetime
import json
import re
import typing as t
from collections.abc import Callable
from dataclasses import dataclass, field

import pendulum

from tap_zoom_logs.spool import Row
from tap_zoom_logs.windows import zoom_second

if t.TYPE_CHECKING:
    from collections.abc import Mapping

#: A family's requests count against its own rate limit (Zoom Phone has its own).
MEETINGS_API = "report"
ZOOM_PHONE_API = "phone"
CONTACT_CENTER_API = "contact_center"


def is_zoom_time(value: t.Any) -> bool:
    """`2026-03-29T11:38:50Z`: Zoom's form, which compares as a string (the fast path)."""
    return (
        type(value) is str
        and len(value) == 20
        and value[10] == "T"
        and value[19] == "Z"
        and value[:4].isdigit()
    )


def iso_time_key(value: t.Any) -> str:
    """An entry's `time` as a sortable UTC second; "" when it is not a date-time."""
    if is_zoom_time(value):
        return str(value)
    if isinstance(value, str):
        try:
            moment = pendulum.parse(value, tz="UTC")
        except (ValueError, TypeError, pendulum.parsing.exceptions.ParserError):
            return ""
        if isinstance(moment, pendulum.DateTime):
            return zoom_second(moment)
    return ""


_MEETING_TIME = re.compile(r"(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d):(\d{3})")


def meeting_time_key(value: t.Any) -> str:
    """Meeting activity's `2026-03-21 07:09:03:216` (UTC, milliseconds after a colon) as
    `2026-03-21T07:09:03.216Z`; an ISO date-time to the millisecond; "" otherwise."""
    if isinstance(value, str):
        match = _MEETING_TIME.fullmatch(value.strip())
        if match:  # every entry comes here: checked by the stdlib's C parser, not pendulum
            day, clock, millis = match.groups()
            try:
                datetime.datetime.fromisoformat(f"{day}T{clock}")
            except ValueError:
                return ""
            return f"{day}T{clock}.{millis}Z"
        try:
            moment = pendulum.parse(value, tz="UTC")
        except (ValueError, TypeError, pendulum.parsing.exceptions.ParserError):
            return ""
        if isinstance(moment, pendulum.DateTime):
            return f"{zoom_second(moment)[:19]}.{moment.microsecond // 1000:03d}Z"
    return ""


#: json.dumps(values, ensure_ascii=False), without building an encoder per call: the same
#: text (the one lw_id hashes), in half the time.
_ROW_JSON = json.JSONEncoder(ensure_ascii=False).encode

#: How a stream's time field is written -> how to read it.
TIME_KEYS: dict[str, Callable[[t.Any], str]] = {"iso": iso_time_key, "meeting": meeting_time_key}


@dataclass(frozen=True)
class Report:
    """One Zoom report endpoint as the stream `name` reads it."""

    name: str
    path: str
    records_key: str
    #: The entry's own fields in schema order: what `lw_id` hashes, in that order.
    fields: tuple[str, ...]
    scope: str
    role_permission: str
    #: The scope from before Zoom's granular scopes that covers this report too.
    classic_scope: str = "report:read:admin"
    params: Mapping[str, str] = field(default_factory=dict)
    family: str = MEETINGS_API
    time_field: str = "time"
    time_key: Callable[[t.Any], str] = iso_time_key
    #: Said after Zoom's "no permission" answer, for a report that needs more than a role.
    permission_hint: str = ""

    def row(self, entry: dict[str, t.Any]) -> Row:
        """(key, row) of one entry: its time as a sortable UTC string, and its fields as
        JSON text (the exact form `lw_id` has always hashed: keep it byte for byte)."""
        values = [entry.get(name) for name in self.fields]
        return self.time_key(entry.get(self.time_field)), _ROW_JSON(values)
