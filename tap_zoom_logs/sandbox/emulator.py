"""ZoomEmulator: the token endpoint and the report endpoints, wired together."""

from __future__ import annotations

import ssl
import sys
import threading
import time
from collections.abc import Mapping
from datetime import date, datetime, timezone
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, urlsplit

from . import server as http_layer
from .api import (
    _PATHS,
    _REPORTS,
    _ApiError,
    _basic_credentials,
    _bearer,
    _parse_query,
    _Report,
    _same,
    _scope_error,
    _validation,
)
from .common import (
    ACTIVITY_SCOPE,
    CLASSIC_SCOPE,
    INVALID_TOKEN_CODE,
    OPERATION_SCOPE,
    PAGE_CURSOR_REFUSED,
    REPORT_ENDPOINTS,
    STREAMS,
    Headers,
    _instant,
    _stamp,
    _tracking_id,
    _utc,
)
from .data import _check_stream
from .dataset import _Dataset
from .faults import FAULT_ENDPOINTS, FAULT_KINDS, _Fault, _Faults
from .replies import _daily_reply, _html_error, _per_second_reply, _Reply, _retry_after
from .state import _PageTokens, _RateLimiter, _Tokens
from .stats import EmulatorStats, RequestRecord

# --------------------------------------------------------------------------- emulator


class ZoomEmulator:
    """Zoom's OAuth token endpoint and the two report endpoints, on loopback.

    Data is deterministic from ``seed`` and generated lazily per (stream, UTC day).
    ``now`` is fixed at construction: it bounds today's data; token and page-token
    lifetimes, the per-second limit and Retry-After values use the real clocks.
    """

    def __init__(
        self,
        *,
        seed: int = 0,
        history_days: int = 40,
        entries_per_day: int = 40,
        rate_limit_per_second: float | None = None,
        latency: float = 0.0,
        token_ttl: int = 3600,
        page_token_ttl: float = 900.0,
        scopes: tuple[str, ...] = (ACTIVITY_SCOPE, OPERATION_SCOPE),
        account_id: str = "emulated-account",
        client_id: str = "emulated-client-id",
        client_secret: str = "emulated-client-secret-9f3b2c1d",  # noqa: S107 - fake, loopback only
        ssl_context: ssl.SSLContext | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        now: datetime | None = None,
        verbose: bool = False,
    ) -> None:
        self.now = _utc(now or datetime.now(timezone.utc)).replace(microsecond=0)
        self.account_id, self.client_id, self.client_secret = account_id, client_id, client_secret
        self.scopes = tuple(scopes)
        self.latency = latency
        self.token_ttl = token_ttl
        self.verbose = verbose
        self.stats = EmulatorStats()
        self._lock = threading.Lock()
        self._data = _Dataset(seed, history_days, entries_per_day, self.now)
        self._tokens = _Tokens(token_ttl)
        self._pages = _PageTokens(page_token_ttl)
        self._limiter = _RateLimiter(rate_limit_per_second)
        self._faults = _Faults()
        self._ssl = ssl_context
        self._host, self._port = host, port
        self._server: http_layer._Server | None = None
        self._thread: threading.Thread | None = None

    # ----------------------------------------------------------------- lifecycle

    def _bind(self) -> http_layer._Server:
        if self._server is None:
            self._server = http_layer._Server((self._host, self._port), self, self._ssl)
            self._port = self._server.server_address[1]  # a restart keeps the same URL
        return self._server

    def start(self) -> ZoomEmulator:
        """Serve in a daemon thread; returns self so ``ZoomEmulator().start()`` chains."""
        server = self._bind()
        if self._thread is None:
            self._thread = threading.Thread(
                target=server.serve_forever,
                kwargs={"poll_interval": 0.05},
                name=f"zoom-emulator-{self._port}",
                daemon=True,
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        server, thread = self._server, self._thread
        if server is None:
            return
        if thread is not None:
            server.shutdown()
            thread.join()
        server.close_connections()
        server.server_close()
        self._server, self._thread = None, None

    def __enter__(self) -> ZoomEmulator:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        """scheme://host:port, what the token answer gives as ``api_url``."""
        self._bind()
        if self._ssl is not None:
            return f"https://localhost:{self._port}"  # a certificate names localhost, not an IP
        return f"http://{self._host}:{self._port}"

    @property
    def api_url(self) -> str:
        return f"{self.base_url}/v2"

    @property
    def oauth_url(self) -> str:
        return f"{self.base_url}/oauth/token"

    # ----------------------------------------------------------------- data access

    def tap_config(self, **overrides: Any) -> dict[str, Any]:
        """Settings that point the tap at this emulator, from the oldest day with data to now."""
        config: dict[str, Any] = {
            "account_id": self.account_id,
            "client_id": self.client_id,
            "client_secret": self.client_secret,
            "api_url": self.api_url,
            "oauth_url": self.oauth_url,
            "start_date": f"{self._oldest_day_with_data().isoformat()}T00:00:00Z",
            "end_date": _stamp(self.now),
        }
        config.update(overrides)
        return config

    def _oldest_day_with_data(self) -> date:
        days = sorted({day for stream in STREAMS for day in self._data.known_days(stream)})
        for day in days:
            if any(self._data.ascending(stream, day) for stream in STREAMS):
                return day
        return days[0]

    def entries(self, stream: str) -> list[dict[str, Any]]:
        """Every entry of ``stream`` as served (missing fields absent), ascending time."""
        _check_stream(stream)
        return self._data.between(stream, "0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z")

    def truth(
        self, stream: str, start: str | date | datetime, end: str | date | datetime
    ) -> list[dict[str, Any]]:
        """Entries with start <= time <= end, ascending; a bare date as ``end`` means its end."""
        _check_stream(stream)
        return self._data.between(stream, _instant(start, end=False), _instant(end, end=True))

    def add_entry(self, stream: str, entry: dict[str, Any]) -> None:
        """A late entry: served from now on, on its day, after entries of the same second."""
        _check_stream(stream)
        self._data.add(stream, entry)

    # ----------------------------------------------------------------- faults and stats

    def inject(
        self, kind: str, *, times: int | None = None, endpoint: str = "report", **params: Any
    ) -> None:
        """Answer the next ``times`` matching requests with fault ``kind`` (see module doc).

        ``times`` defaults to 1, except for "daily_limit" which lasts until clear_faults()
        (a daily quota does not lift after one refusal). ``endpoint`` is "report" (either
        report endpoint), "activities", "operationlogs" or "token".
        """
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault {kind!r}; expected one of {sorted(FAULT_KINDS)}")
        if endpoint not in FAULT_ENDPOINTS:
            raise ValueError(f"unknown endpoint {endpoint!r}; expected {sorted(FAULT_ENDPOINTS)}")
        if times is None:
            times = 0 if kind == "daily_limit" else 1
        elif times < 1:
            raise ValueError("times must be at least 1")
        after = int(params.pop("after", 0))
        self._faults.add(_Fault(kind, endpoint, times or None, after, params))

    def clear_faults(self) -> None:
        self._faults.clear()

    def reset_stats(self) -> None:
        """Zero the counters in place (holders of ``stats`` see the reset)."""
        with self._lock:
            stats = self.stats
            stats.requests.clear()
            stats.statuses.clear()
            stats.tokens_issued.clear()
            stats.log.clear()
            stats.peak_concurrency = stats.in_flight

    def _begin(self, endpoint: str) -> None:
        with self._lock:
            self.stats.requests[endpoint] += 1
            if endpoint in REPORT_ENDPOINTS:
                self.stats.in_flight += 1
                self.stats.peak_concurrency = max(self.stats.peak_concurrency, self.stats.in_flight)

    def _finish(self, endpoint: str, record: RequestRecord, line: str) -> None:
        # Recorded before the bytes go out, so a client that got its answer sees the count.
        with self._lock:
            self.stats.statuses[(endpoint, record.status)] += 1
            self.stats.log.append(record)
            if endpoint in REPORT_ENDPOINTS:
                self.stats.in_flight -= 1
        if self.verbose:
            print(line, file=sys.stderr, flush=True)

    # ----------------------------------------------------------------- request handling

    def _handle(self, method: str, target: str, headers: Headers, body: bytes) -> _Reply:
        url = urlsplit(target)
        if url.path.startswith("/_emulator/"):
            reply = self._control(method, url.path)
            reply.tracking_id = _tracking_id()
            return reply
        endpoint = _PATHS.get(url.path, "other")
        params = {k: v[0] for k, v in parse_qs(url.query, keep_blank_values=True).items()}
        arrived = time.monotonic()
        self._begin(endpoint)
        try:
            reply = self._answer(method, endpoint, params, headers, body)
            if endpoint in REPORT_ENDPOINTS and self.latency > 0:
                time.sleep(self.latency)
        except Exception as exc:  # a bug must surface as a 500 the test can see, not a hang
            reply = _Reply(500, {"code": 500, "message": f"emulator error: {exc!r}"})
        reply.tracking_id = _tracking_id()
        record = RequestRecord(arrived, endpoint, params, reply.status, reply.tracking_id)
        self._finish(endpoint, record, f"{method} {target} -> {reply.status}")
        return reply

    def _control(self, method: str, path: str) -> _Reply:
        if method == "GET" and path == "/_emulator/stats":
            with self._lock:
                return _Reply(200, self.stats.as_json())
        if method == "POST" and path == "/_emulator/reset_stats":
            self.reset_stats()
            return _Reply(200, {"reset": True})
        return _Reply(404, {"code": 404, "message": "Not found."})

    def _answer(
        self,
        method: str,
        endpoint: str,
        params: dict[str, str],
        headers: Headers,
        body: bytes,
    ) -> _Reply:
        expected = "POST" if endpoint == "token" else "GET"
        if endpoint == "other":
            return _Reply(404, {"code": 404, "message": "Not found."})
        if method != expected:
            return _Reply(405, {"code": 405, "message": "Method not allowed."})
        fault = self._faults.take(endpoint, bool(params.get("next_page_token")))
        scope = _REPORTS[endpoint].scope if endpoint in _REPORTS else None
        early = self._early_fault(fault, scope, params)
        if early is not None:
            return early
        if endpoint == "token":
            reply = self._oauth(params, headers, body, fault)
        else:
            reply = self._report(_REPORTS[endpoint], params, headers)
        return self._late_fault(fault, reply, endpoint)

    def _early_fault(
        self, fault: _Fault | None, scope: str | None, params: Mapping[str, str]
    ) -> _Reply | None:
        """Faults that replace the answer, or that change state before it is computed."""
        if fault is None:
            return None
        kind, options = fault.kind, fault.params
        if kind == "revoke_token":
            self._tokens.revoke_all()
        elif kind == "slow":
            time.sleep(float(options.get("delay", 5)))
        elif kind == "expire_page_token":
            self._pages.drop(params.get("next_page_token", ""))
            return _validation(PAGE_CURSOR_REFUSED).reply()
        elif kind == "missing_scope" and scope is not None:
            return _scope_error(scope).reply()
        return self._refusal(kind, options)

    def _refusal(self, kind: str, options: Mapping[str, Any]) -> _Reply | None:
        if kind == "server_error":
            return _html_error(int(options.get("status", 503)))
        if kind == "reset":
            return _Reply(0, reset=True)
        if kind == "daily_limit":
            return _daily_reply()
        if kind == "no_permission":
            return _ApiError(400, 200, "No permission.").reply()
        if kind == "rate_limit":
            style = str(options.get("retry_after", "seconds"))
            retry = _retry_after(style, float(options.get("seconds", 1)))
            return _per_second_reply(
                retry, self._limiter.limit if self._limiter.per_second else "10"
            )
        return None

    def _late_fault(self, fault: _Fault | None, reply: _Reply, endpoint: str) -> _Reply:
        """Faults that spoil an otherwise normal answer."""
        if fault is None:
            return reply
        if fault.kind == "truncated":
            reply.truncate = True
        elif fault.kind == "missing_key" and reply.status == 200:
            key = _REPORTS[endpoint].stream if endpoint in _REPORTS else "access_token"
            reply.payload.pop(key, None)
        return reply

    # ----------------------------------------------------------------- endpoints

    def _oauth(
        self,
        params: Mapping[str, str],
        headers: Headers,
        body: bytes,
        fault: _Fault | None,
    ) -> _Reply:
        credentials = _basic_credentials(headers.get("Authorization"))
        if credentials is None or not (
            _same(credentials[0], self.client_id) and _same(credentials[1], self.client_secret)
        ):
            return self._invalid_client()
        form = {k: v[0] for k, v in parse_qs(body.decode("utf-8", "replace")).items()}
        if form.get("grant_type") != "account_credentials":
            # Also what Zoom now answers when the parameters come in the query string.
            return _Reply(
                400, {"reason": "unsupported grant type", "error": "unsupported_grant_type"}
            )
        if not _same(form.get("account_id", ""), self.account_id):
            return self._invalid_client()
        # A "missing_scope" fault on the token endpoint issues a token without report scopes.
        scopes = frozenset() if fault and fault.kind == "missing_scope" else frozenset(self.scopes)
        token = self._tokens.issue(scopes)
        with self._lock:
            self.stats.tokens_issued.append(token)
        payload = {
            "access_token": token,
            "token_type": "bearer",
            "expires_in": self.token_ttl,
            "scope": " ".join(sorted(scopes, key=self.scopes.index)),
            "api_url": self.base_url,
        }
        return _Reply(200, payload)

    @staticmethod
    def _invalid_client() -> _Reply:
        return _Reply(
            400, {"reason": "Invalid client_id or client_secret", "error": "invalid_client"}
        )

    def _report(self, report: _Report, params: Mapping[str, str], headers: Headers) -> _Reply:
        try:
            self._authorize(report, headers)
            admitted, number = self._limiter.admit()
            if not admitted:
                return _per_second_reply(str(number), self._limiter.limit)
            query = _parse_query(report, params, self.now.date())
            offset = self._pages.offset(query, params.get("next_page_token", ""))
        except _ApiError as error:
            return error.reply()
        rows, more = self._data.page(report.stream, query, offset)
        payload: dict[str, Any] = {
            "from": query.first.isoformat(),
            "to": query.last.isoformat(),
            "page_size": query.page_size,
        }
        if more:
            payload["next_page_token"] = self._pages.issue(query, offset + len(rows))
        elif self._pages.last_page_has_empty_token():
            payload["next_page_token"] = ""
        payload[report.stream] = rows
        return _Reply(200, payload, headers=self._rate_headers(number))

    def _authorize(self, report: _Report, headers: Headers) -> None:
        scopes = self._tokens.scopes(_bearer(headers.get("Authorization")))
        if scopes is None:
            raise _ApiError(401, INVALID_TOKEN_CODE, "Invalid access token.")
        if report.scope not in scopes and CLASSIC_SCOPE not in scopes:
            raise _scope_error(report.scope)

    def _rate_headers(self, remaining: int) -> dict[str, str]:
        headers = {"X-RateLimit-Category": "Heavy"}
        if self._limiter.per_second is not None:
            headers["X-RateLimit-Limit"] = self._limiter.limit
            headers["X-RateLimit-Remaining"] = str(remaining)
        return headers
