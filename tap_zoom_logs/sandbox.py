"""A loopback emulator of Zoom's report API: sign-in activity and admin operation logs.

It lets the tap be tested and benchmarked without a Zoom account. It honours what
zoom-report-api.md collects about the real service: Server-to-Server OAuth, the one-month and
six-month window rules, opaque page tokens bound to their query and expiring, newest-first
pages whose last page carries ``""`` or no ``next_page_token``, the per-second limit, and
data as messy as the real thing (same-second bursts, exact duplicates, missing fields,
unicode, trailing spaces, empty days). Faults are injected on demand with :meth:`inject`.

Faults, queued with ``inject(kind, times=N, endpoint=...)`` for the next N matching requests
(endpoint "report" = either report endpoint, "activities", "operationlogs" or "token"); a
fault uses up a count only when it fires, and the first matching queued fault fires:

- ``server_error`` (``status`` 500/502/503, default 503): that status with an HTML body.
- ``reset``: the connection is closed unanswered (recorded with status 0).
- ``truncated``: the normal answer with its full Content-Length, body cut half-way.
- ``missing_key``: 200 without the records key (``next_page_token`` kept as it would be);
  on the token endpoint, without ``access_token``.
- ``slow`` (``delay`` seconds, default 5): sleeps, then answers normally.
- ``rate_limit`` (``retry_after`` = "seconds" (with ``seconds``, default 1), "http_date",
  "iso" or "absent"): the per-second 429.
- ``daily_limit`` (``after`` = K requests pass first): the daily 429, Retry-After = next
  00:00 UTC. Unlike the others it lasts until ``clear_faults()`` unless ``times`` is given.
- ``revoke_token``: every live token is revoked before the request is handled (-> 401 124).
- ``expire_page_token``: only requests with a next_page_token; the token is forgotten and
  the answer is 400 code 300 "Invalid next page token.".
- ``missing_scope``: 400 code 4711 naming the endpoint's scope (on the token endpoint: a
  token is issued without the report scopes).
- ``no_permission``: 400 code 200 "No permission." (the app owner's role lacks the report's
  view permission).

Choices where Zoom is unknown: the per-second limit counts admitted requests only (a refused
request does not extend the wait); Retry-After values follow the real clock, not ``now``;
``from``/``to`` are required on operationlogs, and default to a month ending today on
activities.

Run it alone with ``python -m tap_zoom_logs.sandbox --config-out config.json``; it also
serves ``GET /_emulator/stats`` (the counters as JSON) and ``POST /_emulator/reset_stats``.
"""

from __future__ import annotations

import argparse
import calendar
import collections
import contextlib
import email.message
import email.utils
import json
import math
import random
import re
import secrets
import signal
import socket
import ssl
import string
import struct
import sys
import threading
import time
import uuid
from base64 import b64decode
from bisect import insort
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, urlsplit

__all__ = ["EmulatorStats", "RequestRecord", "ZoomEmulator", "main"]

ACTIVITY_SCOPE = "report:read:user_activities:admin"
OPERATION_SCOPE = "report:read:operation_logs:admin"
CLASSIC_SCOPE = "report:read:admin"  # the pre-granular scope, covers both reports
STREAMS = ("activity_logs", "operation_logs")
REPORT_ENDPOINTS = ("activities", "operationlogs")
TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"

MAX_PAGE_SIZE = 300
DEFAULT_PAGE_SIZE = 30
VALIDATION_CODE = 300
INVALID_TOKEN_CODE = 124
MISSING_SCOPE_CODE = 4711
PER_SECOND_MESSAGE = (
    "You have reached the maximum per-second rate limit for this API. Try again later."
)
DAILY_MESSAGE = "You have reached the maximum daily rate limit for this API. Try again later."
PAGE_CURSOR_REFUSED = "Invalid next page token."

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

FAULT_KINDS = frozenset(
    {
        "server_error",
        "reset",
        "truncated",
        "missing_key",
        "slow",
        "rate_limit",
        "daily_limit",
        "revoke_token",
        "expire_page_token",
        "missing_scope",
        "no_permission",
    }
)
FAULT_ENDPOINTS = frozenset({"report", "token", *REPORT_ENDPOINTS})

# Shares of the generated data; high enough that a 40-day set always shows each quirk.
EMPTY_DAY_RATE = 1 / 8
BURST_RATE = 0.05
DUPLICATE_RATE = 0.02
MISSING_FIELD_RATE = 0.03
SECONDS_PER_DAY = 86_400


# --------------------------------------------------------------------------- public records


#: Request headers as http.server gives them: looked up case-insensitively.
Headers = email.message.Message


@dataclass
class RequestRecord:
    """One request the emulator answered (status 0: the connection was reset unanswered)."""

    at: float
    endpoint: str
    params: dict[str, str]
    status: int
    tracking_id: str = ""


@dataclass
class EmulatorStats:
    """Counters of what clients asked; the emulator updates them under its lock."""

    requests: collections.Counter[str] = field(default_factory=collections.Counter)
    statuses: collections.Counter[tuple[str, int]] = field(default_factory=collections.Counter)
    peak_concurrency: int = 0
    in_flight: int = 0
    tokens_issued: list[str] = field(default_factory=list)
    log: list[RequestRecord] = field(default_factory=list)

    def pages(self, endpoint: str) -> int:
        """Number of 200 answers on ``endpoint``."""
        return self.statuses[(endpoint, 200)]

    def as_json(self) -> dict[str, Any]:
        """The counters as plain JSON, for a benchmark that runs the emulator elsewhere."""
        return {
            "requests": dict(self.requests),
            "statuses": {f"{ep}:{status}": n for (ep, status), n in self.statuses.items()},
            "pages": {ep: self.pages(ep) for ep in REPORT_ENDPOINTS},
            "peak_concurrency": self.peak_concurrency,
            "in_flight": self.in_flight,
            "tokens_issued": len(self.tokens_issued),
        }


# --------------------------------------------------------------------------- small helpers


def _add_months(day: date, months: int) -> date:
    """Calendar month arithmetic that clamps the day (Jan 31 + 1 month = Feb 28/29)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


def _utc(moment: datetime) -> datetime:
    """An aware UTC datetime; naive input is taken to be UTC already."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


def _stamp(moment: datetime) -> str:
    return _utc(moment).strftime(TIME_FORMAT)


def _instant(value: str | date | datetime, *, end: bool) -> str:
    """A bound of truth() as a Zoom time string; a bare date covers its whole day."""
    if isinstance(value, datetime):
        moment = _utc(value)
    elif isinstance(value, date):
        return f"{value.isoformat()}T{'23:59:59' if end else '00:00:00'}Z"
    elif len(value) == 10:
        return _instant(date.fromisoformat(value), end=end)
    else:
        moment = _utc(datetime.fromisoformat(value.replace("Z", "+00:00")))
    if moment.microsecond and not end:
        # A start inside a second excludes that second's entries (they are earlier).
        moment += timedelta(seconds=1)
    return moment.strftime(TIME_FORMAT)


def _days(first: date, last: date) -> Iterator[date]:
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)


def _opaque_token(length: int = 32) -> str:
    """Random letters and digits, like Zoom's page tokens; unguessable on purpose."""
    alphabet = string.ascii_letters + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(length))


def _tracking_id() -> str:
    return f"v=2.0;clid=emu;rid=EMU_{uuid.uuid4().hex}"


# --------------------------------------------------------------------------- data


_FIRST_NAMES = (
    "alice", "bob", "carol", "dmitri", "erin", "farah", "gustavo", "hana", "ivan", "jia",
    "kwame", "lena", "mateo", "noor", "olivia", "pavel", "quinn", "rosa", "sven", "tariq",
)  # fmt: skip
_LAST_NAMES = ("martin", "nguyen", "okafor", "schmidt", "tanaka", "rossi", "haddad", "silva")
# Real directories hold non-ASCII addresses; the tap must keep them intact.
_UNICODE_EMAILS = (
    "zoë.ünal@example.com",
    "jürgen.groß@example.de",
    "søren.ødegård@exämple.dk",
    "maría.garcía@example.es",
    "李伟@example.cn",
)
_OPERATORS = (
    "admin@example.com",
    "ops@example.com",
    "it-support@example.com",
    "zoë.ünal@example.com",
    "security@example.org",
)
_CLIENT_TYPES = ("Browser", "Browser", "Windows", "Mac", "win", "iOS", "Android")
_VERSIONS = ("6.0.2.4680", "5.17.11.34827", "6.1.0.198", "5.16.10.26186", "6.0.11.39959")
_IP_PREFIXES = ("192.0.2.", "198.51.100.", "203.0.113.")
# (category label, action, detail template). Some details end with a space on purpose:
# Zoom writes them so, and the tap must keep them byte for byte.
_OPERATIONS = (
    ("User", "Add", "Add User {user}"),
    ("User", "Update", "Activate User {user} "),
    ("User", "Update", "Deactivate User {user} "),
    ("User", "Delete", "Delete User {user}"),
    ("User Settings", "Update", "Update user {user} setting: Waiting Room: false -> true"),
    ("Account", "Update", "Account settings: Allow cloud recording sharing: true -> false"),
    ("Account", "Update", "Account name changed to Zoë Ünal 日本語 🚀"),
    ("Billing", "Update", "Billing contact changed to {user}"),
    ("Billing", "Add", "Add plan: Large Meetings 500 "),
    ("IM", "Add", "Create channel Équipe 日本語 🚀"),
    ("IM", "Delete", "Delete channel #random"),
    ("Recording", "Delete", "Delete cloud recording for meeting {meeting}"),
    ("Recording", "Update", "Recover cloud recording for meeting {meeting} "),
    ("Phone Contacts", "Add", "Add external contact Zoë Ünal (+81 3-1234-5678)"),
    ("Webinar", "Update", "Update webinar {meeting}: topic 'Quarterly 🚀 launch'"),
    ("Webinar", "Delete", "Delete webinar {meeting}"),
    ("Sub Account", "Add", "Create sub account Ünal Consulting 日本語"),
    ("Role", "Update", "Assign role Admin to {user} "),
    ("Role", "Add", "Add role Auditor"),
    ("Zoom Rooms", "Update", "Update Zoom Room Salle Éiffel 3F"),
)


def _ip_address(rng: random.Random) -> str:
    if rng.random() < 0.1:
        return f"2001:db8::{rng.randrange(1, 0xFFFF):x}"
    return f"{rng.choice(_IP_PREFIXES)}{rng.randrange(1, 255)}"


def _activity_entry(rng: random.Random, stamp: str, users: tuple[str, ...]) -> dict[str, Any]:
    client = rng.choice(_CLIENT_TYPES)
    version = "-" if client == "Browser" or rng.random() < 0.1 else rng.choice(_VERSIONS)
    return {
        "email": rng.choice(users),
        "time": stamp,
        "type": "Sign in" if rng.random() < 0.6 else "Sign out",
        "ip_address": _ip_address(rng),
        "client_type": client,
        "version": version,
    }


def _operation_entry(rng: random.Random, stamp: str, users: tuple[str, ...]) -> dict[str, Any]:
    label, action, template = rng.choice(_OPERATIONS)
    detail = template.format(user=rng.choice(users), meeting=rng.randrange(10**10, 10**11))
    return {
        "time": stamp,
        "operator": rng.choice(_OPERATORS),
        "category_type": label,
        "action": action,
        "operation_detail": detail,
    }


_MAKERS: dict[str, Callable[[random.Random, str, tuple[str, ...]], dict[str, Any]]] = {
    "activity_logs": _activity_entry,
    "operation_logs": _operation_entry,
}


def _burst_seconds(rng: random.Random, count: int) -> list[int]:
    """Seconds of the day for ``count`` entries, some in bursts of 3-8 sharing one second."""
    seconds: list[int] = []
    while len(seconds) < count:
        second = rng.randrange(SECONDS_PER_DAY)
        seconds.extend([second] * (rng.randint(3, 8) if rng.random() < BURST_RATE else 1))
    del seconds[count:]
    seconds.sort()
    return seconds


def _drop_a_field(rng: random.Random, entry: dict[str, Any]) -> None:
    """Zoom omits fields now and then, but never ``time``."""
    del entry[rng.choice([key for key in entry if key != "time"])]


def _check_stream(stream: str) -> None:
    if stream not in STREAMS:
        raise ValueError(f"unknown stream {stream!r}; expected one of {STREAMS}")


class _Dataset:
    """Entries per (stream, UTC day), generated lazily from the seed and cached.

    Ascending lists are the source of truth (late entries are inserted in them); descending
    lists, the order Zoom serves, are derived snapshots that are never mutated, so a page can
    slice them outside the lock.
    """

    def __init__(self, seed: int, history_days: int, entries_per_day: int, now: datetime) -> None:
        self._seed = seed
        self._per_day = entries_per_day
        self._now = _stamp(now)
        self._today = now.date()
        self._oldest = self._today - timedelta(days=max(history_days, 1) - 1)
        self._users = self._make_users()
        self._lock = threading.RLock()
        self._ascending: dict[tuple[str, date], list[dict[str, Any]]] = {}
        self._descending: dict[tuple[str, date, str | None], list[dict[str, Any]]] = {}

    def _make_users(self) -> tuple[str, ...]:
        rng = random.Random(f"{self._seed}:users")
        names = {f"{rng.choice(_FIRST_NAMES)}.{rng.choice(_LAST_NAMES)}" for _ in range(40)}
        return (*(f"{name}@example.com" for name in sorted(names)), *_UNICODE_EMAILS)

    def history(self) -> list[date]:
        return list(_days(self._oldest, self._today))

    def _quiet(self, stream: str, day: date) -> bool:
        return random.Random(f"{self._seed}:{stream}:{day}:quiet").random() < EMPTY_DAY_RATE

    def _is_empty(self, stream: str, day: date) -> bool:
        # The oldest day always has data (it is the config's start_date) and two empty days
        # never follow each other, so no window goes silent just because of this rule.
        if day == self._oldest or not self._quiet(stream, day):
            return False
        return not self._quiet(stream, day - timedelta(days=1))

    def _count(self, stream: str, day: date, rng: random.Random) -> int:
        if not self._oldest <= day <= self._today or self._is_empty(stream, day):
            return 0
        low = max(1, round(self._per_day * 0.5)) if self._per_day > 0 else 0
        return rng.randint(low, max(low, round(self._per_day * 1.5)))

    def _generate(self, stream: str, day: date) -> list[dict[str, Any]]:
        rng = random.Random(f"{self._seed}:{stream}:{day.isoformat()}")
        make, users, prefix = _MAKERS[stream], self._users, f"{day.isoformat()}T"
        entries: list[dict[str, Any]] = []
        for second in _burst_seconds(rng, self._count(stream, day, rng)):
            hours, rest = divmod(second, 3600)
            entry = make(rng, f"{prefix}{hours:02d}:{rest // 60:02d}:{rest % 60:02d}Z", users)
            if rng.random() < MISSING_FIELD_RATE:
                _drop_a_field(rng, entry)
            entries.append(entry)
            if rng.random() < DUPLICATE_RATE:
                entries.append(dict(entry))
        if day == self._today:
            # The whole day is drawn, then cut at now: a later run sees a superset.
            entries = [entry for entry in entries if entry["time"] <= self._now]
        return entries

    def ascending(self, stream: str, day: date) -> list[dict[str, Any]]:
        with self._lock:
            key = (stream, day)
            if key not in self._ascending:
                self._ascending[key] = self._generate(stream, day)
            return self._ascending[key]

    def descending(self, stream: str, day: date, label: str | None) -> list[dict[str, Any]]:
        with self._lock:
            key = (stream, day, label)
            if key not in self._descending:
                newest_first = reversed(self.ascending(stream, day))
                self._descending[key] = [
                    entry
                    for entry in newest_first
                    if label is None or entry.get("category_type") == label
                ]
            return self._descending[key]

    def known_days(self, stream: str) -> list[date]:
        with self._lock:
            late = {day for (name, day), rows in self._ascending.items() if name == stream and rows}
        return sorted(late.union(self.history()))

    def add(self, stream: str, entry: dict[str, Any]) -> None:
        stamp = entry.get("time")
        if not isinstance(stamp, str) or not re.fullmatch(
            r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", stamp
        ):
            raise ValueError(f"entry needs a 'time' like 2026-03-29T11:38:50Z, got {stamp!r}")
        day = date.fromisoformat(stamp[:10])
        with self._lock:
            # After the entries of the same second: it arrived late.
            insort(self.ascending(stream, day), dict(entry), key=lambda row: row["time"])
            self._descending = {k: v for k, v in self._descending.items() if k[:2] != (stream, day)}

    def between(self, stream: str, start: str, end: str) -> list[dict[str, Any]]:
        first, last = date.fromisoformat(start[:10]), date.fromisoformat(end[:10])
        with self._lock:
            return [
                dict(entry)
                for day in self.known_days(stream)
                if first <= day <= last
                for entry in self.ascending(stream, day)
                if start <= entry["time"] <= end
            ]

    def page(self, stream: str, query: _Query, offset: int) -> tuple[list[dict[str, Any]], bool]:
        """Entries ``offset`` onwards of a window, newest first; and whether more follow."""
        label = None if query.category == "all" else CATEGORY_LABELS[query.category]
        newest_day_first = reversed(list(_days(query.first, query.last)))
        days = [self.descending(stream, day, label) for day in newest_day_first]
        rows: list[dict[str, Any]] = []
        skip = offset
        for day_rows in days:
            if skip >= len(day_rows):
                skip -= len(day_rows)
                continue
            rows.extend(day_rows[skip : skip + query.page_size - len(rows)])
            skip = 0
            if len(rows) >= query.page_size:
                break
        return rows, offset + len(rows) < sum(map(len, days))


# --------------------------------------------------------------------------- requests


@dataclass(frozen=True)
class _Report:
    name: str
    stream: str
    scope: str
    params: frozenset[str]
    dates_required: bool


_REPORTS = {
    "activities": _Report(
        "activities",
        "activity_logs",
        ACTIVITY_SCOPE,
        frozenset({"from", "to", "page_size", "next_page_token"}),
        dates_required=False,
    ),
    "operationlogs": _Report(
        "operationlogs",
        "operation_logs",
        OPERATION_SCOPE,
        frozenset({"from", "to", "page_size", "next_page_token", "category_type"}),
        dates_required=True,
    ),
}
_PATHS = {
    "/oauth/token": "token",
    "/v2/report/activities": "activities",
    "/v2/report/operationlogs": "operationlogs",
}


@dataclass(frozen=True)
class _Query:
    """The parameters a page token is bound to."""

    endpoint: str
    first: date
    last: date
    page_size: int
    category: str


class _ApiError(Exception):
    """A Zoom error answer: HTTP status plus the JSON ``code``/``message`` body."""

    def __init__(self, status: int, code: int, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message

    def reply(self) -> _Reply:
        return _Reply(self.status, {"code": self.code, "message": self.message})


def _validation(message: str) -> _ApiError:
    return _ApiError(400, VALIDATION_CODE, message)


def _scope_error(scope: str) -> _ApiError:
    message = f"Invalid access token, does not contain scopes:[{scope}]."
    return _ApiError(400, MISSING_SCOPE_CODE, message)


def _parse_day(value: str, name: str) -> date:
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise _validation(f"Invalid field: '{name}' must be a date in yyyy-mm-dd format.")


def _month_before(last: date) -> date:
    """The earliest ``from`` that the one-month rule accepts with this ``to``."""
    first = _add_months(last, -1)
    while _add_months(first, 1) < last:  # Mar 30 - 1 month = Feb 28, but Feb 28 + 1 = Mar 28
        first += timedelta(days=1)
    return first


def _parse_range(report: _Report, params: Mapping[str, str], today: date) -> tuple[date, date]:
    if report.dates_required and not {"from", "to"} <= params.keys():
        raise _validation("Both 'from' and 'to' are required.")
    last = _parse_day(params["to"], "to") if "to" in params else today
    first = _parse_day(params["from"], "from") if "from" in params else _month_before(last)
    if last < first:
        raise _validation("The 'to' date cannot be earlier than the 'from' date.")
    if last > _add_months(first, 1):
        raise _validation("The date range cannot exceed one month.")
    if first < _add_months(today, -6):
        raise _validation("Only provide report in recent 6 months.")
    return first, last


def _parse_page_size(value: str | None) -> int:
    if value is None:
        return DEFAULT_PAGE_SIZE
    if not re.fullmatch(r"[0-9]{1,9}", value) or not 1 <= int(value) <= MAX_PAGE_SIZE:
        raise _validation(f"Invalid field: 'page_size' must be between 1 and {MAX_PAGE_SIZE}.")
    return int(value)


def _parse_category(value: str | None) -> str:
    if value is None:
        return "all"
    if value != "all" and value not in CATEGORY_LABELS:
        raise _validation(f"Invalid field: 'category_type' {value!r} is not a known category.")
    return value


def _parse_query(report: _Report, params: Mapping[str, str], today: date) -> _Query:
    unknown = sorted(params.keys() - report.params)
    if unknown:
        raise _validation(f"Invalid field: '{unknown[0]}' is not a parameter of this API.")
    first, last = _parse_range(report, params, today)
    page_size = _parse_page_size(params.get("page_size"))
    category = _parse_category(params.get("category_type"))
    return _Query(report.name, first, last, page_size, category)


def _basic_credentials(header: str | None) -> tuple[str, str] | None:
    scheme, _, encoded = (header or "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        user, sep, password = b64decode(encoded.strip(), validate=True).decode().partition(":")
    except ValueError:  # binascii.Error and UnicodeDecodeError are both ValueErrors
        return None
    return (user, password) if sep else None


def _bearer(header: str | None) -> str:
    scheme, _, token = (header or "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def _same(given: str, expected: str) -> bool:
    """Constant-time comparison, as a credential check should be."""
    return secrets.compare_digest(given.encode(), expected.encode())


# --------------------------------------------------------------------------- replies


@dataclass
class _Reply:
    status: int
    payload: Any = None
    body: bytes = b""
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)
    truncate: bool = False
    reset: bool = False
    tracking_id: str = ""

    def encoded(self) -> bytes:
        if self.payload is None:
            return self.body
        # Raw UTF-8 (not \u escapes), so the client's decoding is exercised too.
        return json.dumps(self.payload, ensure_ascii=False, separators=(",", ":")).encode()


def _html_error(status: int) -> _Reply:
    """What a load balancer in front of Zoom answers: HTML, not JSON."""
    title = f"{status} {HTTPStatus(status).phrase}"
    body = f"<html><head><title>{title}</title></head><body><h1>{title}</h1></body></html>"
    return _Reply(status, body=body.encode(), content_type="text/html")


def _retry_after(style: str, seconds: float) -> str | None:
    """Retry-After in each form the reference says Zoom may use (wall clock based)."""
    if style == "absent":
        return None
    if style == "seconds":
        return str(math.ceil(seconds))
    when = (datetime.now(timezone.utc) + timedelta(seconds=seconds)).replace(microsecond=0)
    when += timedelta(seconds=1)  # rounding up: never invite a client back too early
    if style == "http_date":
        return email.utils.format_datetime(when, usegmt=True)
    if style == "iso":
        return when.strftime(TIME_FORMAT)
    raise ValueError(f"unknown retry_after style {style!r}")


def _per_second_reply(retry_after: str | None, limit: str) -> _Reply:
    headers = {"X-RateLimit-Category": "Heavy", "X-RateLimit-Limit": limit}
    headers["X-RateLimit-Remaining"] = "0"
    if retry_after is not None:
        headers["Retry-After"] = retry_after
    return _Reply(429, {"code": 429, "message": PER_SECOND_MESSAGE}, headers=headers)


def _daily_reply() -> _Reply:
    # The quota resets at 00:00 UTC of the real clock, whatever the emulator's data `now`.
    tomorrow = datetime.now(timezone.utc).date() + timedelta(days=1)
    headers = {
        "X-RateLimit-Type": "Daily-limit",
        "X-RateLimit-Category": "Heavy",
        "X-RateLimit-Remaining": "0",
        "Retry-After": f"{tomorrow.isoformat()}T00:00:00Z",
    }
    return _Reply(429, {"code": 429, "message": DAILY_MESSAGE}, headers=headers)


# --------------------------------------------------------------------------- server state


@dataclass
class _Fault:
    kind: str
    endpoint: str
    remaining: int | None  # None: until clear_faults()
    after: int
    params: dict[str, Any]

    def matches(self, endpoint: str, has_page_token: bool) -> bool:
        if self.kind == "expire_page_token" and not has_page_token:
            return False
        if self.endpoint == "report":
            return endpoint in REPORT_ENDPOINTS
        return self.endpoint == endpoint


class _Faults:
    """Queued faults; the first matching one fires, and only firing uses up a count."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._queue: list[_Fault] = []

    def add(self, fault: _Fault) -> None:
        with self._lock:
            self._queue.append(fault)

    def clear(self) -> None:
        with self._lock:
            self._queue.clear()

    def take(self, endpoint: str, has_page_token: bool) -> _Fault | None:
        with self._lock:
            for fault in self._queue:
                if not fault.matches(endpoint, has_page_token):
                    continue
                if fault.after > 0:  # this request passes; the fault waits its turn
                    fault.after -= 1
                    continue
                if fault.remaining is not None:
                    fault.remaining -= 1
                    if fault.remaining <= 0:
                        self._queue.remove(fault)
                return fault
        return None


@dataclass
class _Token:
    scopes: frozenset[str]
    expires_at: float


class _Tokens:
    """Live access tokens; several may be valid at once, like Zoom's."""

    def __init__(self, ttl: float) -> None:
        self._ttl = ttl
        self._lock = threading.Lock()
        self._live: dict[str, _Token] = {}

    def issue(self, scopes: frozenset[str]) -> str:
        token = secrets.token_urlsafe(48)
        with self._lock:
            now = time.monotonic()
            self._live = {k: v for k, v in self._live.items() if v.expires_at > now}
            self._live[token] = _Token(scopes, now + self._ttl)
        return token

    def scopes(self, token: str) -> frozenset[str] | None:
        with self._lock:
            found = self._live.get(token)
        if found is None or found.expires_at <= time.monotonic():
            return None
        return found.scopes

    def revoke_all(self) -> None:
        with self._lock:
            self._live.clear()


class _PageTokens:
    """Opaque next_page_tokens, each bound to its query and valid for ``ttl`` seconds."""

    def __init__(self, ttl: float) -> None:
        self._ttl = ttl
        self._lock = threading.Lock()
        self._tokens: dict[str, tuple[_Query, int, float]] = {}
        self._last_pages = 0

    def issue(self, query: _Query, offset: int) -> str:
        token = _opaque_token()
        with self._lock:
            if len(self._tokens) > 10_000:  # benchmarks page a lot: forget expired ones
                self._forget_expired()
            self._tokens[token] = (query, offset, time.monotonic())
        return token

    def _forget_expired(self) -> None:
        oldest = time.monotonic() - self._ttl
        self._tokens = {k: v for k, v in self._tokens.items() if v[2] >= oldest}

    def offset(self, query: _Query, token: str) -> int:
        if not token:
            return 0
        with self._lock:
            found = self._tokens.get(token)
        if found is None or found[0] != query or time.monotonic() - found[2] > self._ttl:
            raise _validation(PAGE_CURSOR_REFUSED)
        return found[1]

    def drop(self, token: str) -> None:
        with self._lock:
            self._tokens.pop(token, None)

    def last_page_has_empty_token(self) -> bool:
        """Alternates, so clients meet both forms of the last page: "" and no key."""
        with self._lock:
            self._last_pages += 1
            return self._last_pages % 2 == 1


class _RateLimiter:
    """Sliding-window limit on admitted report requests (refused ones do not count)."""

    def __init__(self, per_second: float | None) -> None:
        self.per_second = per_second if per_second and per_second > 0 else None
        rate = self.per_second or 1.0
        # Below 1/s the window widens so that one request per 1/rate seconds passes.
        self._window = max(1.0, 1.0 / rate)
        self._capacity = max(1, int(rate * self._window + 1e-9))
        self._lock = threading.Lock()
        self._admitted: collections.deque[float] = collections.deque()

    @property
    def limit(self) -> str:
        rate = self.per_second or 0
        return str(int(rate)) if float(rate).is_integer() else str(rate)

    def admit(self) -> tuple[bool, int]:
        """(admitted, remaining) or (refused, seconds to wait)."""
        if self.per_second is None:
            return True, 0
        now = time.monotonic()
        with self._lock:
            while self._admitted and self._admitted[0] <= now - self._window:
                self._admitted.popleft()
            if len(self._admitted) >= self._capacity:
                return False, max(1, math.ceil(self._admitted[0] + self._window - now))
            self._admitted.append(now)
            return True, self._capacity - len(self._admitted)


# --------------------------------------------------------------------------- HTTP server


class _Handler(BaseHTTPRequestHandler):
    """Thin HTTP layer: the emulator decides, this class only reads and writes bytes."""

    protocol_version = "HTTP/1.1"  # keep-alive, as clients pool connections to Zoom
    # Headers and body go out in two sends: with Nagle's algorithm the body would wait for
    # the client's delayed ACK (~40 ms on loopback), a latency Zoom does not have.
    disable_nagle_algorithm = True
    server_version = "ZoomEmulator/1.0"
    server: _Server

    def do_GET(self) -> None:
        self._serve("GET")

    def do_POST(self) -> None:
        self._serve("POST")

    def log_message(self, format: str, *args: Any) -> None:
        """Silenced: the emulator logs one line per request itself when verbose."""

    def _serve(self, method: str) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length > 0 else b""
        self._send(self.server.emulator._handle(method, self.path, self.headers, body))

    def _send(self, reply: _Reply) -> None:
        if reply.reset:
            self._reset()
            return
        body = reply.encoded()
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("x-zm-trackingid", reply.tracking_id)
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.end_headers()
        if reply.truncate:
            # The promised Content-Length never arrives: the client sees an incomplete read.
            self.wfile.write(body[: len(body) // 2])
            self.close_connection = True
            return
        self.wfile.write(body)

    def _reset(self) -> None:
        # SO_LINGER 0 turns the close into a TCP RST: the client sees a reset, not an answer.
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.close_connection = True
        self.connection.close()


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(
        self, address: tuple[str, int], emulator: ZoomEmulator, context: ssl.SSLContext | None
    ) -> None:
        self.emulator = emulator
        self._context = context
        self._open: set[socket.socket] = set()
        self._open_lock = threading.Lock()
        super().__init__(address, _Handler)

    def finish_request(self, request: Any, client_address: Any) -> None:
        # TLS handshakes happen here, in the connection's thread, not in the accept loop.
        conn = self._context.wrap_socket(request, server_side=True) if self._context else request
        with self._open_lock:
            self._open.add(conn)
        try:
            self.RequestHandlerClass(conn, client_address, self)  # type: ignore[arg-type]
        finally:
            with self._open_lock:
                self._open.discard(conn)
            if conn is not request:
                conn.close()

    def close_connections(self) -> None:
        """Cut keep-alive connections, so a stopped emulator really stops answering."""
        with self._open_lock:
            conns = list(self._open)
        for conn in conns:
            with contextlib.suppress(OSError):  # already closed by its client
                conn.shutdown(socket.SHUT_RDWR)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # Clients that hang up (or fail TLS) are normal here; only say so when asked.
        if self.emulator.verbose:
            super().handle_error(request, client_address)


# --------------------------------------------------------------------------- emulator


class ZoomEmulator:
    """Zoom's OAuth token endpoint and the two report endpoints, on loopback.

    Data is deterministic from ``seed`` and generated lazily per (stream, UTC day).
    ``now`` is fixed at construction: it bounds today's data; token and page-token
    lifetimes, the per-second limit and Retry-After values use the real clocks.
    """

    def __init__(
        self,
        *,
        seed: int = 0,
        history_days: int = 40,
        entries_per_day: int = 40,
        rate_limit_per_second: float | None = None,
        latency: float = 0.0,
        token_ttl: int = 3600,
        page_token_ttl: float = 900.0,
        scopes: tuple[str, ...] = (ACTIVITY_SCOPE, OPERATION_SCOPE),
        account_id: str = "emulated-account",
        client_id: str = "emulated-client-id",
        client_secret: str = "emulated-client-secret-9f3b2c1d",  # noqa: S107 - fake, loopback only
        ssl_context: ssl.SSLContext | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        now: datetime | None = None,
        verbose: bool = False,
    ) -> None:
        self.now = _utc(now or datetime.now(timezone.utc)).replace(microsecond=0)
        self.account_id, self.client_id, self.client_secret = account_id, client_id, client_secret
        self.scopes = tuple(scopes)
        self.latency = latency
        self.token_ttl = token_ttl
        self.verbose = verbose
        self.stats = EmulatorStats()
        self._lock = threading.Lock()
        self._data = _Dataset(seed, history_days, entries_per_day, self.now)
        self._tokens = _Tokens(token_ttl)
        self._pages = _PageTokens(page_token_ttl)
        self._limiter = _RateLimiter(rate_limit_per_second)
        self._faults = _Faults()
        self._ssl = ssl_context
        self._host, self._port = host, port
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # ----------------------------------------------------------------- lifecycle

    def _bind(self) -> _Server:
        if self._server is None:
            self._server = _Server((self._host, self._port), self, self._ssl)
            self._port = self._server.server_address[1]  # a restart keeps the same URL
        return self._server

    def start(self) -> ZoomEmulator:
        """Serve in a daemon thread; returns self so ``ZoomEmulator().start()`` chains."""
        server = self._bind()
        if self._thread is None:
            self._thread = threading.Thread(
                target=server.serve_forever,
                kwargs={"poll_interval": 0.05},
                name=f"zoom-emulator-{self._port}",
                daemon=True,
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        server, thread = self._server, self._thread
        if server is None:
            return
        if thread is not None:
            server.shutdown()
            thread.join()
        server.close_connections()
        server.server_close()
        self._server, self._thread = None, None

    def __enter__(self) -> ZoomEmulator:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        """scheme://host:port, what the token answer gives as ``api_url``."""
        self._bind()
        if self._ssl is not None:
            return f"https://localhost:{self._port}"  # a certificate names localhost, not an IP
        return f"http://{self._host}:{self._port}"

    @property
    def api_url(self) -> str:
        return f"{self.base_url}/v2"

    @property
    def oauth_url(self) -> str:
        return f"{self.base_url}/oauth/token"

    # ----------------------------------------------------------------- data access

    def tap_config(self, **overrides: Any) -> dict[str, Any]:
        """Settings that point the tap at this emulator, from the oldest day with data to now."""
        config: dict[str, Any] = {
            "account_id": self.account_id,
            "client_id": self.client_id,
            "client_secret": self.client_secret,
            "api_url": self.api_url,
            "oauth_url": self.oauth_url,
            "start_date": f"{self._oldest_day_with_data().isoformat()}T00:00:00Z",
            "end_date": _stamp(self.now),
        }
        config.update(overrides)
        return config

    def _oldest_day_with_data(self) -> date:
        days = sorted({day for stream in STREAMS for day in self._data.known_days(stream)})
        for day in days:
            if any(self._data.ascending(stream, day) for stream in STREAMS):
                return day
        return days[0]

    def entries(self, stream: str) -> list[dict[str, Any]]:
        """Every entry of ``stream`` as served (missing fields absent), ascending time."""
        _check_stream(stream)
        return self._data.between(stream, "0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z")

    def truth(
        self, stream: str, start: str | date | datetime, end: str | date | datetime
    ) -> list[dict[str, Any]]:
        """Entries with start <= time <= end, ascending; a bare date as ``end`` means its end."""
        _check_stream(stream)
        return self._data.between(stream, _instant(start, end=False), _instant(end, end=True))

    def add_entry(self, stream: str, entry: dict[str, Any]) -> None:
        """A late entry: served from now on, on its day, after entries of the same second."""
        _check_stream(stream)
        self._data.add(stream, entry)

    # ----------------------------------------------------------------- faults and stats

    def inject(
        self, kind: str, *, times: int | None = None, endpoint: str = "report", **params: Any
    ) -> None:
        """Answer the next ``times`` matching requests with fault ``kind`` (see module doc).

        ``times`` defaults to 1, except for "daily_limit" which lasts until clear_faults()
        (a daily quota does not lift after one refusal). ``endpoint`` is "report" (either
        report endpoint), "activities", "operationlogs" or "token".
        """
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault {kind!r}; expected one of {sorted(FAULT_KINDS)}")
        if endpoint not in FAULT_ENDPOINTS:
            raise ValueError(f"unknown endpoint {endpoint!r}; expected {sorted(FAULT_ENDPOINTS)}")
        if times is None:
            times = 0 if kind == "daily_limit" else 1
        elif times < 1:
            raise ValueError("times must be at least 1")
        after = int(params.pop("after", 0))
        self._faults.add(_Fault(kind, endpoint, times or None, after, params))

    def clear_faults(self) -> None:
        self._faults.clear()

    def reset_stats(self) -> None:
        """Zero the counters in place (holders of ``stats`` see the reset)."""
        with self._lock:
            stats = self.stats
            stats.requests.clear()
            stats.statuses.clear()
            stats.tokens_issued.clear()
            stats.log.clear()
            stats.peak_concurrency = stats.in_flight

    def _begin(self, endpoint: str) -> None:
        with self._lock:
            self.stats.requests[endpoint] += 1
            if endpoint in REPORT_ENDPOINTS:
                self.stats.in_flight += 1
                self.stats.peak_concurrency = max(self.stats.peak_concurrency, self.stats.in_flight)

    def _finish(self, endpoint: str, record: RequestRecord, line: str) -> None:
        # Recorded before the bytes go out, so a client that got its answer sees the count.
        with self._lock:
            self.stats.statuses[(endpoint, record.status)] += 1
            self.stats.log.append(record)
            if endpoint in REPORT_ENDPOINTS:
                self.stats.in_flight -= 1
        if self.verbose:
            print(line, file=sys.stderr, flush=True)

    # ----------------------------------------------------------------- request handling

    def _handle(self, method: str, target: str, headers: Headers, body: bytes) -> _Reply:
        url = urlsplit(target)
        if url.path.startswith("/_emulator/"):
            reply = self._control(method, url.path)
            reply.tracking_id = _tracking_id()
            return reply
        endpoint = _PATHS.get(url.path, "other")
        params = {k: v[0] for k, v in parse_qs(url.query, keep_blank_values=True).items()}
        arrived = time.monotonic()
        self._begin(endpoint)
        try:
            reply = self._answer(method, endpoint, params, headers, body)
            if endpoint in REPORT_ENDPOINTS and self.latency > 0:
                time.sleep(self.latency)
        except Exception as exc:  # a bug must surface as a 500 the test can see, not a hang
            reply = _Reply(500, {"code": 500, "message": f"emulator error: {exc!r}"})
        reply.tracking_id = _tracking_id()
        record = RequestRecord(arrived, endpoint, params, reply.status, reply.tracking_id)
        self._finish(endpoint, record, f"{method} {target} -> {reply.status}")
        return reply

    def _control(self, method: str, path: str) -> _Reply:
        if method == "GET" and path == "/_emulator/stats":
            with self._lock:
                return _Reply(200, self.stats.as_json())
        if method == "POST" and path == "/_emulator/reset_stats":
            self.reset_stats()
            return _Reply(200, {"reset": True})
        return _Reply(404, {"code": 404, "message": "Not found."})

    def _answer(
        self,
        method: str,
        endpoint: str,
        params: dict[str, str],
        headers: Headers,
        body: bytes,
    ) -> _Reply:
        expected = "POST" if endpoint == "token" else "GET"
        if endpoint == "other":
            return _Reply(404, {"code": 404, "message": "Not found."})
        if method != expected:
            return _Reply(405, {"code": 405, "message": "Method not allowed."})
        fault = self._faults.take(endpoint, bool(params.get("next_page_token")))
        scope = _REPORTS[endpoint].scope if endpoint in _REPORTS else None
        early = self._early_fault(fault, scope, params)
        if early is not None:
            return early
        if endpoint == "token":
            reply = self._oauth(params, headers, body, fault)
        else:
            reply = self._report(_REPORTS[endpoint], params, headers)
        return self._late_fault(fault, reply, endpoint)

    def _early_fault(
        self, fault: _Fault | None, scope: str | None, params: Mapping[str, str]
    ) -> _Reply | None:
        """Faults that replace the answer, or that change state before it is computed."""
        if fault is None:
            return None
        kind, options = fault.kind, fault.params
        if kind == "revoke_token":
            self._tokens.revoke_all()
        elif kind == "slow":
            time.sleep(float(options.get("delay", 5)))
        elif kind == "expire_page_token":
            self._pages.drop(params.get("next_page_token", ""))
            return _validation(PAGE_CURSOR_REFUSED).reply()
        elif kind == "missing_scope" and scope is not None:
            return _scope_error(scope).reply()
        return self._refusal(kind, options)

    def _refusal(self, kind: str, options: Mapping[str, Any]) -> _Reply | None:
        if kind == "server_error":
            return _html_error(int(options.get("status", 503)))
        if kind == "reset":
            return _Reply(0, reset=True)
        if kind == "daily_limit":
            return _daily_reply()
        if kind == "no_permission":
            return _ApiError(400, 200, "No permission.").reply()
        if kind == "rate_limit":
            style = str(options.get("retry_after", "seconds"))
            retry = _retry_after(style, float(options.get("seconds", 1)))
            return _per_second_reply(
                retry, self._limiter.limit if self._limiter.per_second else "10"
            )
        return None

    def _late_fault(self, fault: _Fault | None, reply: _Reply, endpoint: str) -> _Reply:
        """Faults that spoil an otherwise normal answer."""
        if fault is None:
            return reply
        if fault.kind == "truncated":
            reply.truncate = True
        elif fault.kind == "missing_key" and reply.status == 200:
            key = _REPORTS[endpoint].stream if endpoint in _REPORTS else "access_token"
            reply.payload.pop(key, None)
        return reply

    # ----------------------------------------------------------------- endpoints

    def _oauth(
        self,
        params: Mapping[str, str],
        headers: Headers,
        body: bytes,
        fault: _Fault | None,
    ) -> _Reply:
        credentials = _basic_credentials(headers.get("Authorization"))
        if credentials is None or not (
            _same(credentials[0], self.client_id) and _same(credentials[1], self.client_secret)
        ):
            return self._invalid_client()
        form = {k: v[0] for k, v in parse_qs(body.decode("utf-8", "replace")).items()}
        if form.get("grant_type") != "account_credentials":
            # Also what Zoom now answers when the parameters come in the query string.
            return _Reply(
                400, {"reason": "unsupported grant type", "error": "unsupported_grant_type"}
            )
        if not _same(form.get("account_id", ""), self.account_id):
            return self._invalid_client()
        # A "missing_scope" fault on the token endpoint issues a token without report scopes.
        scopes = frozenset() if fault and fault.kind == "missing_scope" else frozenset(self.scopes)
        token = self._tokens.issue(scopes)
        with self._lock:
            self.stats.tokens_issued.append(token)
        payload = {
            "access_token": token,
            "token_type": "bearer",
            "expires_in": self.token_ttl,
            "scope": " ".join(sorted(scopes, key=self.scopes.index)),
            "api_url": self.base_url,
        }
        return _Reply(200, payload)

    @staticmethod
    def _invalid_client() -> _Reply:
        return _Reply(
            400, {"reason": "Invalid client_id or client_secret", "error": "invalid_client"}
        )

    def _report(self, report: _Report, params: Mapping[str, str], headers: Headers) -> _Reply:
        try:
            self._authorize(report, headers)
            admitted, number = self._limiter.admit()
            if not admitted:
                return _per_second_reply(str(number), self._limiter.limit)
            query = _parse_query(report, params, self.now.date())
            offset = self._pages.offset(query, params.get("next_page_token", ""))
        except _ApiError as error:
            return error.reply()
        rows, more = self._data.page(report.stream, query, offset)
        payload: dict[str, Any] = {
            "from": query.first.isoformat(),
            "to": query.last.isoformat(),
            "page_size": query.page_size,
        }
        if more:
            payload["next_page_token"] = self._pages.issue(query, offset + len(rows))
        elif self._pages.last_page_has_empty_token():
            payload["next_page_token"] = ""
        payload[report.stream] = rows
        return _Reply(200, payload, headers=self._rate_headers(number))

    def _authorize(self, report: _Report, headers: Headers) -> None:
        scopes = self._tokens.scopes(_bearer(headers.get("Authorization")))
        if scopes is None:
            raise _ApiError(401, INVALID_TOKEN_CODE, "Invalid access token.")
        if report.scope not in scopes and CLASSIC_SCOPE not in scopes:
            raise _scope_error(report.scope)

    def _rate_headers(self, remaining: int) -> dict[str, str]:
        headers = {"X-RateLimit-Category": "Heavy"}
        if self._limiter.per_second is not None:
            headers["X-RateLimit-Limit"] = self._limiter.limit
            headers["X-RateLimit-Remaining"] = str(remaining)
        return headers


# --------------------------------------------------------------------------- CLI


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m tap_zoom_logs.sandbox",
        description="Serve an emulated Zoom report API on 127.0.0.1 until SIGTERM/SIGINT.",
    )
    parser.add_argument("--port", type=int, default=8765, help="0 picks a free port")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--history-days", type=int, default=40)
    parser.add_argument("--entries-per-day", type=int, default=40)
    parser.add_argument("--latency", type=float, default=0.0, help="seconds per report request")
    parser.add_argument("--rate-limit", type=float, default=0.0, help="per second; 0 = none")
    parser.add_argument("--config-out", help="write the tap config JSON to this path")
    parser.add_argument("--verbose", action="store_true", help="one line per request on stderr")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = _parse_args(argv)
    emulator = ZoomEmulator(
        seed=args.seed,
        history_days=args.history_days,
        entries_per_day=args.entries_per_day,
        rate_limit_per_second=args.rate_limit or None,
        latency=args.latency,
        port=args.port,
        verbose=args.verbose,
    )
    stopping = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stopping.set())
    with emulator:
        config = emulator.tap_config()
        if args.config_out:
            with open(args.config_out, "w", encoding="utf-8") as handle:
                json.dump(config, handle, indent=2)
        print(json.dumps(config), flush=True)  # one line: a parent process reads it
        while not stopping.wait(0.2):
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
