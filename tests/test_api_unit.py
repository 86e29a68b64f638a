"""api.py in this process: Retry-After, the rate lanes, how an answer is judged (retried,
refused, or the end of the run) and the retry budget. No server: answers are built here."""

from __future__ import annotations

import email.utils
import json
import logging
import types
from typing import Any

import pendulum
import pytest
import requests

from tap_zoom_logs import errors, pacing
from tap_zoom_logs.api import (
    ZoomAPI,
    _payload,
    _refusal,
    _Transient,
    parse_retry_after,
)
from tap_zoom_logs.auth import ZoomToken
from tap_zoom_logs.pacing import Lane, windows_in_flight
from tap_zoom_logs.run_stats import RunStats
from tap_zoom_logs.streams import ActivityLogsStream


def answer(status: int, body: Any = None, *, raw: bytes | None = None, **headers: str):
    """A response as requests hands it over: Zoom's JSON `body` (or `raw` bytes)."""
    response = requests.Response()
    response.status_code = status
    response._content = raw if raw is not None else json.dumps(body).encode()
    response.headers.update({name.replace("_", "-"): value for name, value in headers.items()})
    return response


REPORT = ActivityLogsStream.report_for({})
PAGE = {"from": "2026-05-01", "to": "2026-05-01", "page_size": 300}


# --------------------------------------------------------------------------- Retry-After


def test_retry_after_forms_with_a_fixed_clock():
    now = pendulum.datetime(2026, 5, 30, 23, 59, 0).timestamp()
    assert parse_retry_after("7", now) == 7
    assert parse_retry_after(" 1.5 ", now) == 1.5
    assert parse_retry_after("-3", now) == 0
    assert parse_retry_after("2026-05-31T00:00:00Z", now) == 60
    assert parse_retry_after("2026-05-31T02:00:00+02:00", now) == 60
    http_date = "Sat, 30 May 2026 23:59:30 GMT"
    assert email.utils.parsedate_to_datetime(http_date).timestamp() == now + 30
    assert parse_retry_after(http_date, now) == 30
    assert parse_retry_after("2026-05-30T00:00:00Z", now) == 0, "a past moment: now"
    for nothing in (None, "", "soon"):
        assert parse_retry_after(nothing, now) is None


# --------------------------------------------------------------------------- lanes


class Clock:
    """time.monotonic at a fixed moment, and a stopping event that records each wait."""

    def __init__(self, now: float) -> None:
        self.now = now
        self.waits: list[float] = []
        self.stopping = False

    def monotonic(self) -> float:
        return self.now

    def wait(self, seconds: float) -> bool:
        self.waits.append(round(seconds, 6))
        return self.stopping

    def is_set(self) -> bool:
        return self.stopping


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fixed = Clock(100.0)
    monkeypatch.setattr(pacing, "time", types.SimpleNamespace(monotonic=fixed.monotonic))
    return fixed


def test_slots_are_spaced_evenly_in_the_order_asked(clock):
    lane = Lane("report", rate=5)
    for _ in range(4):
        lane.acquire(clock)

    assert clock.waits == [0, 0.2, 0.4, 0.6], "one slot every 1/rate, first come first"
    clock.now = 101.0  # past the slots handed out: the next is now
    lane.acquire(clock)
    assert clock.waits[-1] == 0


def test_a_stopping_run_gets_no_slot(clock):
    clock.stopping = True
    with pytest.raises(errors.Stopped):
        Lane("report", rate=5).acquire(clock)


def test_windows_in_flight_follow_the_measured_latency_up_to_the_cap():
    lane = Lane("report", rate=10)
    assert windows_in_flight(lane, 128) == pacing.FIRST_WINDOWS_IN_FLIGHT, "before any answer"
    lane.observe(0.5)
    assert windows_in_flight(lane, 128) == 11, "10/s x 0.5 s x headroom 2, plus one"
    lane.observe(1.0)  # moves a fifth of the way: 0.6 s
    assert windows_in_flight(lane, 128) == 13
    assert windows_in_flight(Lane("report", rate=10), 2) == 2
    capped = Lane("report", rate=10)
    capped.observe(0.5)
    assert windows_in_flight(capped, 8) == 8


def test_windows_in_flight_never_leave_a_page_token_waiting_too_long():
    """At 0.01 requests/s, more than 3 windows in flight would leave each more than 300 s
    between its pages, and Zoom's page tokens expire after 15 minutes."""
    slow = Lane("report", rate=0.01)
    slow.observe(1000.0)
    assert windows_in_flight(slow, 128) == 3
    slower = Lane("report", rate=0.001)
    slower.observe(1000.0)
    assert windows_in_flight(slower, 128) == 1, "at least one"


# --------------------------------------------------------------------------- answers judged


def test_a_daily_limit_ends_the_run_with_the_reset_time():
    daily = answer(
        429,
        {"code": 429, "message": "You have reached the daily rate limit."},
        X_RateLimit_Type="Daily-limit",
        x_zm_trackingid="v=2.0;abc",
    )
    with pytest.raises(errors.DailyLimitReached) as stopped:
        ZoomAPI._raise_if_transient(daily)
    assert "00:00 UTC" in str(stopped.value)
    assert "(x-zm-trackingid v=2.0;abc)" in str(stopped.value)

    # A Retry-After more than five minutes away is a quota, not a throttle; without the
    # daily-limit header it is not called the daily limit.
    far = answer(429, {"code": 429, "message": "Too many"}, Retry_After="3600")
    with pytest.raises(errors.DailyLimitReached) as stopped:
        ZoomAPI._raise_if_transient(far)
    assert "Zoom asks to wait 3600 s" in str(stopped.value)
    assert "daily" not in str(stopped.value)


def test_a_per_second_429_waits_what_retry_after_says():
    with pytest.raises(_Transient) as throttled:
        ZoomAPI._raise_if_transient(answer(429, {"code": 429}, Retry_After="2"))
    assert (throttled.value.cause, throttled.value.wait) == ("rate limit (429)", 2)

    with pytest.raises(_Transient) as unsaid:
        ZoomAPI._raise_if_transient(answer(429, {"code": 429}))
    assert unsaid.value.wait is None, "backoff decides"


def test_5xx_is_retried_and_other_answers_are_for_the_caller():
    with pytest.raises(_Transient) as failed:
        ZoomAPI._raise_if_transient(answer(502, raw=b"<html>Bad Gateway</html>"))
    assert failed.value.cause == "server error (5xx)"
    assert failed.value.reason == "HTTP 502"
    for status in (200, 400, 401, 404):
        ZoomAPI._raise_if_transient(answer(status, {}))


@pytest.mark.parametrize(
    ("body", "says"),
    [
        (b'{"activity_logs": [', "a broken JSON answer (HTTP 200)"),
        (b'{"next_page_token": ""}', "an answer without its 'activity_logs' list"),
        (b'{"activity_logs": ["an entry"]}', "an answer without its 'activity_logs' list"),
        (b'[{"activity_logs": []}]', "an answer without its 'activity_logs' list"),
    ],
)
def test_an_answer_without_its_records_is_retried_never_read_as_empty(body, says):
    with pytest.raises(_Transient) as broken:
        _payload(REPORT, answer(200, raw=body))
    assert broken.value.cause == "broken answer"
    assert says in broken.value.reason


def test_an_answer_with_its_records_is_the_page():
    page = {"activity_logs": [{"time": "2026-05-01T00:00:00Z"}], "next_page_token": "t"}
    assert _payload(REPORT, answer(200, page)) == page


def test_a_lone_surrogate_escape_is_read_not_taken_for_a_broken_answer():
    # A cut-off emoji: JSON allows the escape, msgspec refuses it, UTF-8 cannot hold it.
    body = b'{"activity_logs": [{"email": "a\\ud800b", "version": "\\ud83d\\ude80"}]}'
    entry = _payload(REPORT, answer(200, raw=body))["activity_logs"][0]

    assert entry == {"email": "a\ufffdb", "version": "\U0001f680"}
    assert json.dumps(entry, ensure_ascii=False).encode()  # now writable as UTF-8


def test_an_answer_nested_too_deep_is_one_line_not_retried():
    # Deeper than any Python reads: from 3.12 on the limit is the C stack's (3.13 reads 5000
    # levels), 1000 levels before.
    depth = 100_000
    body = b'{"activity_logs": [{"email": ' + b"[" * depth + b"]" * depth + b"}]}"
    with pytest.raises(errors.ZoomAPIError, match="nested too deep"):
        _payload(REPORT, answer(200, raw=body))
    assert errors.zoom_error_fields(answer(400, raw=body)) == (None, "")


@pytest.mark.parametrize(
    ("status", "body", "query", "kind", "says"),
    [
        (400, {"code": 4711, "message": "Invalid access token, does not contain scopes"},
         PAGE, errors.SettingError, "lacks the scope report:read:user_activities:admin"),
        (401, {"code": 124, "message": "Invalid access token."},
         PAGE, errors.ZoomAPIError, "keeps refusing fresh access tokens"),
        (400, {"code": 300, "message": "Invalid next page token."},
         {**PAGE, "next_page_token": "x"}, errors.PageTokenInvalid, "Zoom code 300"),
        (400, {"code": 300, "message": "The next page token is invalid or expired."},
         PAGE, errors.DatesRefused, "Zoom refused the request"),
        (400, {"code": 200, "message": "No permission."},
         PAGE, errors.SettingError, "'Sign In/Sign Out' view permission"),
    ],
)  # fmt: skip
def test_a_refusal_says_what_to_do(status, body, query, kind, says):
    response = answer(status, body, x_zm_trackingid="t-1")
    refusal = _refusal(REPORT, response, body["code"], query)

    assert type(refusal) is kind
    assert says in str(refusal)
    assert "(x-zm-trackingid t-1)" in str(refusal)


# --------------------------------------------------------------------------- retries


def zoom_api(**settings: Any) -> ZoomAPI:
    config = {
        "api_url": "https://api.zoom.us/v2",
        "oauth_url": "https://zoom.us/oauth/token",
        "account_id": "acct",
        "client_id": "id",
        "client_secret": "secret-of-test-api-unit",
        "request_timeout": 60,
        "max_retry_seconds": 300,
        "max_concurrent_requests": 128,
        "max_requests_per_second": 5,
        "phone_max_requests_per_second": 2,
        "contact_center_max_requests_per_second": 2,
        "team_chat_max_requests_per_second": 10,
        "videosdk_max_requests_per_second": 2,
        "daily_quota_reserve": 3000,
        **settings,
    }
    return ZoomAPI(config, logging.getLogger("test-api-unit"), RunStats())


def test_transient_failures_are_retried_and_counted():
    zoom = zoom_api()
    failures = [_Transient("server error (5xx)", "HTTP 503", 0)] * 2

    def attempt() -> str:
        if failures:
            raise failures.pop()
        return "page"

    assert zoom.retrying(attempt, what="activity_logs page") == "page"
    assert zoom.stats.retries == {"server error (5xx)": 2}
    zoom.stats.retried("rate limit (429)", 1.5)
    assert zoom.stats.rate_limit_wait == 1.5


def test_retries_stop_at_the_budget_with_the_last_failure():
    zoom = zoom_api(max_retry_seconds=0.5)

    def attempt() -> str:
        raise _Transient("timeout", "no answer within request_timeout (60 s)", 1.0)

    with pytest.raises(errors.RetriesExhausted) as gave_up:
        zoom.retrying(attempt, what="activity_logs page (2026-05-01..2026-05-01)")
    assert str(gave_up.value) == (
        "gave up on activity_logs page (2026-05-01..2026-05-01) after 1 failed attempts in"
        " 0 s; the last: no answer within request_timeout (60 s)"
    )


@pytest.mark.parametrize(("failures", "low", "high"), [(1, 0.5, 1), (3, 2, 4), (10, 30, 60)])
def test_backoff_doubles_with_jitter_up_to_a_minute(failures, low, high):
    waits = [ZoomAPI._backoff(failures) for _ in range(50)]
    assert all(low <= wait <= high for wait in waits)
    assert len(set(waits)) > 1, "jitter spreads windows hit by the same outage"


@pytest.mark.parametrize("lifetime", [0, -5])
def test_a_token_said_to_expire_at_once_is_kept_for_an_hour_with_a_warning(lifetime, caplog):
    sent = []

    def send(method: str, url: str, **kwargs: Any) -> requests.Response:
        sent.append(url)
        return answer(200, {"access_token": "t0k3n", "expires_in": lifetime, "scope": ""})

    token = ZoomToken(
        oauth_url="https://zoom.example/oauth/token",
        account_id="a",
        client_id="b",
        client_secret="c",
        send=send,
        logger=logging.getLogger("test-token"),
    )
    with caplog.at_level(logging.WARNING):
        assert token.bearer() == token.bearer() == "t0k3n"
    assert len(sent) == 1, "one token, not one per request"
    assert f"expires_in {lifetime}" in caplog.text
