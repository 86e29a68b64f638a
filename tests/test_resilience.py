"""Tokens, retries and page tokens: the run completes exactly, or stops with one clear line."""

from __future__ import annotations

import email.utils

import pendulum
import pytest

from tap_zoom_logs.api import parse_retry_after
from tap_zoom_logs.sandbox import ZoomEmulator
from tap_zoom_logs.windows import plan_windows
from tests.conftest import Tap, assert_exact


def statuses(emulator, endpoint):
    return [r.status for r in emulator.stats.log if r.endpoint == endpoint]


def test_one_token_serves_the_whole_run_and_both_streams(tap, emulator):
    config = tap.config(page_size=20)
    run = tap.run(config)

    assert_exact(run, emulator, config)
    assert emulator.stats.requests["token"] == 1


def test_token_is_renewed_before_it_expires(tmp_path):
    with ZoomEmulator(seed=2, history_days=6, token_ttl=2, latency=0.05) as zoom:
        tap = Tap(zoom, tmp_path)
        config = tap.config(page_size=10, max_concurrent_requests=1)
        run = tap.run(config)

        assert_exact(run, zoom, config)
        assert zoom.stats.requests["token"] >= 2, "a run longer than the token's life renews it"
        assert 401 not in statuses(zoom, "activities") + statuses(zoom, "operationlogs")


def test_a_revoked_token_is_replaced_and_the_request_retried(tap, emulator):
    emulator.inject("revoke_token", times=2)
    config = tap.config(page_size=20, max_concurrent_requests=1)
    run = tap.run(config)

    assert_exact(run, emulator, config)
    assert emulator.stats.requests["token"] == 3
    assert sum(1 for (_, status) in emulator.stats.statuses.elements() if status == 401) == 2


@pytest.mark.parametrize("style", ["seconds", "http_date", "iso", "absent"])
def test_per_second_429_waits_what_retry_after_says(tap, emulator, style):
    emulator.inject("rate_limit", endpoint="activities", retry_after=style, seconds=1)
    config = tap.config(max_concurrent_requests=1)
    run = tap.run(config)

    assert_exact(run, emulator, config)
    log = [r for r in emulator.stats.log if r.endpoint == "activities"]
    refused = next(i for i, r in enumerate(log) if r.status == 429)
    gap = log[refused + 1].at - log[refused].at
    if style == "seconds":
        assert gap >= 1.0
    elif style == "absent":
        assert gap >= 0.5, "exponential backoff starts around a second"
    else:  # a date one second (rounded up) ahead: at least the part that was still to come
        assert gap >= 0.2


@pytest.mark.parametrize("kind", ["server_error", "reset", "truncated", "missing_key"])
def test_transient_failures_are_retried_without_loss(tap, emulator, kind):
    emulator.inject(kind, times=3)
    config = tap.config(page_size=15)
    run = tap.run(config)

    assert_exact(run, emulator, config)
    assert "retrying" in run.stderr


def test_an_expired_page_token_rereads_the_window_without_duplicates(tap, emulator):
    emulator.inject("expire_page_token", times=2)
    config = tap.config(page_size=5, window_days=3)
    run = tap.run(config)

    assert_exact(run, emulator, config)
    assert "reading the window again" in run.stderr


def test_retries_give_up_after_the_budget_with_what_kept_failing(tap, emulator):
    emulator.inject("server_error", times=1000, status=502)
    run = tap.run(tap.config(max_retry_seconds=3))

    assert run.returncode == 1
    last = run.stderr.strip().splitlines()[-1]
    assert "gave up" in last and "HTTP 502" in last and "x-zm-trackingid" in last
    assert "Traceback" not in run.stderr


def test_retry_after_forms_with_a_fixed_clock():
    now = pendulum.datetime(2026, 5, 30, 23, 59, 0).timestamp()
    assert parse_retry_after("7", now) == 7
    assert parse_retry_after("2026-05-31T00:00:00Z", now) == 60
    http_date = "Sat, 30 May 2026 23:59:30 GMT"
    assert email.utils.parsedate_to_datetime(http_date).timestamp() == now + 30
    assert parse_retry_after(http_date, now) == 30
    assert parse_retry_after(None, now) is None
    assert parse_retry_after("soon", now) is None
    assert parse_retry_after("2026-05-30T00:00:00Z", now) == 0


def test_windows_cover_every_day_once_oldest_first():
    start = pendulum.datetime(2026, 1, 30, 13, 5)
    end = pendulum.datetime(2026, 3, 2, 1, 0)
    windows = plan_windows(start.date(), end.date(), 7)

    days = [
        w.first_day.add(days=i) for w in windows for i in range((w.last_day - w.first_day).days + 1)
    ]
    assert days == [start.date().add(days=i) for i in range((end.date() - start.date()).days + 1)]
    assert all((w.last_day - w.first_day).days < 7 for w in windows)
    assert windows[-1].last_day == end.date()


def test_each_stream_ends_with_a_summary_and_metric_lines(tap, emulator):
    emulator.inject("rate_limit", endpoint="activities", retry_after="seconds", seconds=1)
    emulator.inject("server_error", endpoint="activities", times=2)
    config = tap.config(page_size=10, max_concurrent_requests=1)
    run = tap.run(config)

    assert_exact(run, emulator, config)
    summary = next(line for line in run.stderr.splitlines() if "activity_logs done:" in line)
    entries = len(run.records["activity_logs"])
    pages = emulator.stats.pages("activities")
    assert f"{entries:,} entries" in summary
    assert f"{pages} pages" in summary
    assert "1 rate limit (429)" in summary and "2 server error (5xx)" in summary
    assert "1 token requests so far" in summary
    metric_lines = [line for line in run.stderr.splitlines() if '"metric":"zoom_pages"' in line]
    assert any(f'"value":{pages},' in line and "activity_logs" in line for line in metric_lines)
    windows = [line for line in run.stderr.splitlines() if line.count("activity_logs 20") == 1]
    assert len(windows) == len(
        {r.params["from"] for r in emulator.stats.log if r.endpoint == "activities"}
    )
