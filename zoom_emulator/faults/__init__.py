"""The faults the emulator injects on demand, one class each: its docstring says what it
does, its parameters, and it overrides the hooks it needs. Adding a fault is adding a class.

``ZoomEmulator.inject(kind, times=N, endpoint=..., after=K, **params)`` queues a fault for
the next N matching requests (``endpoint``: "report" for every report endpoint, one
endpoint's name, or "token"). A fault uses up a count only when it fires; ``after`` lets
K matching requests pass first; the first matching queued fault fires (one per request).

The hooks, called by the responder in this order:

- ``before(exchange)``: before the answer is computed: return a reply to answer instead,
  or change the server's state (revoke tokens, sleep) and return None;
- ``token_scopes(scopes)``: on the token endpoint, the scopes of the token issued now;
- ``shape(page, exchange)``: a report page being built (its rows, next token, total);
- ``after(reply, exchange)``: spoil an answer once computed, or act once it is computed.
"""

from __future__ import annotations

from typing import Any

from zoom_emulator.common import REPORT_ENDPOINTS

from .base import Fault, FaultQueue
from .headers import QuotaHeaders
from .orders import OldestPageFirst, SwapPages, WriteIntoPage
from .refusals import (
    DailyLimit,
    EchoCredentials,
    ExpirePageToken,
    MissingScope,
    NoPermission,
    RateLimit,
    Redirect,
    Reset,
    RevokeToken,
    ServerError,
    Slow,
)
from .spoilers import (
    Arrive,
    BadPageToken,
    BadTime,
    Drip,
    EmptyPages,
    IgnorePageToken,
    LoneSurrogate,
    MissingKey,
    Nested,
    Oversized,
    RepeatPageToken,
    Truncated,
)

__all__ = ["FAULTS", "Fault", "FaultQueue", "make_fault"]

#: An endpoint a fault may name besides each report's: every report endpoint, or the token.
ENDPOINT_GROUPS = ("report", "token")

FAULTS: dict[str, type[Fault]] = {
    fault.kind: fault
    for fault in (
        ServerError,
        Reset,
        RateLimit,
        DailyLimit,
        NoPermission,
        MissingScope,
        RevokeToken,
        Slow,
        ExpirePageToken,
        Redirect,
        EchoCredentials,
        Truncated,
        Drip,
        Oversized,
        MissingKey,
        Nested,
        BadTime,
        BadPageToken,
        LoneSurrogate,
        Arrive,
        EmptyPages,
        IgnorePageToken,
        RepeatPageToken,
        QuotaHeaders,
        OldestPageFirst,
        SwapPages,
        WriteIntoPage,
    )
}


def make_fault(kind: str, times: int | None, endpoint: str, params: dict[str, Any]) -> Fault:
    """A fault as ``ZoomEmulator.inject`` takes it, checked."""
    fault = FAULTS.get(kind)
    if fault is None:
        raise ValueError(f"unknown fault {kind!r}; expected one of {sorted(FAULTS)}")
    endpoints = (*ENDPOINT_GROUPS, *REPORT_ENDPOINTS)
    if endpoint not in endpoints:
        raise ValueError(f"unknown endpoint {endpoint!r}; expected {sorted(endpoints)}")
    if fault.report_only and endpoint == "token":
        raise ValueError(f"fault {kind!r} is about report pages; not for the token endpoint")
    fault.check(params)
    if times is None:
        times = fault.default_times
    elif times < 1:
        raise ValueError("times must be at least 1")
    after = int(params.pop("after", 0))
    return fault(endpoint, times, after, params)
