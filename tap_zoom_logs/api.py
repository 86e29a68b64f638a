"""Zoom's report API as the tap uses it: one request (rate-limited, retried, judged, its
quota headers read) and one page. Shared by every stream of the run; paging.py reads a
window to its end."""

from __future__ import annotations

import json
import logging
import random
import re
import threading
import time
import typing as t
from email.utils import parsedate_to_datetime
from http import HTTPStatus
from urllib.parse import urlsplit

import msgspec
import requests
import urllib3

from tap_zoom_logs.auth import VideoSdkToken, ZoomToken
from tap_zoom_logs.errors import (
    SECRETS,
    DailyLimitReached,
    DatesRefused,
    PageTokenInvalid,
    RetriesExhausted,
    SettingError,
    Stopped,
    ZoomAPIError,
    describe,
    zoom_error_fields,
)
from tap_zoom_logs.pacing import OF_LAST_ANSWERS, SLOW_DOWN_AFTER_429S, Lane
from tap_zoom_logs.reports import (
    CONTACT_CENTER_API,
    MEETINGS_API,
    TEAM_CHAT_API,
    VIDEO_SDK_API,
    ZOOM_PHONE_API,
    Report,
)
from tap_zoom_logs.run_stats import RunStats
from tap_zoom_logs.times import ZoomClock, parse_iso

if t.TYPE_CHECKING:
    from collections.abc import Callable, Mapping


T = t.TypeVar("T")

#: A Retry-After further away than this is a quota, not a throttle: stop, do not sleep.
MAX_RETRY_AFTER_SECONDS = 300.0
#: An X-RateLimit-Limit this large is a daily quota: Zoom's daily quotas start at 1,000
#: (Free) and its per-second limits stay under 100.
DAILY_LIMIT_FLOOR = 1000
#: Zoom's per-second limits stay under this: an X-RateLimit-Remaining this large counts
#: what is left of the day, whatever X-RateLimit-Limit says or leaves out.
PER_SECOND_CEILING = 100
#: A quota header quoted in a warning is cut to this (a proxy may send anything).
QUOTED_CHARS = 40
#: An answer larger than this is refused, not read on: Zoom's pages of 300 entries are a few
#: hundred KB, so this is a broken proxy or server, and memory must stay bounded.
MAX_ANSWER_BYTES = 32 * 1024 * 1024
#: An answer is read in chunks of this size, the deadline checked between them.
READ_CHUNK_BYTES = 64 * 1024
#: Exponential backoff for failures that say nothing of when to come back.
BACKOFF_FIRST_SECONDS = 1.0
BACKOFF_MAX_SECONDS = 60.0
#: A new token answered 124 this many times in a row: Zoom is not going to take it.
MAX_TOKEN_RENEWALS = 3
#: Zoom's code for an invalid request (bad dates, expired page token, ...).
ZOOM_VALIDATION_CODE = 300
ZOOM_NO_PERMISSION_CODE = 200
ZOOM_MISSING_SCOPE_CODES = (4700, 4711)


class _Transient(Exception):
    """A failure worth another try; `wait` is what Zoom asked for, if it said.

    `cause` is the short name it is counted under in the run's summary.
    """

    def __init__(self, cause: str, reason: str, wait: float | None = None) -> None:
        super().__init__(reason)
        self.cause = cause
        self.reason = reason
        self.wait = wait


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After: seconds, an HTTP date or an ISO timestamp."""
    if not value:
        return None
    value = value.strip()
    now = time.time() if now is None else now
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - now)
    except (TypeError, ValueError, IndexError):
        pass
    moment = parse_iso(value)
    return None if moment is None else max(0.0, moment.timestamp() - now)


def missing_scope(report: Report, detail: str) -> SettingError:
    """The one message for a scope the app lacks, whoever finds out (token or report)."""
    if not report.scope_checked_up_front:  # Zoom publishes no granular name for it
        return SettingError(
            f"{report.name}: the Zoom app lacks the scope this report needs ({detail})."
            " Add the scope Zoom's answer names (or the classic"
            f" {report.classic_scope}) on the app's Scopes page in the Zoom App Marketplace"
            f" (or deselect the stream); the app's owner also needs the"
            f" '{report.role_permission}' view permission in their Zoom role."
        )
    return SettingError(
        f"{report.name}: the Zoom app lacks the scope {report.scope} ({detail})."
        " Add it on the app's Scopes page in the Zoom App Marketplace (or deselect the"
        f" stream); the app's owner also needs the '{report.role_permission}' view"
        " permission in their Zoom role."
    )


class ZoomAPI:
    """One per run, shared by every stream: the HTTP session, the token, the rate limits
    and the retry policy."""

    def __init__(
        self, config: Mapping[str, t.Any], logger: logging.Logger, stats: RunStats
    ) -> None:
        self.logger = logger
        self._api_url = str(config["api_url"]).rstrip("/")
        self._timeout = float(config["request_timeout"])
        self._reserve = int(config["daily_quota_reserve"])
        #: Families whose quota headers could not be read (said once each).
        self._unread_quotas: set[str] = set()
        self._unread_lock = threading.Lock()
        self.stats = stats
        self._retry_budget = float(config["max_retry_seconds"])
        #: One lane per API family: each has its own rate limits and daily quota at Zoom.
        rates = {
            MEETINGS_API: "max_requests_per_second",
            ZOOM_PHONE_API: "phone_max_requests_per_second",
            CONTACT_CENTER_API: "contact_center_max_requests_per_second",
            VIDEO_SDK_API: "videosdk_max_requests_per_second",
            TEAM_CHAT_API: "team_chat_max_requests_per_second",
        }
        self.lanes = {
            family: Lane(family, float(config[setting])) for family, setting in rates.items()
        }
        self._session = requests.Session()
        #: Zoom's clock, from its answers' Date headers: the bookmark follows it, not ours.
        self.clock = ZoomClock(logger)
        self.stopping = threading.Event()
        #: Reports whose page_size parameter Zoom refused: asked without it (paging.py).
        self.without_page_size: set[str] = set()
        # Each set of credentials may be absent: a run needs those of its selected streams
        # only (settings.check_credentials said so before the run began).
        self.token = ZoomToken(
            oauth_url=config["oauth_url"],
            account_id=config.get("account_id") or "",
            client_id=config.get("client_id") or "",
            client_secret=config.get("client_secret") or "",
            send=self.send,
            logger=logger,
        )
        self.videosdk_token = VideoSdkToken(
            api_key=config.get("videosdk_api_key") or "",
            api_secret=config.get("videosdk_api_secret") or "",
        )

    # -- one request, retried ------------------------------------------------------------

    def send(self, method: str, url: str, *, what: str, **kwargs: t.Any) -> requests.Response:
        """Send a request to the OAuth token endpoint, retrying transport failures, 5xx and
        429 within the budget; each attempt is counted as a token request.

        Returns any other answer (2xx, 4xx) for the caller to judge. Not a report request:
        it takes no family's slot, and its headers say nothing of a family's quota.
        """

        def attempt() -> requests.Response:
            self.stats.requested_token()
            response = self._request(None, method, url, **kwargs)
            self._raise_if_transient(response)
            return response

        return self.retrying(attempt, what=what)

    def retrying(self, attempt: Callable[[], T], *, what: str) -> T:
        """Call `attempt` until it stops raising `_Transient`, or the budget runs out."""
        started = time.monotonic()
        failures = 0
        while True:
            try:
                return attempt()
            except _Transient as exc:
                failures += 1
                delay = exc.wait if exc.wait is not None else self._backoff(failures)
                self.stats.retried(exc.cause, delay)
                spent = time.monotonic() - started
                if spent + delay > self._retry_budget:
                    msg = (
                        f"gave up on {what} after {failures} failed attempts in {spent:.0f} s;"
                        f" the last: {exc.reason}"
                    )
                    raise RetriesExhausted(msg) from None
                if delay > 0:
                    self.logger.warning("%s: %s; retrying in %.1f s", what, exc.reason, delay)
                    self.pause(delay)

    def pause(self, seconds: float) -> None:
        """Sleep, but wake up at once when the run is stopping."""
        if self.stopping.wait(seconds):
            raise Stopped

    @staticmethod
    def _backoff(failures: int) -> float:
        # Full jitter, so that concurrent windows hit by the same outage spread out.
        ceiling = min(BACKOFF_MAX_SECONDS, BACKOFF_FIRST_SECONDS * 2 ** (failures - 1))
        return random.uniform(ceiling / 2, ceiling)

    def _request(
        self, family: str | None, method: str, url: str, *, paced: bool = True, **kwargs: t.Any
    ) -> requests.Response:
        """One HTTP request in `family`'s lane (`paced=False`: its slot is taken already);
        `family` None: the token endpoint's, outside every family's lane and quota."""
        lane = None if family is None else self.lanes[family]
        if lane is not None:
            if paced:
                lane.acquire(self.stopping)
            self.stats.requested(lane.family)
        try:
            # Zoom's API does not redirect: a 3xx is answered as an error, never followed
            # (a hop would skip the rate limit and could lead off https).
            response = self._session.request(
                method, url, timeout=self._timeout, allow_redirects=False, stream=True, **kwargs
            )
            self._read_body(response, deadline=time.monotonic() + self._timeout)
        except requests.exceptions.SSLError:
            # Not transient: retrying cannot make an untrusted certificate trusted.
            host = urlsplit(url).hostname
            msg = (
                f"the TLS certificate of {host} could not be verified; if a proxy re-signs"
                " TLS on your network, point REQUESTS_CA_BUNDLE at its CA certificate"
            )
            raise ZoomAPIError(msg) from None
        except requests.Timeout:
            reason = f"no answer within request_timeout ({self._timeout:g} s)"
            raise _Transient("timeout", reason) from None
        except requests.RequestException as exc:
            # The exception's text can quote the URL, never the headers or body we sent.
            raise _Transient("connection", f"connection failed ({type(exc).__name__})") from None
        self.clock.observe(response.headers.get("Date"))
        # Zoom's time to answer, not this process's time to read it: a busy interpreter
        # must not look like a slow Zoom (it would start ever more windows).
        if lane is not None:
            lane.observe(response.elapsed.total_seconds())
            self._note_quota(lane, response)
        if response.is_redirect or 300 <= response.status_code < 400:
            where = SECRETS.redact(response.headers.get("Location", "nowhere"))
            msg = (
                f"{urlsplit(url).path} answered HTTP {response.status_code}, redirecting to"
                f" {where}; Zoom's API does not redirect, so the tap does not follow it:"
                " check api_url and oauth_url (and any proxy in between)"
            )
            raise ZoomAPIError(msg)
        return response

    def _read_body(self, response: requests.Response, *, deadline: float) -> None:
        """Read the whole answer within `deadline` and MAX_ANSWER_BYTES.

        requests' timeout bounds each socket read, not the answer: a server that drips a
        byte at a time would hold the run for hours. So the body is read here, one socket
        read at a time (`read1`), and kept where requests keeps a body it has read, so that
        `Response.content` serves it; the connection then goes back to the pool.
        """
        try:
            body = self._read_chunks(response, deadline)
        except BaseException:
            response.close()  # not read whole: the connection is dropped, never reused
            raise
        response._content = body  # requests' own slot for a body it has read
        response.raw.release_conn()

    def _read_chunks(self, response: requests.Response, deadline: float) -> bytes:
        body = bytearray()
        try:
            while chunk := response.raw.read1(READ_CHUNK_BYTES, decode_content=True):
                body += chunk
                if len(body) > MAX_ANSWER_BYTES:
                    raise ZoomAPIError(_too_large(response))
                if time.monotonic() > deadline:
                    reason = (
                        "the answer did not arrive whole within request_timeout"
                        f" ({self._timeout:g} s; {len(body):,} bytes came)"
                    )
                    raise _Transient("timeout", reason)
        except urllib3.exceptions.ReadTimeoutError:
            reason = f"no answer within request_timeout ({self._timeout:g} s)"
            raise _Transient("timeout", reason) from None
        except urllib3.exceptions.HTTPError as exc:  # cut short, reset, a broken encoding
            raise _Transient("connection", f"connection failed ({type(exc).__name__})") from None
        return bytes(body)

    def _note_quota(self, lane: Lane, response: requests.Response) -> None:
        """What Zoom says is left of the family's daily quota; below the reserve, the
        family's streams stop (at their next request) with the state of what is done.
        Headers that speak of a quota but cannot be read are named once per family."""
        remaining, unreadable = daily_remaining(response.headers)
        if unreadable:
            self._say_quota_unread(lane.family, unreadable)
        if remaining is None:
            return
        self.stats.quota_reported(lane.family, remaining)
        if remaining <= self._reserve and not lane.spared and not is_daily_limit(response.headers):
            lane.spared = (
                f"Zoom reports {remaining:,} requests left today in the account's {lane.family}"
                f" API quota, down to daily_quota_reserve ({self._reserve:,}), kept for the"
                " account's other apps: this family's streams stop here with the state of"
                " every finished window; run again after 00:00 UTC, when the quota resets,"
                " or lower daily_quota_reserve"
            )

    def _say_quota_unread(self, family: str, headers: str) -> None:
        if self._reserve == 0:
            return  # no reserve to apply: Zoom's daily 429 stops the run (exit 75)
        with self._unread_lock:
            if family in self._unread_quotas:
                return
            self._unread_quotas.add(family)
        self.logger.warning(
            "Zoom's answer in the %s API carries %s, which do not say how much of today's"
            " quota is left: daily_quota_reserve (%s) cannot be applied to answers like it"
            " (a proxy may rewrite these headers); Zoom's daily limit, if reached, still"
            " stops the family's streams (exit 75) with the state of what is done",
            family,
            SECRETS.redact(headers),
            f"{self._reserve:,}",
        )

    def _pace_by(self, lane: Lane, response: requests.Response) -> None:
        """Slow `lane` down when Zoom keeps answering per-second 429s (the account's other
        apps share its per-second budget), and say so once."""
        if response.status_code != 429 or is_daily_limit(response.headers):
            lane.admitted()
            return
        rate = lane.refused()
        if rate is not None and not lane.said_slower:
            lane.said_slower = True
            self.logger.warning(
                "Zoom answered %d of the last %d requests with a per-second 429: %s requests"
                " now go at %.2g a second (the account's other apps share its limit; a lower"
                " max_requests_per_second for this family avoids the refusals)",
                SLOW_DOWN_AFTER_429S,
                OF_LAST_ANSWERS,
                lane.family,
                rate,
            )

    @staticmethod
    def _raise_if_transient(response: requests.Response) -> None:
        status = response.status_code
        if status == 429:
            wait = parse_retry_after(response.headers.get("Retry-After"))
            if is_daily_limit(response.headers):
                raise DailyLimitReached(
                    "Zoom's daily request limit for this account is reached"
                    f" ({describe(response)})."
                    " The quota resets at 00:00 UTC: run again after that; the state holds"
                    " every finished window, so the next run resumes where this one stopped."
                )
            if (wait or 0) > MAX_RETRY_AFTER_SECONDS:
                raise DailyLimitReached(
                    f"Zoom asks to wait {wait:.0f} s before the next request"
                    f" ({describe(response)}), longer than the tap waits"
                    f" ({MAX_RETRY_AFTER_SECONDS:.0f} s): run again after that; the state"
                    " holds every finished window, so the next run resumes where this one"
                    " stopped."
                )
            raise _Transient("rate limit (429)", f"rate limited ({describe(response)})", wait)
        if status >= 500:
            raise _Transient("server error (5xx)", describe(response))

    # -- report pages --------------------------------------------------------------------

    def get_page(self, report: Report, query: Mapping[str, t.Any]) -> dict[str, t.Any]:
        """One page of a report, with a valid token, its records key present."""
        url = f"{self._api_url}{report.path}"
        renewals = 0

        lane = self.lanes[report.family]
        tokens = self.videosdk_token if report.family == VIDEO_SDK_API else self.token
        if lane.spared:
            raise DailyLimitReached(lane.spared)

        def attempt() -> dict[str, t.Any]:
            nonlocal renewals
            # The slot first, then the token: a token taken before a long wait for the slot
            # could expire on the way (27 refusals in 89 requests with 5 s tokens).
            lane.acquire(self.stopping)
            token = tokens.bearer()
            headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
            response = self._request(
                report.family, "GET", url, paced=False, params=query, headers=headers
            )
            self._pace_by(lane, response)
            self._raise_if_transient(response)
            if response.status_code == 401 and renewals < MAX_TOKEN_RENEWALS:
                # Expired early or revoked: a new token, then the same request again.
                renewals += 1
                tokens.invalidate(token)
                raise _Transient("token refused (401)", "access token refused (401), renewed", 0)
            if response.status_code != 200:
                code, _ = zoom_error_fields(response)  # an error's fields: not of every page
                refused = response.status_code == 401 or code == ZOOM_NO_PERMISSION_CODE
                if report.family == VIDEO_SDK_API and refused:
                    raise _video_sdk_refusal(report, response)
                raise _refusal(report, response, code, query)
            return _payload(report, response)

        first, last = report.date_params
        span = f"{query.get(first)}..{query.get(last)}"
        return self.retrying(attempt, what=f"{report.name} page ({span})")

    def probe(self, report: Report) -> None:
        """One page of today's report with one entry: does this report work at all? (Today
        wherever Zoom cuts days: a day it calls future would be refused.)"""
        today = self.clock.earliest_today().to_date_string()
        query = {**report.dates(today, today), "page_size": report.page_size(1)}
        self.get_page(report, {**query, **report.params})

    def check_scopes(self, reports: list[Report]) -> None:
        """Stop if the app lacks a scope one of `reports` needs.

        The token answer lists the app's scopes; if Zoom ever leaves the list out, its
        4711/4700 answers to the report requests tell the same story, with the same message.
        """
        oauth = [report for report in reports if report.family != VIDEO_SDK_API]
        if not oauth:
            return  # a Video SDK JWT is signed here, and lists no scopes
        token = self.token
        token.bearer()
        for report in oauth:
            if not report.scope_checked_up_front:
                continue
            if token.scopes and not token.has_scope(report.scope, report.classic_scope):
                granted = " ".join(sorted(token.scopes))
                raise missing_scope(report, f"the app has: {granted}")


def _too_large(response: requests.Response) -> str:
    return (
        f"{urlsplit(response.url).path} answered more than {MAX_ANSWER_BYTES // 2**20} MiB"
        f" ({describe(response)}); Zoom's pages are far smaller: check api_url and any proxy"
        " in between"
    )


# -- the daily quota's headers -----------------------------------------------------------
#
# Zoom does not document their form: its own answers carry plain integers, but a proxy may
# regroup them (`2,999`), write them as decimals (`2999.0`), join a duplicate (`2999,
# 2999`) or strip one. A figure is read where its meaning is unambiguous; otherwise the
# reserve cannot be applied, and `_note_quota` says so once per family: a header never ends
# a run, and a changed form never silently turns the reserve off.

LIMIT = "X-RateLimit-Limit"
REMAINING = "X-RateLimit-Remaining"
# ASCII digits only: `str.isdigit()` and `int()` take `²` or Arabic-Indic digits.
_DIGITS = re.compile(r"[0-9]+")
_THOUSANDS = re.compile(r"[0-9]{1,3}(?:,[0-9]{3})+")
_WHOLE_DECIMAL = re.compile(r"([0-9]+)\.0*")
#: How a client joins a header sent twice (", "), unlike a thousands separator (",").
_JOINED = re.compile(r",\s+")


class QuotaReading(t.NamedTuple):
    """What one answer says of its family's day: `left` (None: nothing readable), and
    `unreadable`, the headers quoted when they speak of a quota that cannot be read."""

    left: int | None
    unreadable: str = ""


def is_daily_limit(headers: Mapping[str, str]) -> bool:
    """Zoom's daily 429: the day's quota is spent."""
    return headers.get("X-RateLimit-Type", "").lower() == "daily-limit"


def header_count(value: str) -> int | None:
    """A count as Zoom or a proxy may write it (`2999`, `2,999`, `2999.0`, white space
    around, the same figure twice joined by ", "); None for anything else (`2²`, `-1`,
    `2999.5`, two different figures)."""
    counts = {_one_count(part) for part in _JOINED.split(value.strip())}
    return counts.pop() if len(counts) == 1 else None


def _one_count(text: str) -> int | None:
    text = text.strip()
    if _DIGITS.fullmatch(text):
        return int(text)
    if _THOUSANDS.fullmatch(text):
        return int(text.replace(",", ""))
    decimal = _WHOLE_DECIMAL.fullmatch(text)
    return int(decimal.group(1)) if decimal else None


def daily_remaining(headers: Mapping[str, str]) -> QuotaReading:
    """What is left of the day's quota, where the headers say so unambiguously.

    Zoom does not say which limit X-RateLimit-Remaining counts: it is the day's when
    X-RateLimit-Limit is a daily figure, or when it is larger than any second's. A
    per-second Limit says nothing of the day (ignored), and so do no headers at all.
    """
    if is_daily_limit(headers):
        return QuotaReading(0)
    limit_text, remaining_text = headers.get(LIMIT), headers.get(REMAINING)
    if limit_text is None and remaining_text is None:
        return QuotaReading(None)
    limit = None if limit_text is None else header_count(limit_text)
    remaining = None if remaining_text is None else header_count(remaining_text)
    if limit is not None and limit < DAILY_LIMIT_FLOOR:
        return QuotaReading(None)  # a per-second limit: its remaining is of this second
    if remaining is not None and (limit is not None or remaining >= PER_SECOND_CEILING):
        return QuotaReading(remaining)
    quoted = f"{LIMIT} {_quoted(limit_text)} and {REMAINING} {_quoted(remaining_text)}"
    return QuotaReading(None, quoted)


def _quoted(text: str | None) -> str:
    if text is None:
        return "(none)"
    if len(text) > QUOTED_CHARS:
        text = text[:QUOTED_CHARS] + "..."
    return repr(text)


def _payload(report: Report, response: requests.Response) -> dict[str, t.Any]:
    try:
        payload = _decode_answer(response.content)
    except msgspec.DecodeError:
        reason = f"a broken JSON answer ({describe(response)})"
        raise _Transient("broken answer", reason) from None
    except RecursionError:  # the same answer again would be as deep: no retry
        msg = f"{report.name}: an answer nested too deep to be read ({describe(response)})"
        raise ZoomAPIError(msg) from None
    records = payload.get(report.records_key) if isinstance(payload, dict) else None
    if not isinstance(records, list) or not all(isinstance(entry, dict) for entry in records):
        # Never read as "no entries": that would be a silent gap.
        reason = f"an answer without its '{report.records_key}' list ({describe(response)})"
        raise _Transient("broken answer", reason)
    return t.cast("dict[str, t.Any]", payload)


def _decode_answer(content: bytes) -> t.Any:
    """JSON as msgspec reads it; or, where it refuses a lone UTF-16 surrogate escape (a
    cut-off emoji, `\\ud800`) that JSON allows, as Python's json reads it, each lone
    surrogate then replaced by U+FFFD (it has no UTF-8 form, so no target could take it)."""
    try:
        return msgspec.json.decode(content)
    except msgspec.DecodeError:
        if b"\\u" not in content:
            raise
        try:
            loaded = json.loads(content)
        except ValueError:
            raise msgspec.DecodeError("broken JSON") from None
        return _without_lone_surrogates(loaded)


def _without_lone_surrogates(value: t.Any) -> t.Any:
    if isinstance(value, str):
        return value.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    if isinstance(value, list):
        return [_without_lone_surrogates(item) for item in value]
    if isinstance(value, dict):
        return {_without_lone_surrogates(k): _without_lone_surrogates(v) for k, v in value.items()}
    return value


def _refusal(
    report: Report, response: requests.Response, code: object, query: Mapping[str, t.Any]
) -> Exception:
    if code in ZOOM_MISSING_SCOPE_CODES:
        return missing_scope(report, describe(response))
    if response.status_code == 401:
        return ZoomAPIError(f"Zoom keeps refusing fresh access tokens ({describe(response)})")
    if code == ZOOM_VALIDATION_CODE and "next_page_token" in query:
        return PageTokenInvalid(describe(response))
    if code == ZOOM_VALIDATION_CODE:
        return DatesRefused(f"{report.name}: Zoom refused the request ({describe(response)})")
    # Team Chat's definition answers HTTP 403 code 403 "No permission to access channel
    # activity logs" where the reports answer 400 code 200.
    if code == ZOOM_NO_PERMISSION_CODE or (response.status_code == code == HTTPStatus.FORBIDDEN):
        return SettingError(
            f"{report.name}: Zoom says the app has no permission ({describe(response)})."
            f" Give the app's owner the '{report.role_permission}' view permission and"
            " 'Usage reports' in their Zoom role; the account needs a Pro plan or higher."
            + report.permission_hint
        )
    return ZoomAPIError(f"{report.name}: Zoom refused the request ({describe(response)})")


def _video_sdk_refusal(report: Report, response: requests.Response) -> SettingError:
    """Zoom refused the Video SDK JWT (401), or the account is not a Video SDK one (200)."""
    return SettingError(
        f"{report.name}: Zoom refused the Video SDK API request ({describe(response)})."
        " Check videosdk_api_key and videosdk_api_secret: the API key and secret of a Video"
        " SDK account (Zoom App Marketplace, Develop > Build Video SDK > API keys; not the"
        " Server-to-Server OAuth app's, not the SDK key), and that this machine's clock is"
        " right (the JWT expires an hour after it is signed)."
    )
