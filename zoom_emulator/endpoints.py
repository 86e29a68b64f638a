"""The report endpoints' rules: paths, scopes, parameters, their validation and filters."""

from __future__ import annotations

import re
import secrets
from base64 import b64decode
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Any

from .common import (
    ACTIVITY_SCOPE,
    CATEGORY_LABELS,
    CHAT_CHANNEL_ACTIVITY_SCOPE,
    CHAT_CHANNEL_CLASSIC_SCOPE,
    CHAT_DATES_REFUSED,
    CHAT_MAX_DAYS,
    CHAT_PAGE_SIZE,
    CHAT_STREAM,
    CLASSIC_SCOPE,
    CONTACT_CENTER_CLASSIC_SCOPE,
    CONTACT_CENTER_SCOPE,
    CONTACT_CENTER_STREAM,
    DEFAULT_PAGE_SIZE,
    MAX_PAGE_SIZE,
    MEETING_ACTIVITY_SCOPE,
    MEETING_STREAM,
    MISSING_SCOPE_CODE,
    OPERATION_SCOPE,
    PHONE_CLASSIC_SCOPE,
    PHONE_OPERATION_SCOPE,
    PHONE_STREAM,
    REMOTE_SUPPORT_SCOPE,
    REMOTE_SUPPORT_STREAM,
    VALIDATION_CODE,
    VIDEO_SDK_STREAM,
    add_months,
)
from .data import MEETING_CATEGORIES
from .replies import Reply

ALL_ACTIVITIES = "All Activities"
MEETING_ACTIVITY_TYPES = (ALL_ACTIVITIES, *MEETING_CATEGORIES)

# --------------------------------------------------------------------------- queries


@dataclass(frozen=True)
class Filter:
    """Which entries of a window a query keeps (hashable: cached per filter)."""

    field: str | None = None  # compared with ``value``
    value: str = ""
    any_case: bool = False
    meeting_number: str | None = None  # digits only
    search_key: str | None = None  # lower case

    def matches(self, entry: Mapping[str, Any]) -> bool:
        if self.field is not None:
            found = entry.get(self.field)
            if self.any_case:
                if not isinstance(found, str) or found.casefold() != self.value.casefold():
                    return False
            elif found != self.value:
                return False
        if self.meeting_number is not None:
            number = entry.get("meeting_number")
            if not isinstance(number, str) or number.replace(" ", "") != self.meeting_number:
                return False
        if self.search_key is not None:
            fields = (entry.get("operator"), entry.get("operator_email"))
            return any(isinstance(f, str) and self.search_key in f.lower() for f in fields)
        return True


@dataclass(frozen=True)
class Query:
    """The parameters a page token is bound to, resolved: ``start`` <= time < ``end`` (UTC)
    selects the window's entries, ``first``/``last`` are the days the envelope echoes."""

    endpoint: str
    first: date
    last: date
    page_size: int
    filter: Filter | None
    start: datetime
    end: datetime


@dataclass(frozen=True)
class Endpoint:
    """One report endpoint: where it lives, what it serves, who may read it."""

    name: str
    path: str
    stream: str
    key: str  # the records key of the answer
    scope: str  # the granular scope; a 4711 names it
    classic: str  # the pre-granular scope that covers it too
    params: frozenset[str]
    dates: str  # "required", "month" (a month ending today) or "day" (the last 24 hours)
    parse_filter: Callable[[Mapping[str, str]], Filter | None]
    limiter: str = "report"  # Zoom Phone's requests count against their own limits
    echo_dates: bool = True  # the envelope repeats from/to
    total: bool = False  # the envelope carries total_records
    auth: str = "oauth"  # "jwt": a Video SDK account's JWT, signed with its API secret
    date_params: tuple[str, str] = ("from", "to")  # Team Chat: start_date, end_date
    max_days: int | None = None  # days a query may span, both ends in (None: a month)
    max_page_size: int = MAX_PAGE_SIZE
    default_page_size: int = DEFAULT_PAGE_SIZE
    rate_label: str = "Heavy"  # X-RateLimit-Category


def _operation_filter(params: Mapping[str, str]) -> Filter | None:
    value = params.get("category_type")
    if value is None or value == "all":
        return None
    if value not in CATEGORY_LABELS:
        raise validation_error(f"Invalid field: 'category_type' {value!r} is not a known category.")
    return Filter("category_type", CATEGORY_LABELS[value])


def _meeting_filter(params: Mapping[str, str]) -> Filter | None:
    kind = params.get("activity_type")
    if kind is None:
        raise validation_error("Invalid field: 'activity_type' is required.")
    if kind not in MEETING_ACTIVITY_TYPES:
        raise validation_error(f"Invalid field: 'activity_type' {kind!r} is not an activity type.")
    number = params.get("meeting_number") or None
    search = params.get("search_key") or None
    found = Filter(
        field=None if kind == ALL_ACTIVITIES else "activity_category",
        value="" if kind == ALL_ACTIVITIES else kind,
        meeting_number=number.replace(" ", "") if number else None,
        search_key=search.lower() if search else None,
    )
    return None if found == Filter() else found


def _phone_filter(params: Mapping[str, str]) -> Filter | None:
    value = params.get("category_type", "all")
    if value.casefold() == "all":
        return None
    return Filter("category_type", value, any_case=True)


def _contact_center_filter(params: Mapping[str, str]) -> Filter | None:
    """`category` (free text: matched case-insensitively, as Zoom's matching is unknown)
    and `action` (one of the definition's values); the other filters are accepted, unused."""
    category, action = params.get("category") or None, params.get("action") or None
    if category and action:
        raise validation_error("Filter by one of 'category' and 'action' at a time, please.")
    if category:
        return Filter("category", category, any_case=True)
    if action:
        return Filter("action", action)
    return None


def _chat_filter(params: Mapping[str, str]) -> Filter | None:
    """`activity_type` (its one value, `membership`) and `channel_id` (one channel)."""
    kind = params.get("activity_type", "membership")
    if kind != "membership":
        raise validation_error(f"Invalid field: 'activity_type' {kind!r} is not an activity type.")
    channel = params.get("channel_id") or None
    return None if channel is None else Filter("channel_id", channel)


_PAGING = frozenset({"page_size", "next_page_token"})
_CONTACT_CENTER_FILTERS = frozenset(
    {
        "category",
        "action",
        "keyword",
        "agent_region_id",
        "agent_region_name",
        "team_id",
        "team_name",
    }
)
ENDPOINTS = {
    "activities": Endpoint(
        "activities",
        "/v2/report/activities",
        "activity_logs",
        "activity_logs",
        ACTIVITY_SCOPE,
        CLASSIC_SCOPE,
        _PAGING | {"from", "to"},
        dates="month",
        parse_filter=lambda params: None,
    ),
    "operationlogs": Endpoint(
        "operationlogs",
        "/v2/report/operationlogs",
        "operation_logs",
        "operation_logs",
        OPERATION_SCOPE,
        CLASSIC_SCOPE,
        _PAGING | {"from", "to", "category_type"},
        dates="required",
        parse_filter=_operation_filter,
    ),
    "meeting_activities": Endpoint(
        "meeting_activities",
        "/v2/report/meeting_activities",
        MEETING_STREAM,
        MEETING_STREAM,
        MEETING_ACTIVITY_SCOPE,
        CLASSIC_SCOPE,
        _PAGING | {"from", "to", "activity_type", "meeting_number", "search_key"},
        dates="required",
        parse_filter=_meeting_filter,
        echo_dates=False,
    ),
    "phone_operationlogs": Endpoint(
        "phone_operationlogs",
        "/v2/phone/reports/operationlogs",
        PHONE_STREAM,
        "operation_logs",
        PHONE_OPERATION_SCOPE,
        PHONE_CLASSIC_SCOPE,
        _PAGING | {"from", "to", "category_type"},
        dates="day",
        parse_filter=_phone_filter,
        limiter="phone",
        total=True,
    ),
    "contact_center_operation_logs": Endpoint(
        "contact_center_operation_logs",
        "/v2/contact_center/reports/operation_logs",
        CONTACT_CENTER_STREAM,
        "operation_logs",
        CONTACT_CENTER_SCOPE,
        CONTACT_CENTER_CLASSIC_SCOPE,
        _PAGING | {"from", "to"} | _CONTACT_CENTER_FILTERS,
        dates="month",
        parse_filter=_contact_center_filter,
        limiter="contact_center",
        echo_dates=False,
        total=True,
    ),
    # Its definition (Zoom's changelog of 2025-10-20): from/to (a month), page_size,
    # next_page_token; the answer carries page_size, next_page_token and the list only.
    "remote_support": Endpoint(
        "remote_support",
        "/v2/report/remote_support",
        REMOTE_SUPPORT_STREAM,
        REMOTE_SUPPORT_STREAM,
        REMOTE_SUPPORT_SCOPE,
        CLASSIC_SCOPE,
        _PAGING | {"from", "to"},
        dates="required",
        parse_filter=lambda params: None,
        echo_dates=False,
    ),
    # A Video SDK account's: its own JWT auth (no scopes) and its own limits.
    "videosdk_operationlogs": Endpoint(
        "videosdk_operationlogs",
        "/v2/videosdk/report/operationlogs",
        VIDEO_SDK_STREAM,
        "operation_logs",
        "",
        "",
        _PAGING | {"from", "to", "category_type"},
        dates="required",
        parse_filter=_operation_filter,
        limiter="videosdk",
        auth="jwt",
    ),
    "chat_channel_activities": Endpoint(
        "chat_channel_activities",
        "/v2/chat/activities/channels",
        CHAT_STREAM,
        "channel_activity_logs",
        CHAT_CHANNEL_ACTIVITY_SCOPE,
        CHAT_CHANNEL_CLASSIC_SCOPE,
        _PAGING | {"start_date", "end_date", "activity_type", "channel_id"},
        dates="required",
        parse_filter=_chat_filter,
        limiter="team_chat",
        echo_dates=False,
        date_params=("start_date", "end_date"),
        max_days=CHAT_MAX_DAYS,
        max_page_size=CHAT_PAGE_SIZE,
        default_page_size=CHAT_PAGE_SIZE,
        rate_label="Light",
    ),
}
PATHS = {"/oauth/token": "token", **{report.path: name for name, report in ENDPOINTS.items()}}


class ApiError(Exception):
    """A Zoom error answer: HTTP status plus the JSON ``code``/``message`` body."""

    def __init__(self, status: int, code: int, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message

    def reply(self) -> Reply:
        return Reply(self.status, {"code": self.code, "message": self.message})


def validation_error(message: str) -> ApiError:
    return ApiError(400, VALIDATION_CODE, message)


def scope_error(scope: str) -> ApiError:
    message = f"Invalid access token, does not contain scopes:[{scope}]."
    return ApiError(400, MISSING_SCOPE_CODE, message)


def _parse_day(value: str, name: str) -> date:
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise validation_error(f"Invalid field: '{name}' must be a date in yyyy-mm-dd format.")


def _month_before(last: date) -> date:
    """The earliest ``from`` that the one-month rule accepts with this ``to``."""
    first = add_months(last, -1)
    while add_months(first, 1) < last:  # Mar 30 - 1 month = Feb 28, but Feb 28 + 1 = Mar 28
        first += timedelta(days=1)
    return first


def _parse_range(report: Endpoint, params: Mapping[str, str], today: date) -> tuple[date, date]:
    start, end = report.date_params
    if report.dates == "required" and not {start, end} <= params.keys():
        raise validation_error(f"Both '{start}' and '{end}' are required.")
    last = _parse_day(params[end], end) if end in params else today
    first = _parse_day(params[start], start) if start in params else _month_before(last)
    if last < first:
        raise validation_error(f"The '{end}' date cannot be earlier than the '{start}' date.")
    if report.max_days is not None:
        if (last - first).days >= report.max_days:
            raise validation_error(CHAT_DATES_REFUSED)
    elif last > add_months(first, 1):
        raise validation_error("The date range cannot exceed one month.")
    if first < add_months(today, -6):
        raise validation_error("Only provide report in recent 6 months.")
    return first, last


def _parse_page_size(report: Endpoint, value: str | None) -> int:
    if value is None:
        return report.default_page_size
    most = report.max_page_size
    if not re.fullmatch(r"[0-9]{1,9}", value) or not 1 <= int(value) <= most:
        raise validation_error(f"Invalid field: 'page_size' must be between 1 and {most}.")
    return int(value)


def parse_query(
    report: Endpoint, params: Mapping[str, str], now: datetime, day_cut_hours: float = 0.0
) -> Query:
    """Validate a report request; ``from``/``to`` days are cut at UTC+``day_cut_hours``."""
    unknown = sorted(params.keys() - report.params)
    if unknown:
        raise validation_error(f"Invalid field: '{unknown[0]}' is not a parameter of this API.")
    if report.dates == "day" and not {"from", "to"} & params.keys():
        start, end = now - timedelta(hours=24), now + timedelta(seconds=1)
        first, last = start.date(), now.date()
    else:
        first, last = _parse_range(report, params, now.date())
        shift = timedelta(hours=day_cut_hours)
        start = datetime.combine(first, time(), timezone.utc) - shift
        end = datetime.combine(last + timedelta(days=1), time(), timezone.utc) - shift
    page_size = _parse_page_size(report, params.get("page_size"))
    found = report.parse_filter(params)
    return Query(report.name, first, last, page_size, found, start, end)


def basic_credentials(header: str | None) -> tuple[str, str] | None:
    scheme, _, encoded = (header or "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        user, sep, password = b64decode(encoded.strip(), validate=True).decode().partition(":")
    except ValueError:  # binascii.Error and UnicodeDecodeError are both ValueErrors
        return None
    return (user, password) if sep else None


def bearer(header: str | None) -> str:
    scheme, _, token = (header or "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def same(given: str, expected: str) -> bool:
    """Constant-time comparison, as a credential check should be."""
    return secrets.compare_digest(given.encode(), expected.encode())
