"""What a run has cost so far, in one object: counted where it happens (a retry, a token,
a first page read again, a request of an API family, the spools' disk, a report served out
of order), read by each stream's summary (output.py). Thread-safe: windows are fetched
concurrently."""

from __future__ import annotations

import copy
import threading
import typing as t
from collections import Counter
from dataclasses import dataclass, field


@dataclass
class RunStats:
    """The run's counters; a stream's share is the difference between two snapshots."""

    #: Retries by cause, and seconds slept on 429s.
    retries: t.Counter[str] = field(default_factory=Counter)
    rate_limit_wait: float = 0.0
    #: First pages read again to tell shifted pages from identical entries (paging.py).
    first_pages_again: int = 0
    #: Reports whose pages Zoom served out of newest-first order this run (paging.py).
    out_of_order: set[str] = field(default_factory=set)
    token_requests: int = 0
    #: Requests sent per API family, and the day's quota Zoom last said is left.
    family_requests: t.Counter[str] = field(default_factory=Counter)
    quota_left: dict[str, int] = field(default_factory=dict)
    spool_peak_disk: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def retried(self, cause: str, delay: float = 0.0) -> None:
        with self._lock:
            self.retries[cause] += 1
            if cause.startswith("rate limit"):
                self.rate_limit_wait += delay

    def read_first_page_again(self) -> None:
        with self._lock:
            self.first_pages_again += 1

    def served_out_of_order(self, report: str) -> bool:
        """Note that `report`'s pages came out of order: whether it is the first time."""
        with self._lock:
            first = report not in self.out_of_order
            self.out_of_order.add(report)
            return first

    def requested_token(self) -> None:
        with self._lock:
            self.token_requests += 1

    def requested(self, family: str) -> None:
        with self._lock:
            self.family_requests[family] += 1

    def quota_reported(self, family: str, left: int) -> None:
        with self._lock:
            self.quota_left[family] = left

    def spooled_on_disk(self, on_disk: int) -> None:
        with self._lock:
            self.spool_peak_disk = max(self.spool_peak_disk, on_disk)

    def snapshot(self) -> RunStats:
        """A copy of the counters as they are now."""
        with self._lock:
            taken = copy.copy(self)
            taken.retries, taken.family_requests = self.retries.copy(), self.family_requests.copy()
            taken.quota_left = dict(self.quota_left)
            taken.out_of_order = set(self.out_of_order)
        taken._lock = threading.Lock()
        return taken
