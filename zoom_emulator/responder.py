"""What the emulator answers a request: the token endpoint, the report endpoints, and the
faults queued for them (faults.py). The HTTP layer (server.py) calls `Responder.handle`
and writes the reply it returns."""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jwt

from .common import (
    EXPIRED_TOKEN_MESSAGE,
    INVALID_TOKEN_CODE,
    NO_AUDIT_TRAIL_MESSAGE,
    NO_PERMISSION_CODE,
    REPORT_ENDPOINTS,
    Headers,
    tracking_id,
)
from .dataset import Dataset, Segment, in_order, page_of
from .endpoints import (
    ENDPOINTS,
    PATHS,
    ApiError,
    Endpoint,
    Query,
    basic_credentials,
    bearer,
    parse_query,
    same,
    scope_error,
    validation_error,
)
from .faults import Fault, FaultQueue
from .replies import Reply, daily_reply, per_second_reply
from .state import DailyQuota, PageTokens, Pinned, RateLimiter, Tokens
from .stats import EmulatorStats, RequestRecord

__all__ = ["Exchange", "Options", "Page", "Responder"]


@dataclass
class Options:
    """What the emulator was told: the account, and how this Zoom behaves (see the
    package docstring). Read at each request: a test may change one between two."""

    now: datetime
    account_id: str
    client_id: str
    client_secret: str
    scopes: tuple[str, ...]
    latency: float
    token_ttl: int
    paging: str
    order: str
    refuse_future_to: bool
    refuse_page_size: tuple[str, ...]
    day_cut_utc_offset: float
    meeting_audit_trail: bool
    max_page_size: int | None
    verbose: bool
    videosdk_api_key: str = ""
    videosdk_api_secret: str = ""
    clock_skew_seconds: float = 0.0
    live_clock: bool = False
    write_delay_hours: float = 0.0
    date_header: bool = True

    def clock(self) -> datetime:
        """This Zoom's own clock: the machine's, plus clock_skew_seconds (its Date header)."""
        return datetime.now(timezone.utc) + timedelta(seconds=self.clock_skew_seconds)

    def zoom_now(self) -> datetime:
        """This Zoom's now: its clock with live_clock, else the fixed ``now``."""
        return self.clock().replace(microsecond=0) if self.live_clock else self.now

    def zoom_today(self) -> date:
        """The day of its now where it cuts days (day_cut_utc_offset)."""
        return (self.zoom_now() + timedelta(hours=self.day_cut_utc_offset)).date()


@dataclass
class ServerState:
    """What the emulator keeps between requests, besides its data."""

    tokens: Tokens
    pages: PageTokens
    limiters: dict[str, RateLimiter]
    quotas: dict[str, DailyQuota]
    faults: FaultQueue = field(default_factory=FaultQueue)
    stats: EmulatorStats = field(default_factory=EmulatorStats)
    lock: threading.Lock = field(default_factory=threading.Lock)


@dataclass
class Request:
    method: str
    target: str  # path and query string, as sent
    endpoint: str
    params: dict[str, str]
    headers: Headers
    body: bytes


@dataclass
class Exchange:
    """One request being answered, and what a fault may act on while it is."""

    request: Request
    endpoint: Endpoint | None  # None: the token endpoint
    state: ServerState
    data: Dataset
    base_url: str

    @property
    def tokens(self) -> Tokens:
        return self.state.tokens

    @property
    def pages(self) -> PageTokens:
        return self.state.pages

    @property
    def limiter(self) -> RateLimiter:
        return self.state.limiters[self.endpoint.limiter if self.endpoint else "report"]


@dataclass
class Page:
    """A report page being built: what a fault may reshape before it is answered."""

    query: Query
    window: tuple[Segment, ...]
    offset: int
    served: int  # entries a page holds
    given: str  # the next_page_token the request gave ("" on a first page)
    pages: PageTokens
    keep: Pinned
    rows: list[dict[str, Any]]
    next_token: str
    total: int

    def token_to(self, offset: int) -> str:
        """A fresh next_page_token leading to `offset` of this page's window."""
        return self.pages.issue(self.query, offset, self.keep)


class Responder:
    """Answers requests as Zoom would, for the emulator that made it."""

    def __init__(
        self, options: Options, state: ServerState, data: Dataset, base_url: Callable[[], str]
    ) -> None:
        self.options = options
        self.state = state
        self.data = data
        self._base_url = base_url

    # ----------------------------------------------------------------- counting

    def _begin(self, endpoint: str) -> None:
        stats = self.state.stats
        with self.state.lock:
            stats.requests[endpoint] += 1
            if endpoint in REPORT_ENDPOINTS:
                stats.in_flight += 1
                stats.peak_concurrency = max(stats.peak_concurrency, stats.in_flight)

    def _finish(self, endpoint: str, record: RequestRecord, line: str) -> None:
        # Recorded before the bytes go out, so a client that got its answer sees the count.
        stats = self.state.stats
        with self.state.lock:
            stats.statuses[(endpoint, record.status)] += 1
            stats.log.append(record)
            if endpoint in REPORT_ENDPOINTS:
                stats.in_flight -= 1
        if self.options.verbose:
            print(line, file=sys.stderr, flush=True)

    def reset_stats(self) -> None:
        """Zero the counters in place (holders of ``stats`` see the reset)."""
        stats = self.state.stats
        with self.state.lock:
            stats.requests.clear()
            stats.statuses.clear()
            stats.tokens_issued.clear()
            stats.log.clear()
            stats.peak_concurrency = stats.in_flight

    # ----------------------------------------------------------------- dispatch

    def handle(self, method: str, target: str, headers: Headers, body: bytes) -> Reply:
        url = urlsplit(target)
        if url.path.startswith("/_emulator/"):
            reply = self._control(method, url.path)
            reply.tracking_id = tracking_id()
            return reply
        endpoint = PATHS.get(url.path, "other")
        params = {k: v[0] for k, v in parse_qs(url.query, keep_blank_values=True).items()}
        request = Request(method, target, endpoint, params, headers, body)
        arrived = time.monotonic()
        self._begin(endpoint)
        try:
            reply = self._answer(request)
            if endpoint in REPORT_ENDPOINTS and self.options.latency > 0:
                time.sleep(self.options.latency)
        except Exception as exc:  # a bug must surface as a 500 the test can see, not a hang
            reply = Reply(500, {"code": 500, "message": f"emulator error: {exc!r}"})
        reply.tracking_id = tracking_id()
        record = RequestRecord(arrived, endpoint, params, reply.status, reply.tracking_id)
        self._finish(endpoint, record, f"{method} {target} -> {reply.status}")
        return reply

    def _control(self, method: str, path: str) -> Reply:
        if method == "GET" and path == "/_emulator/stats":
            with self.state.lock:
                return Reply(200, self.state.stats.as_json())
        if method == "POST" and path == "/_emulator/reset_stats":
            self.reset_stats()
            return Reply(200, {"reset": True})
        return Reply(404, {"code": 404, "message": "Not found."})

    def _answer(self, request: Request) -> Reply:
        if request.endpoint == "other":
            return Reply(404, {"code": 404, "message": "Not found."})
        if request.method != ("POST" if request.endpoint == "token" else "GET"):
            return Reply(405, {"code": 405, "message": "Method not allowed."})
        has_page_token = bool(request.params.get("next_page_token"))
        fault = self.state.faults.take(request.endpoint, has_page_token)
        endpoint = ENDPOINTS.get(request.endpoint)
        exchange = Exchange(request, endpoint, self.state, self.data, self._base_url())
        early = fault.before(exchange) if fault is not None else None
        if early is not None:
            return early
        if endpoint is None:
            reply = self._oauth(request, fault)
        else:
            reply = self._report(endpoint, request, fault, exchange)
        return fault.after(reply, exchange) if fault is not None else reply

    # ----------------------------------------------------------------- the token

    def _oauth(self, request: Request, fault: Fault | None) -> Reply:
        options = self.options
        credentials = basic_credentials(request.headers.get("Authorization"))
        if credentials is None or not (
            same(credentials[0], options.client_id) and same(credentials[1], options.client_secret)
        ):
            return _invalid_client()
        # The account_credentials grant, in the form body or in the query string (Zoom's
        # own published request collection shows the query string; both are taken).
        form = {k: v[0] for k, v in parse_qs(request.body.decode("utf-8", "replace")).items()}
        given = {**request.params, **form}
        if given.get("grant_type") != "account_credentials":
            return Reply(
                400, {"reason": "unsupported grant type", "error": "unsupported_grant_type"}
            )
        if not same(given.get("account_id", ""), options.account_id):
            return _invalid_client()
        scopes = frozenset(options.scopes)
        if fault is not None:
            scopes = fault.token_scopes(scopes)
        token = self.state.tokens.issue(scopes)
        with self.state.lock:
            self.state.stats.tokens_issued.append(token)
        payload = {
            "access_token": token,
            "token_type": "bearer",
            "expires_in": options.token_ttl,
            "scope": " ".join(sorted(scopes, key=options.scopes.index)),
            "api_url": self._base_url(),
        }
        return Reply(200, payload)

    # ----------------------------------------------------------------- a report page

    def _report(
        self, endpoint: Endpoint, request: Request, fault: Fault | None, exchange: Exchange
    ) -> Reply:
        params = request.params
        given = params.get("next_page_token", "")
        options = self.options
        try:
            self._authorize(endpoint, request.headers)
            refusal, number, left = self._admit(endpoint)
            if refusal is not None:
                return refusal
            self._refuse_as_configured(endpoint, params)
            now = options.zoom_now()
            query = parse_query(endpoint, params, now, options.day_cut_utc_offset)
            if options.refuse_future_to and query.last > options.zoom_today():
                raise validation_error("The to date cannot be later than today.")
            offset, pinned = self.state.pages.offset(query, given)
        except ApiError as error:
            return error.reply()
        page = self._page(endpoint, query, offset, pinned, given)
        if fault is not None:
            fault.shape(page, exchange)
        payload: dict[str, Any] = {}
        if endpoint.echo_dates:
            payload["from"], payload["to"] = query.first.isoformat(), query.last.isoformat()
        payload["page_size"] = query.page_size
        if endpoint.total:
            payload["total_records"] = page.total
        if page.next_token:
            payload["next_page_token"] = page.next_token
        elif self.state.pages.last_page_has_empty_token():
            payload["next_page_token"] = ""
        payload[endpoint.key] = page.rows
        return Reply(200, payload, headers=self._rate_headers(endpoint, number, left))

    def _page(
        self, endpoint: Endpoint, query: Query, offset: int, pinned: Pinned, given: str
    ) -> Page:
        window = pinned if pinned is not None else self._served(endpoint, query)
        keep: Pinned = window if self.options.paging == "snapshot" else None
        served = min(query.page_size, self.options.max_page_size or query.page_size)
        rows, more, total = page_of(window, offset, served)
        page = Page(query, window, offset, served, given, self.state.pages, keep, rows, "", total)
        page.next_token = page.token_to(offset + len(rows)) if more else ""
        return page

    def _refuse_as_configured(self, endpoint: Endpoint, params: dict[str, str]) -> None:
        """Refusals of this account (no audit trail) or of this Zoom (no page_size)."""
        if endpoint.name == "meeting_activities" and not self.options.meeting_audit_trail:
            raise ApiError(400, NO_PERMISSION_CODE, NO_AUDIT_TRAIL_MESSAGE)
        if endpoint.name in self.options.refuse_page_size and "page_size" in params:
            raise validation_error("Invalid field: 'page_size' is not a parameter of this API.")

    def _served(self, endpoint: Endpoint, query: Query) -> tuple[Segment, ...]:
        """The window's entries in the order this emulator serves them: with a running clock
        or write delays, those Zoom has written by its now."""
        options = self.options
        written_by = None
        if options.live_clock or options.write_delay_hours > 0 or self.data.holds_write_times:
            written_by = options.zoom_now()
        window = self.data.window(endpoint.stream, query, written_by, options.write_delay_hours)
        return in_order(window, options.order, str(query))

    def _authorize(self, endpoint: Endpoint, headers: Headers) -> None:
        if endpoint.auth == "jwt":
            self._authorize_jwt(bearer(headers.get("Authorization")))
            return
        scopes = self.state.tokens.scopes(bearer(headers.get("Authorization")))
        if scopes is None:
            raise ApiError(401, INVALID_TOKEN_CODE, "Invalid access token.")
        if endpoint.scope not in scopes and endpoint.classic not in scopes:
            raise scope_error(endpoint.scope)

    def _authorize_jwt(self, token: str) -> None:
        """A Video SDK API JWT: HS256, signed with this account's API secret, `iss` its API
        key, not expired (by this Zoom's clock). Refused as Zoom refuses a bad token."""
        options = self.options
        try:
            claims = jwt.decode(
                token,
                options.videosdk_api_secret,
                algorithms=["HS256"],
                options={"require": ["exp", "iss"], "verify_exp": False},
            )
        except jwt.InvalidTokenError:
            raise ApiError(401, INVALID_TOKEN_CODE, "Invalid access token.") from None
        if not same(str(claims["iss"]), options.videosdk_api_key):
            raise ApiError(401, INVALID_TOKEN_CODE, "Invalid access token.")
        if not isinstance(claims["exp"], int) or claims["exp"] <= options.clock().timestamp():
            raise ApiError(401, INVALID_TOKEN_CODE, EXPIRED_TOKEN_MESSAGE)

    def _admit(self, endpoint: Endpoint) -> tuple[Reply | None, int, int | None]:
        """(a refusal or None, what is left of this second, what is left of the day)."""
        limiter = self.state.limiters[endpoint.limiter]
        admitted, number = limiter.admit()
        if not admitted:
            return per_second_reply(str(number), limiter.limit, endpoint.rate_label), 0, None
        left = self.state.quotas[endpoint.limiter].take()
        if left is not None and left < 0:
            return daily_reply(), 0, None
        return None, number, left

    def _rate_headers(self, endpoint: Endpoint, remaining: int, left: int | None) -> dict[str, str]:
        limiter = self.state.limiters[endpoint.limiter]
        headers = {"X-RateLimit-Category": endpoint.rate_label}
        if left is not None:  # a daily quota: the headers say what is left of the day
            headers["X-RateLimit-Limit"] = str(self.state.quotas[endpoint.limiter].quota)
            headers["X-RateLimit-Remaining"] = str(left)
        elif limiter.per_second is not None:
            headers["X-RateLimit-Limit"] = limiter.limit
            headers["X-RateLimit-Remaining"] = str(remaining)
        return headers


def _invalid_client() -> Reply:
    return Reply(400, {"reason": "Invalid client_id or client_secret", "error": "invalid_client"})
