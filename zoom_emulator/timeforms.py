"""How each log writes its time: the field that holds it, its text and value (ISO to the
second, the audit trail's "2026-03-21 07:09:03:216", Team Chat's epoch milliseconds), the
bounds of a second in that text, and a free-text field of each log for faults to spoil."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from .common import CHAT_STREAM, MEETING_STREAM, REMOTE_SUPPORT_STREAM, STREAMS, VIDEO_SDK_STREAM

TIME_FIELDS = {stream: "time" for stream in STREAMS} | {
    MEETING_STREAM: "activity_time",
    REMOTE_SUPPORT_STREAM: "start_time",
    CHAT_STREAM: "activity_timestamp",
}
#: A free-text field of each stream's entries, for faults that spoil one.
TEXT_FIELDS = {
    "activity_logs": "email",
    "operation_logs": "operation_detail",
    MEETING_STREAM: "activity_detail",
    "phone_operation_logs": "operation_detail",
    "contact_center_operation_logs": "operation_detail",
    REMOTE_SUPPORT_STREAM: "topic",
    VIDEO_SDK_STREAM: "operation_detail",
    CHAT_STREAM: "channel_id",
}


def time_text(stream: str, moment: datetime) -> str:
    """``moment`` (UTC) as ``stream``'s times compare: ISO to the second, the audit trail's
    "2026-03-21 07:09:03:216" (milliseconds after a colon, no zone), or for Team Chat's epoch
    milliseconds their `epoch_text`."""
    if stream == MEETING_STREAM:
        return f"{moment:%Y-%m-%d %H:%M:%S}:{moment.microsecond // 1000:03d}"
    if stream == CHAT_STREAM:
        return f"{moment:%Y-%m-%dT%H:%M:%S}.{moment.microsecond // 1000:03d}"
    return f"{moment:%Y-%m-%dT%H:%M:%SZ}"


def time_value(stream: str, moment: datetime) -> Any:
    """``moment`` (UTC) as ``stream``'s entries hold it: Team Chat's epoch milliseconds (an
    integer), else `time_text`."""
    if stream == CHAT_STREAM:
        return int(moment.replace(tzinfo=timezone.utc).timestamp() * 1000)
    return time_text(stream, moment)


def second_bound(stream: str, iso_second: str, *, end: bool) -> str:
    """A "YYYY-MM-DDTHH:MM:SSZ" bound in ``stream``'s own text, covering that whole second."""
    if stream == MEETING_STREAM:
        return f"{iso_second[:10]} {iso_second[11:19]}:{'999' if end else '000'}"
    if stream == CHAT_STREAM:
        return f"{iso_second[:19]}.{'999' if end else '000'}"
    return iso_second


TIME_PATTERNS = {stream: r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ" for stream in STREAMS} | {
    MEETING_STREAM: r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d:\d{3}",
    CHAT_STREAM: r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}",
}
