"""What the emulator counts: one record per request, and the counters clients read."""

from __future__ import annotations

import collections
from dataclasses import dataclass, field
from typing import Any

from .common import (
    REPORT_ENDPOINTS,
)


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
