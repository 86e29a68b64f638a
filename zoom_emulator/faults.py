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

import json
import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import parse_qs

from .common import NO_PERMISSION_CODE, PAGE_CURSOR_REFUSED, REPORT_ENDPOINTS
from .common import VALIDATION_CODE as ZOOM_VALIDATION_CODE
from .data import TEXT_FIELDS, TIME_FIELDS
from .dataset import page_of
from .endpoints import ApiError, basic_credentials, scope_error, validation_error
from .replies import Reply, daily_reply, html_error, per_second_reply, retry_after

if TYPE_CHECKING:
    from .responder import Exchange, Page

__all__ = ["FAULTS", "Fault", "FaultQueue", "make_fault"]

#: An endpoint a fault may name besides each report's: every report endpoint, or the token.
ENDPOINT_GROUPS = ("report", "token")
REDIRECT_HOSTS = {"http": "http://api.zoom.example", "other": "https://other.example"}


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


# --------------------------------------------------------------------------- refusals


class ServerError(Fault):
    """That ``status`` (500, 502 or 503, default 503) with an HTML body, as a load balancer
    in front of Zoom answers."""

    kind = "server_error"

    def before(self, exchange: Exchange) -> Reply | None:
        return html_error(int(self.params.get("status", 503)))


class Reset(Fault):
    """The connection is closed unanswered (recorded with status 0)."""

    kind = "reset"

    def before(self, exchange: Exchange) -> Reply | None:
        return Reply(0, reset=True)


class RateLimit(Fault):
    """The per-second 429, with ``retry_after`` = "seconds" (with ``seconds``, default 1),
    "http_date", "iso" or "absent"."""

    kind = "rate_limit"

    def before(self, exchange: Exchange) -> Reply | None:
        style = str(self.params.get("retry_after", "seconds"))
        retry = retry_after(style, float(self.params.get("seconds", 1)))
        limiter = exchange.limiter
        return per_second_reply(retry, limiter.limit if limiter.per_second else "10")


class DailyLimit(Fault):
    """The daily 429, Retry-After the next 00:00 UTC. Unlike the others it lasts until
    ``clear_faults()`` unless ``times`` is given (a daily quota does not lift after one
    refusal); ``after`` = K requests pass first."""

    kind = "daily_limit"
    default_times = None

    def before(self, exchange: Exchange) -> Reply | None:
        return daily_reply()


class NoPermission(Fault):
    """400 code 200 "No permission.": the app owner's role lacks the report's view
    permission."""

    kind = "no_permission"

    def before(self, exchange: Exchange) -> Reply | None:
        return ApiError(400, NO_PERMISSION_CODE, "No permission.").reply()


class MissingScope(Fault):
    """400 code 4711 naming the endpoint's scope; on the token endpoint, a token is issued
    without the report scopes."""

    kind = "missing_scope"

    def before(self, exchange: Exchange) -> Reply | None:
        if exchange.endpoint is None:
            return None
        return scope_error(exchange.endpoint.scope).reply()

    def token_scopes(self, scopes: frozenset[str]) -> frozenset[str]:
        return frozenset()


class RevokeToken(Fault):
    """Every live token is revoked before the request is handled (then 401 code 124)."""

    kind = "revoke_token"

    def before(self, exchange: Exchange) -> Reply | None:
        exchange.tokens.revoke_all()
        return None


class Slow(Fault):
    """Sleeps ``delay`` seconds (default 5), then answers normally."""

    kind = "slow"

    def before(self, exchange: Exchange) -> Reply | None:
        time.sleep(float(self.params.get("delay", 5)))
        return None


class ExpirePageToken(Fault):
    """Only requests with a next_page_token: the token is forgotten and the answer is 400
    code 300 "Invalid next page token."."""

    kind = "expire_page_token"
    page_token_only = True

    def before(self, exchange: Exchange) -> Reply | None:
        exchange.pages.drop(exchange.request.params.get("next_page_token", ""))
        return validation_error(PAGE_CURSOR_REFUSED).reply()


class Redirect(Fault):
    """A 3xx (``status``, default 302) with an empty body and a Location: ``location`` =
    "same" (the URL asked: a loop), "http" (the same path on plain
    http://api.zoom.example), "other" (the same path on https://other.example) or a
    literal URL. Counted in stats like any answer."""

    kind = "redirect"

    @classmethod
    def check(cls, params: dict[str, Any]) -> None:
        redirect_location(str(params.get("location", "same")), "/", "")
        redirect_reply(int(params.get("status", 302)), "/")

    def before(self, exchange: Exchange) -> Reply | None:
        target = exchange.request.target
        where = redirect_location(str(self.params.get("location", "same")), target, "")
        if where.startswith("/"):  # "same": this emulator's own URL
            where = exchange.base_url + where
        return redirect_reply(int(self.params.get("status", 302)), where)


class EchoCredentials(Fault):
    """``{"code": 300, "message": "Invalid request: Authorization <the full header value>
    [for client secret <secret>]"}`` with ``status`` (default 400): the secret (from the
    Basic header, or a ``client_secret`` form field) only on the token endpoint. A careless
    server's error; lets tests prove the tap redacts Zoom's messages."""

    kind = "echo_credentials"

    def before(self, exchange: Exchange) -> Reply | None:
        request = exchange.request
        authorization = request.headers.get("Authorization")
        secret = None
        if request.endpoint == "token":
            credentials = basic_credentials(authorization)
            form = parse_qs(request.body.decode("utf-8", "replace"))
            secret = credentials[1] if credentials else form.get("client_secret", [None])[0]
        message = f"Invalid request: Authorization {authorization or '(none)'}"
        if secret is not None:
            message += f" for client secret {secret}"
        status = int(self.params.get("status", 400))
        return Reply(status, {"code": ZOOM_VALIDATION_CODE, "message": message})


# --------------------------------------------------------------------------- spoilt answers


class Truncated(Fault):
    """The normal answer with its full Content-Length, its body cut half-way."""

    kind = "truncated"

    def after(self, reply: Reply, exchange: Exchange) -> Reply:
        reply.truncate = True
        return reply


class Drip(Fault):
    """The normal answer's body a byte at a time, ``bytes_per_second`` (default 2): every
    socket read gets something, and the whole answer takes for ever."""

    kind = "drip"

    def after(self, reply: Reply, exchange: Exchange) -> Reply:
        reply.drip = float(self.params.get("bytes_per_second", 2))
        return reply


class Oversized(Fault):
    """The normal answer with a ``padding`` field of ``megabytes`` (default 20)."""

    kind = "oversized"

    def after(self, reply: Reply, exchange: Exchange) -> Reply:
        if reply.ok:
            megabytes = float(self.params.get("megabytes", 20))
            reply.payload["padding"] = "x" * int(megabytes * 1024 * 1024)
        return reply


class MissingKey(Fault):
    """200 without the records key (``next_page_token`` kept as it would be); on the token
    endpoint, without ``access_token``."""

    kind = "missing_key"

    def after(self, reply: Reply, exchange: Exchange) -> Reply:
        if reply.ok:
            endpoint = exchange.endpoint
            reply.payload.pop(endpoint.key if endpoint else "access_token", None)
        return reply


class Nested(Fault):
    """The normal answer with a field nested ``depth`` deep (default 5000)."""

    kind = "nested"

    def after(self, reply: Reply, exchange: Exchange) -> Reply:
        if reply.ok:
            # Written by hand: json.dumps itself cannot go 5,000 deep.
            depth = int(self.params.get("depth", 5000))
            text = reply.encoded()
            reply.body = text[:-1] + b',"nested":' + b"[" * depth + b"]" * depth + b"}"
            reply.payload = None
        return reply


class BadTime(Fault):
    """In this answer only, entry ``index`` (default 0) of the page gets ``value`` (default
    "") as its time field (``time``, or ``activity_time``; ``value=None`` removes the
    field), e.g. "2026-03-21 7:9". The stored entry (and truth()) is unchanged."""

    kind = "bad_time"
    report_only = True

    def after(self, reply: Reply, exchange: Exchange) -> Reply:
        endpoint = exchange.endpoint
        if not reply.ok or endpoint is None:
            return reply
        rows = reply.payload.get(endpoint.key) or []
        index = int(self.params.get("index", 0))
        if -len(rows) <= index < len(rows):
            spoiled, field_name = dict(rows[index]), TIME_FIELDS[endpoint.stream]
            spoiled[field_name] = self.params.get("value", "")
            if spoiled[field_name] is None:
                del spoiled[field_name]
            rows[index] = spoiled
        return reply


class BadPageToken(Fault):
    """The answer's next_page_token is ``value`` (default ``{"offset": 300}``): a JSON
    object, a list or a number."""

    kind = "bad_page_token"
    report_only = True

    def after(self, reply: Reply, exchange: Exchange) -> Reply:
        if reply.ok:
            reply.payload["next_page_token"] = self.params.get("value", {"offset": 300})
        return reply


class LoneSurrogate(Fault):
    """The page's first entry gets a lone UTF-16 surrogate (``\\ud83d``, half an emoji)
    appended to ``field`` (default a free-text field of the stream), written as JSON's
    escape (it has no UTF-8 form)."""

    kind = "lone_surrogate"
    report_only = True

    def after(self, reply: Reply, exchange: Exchange) -> Reply:
        endpoint = exchange.endpoint
        if not reply.ok or endpoint is None:
            return reply
        rows = reply.payload.get(endpoint.key) or []
        if rows:
            name = str(self.params.get("field", TEXT_FIELDS[endpoint.stream]))
            rows[0] = {**rows[0], name: f"{rows[0].get(name) or ''}\ud83d"}
        reply.body = json.dumps(reply.payload, separators=(",", ":")).encode()
        reply.payload = None
        return reply


class Arrive(Fault):
    """Once the request is answered, one new entry (``entry``: a dict, default a drawn one)
    joins the queried stream at the emulator's ``now`` (unless ``entry`` has its own time),
    after every entry of that time: the newest of all. With offset paging, a window that
    holds ``now`` then serves its page-boundary entry twice."""

    kind = "arrive"
    report_only = True

    def after(self, reply: Reply, exchange: Exchange) -> Reply:
        if exchange.endpoint is not None:
            exchange.data.arrive(exchange.endpoint.stream, self.params.get("entry"))
        return reply


# --------------------------------------------------------------------------- odd paging


class EmptyPages(Fault):
    """A 200 with no entries and a fresh next_page_token (to the same place), for as long
    as the fault lasts; ``total_records``: what Zoom Phone's envelope then claims."""

    kind = "empty_pages"
    report_only = True

    def shape(self, page: Page, exchange: Exchange) -> None:
        page.rows, page.next_token = [], page.token_to(page.offset)
        page.total = int(self.params.get("total_records", page.total))


class IgnorePageToken(Fault):
    """Only requests with a next_page_token: the window's first page again, with a fresh
    token after it, as if the token were ignored; with a large ``times`` paging never ends,
    with ``times=1`` page 1 comes twice."""

    kind = "ignore_page_token"
    report_only = True
    page_token_only = True

    def shape(self, page: Page, exchange: Exchange) -> None:
        page.rows, more, page.total = page_of(page.window, 0, page.served)
        page.next_token = page.token_to(len(page.rows)) if more else ""


class RepeatPageToken(Fault):
    """The answer carries the very next_page_token the request gave (on a first page: one
    fixed token per query, which leads back to the first page), so with a large ``times``
    paging never ends; ``entries`` "normal" or "empty" (the page's rows)."""

    kind = "repeat_page_token"
    report_only = True
    ENTRIES = ("normal", "empty")

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self._first_tokens: dict[Any, str] = {}
        self._lock = threading.Lock()

    @classmethod
    def check(cls, params: dict[str, Any]) -> None:
        if params.get("entries", "normal") not in cls.ENTRIES:
            raise ValueError(f"repeat_page_token entries must be one of {cls.ENTRIES}")

    def shape(self, page: Page, exchange: Exchange) -> None:
        if self.params.get("entries", "normal") == "empty":
            page.rows = []
        page.next_token = page.given or self._first_token(page)

    def _first_token(self, page: Page) -> str:
        with self._lock:
            if page.query not in self._first_tokens:
                self._first_tokens[page.query] = page.token_to(0)
            return self._first_tokens[page.query]


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


def redirect_location(location: str, target: str, base_url: str) -> str:
    """Where a ``redirect`` fault sends the client (see Redirect)."""
    if location == "same":
        return base_url + target
    if location in REDIRECT_HOSTS:
        return REDIRECT_HOSTS[location] + target
    if location.startswith(("http://", "https://")):
        return location
    raise ValueError(f"redirect location must be same, http, other or a URL, not {location!r}")


def redirect_reply(status: int, location: str) -> Reply:
    if not 300 <= status < 400:
        raise ValueError(f"a redirect status is 3xx, not {status}")
    return Reply(status, body=b"", content_type="text/html", headers={"Location": location})
