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

from .cli import main
from .common import ACTIVITY_SCOPE, CLASSIC_SCOPE, OPERATION_SCOPE, STREAMS
from .emulator import ZoomEmulator
from .stats import EmulatorStats, RequestRecord

__all__ = [
    "ACTIVITY_SCOPE",
    "CLASSIC_SCOPE",
    "OPERATION_SCOPE",
    "STREAMS",
    "EmulatorStats",
    "RequestRecord",
    "ZoomEmulator",
    "main",
]
