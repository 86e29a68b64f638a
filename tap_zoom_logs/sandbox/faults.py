"""Queued faults: which request a fault hits, how its count is used up, and the answers of
the faults that are more than a fixed status (redirects, echoed credentials)."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from .common import REPORT_ENDPOINTS, VALIDATION_CODE
from .replies import _Reply

#: Faults about report entries or pages: meaningless on the token endpoint.
REPORT_ONLY = frozenset(
    {
        "arrive",
        "bad_time",
        "repeat_page_token",
        "empty_pages",
        "ignore_page_token",
        "bad_page_token",
        "lone_surrogate",
    }
)
FAULT_KINDS = REPORT_ONLY | {
    "server_error",
    "reset",
    "truncated",
    "drip",
    "oversized",
    "nested",
    "missing_key",
    "slow",
    "rate_limit",
    "daily_limit",
    "revoke_token",
    "expire_page_token",
    "missing_scope",
    "no_permission",
    # a broken Zoom
    "redirect",
    "echo_credentials",
}
#: Faults that only a request with a next_page_token can meet.
PAGE_TOKEN_ONLY = frozenset({"expire_page_token", "ignore_page_token"})
FAULT_ENDPOINTS = frozenset({"report", "token", *REPORT_ENDPOINTS})
ENTRIES = ("normal", "empty")  # what a repeat_page_token page holds
REDIRECT_HOSTS = {"http": "http://api.zoom.example", "other": "https://other.example"}


@dataclass
class _Fault:
    kind: str
    endpoint: str
    remaining: int | None  # None: until clear_faults()
    after: int
    params: dict[str, Any]

    def matches(self, endpoint: str, has_page_token: bool) -> bool:
        if self.kind in PAGE_TOKEN_ONLY and not has_page_token:
            return False
        if self.endpoint == "report":
            return endpoint in REPORT_ENDPOINTS
        return self.endpoint == endpoint


def make_fault(kind: str, times: int | None, endpoint: str, params: dict[str, Any]) -> _Fault:
    """A fault as ``ZoomEmulator.inject`` takes it, checked."""
    if kind not in FAULT_KINDS:
        raise ValueError(f"unknown fault {kind!r}; expected one of {sorted(FAULT_KINDS)}")
    if endpoint not in FAULT_ENDPOINTS:
        raise ValueError(f"unknown endpoint {endpoint!r}; expected {sorted(FAULT_ENDPOINTS)}")
    if kind in REPORT_ONLY and endpoint == "token":
        raise ValueError(f"fault {kind!r} is about report pages; not for the token endpoint")
    if kind == "redirect":  # checked now, not when it fires (that would answer a 500)
        redirect_location(str(params.get("location", "same")), "/", "")
        redirect_reply(int(params.get("status", 302)), "/")
    if kind == "repeat_page_token" and params.get("entries", "normal") not in ENTRIES:
        raise ValueError(f"repeat_page_token entries must be one of {ENTRIES}")
    if times is None:
        times = 0 if kind == "daily_limit" else 1
    elif times < 1:
        raise ValueError("times must be at least 1")
    after = int(params.pop("after", 0))
    return _Fault(kind, endpoint, times or None, after, params)


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


def redirect_location(location: str, target: str, base_url: str) -> str:
    """Where a ``redirect`` fault sends the client: "same" (the URL it asked: a loop),
    "http" (the same path on plain http of a remote host), "other" (another https host), or
    a literal absolute URL."""
    if location == "same":
        return base_url + target
    if location in REDIRECT_HOSTS:
        return REDIRECT_HOSTS[location] + target
    if location.startswith(("http://", "https://")):
        return location
    raise ValueError(f"redirect location must be same, http, other or a URL, not {location!r}")


def redirect_reply(status: int, location: str) -> _Reply:
    if not 300 <= status < 400:
        raise ValueError(f"a redirect status is 3xx, not {status}")
    return _Reply(status, body=b"", content_type="text/html", headers={"Location": location})


def echo_reply(status: int, authorization: str | None, secret: str | None) -> _Reply:
    """The error a careless Zoom might give: quoting the request's credentials verbatim."""
    message = f"Invalid request: Authorization {authorization or '(none)'}"
    if secret is not None:
        message += f" for client secret {secret}"
    return _Reply(status, {"code": VALIDATION_CODE, "message": message})
