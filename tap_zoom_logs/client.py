"""What every Zoom report stream shares: windows, paging, retries, rate limits, errors."""

from __future__ import annotations

import enum
import hashlib
import json
import logging
import random
import sys
import threading
import time
import typing as t
from collections import Counter, deque
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

import pendulum
import requests
from pyrate_limiter import Limiter, Rate
from singer_sdk import Stream, metrics
from singer_sdk.contrib.msgspec import MsgSpecWriter
from singer_sdk.helpers.conform import TypeConformanceLevel
from singer_sdk.singerlib import RecordMessage

from tap_zoom_logs.auth import ZoomToken
from tap_zoom_logs.errors import (
    DailyLimitReached,
    PageTokenInvalid,
    RetriesExhausted,
    SettingError,
    ZoomAPIError,
    describe,
    zoom_error_fields,
)

if t.TYPE_CHECKING:
    import datetime
    from collections.abc import Callable, Generator, Iterable, Iterator, Mapping

    from singer_sdk.helpers.types import Context

T = t.TypeVar("T")
#: A window's entries, as Zoom served them.
Entries = list[dict[str, t.Any]]
#: A fetched window: its entries, and how many pages they took.
_Fetched = tuple[Entries, int]

#: A Retry-After further away than this is a quota, not a throttle: stop, do not sleep.
MAX_RETRY_AFTER_SECONDS = 300.0
#: Exponential backoff for failures that say nothing of when to come back.
BACKOFF_FIRST_SECONDS = 1.0
BACKOFF_MAX_SECONDS = 60.0
#: A new token answered 124 this many times in a row: Zoom is not going to take it.
MAX_TOKEN_RENEWALS = 3
#: An expired page token restarts the window; more restarts than this is not expiry.
MAX_WINDOW_RESTARTS = 3
#: Zoom's code for an invalid request (bad dates, expired page token, ...).
ZOOM_VALIDATION_CODE = 300
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


@dataclass(frozen=True)
class Window:
    """Whole UTC days `[first_day, last_day]`: one report query (`to` is inclusive)."""

    first_day: pendulum.Date
    last_day: pendulum.Date

    @property
    def label(self) -> str:
        if self.first_day == self.last_day:
            return self.first_day.isoformat()
        return f"{self.first_day.isoformat()}..{self.last_day.isoformat()}"

    def near(self) -> tuple[str, str]:
        """The days whose entries may come back for this window: one more on either side,
        since the time zone Zoom cuts days in is not documented."""
        return (
            self.first_day.subtract(days=1).isoformat(),
            self.last_day.add(days=1).isoformat(),
        )

    def end(self) -> pendulum.DateTime:
        """The last second the window covers."""
        return pendulum.datetime(
            self.last_day.year, self.last_day.month, self.last_day.day, 23, 59, 59
        )


@dataclass(frozen=True)
class StreamPlan:
    """What one stream reads in this run: `[start, end]`, as windows."""

    start: pendulum.DateTime
    end: pendulum.DateTime
    windows: tuple[Window, ...]

    @classmethod
    def of(cls, start: pendulum.DateTime, end: pendulum.DateTime, days: int) -> StreamPlan:
        return cls(start, end, tuple(plan_windows(start, end, days)))


def plan_windows(start: pendulum.DateTime, end: pendulum.DateTime, days: int) -> list[Window]:
    """Split the days from `start` to `end` into windows of `days` days, oldest first."""
    windows = []
    first, last = start.date(), end.date()
    while first <= last:
        window_last = min(first.add(days=days - 1), last)
        windows.append(Window(first, window_last))
        first = window_last.add(days=1)
    return windows


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
    try:
        moment = pendulum.parse(value)
        return max(0.0, float(moment.timestamp()) - now)  # type: ignore[union-attr]
    except (ValueError, TypeError, AttributeError, pendulum.parsing.exceptions.ParserError):
        return None


def is_daily_limit(response: requests.Response) -> bool:
    return response.headers.get("X-RateLimit-Type", "").lower() == "daily-limit"


def missing_scope(stream: ZoomReportStream, detail: str) -> SettingError:
    """The one message for a scope the app lacks, whoever finds out (token or report)."""
    return SettingError(
        f"{stream.name}: the Zoom app lacks the scope {stream.scope} ({detail})."
        " Add it on the app's Scopes page in the Zoom App Marketplace (or deselect the"
        f" stream); the app's owner also needs the '{stream.role_permission}' view"
        " permission in their Zoom role."
    )


class ZoomClient:
    """One per run, shared by both streams: the HTTP session, the token, the client-side
    rate limit and the retry policy."""

    def __init__(self, config: Mapping[str, t.Any], logger: logging.Logger) -> None:
        self._config = config
        self._logger = logger
        self._api_url = str(config["api_url"]).rstrip("/")
        self._timeout = float(config["request_timeout"])
        self._retry_budget = float(config["max_retry_seconds"])
        self.max_concurrent_requests = int(config["max_concurrent_requests"])
        self._session = requests.Session()
        # Spread requests evenly (one every 1/rate seconds) rather than in bursts: the
        # account's per-second budget is shared with the customer's other integrations.
        interval_ms = max(1, round(1000 / float(config["max_requests_per_second"])))
        self._limiter = Limiter(Rate(1, interval_ms), buffer_ms=0)
        self.stopping = threading.Event()
        #: Retries by cause, and seconds slept on 429s, for the summary of each stream.
        self.retries: t.Counter[str] = Counter()
        self.rate_limit_wait = 0.0
        self._count_lock = threading.Lock()
        self.token = ZoomToken(
            oauth_url=config["oauth_url"],
            account_id=config["account_id"],
            client_id=config["client_id"],
            client_secret=config["client_secret"],
            send=self.send,
        )

    # -- one request, retried ------------------------------------------------------------

    def send(self, method: str, url: str, *, what: str, **kwargs: t.Any) -> requests.Response:
        """Send a request, retrying transport failures, 5xx and 429 within the budget.

        Returns any other answer (2xx, 4xx) for the caller to judge.
        """

        def attempt() -> requests.Response:
            response = self._request(method, url, **kwargs)
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
                self._count(exc.cause, delay)
                spent = time.monotonic() - started
                if spent + delay > self._retry_budget:
                    msg = (
                        f"gave up on {what} after {failures} failed attempts in {spent:.0f} s;"
                        f" the last: {exc.reason}"
                    )
                    raise RetriesExhausted(msg) from None
                if delay > 0:
                    self._logger.warning("%s: %s; retrying in %.1f s", what, exc.reason, delay)
                    self.pause(delay)

    def _count(self, cause: str, delay: float) -> None:
        with self._count_lock:
            self.retries[cause] += 1
            if cause.startswith("rate limit"):
                self.rate_limit_wait += delay

    def pause(self, seconds: float) -> None:
        """Sleep, but wake up at once when the run is stopping."""
        if self.stopping.wait(seconds):
            raise _Stopped

    @staticmethod
    def _backoff(failures: int) -> float:
        # Full jitter, so that concurrent windows hit by the same outage spread out.
        ceiling = min(BACKOFF_MAX_SECONDS, BACKOFF_FIRST_SECONDS * 2 ** (failures - 1))
        return random.uniform(ceiling / 2, ceiling)

    def _request(self, method: str, url: str, **kwargs: t.Any) -> requests.Response:
        if self.stopping.is_set():
            raise _Stopped
        self._limiter.try_acquire("zoom")
        try:
            return self._session.request(method, url, timeout=self._timeout, **kwargs)
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

    @staticmethod
    def _raise_if_transient(response: requests.Response) -> None:
        status = response.status_code
        if status == 429:
            wait = parse_retry_after(response.headers.get("Retry-After"))
            if is_daily_limit(response) or (wait or 0) > MAX_RETRY_AFTER_SECONDS:
                raise DailyLimitReached(
                    "Zoom's daily request limit for this account is reached"
                    f" ({describe(response)})."
                    " The quota resets at 00:00 UTC: run again after that; the state holds"
                    " every finished window, so the next run resumes where this one stopped."
                )
            raise _Transient("rate limit (429)", f"rate limited ({describe(response)})", wait)
        if status >= 500:
            raise _Transient("server error (5xx)", describe(response))

    # -- report pages --------------------------------------------------------------------

    def get_page(self, stream: ZoomReportStream, params: dict[str, t.Any]) -> dict[str, t.Any]:
        """One page of a report, with a valid token, its records key present."""
        url = f"{self._api_url}{stream.path}"
        renewals = 0

        def attempt() -> dict[str, t.Any]:
            nonlocal renewals
            token = self.token.bearer()
            headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
            response = self._request("GET", url, params=params, headers=headers)
            self._raise_if_transient(response)
            code, _ = zoom_error_fields(response)
            if response.status_code == 401 and renewals < MAX_TOKEN_RENEWALS:
                # Expired early or revoked: a new token, then the same request again.
                renewals += 1
                self.token.invalidate(token)
                raise _Transient("token refused (401)", "access token refused (401), renewed", 0)
            if response.status_code != 200:
                raise self._refusal(stream, response, code, params)
            return self._payload(stream, response)

        return self.retrying(attempt, what=f"{stream.name} page ({params['from']}..{params['to']})")

    @staticmethod
    def _payload(stream: ZoomReportStream, response: requests.Response) -> dict[str, t.Any]:
        try:
            payload = response.json()
        except ValueError:
            reason = f"a broken JSON answer ({describe(response)})"
            raise _Transient("broken answer", reason) from None
        if not isinstance(payload, dict) or not isinstance(payload.get(stream.records_key), list):
            # Never read as "no entries": that would be a silent gap.
            reason = f"an answer without its '{stream.records_key}' list ({describe(response)})"
            raise _Transient("broken answer", reason)
        return payload

    @staticmethod
    def _refusal(
        stream: ZoomReportStream,
        response: requests.Response,
        code: object,
        params: Mapping[str, t.Any],
    ) -> Exception:
        if code in ZOOM_MISSING_SCOPE_CODES:
            return missing_scope(stream, describe(response))
        if response.status_code == 401:
            return ZoomAPIError(f"Zoom keeps refusing fresh access tokens ({describe(response)})")
        if code == ZOOM_VALIDATION_CODE and "next_page_token" in params:
            return PageTokenInvalid(describe(response))
        if code == 200:
            return SettingError(
                f"{stream.name}: Zoom says the app has no permission ({describe(response)})."
                f" Give the app's owner the '{stream.role_permission}' view permission and"
                " 'Usage reports' in their Zoom role; the account needs a Pro plan or higher."
            )
        return ZoomAPIError(f"{stream.name}: Zoom refused the request ({describe(response)})")

    def probe(self, stream: ZoomReportStream) -> None:
        """One page of today's report with one entry: does this stream work at all?"""
        today = pendulum.now("UTC").to_date_string()
        params = {"from": today, "to": today, "page_size": 1, **stream.extra_params()}
        self.get_page(stream, params)

    # -- windows -------------------------------------------------------------------------

    def fetch_window(self, stream: ZoomReportStream, window: Window) -> _Fetched:
        """Every entry of a window, paging with next_page_token; returns (entries, pages).

        A refused page token (they expire after 15 minutes) means reading the window again
        from its first page: nothing of it has been emitted yet, so nothing is emitted twice.
        """
        params = {
            "from": window.first_day.isoformat(),
            "to": window.last_day.isoformat(),
            "page_size": stream.config["page_size"],
            **stream.extra_params(),
        }
        refusal = ""
        for _ in range(MAX_WINDOW_RESTARTS):
            entries: Entries = []
            pages = 0
            page_token = ""
            try:
                while True:
                    query = {**params, "next_page_token": page_token} if page_token else params
                    page = self.get_page(stream, query)
                    pages += 1
                    entries.extend(page[stream.records_key])
                    # The last page says "" or leaves the key out; an empty page with a
                    # token is not the end.
                    page_token = page.get("next_page_token") or ""
                    if not page_token:
                        return entries, pages
            except PageTokenInvalid as exc:
                self._count("expired page token", 0)
                refusal = str(exc)
                self._logger.warning(
                    "%s %s: page token refused (%s); reading the window again from its start",
                    stream.name,
                    window.label,
                    exc,
                )
        msg = (
            f"{stream.name} {window.label}: Zoom refused its page tokens"
            f" {MAX_WINDOW_RESTARTS} times in a row; the last: {refusal}"
        )
        raise ZoomAPIError(msg)

    def fetch_windows(
        self, jobs: Iterable[tuple[ZoomReportStream, Window]]
    ) -> Generator[tuple[ZoomReportStream, Window, Entries, int], None, None]:
        """Fetch windows concurrently, yield them in order.

        `max_concurrent_requests` workers fetch; up to twice as many windows are queued or
        finished ahead of the one being emitted, so a worker done with a short window moves
        on instead of waiting for a long one before it. Memory is bounded by those windows,
        not by the range; yielding in order keeps the state resumable window by window.
        """
        ahead = 2 * self.max_concurrent_requests
        pending: deque[tuple[ZoomReportStream, Window, Future[_Fetched]]] = deque()
        todo = iter(jobs)
        pool = ThreadPoolExecutor(self.max_concurrent_requests, thread_name_prefix="zoom")
        try:
            while True:
                while len(pending) < ahead and (job := next(todo, None)) is not None:
                    stream, window = job
                    pending.append((stream, window, pool.submit(self.fetch_window, *job)))
                if not pending:
                    return
                stream, window, future = pending.popleft()
                entries, pages = future.result()
                yield stream, window, entries, pages
        finally:
            if pending:  # stopped early (an error, or the consumer had enough)
                self.stopping.set()
            pool.shutdown(wait=True, cancel_futures=True)
            self.stopping.clear()


class _Stopped(Exception):
    """The run is stopping: a worker gives up quietly."""


def lw_id(stream_name: str, row_json: str, occurrence: int) -> str:
    """The entry's identifier: Zoom gives none, so a hash of what the entry is.

    `occurrence` tells apart entries identical in every field: they are separate events.
    """
    digest = hashlib.blake2b(digest_size=16)
    digest.update(f"{stream_name}\n{row_json}\n{occurrence}".encode())
    return digest.hexdigest()


class ZoomMessageWriter(MsgSpecWriter):
    """msgspec's encoder (the SDK's fastest), flushing at every message but RECORD.

    A flush per record is a system call per record. Records are flushed at the latest with
    the next STATE (and at exit), so a STATE never reaches the target before the records it
    covers; records lost in a crash lie after the last STATE and are read again on resume.
    """

    def write_message(self, message: t.Any) -> None:
        sys.stdout.buffer.write(self.format_message(message))
        if not isinstance(message, RecordMessage):
            sys.stdout.flush()


class ZoomReportStream(Stream):
    """A Zoom report read window by window, each entry emitted once with a stable `lw_id`."""

    # Records are built here from JSON strings and nulls, already of the schema's types
    # (`_text` sees to that), so the SDK's per-field conformance pass would change nothing.
    TYPE_CONFORMANCE_LEVEL = TypeConformanceLevel.NONE

    path: t.ClassVar[str]
    records_key: t.ClassVar[str]
    scope: t.ClassVar[str]
    role_permission: t.ClassVar[str]

    primary_keys: t.ClassVar[list[str]] = ["lw_id"]
    replication_key = "time"
    is_sorted = True

    def extra_params(self) -> dict[str, str]:
        """Query parameters this report adds to from/to/page_size."""
        return {}

    @property
    def fields(self) -> list[str]:
        """The entry's fields, in schema order (the order `lw_id` hashes them in)."""
        return [name for name in self.schema["properties"] if name != "lw_id"]

    @property
    def client(self) -> ZoomClient:
        return self._tap.zoom  # type: ignore[attr-defined,no-any-return]

    def get_records(self, context: Context | None) -> Iterable[dict[str, t.Any]]:
        tap = self._tap
        tap.preflight()  # type: ignore[attr-defined]
        plan: StreamPlan = tap.plan(self)  # type: ignore[attr-defined]
        if not plan.windows:
            self.logger.info("%s: nothing to read (range starts after it ends)", self.name)
            return
        lower, upper = _second(plan.start, ceil=True), _second(plan.end)
        summary = _Summary.begin(self.client)
        windows = tap.windows_of(self)  # type: ignore[attr-defined]
        for index, (window, entries, pages) in enumerate(windows, start=1):
            emitted = 0
            for record in self.window_records(window, entries, lower, upper):
                emitted += 1
                yield record
            summary.add(emitted, pages)
            self.logger.info(
                "%s %s (%d/%d): %s entries in %d pages",
                self.name,
                window.label,
                index,
                len(plan.windows),
                f"{emitted:,}",
                pages,
            )
            self._advance_bookmark(min(window.end(), plan.end), context)
        summary.report(self)

    def window_records(
        self, window: Window, entries: Entries, lower: str, upper: str
    ) -> Iterator[dict[str, t.Any]]:
        """A window's entries in ascending order, with their `lw_id`, within [lower, upper].

        Sorting the whole row (time first) fixes the order of ties and puts identical
        entries side by side, which is how their occurrence numbers are counted.
        """
        fields = self.fields
        keyed = [
            (json.dumps([entry.get(name) for name in fields], ensure_ascii=False), entry)
            for entry in entries
        ]
        keyed.sort(key=lambda pair: pair[0])
        near = window.near()
        previous, occurrence = None, 0
        for row_json, entry in keyed:
            occurrence = occurrence + 1 if row_json == previous else 0
            previous = row_json
            raw_time = entry.get("time")
            when = raw_time if _is_zoom_time(raw_time) else self._odd_time(window, raw_time)
            if when is not None and not near[0] <= when[:10] <= near[1]:
                self.logger.warning(
                    "%s %s: an entry of %s, outside the days asked for; %s",
                    self.name,
                    window.label,
                    raw_time,
                    "emitted" if lower <= when <= upper else "outside the range, not emitted",
                )
            if when is not None and not lower <= when <= upper:
                continue
            record: dict[str, t.Any] = {"lw_id": lw_id(self.name, row_json, occurrence)}
            for name in fields:
                value = entry.get(name)
                record[name] = value if value is None or type(value) is str else self._text(value)
            if when is None:
                record["time"] = None
            yield record

    def _odd_time(self, window: Window, value: t.Any) -> str | None:
        """A `time` not in Zoom's own form: its UTC second if it is a date-time at all.

        An entry without a usable time is still emitted (with `time` null, and a warning
        that quotes the value): a security log entry is never dropped for its format.
        """
        if isinstance(value, str):
            try:
                return _second(pendulum.parse(value, tz="UTC"))  # type: ignore[arg-type]
            except (ValueError, TypeError, pendulum.parsing.exceptions.ParserError):
                pass
        self.logger.warning(
            "%s %s: an entry whose time is %r, not a date-time: emitted with time null",
            self.name,
            window.label,
            value,
        )
        return None

    def _text(self, value: t.Any) -> str:
        """A non-string where Zoom promises a string: keep it, as its JSON text."""
        self.logger.warning("%s: a non-string value %r kept as JSON text", self.name, value)
        return json.dumps(value, ensure_ascii=False)

    def _advance_bookmark(self, bookmark: pendulum.DateTime, context: Context | None) -> None:
        """Everything up to `bookmark` is emitted: say so in the state, now."""
        state = self.get_context_state(context)
        state["replication_key"] = self.replication_key
        state["replication_key_value"] = _second(bookmark)
        self.state_manager.is_flushed = False
        self._write_state_message()

    # The bookmark is the end of the last finished window, set by `_advance_bookmark`: not
    # the newest record's time (entries of that same second could still be unread), and
    # capped by no signpost.
    def _increment_stream_state(
        self, latest_record: dict[str, t.Any], *, context: Context | None = None
    ) -> None:
        return

    def get_replication_key_signpost(self, context: Context | None = None) -> None:
        return None


@dataclass
class _Summary:
    """What one stream's sync cost: logged at its end, and sent as SDK metric lines."""

    client: ZoomClient
    started: float
    retries_before: t.Counter[str]
    waited_before: float
    entries: int = 0
    windows: int = 0
    pages: int = 0

    @classmethod
    def begin(cls, client: ZoomClient) -> _Summary:
        return cls(
            client,
            time.monotonic(),
            client.retries.copy(),
            client.rate_limit_wait,
        )

    def add(self, entries: int, pages: int) -> None:
        self.entries += entries
        self.windows += 1
        self.pages += pages

    def report(self, stream: ZoomReportStream) -> None:
        retries = self.client.retries - self.retries_before
        tokens = self.client.token.requests  # the token is the run's, not the stream's
        waited = self.client.rate_limit_wait - self.waited_before
        wall = time.monotonic() - self.started
        causes = ", ".join(f"{n} {cause}" for cause, n in sorted(retries.items())) or "none"
        stream.logger.info(
            "%s done: %s entries, %d windows, %d pages, retries: %s; %d token requests so far;"
            " %.1f s waiting on 429s; %.1f s in all",
            stream.name,
            f"{self.entries:,}",
            self.windows,
            self.pages,
            causes,
            tokens,
            waited,
            wall,
        )
        figures = {
            _MetricName.ENTRIES: self.entries,
            _MetricName.WINDOWS: self.windows,
            _MetricName.PAGES: self.pages,
            _MetricName.TOKEN_REQUESTS: tokens,
            _MetricName.RETRIES: sum(retries.values()),
            _MetricName.RATE_LIMIT_WAIT: round(waited, 3),
            _MetricName.WALL: round(wall, 3),
        }
        for name, value in figures.items():
            tags: dict[str, t.Any] = {"stream": stream.name}
            if name is _MetricName.RETRIES:
                tags["causes"] = dict(retries)
            point = metrics.Point("counter", name, value, tags)  # type: ignore[arg-type]
            stream._log_metric(point)


class _MetricName(str, enum.Enum):
    """The SDK's Point takes any enum for a metric's name: these are the tap's own."""

    ENTRIES = "zoom_entries"
    WINDOWS = "zoom_windows"
    PAGES = "zoom_pages"
    TOKEN_REQUESTS = "zoom_token_requests"  # noqa: S105 - a metric's name, not a secret
    RETRIES = "zoom_retries"
    RATE_LIMIT_WAIT = "zoom_rate_limit_wait_seconds"
    WALL = "zoom_wall_seconds"


def _is_zoom_time(value: t.Any) -> bool:
    """`2026-03-29T11:38:50Z`: Zoom's form, which compares as a string (the fast path)."""
    return (
        type(value) is str
        and len(value) == 20
        and value[10] == "T"
        and value[19] == "Z"
        and value[:4].isdigit()
    )


def _second(moment: datetime.datetime, *, ceil: bool = False) -> str:
    """`moment` in Zoom's own format, so entries' times compare as strings (fast, exact)."""
    whole = pendulum.instance(moment).in_timezone("UTC")
    if ceil and whole.microsecond:
        whole = whole.add(seconds=1)
    return whole.format("YYYY-MM-DDTHH:mm:ss[Z]")
