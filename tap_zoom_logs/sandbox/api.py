"""The report endpoints' rules: paths, scopes, parameters and their validation."""

from __future__ import annotations

import re
import secrets
from base64 import b64decode
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from .common import (
    ACTIVITY_SCOPE,
    CATEGORY_LABELS,
    DEFAULT_PAGE_SIZE,
    MAX_PAGE_SIZE,
    MISSING_SCOPE_CODE,
    OPERATION_SCOPE,
    VALIDATION_CODE,
    _add_months,
)
from .replies import _Reply

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
