"""Quota headers (issue 27, cases 11 and 12): whatever X-RateLimit values Zoom or a proxy
sends, the tap reads a number, warns once that the reserve cannot be applied, or ignores
them, and never fails on them; the OAuth token answer's headers are no report family's
quota, and the token request is counted as a token request, not as a report request."""

from __future__ import annotations

import logging
import re
from typing import Any

import pytest
import requests

from tap_zoom_logs.api import ZoomAPI, daily_remaining, header_count
from tap_zoom_logs.errors import EXIT_QUOTA
from tap_zoom_logs.reports import MEETINGS_API
from tap_zoom_logs.run_stats import RunStats
from tests.support.tap import Tap, assert_exact, one_line_error
from zoom_emulator import ZoomEmulator

#: The words of the warning that the reserve cannot be applied.
CANNOT_APPLY = "cannot be applied"


# --------------------------------------------------------------------------- reading them


@pytest.mark.parametrize(
    ("value", "count"),
    [
        ("2999", 2999),
        (" 2999\t", 2999),
        ("2,999", 2999),
        ("30,000", 30000),
        ("1,234,567", 1234567),
        ("2999.0", 2999),
        ("2999.", 2999),
        ("2999, 2999", 2999),  # a header sent twice, as the client joins it
        ("2,999, 2,999", 2999),
        ("0", 0),
        ("2²", None),  # str.isdigit() says yes; int() says no
        ("٢٩٩٩", None),  # Arabic-Indic digits: int() reads them, Zoom does not write them
        ("-1", None),
        ("2999.5", None),
        ("2,99", None),
        ("29,99", None),
        ("2999, 3000", None),  # two figures: which one?
        ("1e3", None),
        ("", None),
        ("many", None),
    ],
)
def test_a_header_count_is_read_only_where_it_is_unambiguous(value, count):
    assert header_count(value) == count


@pytest.mark.parametrize(
    ("headers", "reading"),
    [
        ({"X-RateLimit-Limit": "30000", "X-RateLimit-Remaining": "2999"}, (2999, "")),
        ({"X-RateLimit-Limit": "30,000", "X-RateLimit-Remaining": "2,999"}, (2999, "")),
        ({"X-RateLimit-Limit": "30000.0", "X-RateLimit-Remaining": "2999.0"}, (2999, "")),
        ({"X-RateLimit-Limit": "10", "X-RateLimit-Remaining": "3"}, (None, "")),  # per second
        ({"X-RateLimit-Limit": "10", "X-RateLimit-Remaining": "2²"}, (None, "")),
        ({}, (None, "")),  # nothing said of any quota
        ({"X-RateLimit-Type": "Daily-limit", "X-RateLimit-Remaining": "0"}, (0, "")),
        # Larger than any second's remaining: the day's, whatever the Limit says.
        ({"X-RateLimit-Remaining": "2999"}, (2999, "")),
        ({"X-RateLimit-Limit": "lots", "X-RateLimit-Remaining": "2999"}, (2999, "")),
    ],
)
def test_what_the_headers_say_of_the_day(headers, reading):
    assert daily_remaining(headers) == reading


@pytest.mark.parametrize(
    "headers",
    [
        {"X-RateLimit-Limit": "30000", "X-RateLimit-Remaining": "2²"},
        {"X-RateLimit-Limit": "30000", "X-RateLimit-Remaining": "many"},
        {"X-RateLimit-Limit": "30000"},  # a daily limit, and nothing of what is left
        {"X-RateLimit-Remaining": "42"},  # of the second or of the day? nobody says
        {"X-RateLimit-Limit": "lots", "X-RateLimit-Remaining": "42"},
        {"X-RateLimit-Limit": "1,000, 30,000", "X-RateLimit-Remaining": "5"},
    ],
)
def test_headers_that_speak_of_a_quota_but_cannot_be_read_are_quoted(headers):
    left, unreadable = daily_remaining(headers)
    assert left is None
    for value in headers.values():
        assert repr(value) in unreadable


def test_a_quoted_header_is_cut_short():
    reading = daily_remaining({"X-RateLimit-Remaining": "9" * 30 + "x" * 500})
    assert reading.left is None
    assert len(reading.unreadable) < 120


# --------------------------------------------------------------------------- the reserve, in a run


@pytest.mark.parametrize(
    "rewrite",
    [
        {"limit": "{:,}", "remaining": "{:,}"},  # 1,040 and 1,010
        {"limit": "{}.0", "remaining": "{}.0"},
        {"remaining": "{}  "},
        {"limit": "absent"},
    ],
    ids=["thousands", "decimals", "white-space", "no-limit"],
)
def test_a_reserve_in_another_form_of_the_headers_still_stops_the_run(tmp_path, rewrite):
    """Case 11: the reserve applied as with Zoom's own form (the run stops at the
    reserve, not at Zoom's daily 429), and the next day's run completes it."""
    with ZoomEmulator(seed=5, history_days=6, entries_per_day=400, daily_quota=1040) as zoom:
        zoom.inject("quota_headers", **rewrite)
        tap = Tap(zoom, tmp_path)
        config = tap.config(page_size=50, daily_quota_reserve=1010, max_concurrent_requests=1)
        stopped = tap.run(config)

        line = one_line_error(stopped, "daily_quota_reserve (1,010)", code=EXIT_QUOTA)
        assert "1,010 requests left today" in line
        sent = zoom.stats.requests["activities"] + zoom.stats.requests["operationlogs"]
        assert sent == 30, "the quota spent down to the reserve and no further"
        assert CANNOT_APPLY not in stopped.stderr


@pytest.mark.parametrize("remaining", ["2²", "many", "-3", "2999.5"])
def test_a_quota_header_that_is_no_number_is_named_once_and_the_run_completes(tmp_path, remaining):
    """Case 11: `2²` passed str.isdigit() and ended the run in a traceback."""
    with ZoomEmulator(seed=5, history_days=4, entries_per_day=200) as zoom:
        zoom.inject("quota_headers", limit="30000", remaining=remaining)
        tap = Tap(zoom, tmp_path)
        config = tap.config(page_size=50)
        run = tap.run(config)

    assert_exact(run, zoom, config)
    warnings = [line for line in run.stderr.splitlines() if CANNOT_APPLY in line]
    assert len(warnings) == 1, warnings
    assert repr(remaining) in warnings[0]
    assert "daily_quota_reserve (3,000)" in warnings[0]
    assert "unknown left of today's quota" in run.stderr


def test_without_a_reserve_unreadable_headers_say_nothing(tmp_path):
    with ZoomEmulator(seed=5, history_days=3, entries_per_day=100) as zoom:
        zoom.inject("quota_headers", limit="30000", remaining="2²")
        tap = Tap(zoom, tmp_path)
        config = tap.config(daily_quota_reserve=0)
        run = tap.run(config)

    assert_exact(run, zoom, config)
    assert CANNOT_APPLY not in run.stderr


# --------------------------------------------------------------------------- the token's answer


@pytest.mark.parametrize(
    "headers",
    [
        {"limit": "30000", "remaining": "5"},
        {"limit": "30000", "remaining": "0", "type": "Daily-limit"},
        {"remaining": "2²"},
    ],
    ids=["below-the-reserve", "daily-limit", "garbage"],
)
def test_the_token_answers_quota_headers_are_no_report_familys(tmp_path, headers):
    """Case 12: they stopped the run (exit 75) before any report request."""
    with ZoomEmulator(seed=5, history_days=3, entries_per_day=100, token_ttl=5) as zoom:
        zoom.inject("quota_headers", endpoint="token", **headers)
        tap = Tap(zoom, tmp_path)
        config = tap.config(page_size=20, max_concurrent_requests=2)
        run = tap.run(config)

    assert_exact(run, zoom, config)
    assert CANNOT_APPLY not in run.stderr
    assert "unknown left of today's quota" in run.stderr


def test_the_token_request_is_counted_as_a_token_request_not_a_report_request(tmp_path):
    with ZoomEmulator(seed=5, history_days=3, entries_per_day=100) as zoom:
        zoom.inject("server_error", endpoint="token", times=1)  # one retried token request
        tap = Tap(zoom, tmp_path)
        config = tap.config(page_size=20)
        run = tap.run(config)
        reports = zoom.stats.requests["activities"] + zoom.stats.requests["operationlogs"]
        tokens = zoom.stats.requests["token"]

    assert_exact(run, zoom, config)
    assert tokens == 2
    summary = [line for line in run.stderr.splitlines() if "operation_logs done: " in line]
    assert len(summary) == 1, run.stderr[-2000:]
    assert f"{tokens} token requests so far" in summary[0]
    said = re.search(r"report API: (\d+) requests this run so far", summary[0])
    assert said is not None, summary[0]
    assert int(said.group(1)) == reports


def test_the_token_request_takes_no_report_slot_and_notes_no_quota():
    """In this process: the token endpoint's answer, with a quota below the reserve, is
    neither counted in nor applied to the meetings family."""
    stats = RunStats()
    config: dict[str, Any] = {
        "api_url": "https://api.zoom.example/v2",
        "oauth_url": "https://zoom.example/oauth/token",
        "account_id": "acct",
        "client_id": "id",
        "client_secret": "secret-of-test-quota-headers",
        "request_timeout": 5,
        "max_retry_seconds": 5,
        "max_requests_per_second": 5,
        "phone_max_requests_per_second": 2,
        "contact_center_max_requests_per_second": 2,
        "team_chat_max_requests_per_second": 10,
        "videosdk_max_requests_per_second": 2,
        "daily_quota_reserve": 3000,
    }
    zoom = ZoomAPI(config, logging.getLogger("test-quota-headers"), stats)
    answer = requests.Response()
    answer.status_code = 200
    answer._content = b'{"access_token": "t0k3n-of-test", "expires_in": 3600, "scope": ""}'
    answer.headers.update({"X-RateLimit-Limit": "30000", "X-RateLimit-Remaining": "5"})

    class Session:
        def request(self, *args: Any, **kwargs: Any) -> requests.Response:
            return answer

    def read_body(response: requests.Response, *, deadline: float) -> None:
        return None  # the answer is built here, its body already read

    zoom._session = Session()  # type: ignore[assignment]
    zoom._read_body = read_body  # type: ignore[method-assign]

    assert zoom.token.bearer() == "t0k3n-of-test"
    assert stats.token_requests == 1
    assert stats.family_requests[MEETINGS_API] == 0
    assert stats.quota_left == {}
    assert not zoom.lanes[MEETINGS_API].spared
