"""Server-side state with lifetimes: access tokens, page tokens, the per-second limit."""

from __future__ import annotations

import collections
import math
import secrets
import threading
import time
from dataclasses import dataclass

from .common import (
    PAGE_CURSOR_REFUSED,
    opaque_token,
)
from .dataset import Segment
from .endpoints import Query, validation_error

#: A window pinned by snapshot paging, or None (offsets into the live window).
Pinned = tuple[Segment, ...] | None


@dataclass
class _Token:
    scopes: frozenset[str]
    expires_at: float


class Tokens:
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


class PageTokens:
    """Opaque next_page_tokens, each bound to its query and valid for ``ttl`` seconds.

    A token holds an offset into the window's newest-first list, and, with snapshot paging,
    the window as its first page saw it (``pinned``): later pages then ignore arrivals.
    """

    def __init__(self, ttl: float) -> None:
        self._ttl = ttl
        self._lock = threading.Lock()
        self._tokens: dict[str, tuple[Query, int, float, Pinned]] = {}
        self._last_pages = 0

    def issue(self, query: Query, offset: int, pinned: Pinned = None) -> str:
        token = opaque_token()
        with self._lock:
            if len(self._tokens) > 10_000:  # benchmarks page a lot: forget expired ones
                self._forget_expired()
            self._tokens[token] = (query, offset, time.monotonic(), pinned)
        return token

    def _forget_expired(self) -> None:
        oldest = time.monotonic() - self._ttl
        self._tokens = {k: v for k, v in self._tokens.items() if v[2] >= oldest}

    def offset(self, query: Query, token: str) -> tuple[int, Pinned]:
        if not token:
            return 0, None
        with self._lock:
            found = self._tokens.get(token)
        if found is None or found[0] != query or time.monotonic() - found[2] > self._ttl:
            raise validation_error(PAGE_CURSOR_REFUSED)
        return found[1], found[3]

    def drop(self, token: str) -> None:
        with self._lock:
            self._tokens.pop(token, None)

    def last_page_has_empty_token(self) -> bool:
        """Alternates, so clients meet both forms of the last page: "" and no key."""
        with self._lock:
            self._last_pages += 1
            return self._last_pages % 2 == 1


class DailyQuota:
    """An account's daily quota of one API family (None: unlimited)."""

    def __init__(self, quota: int | None) -> None:
        self.quota = quota
        self._used = 0
        self._lock = threading.Lock()

    def take(self) -> int | None:
        """One request: what is left after it (-1: the quota was spent), None if unlimited."""
        if self.quota is None:
            return None
        with self._lock:
            if self._used >= self.quota:
                return -1
            self._used += 1
            return self.quota - self._used

    def reset(self) -> None:
        with self._lock:
            self._used = 0


class RateLimiter:
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
