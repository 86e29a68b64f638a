"""Constants of Zoom's API as the emulator speaks it, and small time/token helpers."""

from __future__ import annotations

import calendar
import email.message
import email.utils
import secrets
import string
import uuid
from collections.abc import Iterator
from datetime import date, datetime, timedelta, timezone

ACTIVITY_SCOPE = "report:read:user_activities:admin"
OPERATION_SCOPE = "report:read:operation_logs:admin"
MEETING_ACTIVITY_SCOPE = "report:read:meeting_activity_log:admin"
CLASSIC_SCOPE = "report:read:admin"  # the pre-granular scope, covers the three reports
PHONE_OPERATION_SCOPE = "phone:read:operation_logs:admin"
PHONE_CLASSIC_SCOPE = "phone:read:admin"  # the pre-granular Zoom Phone scope
CONTACT_CENTER_SCOPE = "contact_center:read:operation_logs:admin"
CONTACT_CENTER_CLASSIC_SCOPE = "contact_center_operation_logs:read:admin"
# Remote support's granular scope is unpublished: this name is the emulator's guess, in
# the form of the other reports' (the tap never checks it up front; the classic covers it).
REMOTE_SUPPORT_SCOPE = "report:read:remote_support:admin"
CHAT_CHANNEL_ACTIVITY_SCOPE = "team_chat:read:list_channel_activity_logs:admin"
CHAT_CHANNEL_CLASSIC_SCOPE = "chat_channel:read:admin"
DEFAULT_SCOPES = (
    ACTIVITY_SCOPE,
    OPERATION_SCOPE,
    MEETING_ACTIVITY_SCOPE,
    PHONE_OPERATION_SCOPE,
    CONTACT_CENTER_SCOPE,
    REMOTE_SUPPORT_SCOPE,
)

MEETING_STREAM = "meeting_activity_logs"
PHONE_STREAM = "phone_operation_logs"
CONTACT_CENTER_STREAM = "contact_center_operation_logs"
REMOTE_SUPPORT_STREAM = "remote_support_logs"
VIDEO_SDK_STREAM = "videosdk_operation_logs"
CHAT_STREAM = "chat_channel_activity_logs"
STREAMS = (
    "activity_logs",
    "operation_logs",
    MEETING_STREAM,
    PHONE_STREAM,
    CONTACT_CENTER_STREAM,
    REMOTE_SUPPORT_STREAM,
    VIDEO_SDK_STREAM,
    CHAT_STREAM,
)
REPORT_ENDPOINTS = (
    "activities",
    "operationlogs",
    "meeting_activities",
    "phone_operationlogs",
    "contact_center_operation_logs",
    "remote_support",
    "videosdk_operationlogs",
    "chat_channel_activities",
)
DEFAULT_ENTRIES_PER_DAY = 40
TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"

MAX_PAGE_SIZE = 300
DEFAULT_PAGE_SIZE = 30
#: Team Chat's channel activity: 15 a page (its definition's minimum, maximum and default),
#: start_date/end_date at most 3 days apart ("less or equal to 3 days": read as 3 days,
#: both ends included, the stricter reading), refused with the definition's 300 text.
CHAT_PAGE_SIZE = 15
CHAT_MAX_DAYS = 3
CHAT_DATES_REFUSED = "Channel activity log date not valid."
VALIDATION_CODE = 300
INVALID_TOKEN_CODE = 124
MISSING_SCOPE_CODE = 4711
PER_SECOND_MESSAGE = (
    "You have reached the maximum per-second rate limit for this API. Try again later."
)
DAILY_MESSAGE = "You have reached the maximum daily rate limit for this API. Try again later."
PAGE_CURSOR_REFUSED = "Invalid next page token."
NO_PERMISSION_CODE = 200
# What Zoom answers a Video SDK JWT it cannot take (its "Invalid access token" code).
EXPIRED_TOKEN_MESSAGE = "Access token is expired."  # noqa: S105 - a message, not a secret
# The real text is unconfirmed: no public capture of an account without the audit trail.
NO_AUDIT_TRAIL_MESSAGE = "Meeting audit trail is not enabled for this account."

CATEGORY_LABELS = {
    "user": "User",
    "user_settings": "User Settings",
    "account": "Account",
    "billing": "Billing",
    "im": "IM",
    "recording": "Recording",
    "phone_contacts": "Phone Contacts",
    "webinar": "Webinar",
    "sub_account": "Sub Account",
    "role": "Role",
    "zoom_rooms": "Zoom Rooms",
}

# Shares of the generated data; high enough that a 40-day set always shows each quirk.
EMPTY_DAY_RATE = 1 / 8
BURST_RATE = 0.05
DUPLICATE_RATE = 0.02
MISSING_FIELD_RATE = 0.03
SECONDS_PER_DAY = 86_400


#: Request headers as http.server gives them: looked up case-insensitively.
Headers = email.message.Message

# --------------------------------------------------------------------------- small helpers


def add_months(day: date, months: int) -> date:
    """Calendar month arithmetic that clamps the day (Jan 31 + 1 month = Feb 28/29)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


def utc(moment: datetime) -> datetime:
    """An aware UTC datetime; naive input is taken to be UTC already."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


def stamp(moment: datetime) -> str:
    return utc(moment).strftime(TIME_FORMAT)


def instant(value: str | date | datetime, *, end: bool) -> str:
    """A bound of truth() as a Zoom time string; a bare date covers its whole day."""
    if isinstance(value, datetime):
        moment = utc(value)
    elif isinstance(value, date):
        return f"{value.isoformat()}T{'23:59:59' if end else '00:00:00'}Z"
    elif len(value) == 10:
        return instant(date.fromisoformat(value), end=end)
    else:
        moment = utc(datetime.fromisoformat(value.replace("Z", "+00:00")))
    if moment.microsecond and not end:
        # A start inside a second excludes that second's entries (they are earlier).
        moment += timedelta(seconds=1)
    return moment.strftime(TIME_FORMAT)


def hms(seconds: int) -> str:
    """A duration as Zoom's reports write one: hh:mm:ss."""
    return f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


def days_between(first: date, last: date) -> Iterator[date]:
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)


def opaque_token(length: int = 32) -> str:
    """Random letters and digits, like Zoom's page tokens; unguessable on purpose."""
    alphabet = string.ascii_letters + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(length))


def tracking_id() -> str:
    return f"v=2.0;clid=emu;rid=EMU_{uuid.uuid4().hex}"
