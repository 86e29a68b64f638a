"""Queued faults: which request a fault hits, and how its count is used up."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from .common import (
    REPORT_ENDPOINTS,
)

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
