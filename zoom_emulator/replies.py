"""Answers as data (status, body, headers) and the fixed ones: HTML errors, 429s."""

from __future__ import annotations

import email.message
import email.utils
import json
import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from http import HTTPStatus
from typing import Any

from .common import (
    DAILY_MESSAGE,
    PER_SECOND_MESSAGE,
    TIME_FORMAT,
)

# --------------------------------------------------------------------------- replies


@dataclass
class Reply:
    status: int
    payload: Any = None
    body: bytes = b""
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)
    truncate: bool = False
    #: Bytes a second the body is written at (0: at once).
    drip: float = 0.0
    reset: bool = False
    tracking_id: str = ""

    @property
    def ok(self) -> bool:
        """A normal answer: 200 with a JSON object (what most faults spoil)."""
        return self.status == 200 and isinstance(self.payload, dict)

    def encoded(self) -> bytes:
        if self.payload is None:
            return self.body
        # Raw UTF-8 (not \u escapes), so the client's decoding is exercised too.
        return json.dumps(self.payload, ensure_ascii=False, separators=(",", ":")).encode()


def html_error(status: int) -> Reply:
    """What a load balancer in front of Zoom answers: HTML, not JSON."""
    title = f"{status} {HTTPStatus(status).phrase}"
    body = f"<html><head><title>{title}</title></head><body><h1>{title}</h1></body></html>"
    return Reply(status, body=body.encode(), content_type="text/html")


def retry_after(style: str, seconds: float) -> str | None:
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


def per_second_reply(retry_after: str | None, limit: str, category: str = "Heavy") -> Reply:
    headers = {"X-RateLimit-Category": category, "X-RateLimit-Limit": limit}
    headers["X-RateLimit-Remaining"] = "0"
    if retry_after is not None:
        headers["Retry-After"] = retry_after
    return Reply(429, {"code": 429, "message": PER_SECOND_MESSAGE}, headers=headers)


def daily_reply() -> Reply:
    # The quota resets at 00:00 UTC of the real clock, whatever the emulator's data `now`.
    tomorrow = datetime.now(timezone.utc).date() + timedelta(days=1)
    headers = {
        "X-RateLimit-Type": "Daily-limit",
        "X-RateLimit-Category": "Heavy",
        "X-RateLimit-Remaining": "0",
        "Retry-After": f"{tomorrow.isoformat()}T00:00:00Z",
    }
    return Reply(429, {"code": 429, "message": DAILY_MESSAGE}, headers=headers)
