"""What the emulator answers a request: the token endpoint, the reports, and the faults.

``_Responder`` is the request-handling half of ZoomEmulator (which sets up its state); the
HTTP layer calls ``_handle`` and writes the returned reply.
"""

from __future__ import annotations

import json
import sys
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

from .api import (
    _PATHS,
    _REPORTS,
    _ApiError,
    _basic_credentials,
    _bearer,
    _parse_query,
    _Query,
    _Report,
    _same,
    _scope_error,
    _validation,
)
from .common import (
    INVALID_TOKEN_CODE,
    NO_AUDIT_TRAIL_MESSAGE,
    NO_PERMISSION_CODE,
    PAGE_CURSOR_REFUSED,
    REPORT_ENDPOINTS,
    Headers,
    _tracking_id,
)
from .data import TEXT_FIELDS, TIME_FIELDS
from .dataset import Segment, _Dataset, in_order, page_of
from .faults import _Fault, _Faults, echo_reply, redirect_location, redirect_reply
from .replies import _daily_reply, _html_error, _per_second_reply, _Reply, _retry_after
from .state import Pinned, _DailyQuota, _PageTokens, _RateLimiter, _Tokens
from .stats import EmulatorStats, RequestRecord


@dataclass
class _Request:
    method: str
    target: str  # path and query string, as sent
    endpoint: str
    params: dict[str, str]
    headers: Headers
    body: bytes


class _Responder:
    """Request handling; ZoomEmulator.__init__ sets every attribute declared here."""

    now: datetime
    account_id: str
    client_id: str
    client_secret: str
    scopes: tuple[str, ...]
    latency: float
    token_ttl: int
    verbose: bool
    paging: str
    order: str
    refuse_future_to: bool
    refuse_page_size: tuple[str, ...]
    day_cut_utc_offset: float
    meeting_audit_trail: bool
    max_page_size: int | None
    stats: EmulatorStats
    _lock: threading.Lock
    _data: _Dataset
    _tokens: _Tokens
    _pages: _PageTokens
    _limiters: dict[str, _RateLimiter]
    _quotas: dict[str, _DailyQuota]
    _faults: _Faults

    @property
    def base_url(self) -> str:
        raise NotImplementedError

    # ----------------------------------------------------------------- counting

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

    # ----------------------------------------------------------------- dispatch

    def _handle(self, method: str, target: str, headers: Headers, body: bytes) -> _Reply:
        url = urlsplit(target)
        if url.path.startswith("/_emulator/"):
            reply = self._control(method, url.path)
            reply.tracking_id = _tracking_id()
            return reply
        endpoint = _PATHS.get(url.path, "other")
        params = {k: v[0] for k, v in parse_qs(url.query, keep_blank_values=True).items()}
        request = _Request(method, target, endpoint, params, headers, body)
        arrived = time.monotonic()
        self._begin(endpoint)
        try:
            reply = self._answer(request)
            if endpoint in REPORT_ENDPOINTS and self.latency > 0:
                time.sleep(self.latency)
        except Exception as exc:  # a bug must surface as a 500 the test can see, not a hang
            reply = _Reply(500, {"code": 500, "message": f"emulator error: {exc!r}"})
        reply.tracking_id = _tracking_id()
        record = RequestRecord(arrived, endpoint, params, reply.status, reply.tracking_id)
        self._finish(endpoint, record, f"{method} {target} -> {reply.status}")
        return reply

    def reset_stats(self) -> None:
        """Zero the counters in place (holders of ``stats`` see the reset)."""
        with self._lock:
            stats = self.stats
            stats.requests.clear()
            stats.statuses.clear()
            stats.tokens_issued.clear()
            stats.log.clear()
            stats.peak_concurrency = stats.in_flight

    def _control(self, method: str, path: str) -> _Reply:
        if method == "GET" and path == "/_emulator/stats":
            with self._lock:
                return _Reply(200, self.stats.as_json())
        if method == "POST" and path == "/_emulator/reset_stats":
            self.reset_stats()
            return _Reply(200, {"reset": True})
        return _Reply(404, {"code": 404, "message": "Not found."})

    def _answer(self, request: _Request) -> _Reply:
        endpoint = request.endpoint
        if endpoint == "other":
            return _Reply(404, {"code": 404, "message": "Not found."})
        if request.method != ("POST" if endpoint == "token" else "GET"):
            return _Reply(405, {"code": 405, "message": "Method not allowed."})
        fault = self._faults.take(endpoint, bool(request.params.get("next_page_token")))
        report = _REPORTS.get(endpoint)
        early = self._early_fault(fault, request, report)
        if early is not None:
            return early
        if report is None:
            reply = self._oauth(request, fault)
        else:
            reply = self._report(report, request, fault)
        return self._late_fault(fault, reply, report)

    # ----------------------------------------------------------------- faults

    def _early_fault(
        self, fault: _Fault | None, request: _Request, report: _Report | None
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
            self._pages.drop(request.params.get("next_page_token", ""))
            return _validation(PAGE_CURSOR_REFUSED).reply()
        elif kind == "missing_scope" and report is not None:
            return _scope_error(report.scope).reply()
        elif kind == "redirect":
            where = redirect_location(str(options.get("location", "same")), request.target, "")
            if where.startswith("/"):  # "same": this emulator's own URL
                where = self.base_url + where
            return redirect_reply(int(options.get("status", 302)), where)
        elif kind == "echo_credentials":
            return self._echo(request, int(options.get("status", 400)))
        limiter = self._limiters[report.limiter if report else "report"]
        return self._refusal(kind, options, limiter)

    @staticmethod
    def _refusal(kind: str, options: Mapping[str, Any], limiter: _RateLimiter) -> _Reply | None:
        if kind == "server_error":
            return _html_error(int(options.get("status", 503)))
        if kind == "reset":
            return _Reply(0, reset=True)
        if kind == "daily_limit":
            return _daily_reply()
        if kind == "no_permission":
            return _ApiError(400, NO_PERMISSION_CODE, "No permission.").reply()
        if kind == "rate_limit":
            style = str(options.get("retry_after", "seconds"))
            retry = _retry_after(style, float(options.get("seconds", 1)))
            return _per_second_reply(retry, limiter.limit if limiter.per_second else "10")
        return None

    @staticmethod
    def _echo(request: _Request, status: int) -> _Reply:
        authorization = request.headers.get("Authorization")
        secret = None
        if request.endpoint == "token":
            credentials = _basic_credentials(authorization)
            form = parse_qs(request.body.decode("utf-8", "replace"))
            secret = credentials[1] if credentials else form.get("client_secret", [None])[0]
        return echo_reply(status, authorization, secret)

    def _late_fault(self, fault: _Fault | None, reply: _Reply, report: _Report | None) -> _Reply:
        """Faults that spoil an otherwise normal answer, or act after it."""
        if fault is None:
            return reply
        ok = reply.status == 200 and isinstance(reply.payload, dict)
        if fault.kind == "truncated":
            reply.truncate = True
        elif fault.kind == "drip":
            reply.drip = float(fault.params.get("bytes_per_second", 2))
        elif fault.kind == "oversized" and ok:
            megabytes = float(fault.params.get("megabytes", 20))
            reply.payload["padding"] = "x" * int(megabytes * 1024 * 1024)
        elif fault.kind == "missing_key" and ok:
            reply.payload.pop(report.key if report else "access_token", None)
        elif fault.kind == "bad_time" and ok and report is not None:
            rows = reply.payload.get(report.key) or []
            index = int(fault.params.get("index", 0))
            if -len(rows) <= index < len(rows):
                spoiled = dict(rows[index])
                spoiled[TIME_FIELDS[report.stream]] = fault.params.get("value", "")
                if spoiled[TIME_FIELDS[report.stream]] is None:
                    del spoiled[TIME_FIELDS[report.stream]]
                rows[index] = spoiled
        elif fault.kind in ("bad_page_token", "nested", "lone_surrogate") and ok:
            _spoil_body(fault, reply, report)
        elif fault.kind == "arrive" and report is not None:
            self._data.arrive(report.stream, fault.params.get("entry"))
        return reply

    # ----------------------------------------------------------------- endpoints

    def _oauth(self, request: _Request, fault: _Fault | None) -> _Reply:
        credentials = _basic_credentials(request.headers.get("Authorization"))
        if credentials is None or not (
            _same(credentials[0], self.client_id) and _same(credentials[1], self.client_secret)
        ):
            return self._invalid_client()
        form = {k: v[0] for k, v in parse_qs(request.body.decode("utf-8", "replace")).items()}
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

    def _report(self, report: _Report, request: _Request, fault: _Fault | None) -> _Reply:
        params = request.params
        given = params.get("next_page_token", "")
        try:
            self._authorize(report, request.headers)
            refusal, number, left = self._admit(report)
            if refusal is not None:
                return refusal
            self._refuse_as_configured(report, params)
            query = _parse_query(report, params, self.now, self.day_cut_utc_offset)
            if self.refuse_future_to and query.last > self.now.date():
                raise _validation("The 'to' date cannot be in the future.")
            offset, pinned = self._pages.offset(query, given)
        except _ApiError as error:
            return error.reply()
        window = pinned if pinned is not None else self._served(report, query)
        keep: Pinned = window if self.paging == "snapshot" else None
        served = min(query.page_size, self.max_page_size or query.page_size)
        rows, more, total = page_of(window, offset, served)
        next_token = self._pages.issue(query, offset + len(rows), keep) if more else ""
        if fault is not None and fault.kind == "empty_pages":
            # Nothing, and a fresh token to the same place: a client must not loop forever.
            rows, next_token = [], self._pages.issue(query, offset, keep)
            total = int(fault.params.get("total_records", total))
        elif fault is not None and fault.kind == "ignore_page_token":
            # The first page again, whatever the token asked, and a fresh token after it.
            rows, more, total = page_of(window, 0, served)
            next_token = self._pages.issue(query, len(rows), keep) if more else ""
        elif fault is not None and fault.kind == "repeat_page_token":
            if fault.params.get("entries", "normal") == "empty":
                rows = []
            next_token = given or self._fixed_token(fault, query, keep)
        payload: dict[str, Any] = {}
        if report.echo_dates:
            payload["from"], payload["to"] = query.first.isoformat(), query.last.isoformat()
        payload["page_size"] = query.page_size
        if report.total:
            payload["total_records"] = total
        if next_token:
            payload["next_page_token"] = next_token
        elif self._pages.last_page_has_empty_token():
            payload["next_page_token"] = ""
        payload[report.key] = rows
        return _Reply(200, payload, headers=self._rate_headers(report, number, left))

    def _refuse_as_configured(self, report: _Report, params: dict[str, str]) -> None:
        """Refusals of this account (no audit trail) or of this Zoom (no page_size)."""
        if report.name == "meeting_activities" and not self.meeting_audit_trail:
            raise _ApiError(400, NO_PERMISSION_CODE, NO_AUDIT_TRAIL_MESSAGE)
        if report.name in self.refuse_page_size and "page_size" in params:
            raise _validation("Invalid field: 'page_size' is not a parameter of this API.")

    def _served(self, report: _Report, query: _Query) -> tuple[Segment, ...]:
        """The window's entries in the order this emulator serves them."""
        return in_order(self._data.window(report.stream, query), self.order, str(query))

    def _fixed_token(self, fault: _Fault, query: _Query, keep: Pinned) -> str:
        """The one token a repeat_page_token fault hands out on first pages (per query): it
        leads to the first page again."""
        tokens: dict[_Query, str] = fault.params.setdefault("_tokens", {})
        if query not in tokens:
            tokens[query] = self._pages.issue(query, 0, keep)
        return tokens[query]

    def _authorize(self, report: _Report, headers: Headers) -> None:
        scopes = self._tokens.scopes(_bearer(headers.get("Authorization")))
        if scopes is None:
            raise _ApiError(401, INVALID_TOKEN_CODE, "Invalid access token.")
        if report.scope not in scopes and report.classic not in scopes:
            raise _scope_error(report.scope)

    def _admit(self, report: _Report) -> tuple[_Reply | None, int, int | None]:
        """(a refusal or None, what is left of this second, what is left of the day)."""
        limiter = self._limiters[report.limiter]
        admitted, number = limiter.admit()
        if not admitted:
            return _per_second_reply(str(number), limiter.limit), 0, None
        left = self._quotas[report.limiter].take()
        if left is not None and left < 0:
            return _daily_reply(), 0, None
        return None, number, left

    def _rate_headers(self, report: _Report, remaining: int, left: int | None) -> dict[str, str]:
        limiter = self._limiters[report.limiter]
        headers = {"X-RateLimit-Category": "Heavy"}
        if left is not None:  # a daily quota: the headers say what is left of the day
            headers["X-RateLimit-Limit"] = str(self._quotas[report.limiter].quota)
            headers["X-RateLimit-Remaining"] = str(left)
        elif limiter.per_second is not None:
            headers["X-RateLimit-Limit"] = limiter.limit
            headers["X-RateLimit-Remaining"] = str(remaining)
        return headers


def _spoil_body(fault: _Fault, reply: _Reply, report: _Report | None) -> None:
    """Faults that make a normal answer's JSON odd: a page token that is not text, a field
    nested too deep to read, a lone surrogate escape."""
    if fault.kind == "bad_page_token":
        reply.payload["next_page_token"] = fault.params.get("value", {"offset": 300})
    elif fault.kind == "nested":
        # Written by hand: json.dumps itself cannot go 5,000 deep.
        depth = int(fault.params.get("depth", 5000))
        text = reply.encoded()
        reply.body = text[:-1] + b',"nested":' + b"[" * depth + b"]" * depth + b"}"
        reply.payload = None
    elif fault.kind == "lone_surrogate" and report is not None:
        rows = reply.payload.get(report.key) or []
        if rows:
            field = str(fault.params.get("field", TEXT_FIELDS[report.stream]))
            rows[0] = {**rows[0], field: f"{rows[0].get(field) or ''}\ud83d"}
        # Escaped, as JSON allows: a lone surrogate has no UTF-8 form.
        reply.body = json.dumps(reply.payload, separators=(",", ":")).encode()
        reply.payload = None
