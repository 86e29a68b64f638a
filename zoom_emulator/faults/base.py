"""What a fault is to the emulator: the base class whose hooks the responder calls, and the
queue of faults waiting for their requests (the kinds: refusals.py and spoilers.py)."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from zoom_emulator.common import REPORT_ENDPOINTS

if TYPE_CHECKING:
    from zoom_emulator.replies import Reply
    from zoom_emulator.responder import Exchange, Page

__all__ = ["Fault", "FaultQueue"]


class Fault:
    """A fault queued for matching requests; see the module docstring for the hooks."""

    kind: ClassVar[str]
    #: About report entries or pages: meaningless on the token endpoint.
    report_only: ClassVar[bool] = False
    #: Only a request with a next_page_token can meet it.
    page_token_only: ClassVar[bool] = False
    #: How many requests it lasts when `times` is not given (None: until clear_faults()).
    default_times: ClassVar[int | None] = 1

    def __init__(
        self, endpoint: str, remaining: int | None, after: int, params: dict[str, Any]
    ) -> None:
        self.endpoint = endpoint
        self.remaining = remaining
        self.after_requests = after
        self.params = params

    @classmethod
    def check(cls, params: dict[str, Any]) -> None:
        """Refuse parameters that would only fail when the fault fires (as a 500)."""

    def matches(self, endpoint: str, has_page_token: bool) -> bool:
        if self.page_token_only and not has_page_token:
            return False
        if self.endpoint == "report":
            return endpoint in REPORT_ENDPOINTS
        return self.endpoint == endpoint

    def before(self, exchange: Exchange) -> Reply | None:
        return None

    def token_scopes(self, scopes: frozenset[str]) -> frozenset[str]:
        return scopes

    def shape(self, page: Page, exchange: Exchange) -> None:
        return None

    def after(self, reply: Reply, exchange: Exchange) -> Reply:
        return reply


@dataclass
class FaultQueue:
    """Queued faults; the first matching one fires, and only firing uses up a count."""

    _queue: list[Fault] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, fault: Fault) -> None:
        with self._lock:
            self._queue.append(fault)

    def clear(self) -> None:
        with self._lock:
            self._queue.clear()

    def take(self, endpoint: str, has_page_token: bool) -> Fault | None:
        with self._lock:
            for fault in self._queue:
                if not fault.matches(endpoint, has_page_token):
                    continue
                if fault.after_requests > 0:  # this request passes; the fault waits its turn
                    fault.after_requests -= 1
                    continue
                if fault.remaining is not None:
                    fault.remaining -= 1
                    if fault.remaining <= 0:
                        self._queue.remove(fault)
                return fault
        return None
