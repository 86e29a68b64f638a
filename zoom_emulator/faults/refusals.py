"""Faults that answer instead of the endpoint: refusals (5xx, resets, 429s, missing scopes
and permissions, an expired page token), redirects, a careless server's echo, and the
ones that change the server's state first (a revoked token, a slow answer)."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

from zoom_emulator.common import NO_PERMISSION_CODE, PAGE_CURSOR_REFUSED
from zoom_emulator.common import VALIDATION_CODE as ZOOM_VALIDATION_CODE
from zoom_emulator.endpoints import ApiError, basic_credentials, scope_error, validation_error
from zoom_emulator.replies import Reply, daily_reply, html_error, per_second_reply, retry_after

from .base import Fault

if TYPE_CHECKING:
    from zoom_emulator.responder import Exchange

REDIRECT_HOSTS = {"http": "http://api.zoom.example", "other": "https://other.example"}


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
