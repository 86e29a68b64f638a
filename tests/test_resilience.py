"""Tokens, 429 waits and the run's summary, end to end. Each fault kind, retried, given up
on or mixed, is in test_faults.py; Retry-After, the backoff and the retry budget are also
checked in this process in test_api_unit.py."""

from __future__ import annotations

import re
import threading
import types

import pytest
from typing_extensions import override

from tap_zoom_logs import feed
from tap_zoom_logs.tap import TapZoomLogs
from tests.support.tap import Tap, assert_exact, in_this_process
from zoom_emulator import ZoomEmulator


def statuses(emulator, endpoint):
    return [r.status for r in emulator.stats.log if r.endpoint == endpoint]


def test_one_token_serves_the_whole_run_and_both_streams(tap, emulator):
    config = tap.config(page_size=20)
    run = tap.run(config)

    assert_exact(run, emulator, config)
    assert emulator.stats.requests["token"] == 1


@pytest.mark.parametrize(
    ("zoom_options", "settings"),
    [
        # A 5 s token is renewed 1.25 s early: a margin that outlasts a loaded machine's
        # stalls between taking the token and Zoom reading it (a 2 s token's 0.5 s did not
        # under the clock sweep); 14 days of pages take longer than one token lives.
        ({"history_days": 14, "token_ttl": 5, "latency": 0.05}, {"max_concurrent_requests": 1}),
        # Eight windows in flight at 8 requests a second wait about a second for their
        # slots, as long as the token lives: one taken before the wait would arrive expired.
        (
            {"history_days": 4, "token_ttl": 1},
            {"max_requests_per_second": 8, "max_concurrent_requests": 8},
        ),
    ],
    ids=["one window at a time", "taken after the wait for its slot"],
)
def test_a_token_is_renewed_before_it_expires_and_fresh_when_sent(tmp_path, zoom_options, settings):
    with ZoomEmulator(seed=2, **zoom_options) as zoom:
        tap = Tap(zoom, tmp_path)
        config = tap.config(page_size=10, **settings)
        run = tap.run(config)

        assert_exact(run, zoom, config)
        assert zoom.stats.requests["token"] >= 2, "a run longer than the token's life renews it"
        assert not refused_tokens(zoom), "seconds since the token was issued, per 401"


def refused_tokens(zoom: ZoomEmulator) -> list[float]:
    """For each report request refused with 401, how long its token had lived (at most)."""
    ages, issued = [], 0.0
    for record in sorted(zoom.stats.log, key=lambda record: record.at):
        if record.endpoint == "token":
            issued = record.at
        elif record.status == 401:
            ages.append(round(record.at - issued, 3))
    return ages


def test_repeated_per_second_429s_slow_the_lane_down_and_say_so_once(tmp_path):
    # Zoom allows 1 a second (the account's other apps take the rest); the tap is set to 5.
    # Pages of 10: enough requests at any hour for the slowing down to show (with 20, a run
    # just after a UTC midnight made 20, most of them before the lane had slowed).
    with ZoomEmulator(seed=2, history_days=3, rate_limit_per_second=1) as zoom:
        tap = Tap(zoom, tmp_path)
        config = tap.config(page_size=10, max_requests_per_second=5, max_retry_seconds=60)
        run = tap.run(config)

        assert_exact(run, zoom, config)
        answered = statuses(zoom, "activities") + statuses(zoom, "operationlogs")
    said = [line for line in run.stderr.splitlines() if "requests with a per-second 429" in line]
    assert len(said) == 1, said
    # Held at 5 a second, about 2 of every 3 requests were refused (26 of 41 here).
    assert answered.count(429) < 0.5 * len(answered), f"{answered.count(429)} of {len(answered)}"


def test_a_revoked_token_is_replaced_and_the_request_retried(tap, emulator):
    emulator.inject("revoke_token", times=2)
    config = tap.config(page_size=20, max_concurrent_requests=1)
    run = tap.run(config)

    assert_exact(run, emulator, config)
    assert emulator.stats.requests["token"] == 3
    assert sum(1 for (_, status) in emulator.stats.statuses.elements() if status == 401) == 2


# Retry-After's forms are read in test_api_unit.py; test_faults.py's 429 storms of each
# form end exact. Here: the tap waits what it read, or backs off when Zoom says nothing.
@pytest.mark.parametrize("style", ["seconds", "absent"])
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
    else:
        assert gap >= 0.5, "exponential backoff starts around a second"


def test_each_stream_ends_with_a_summary_and_metric_lines(tap, emulator):
    emulator.inject("rate_limit", endpoint="activities", retry_after="seconds", seconds=1)
    emulator.inject("server_error", endpoint="activities", times=2)
    config = tap.config(page_size=10, max_concurrent_requests=1)
    run = tap.run(config)

    assert_exact(run, emulator, config)
    summary = next(line for line in run.stderr.splitlines() if "activity_logs done:" in line)
    entries = len(run.records["activity_logs"])
    # Today's window is open: where identical entries meet at a page boundary, its first
    # page is read again to tell them from a shift (whether they do depends on the hour).
    said = re.search(r"and (\d+) first pages read again", summary)
    assert said, summary
    again = int(said[1])
    pages = emulator.stats.pages("activities") - again
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


class _NoThreadFromWorkers(threading.Thread):
    """A thread that a worker cannot start, as Python 3.12 and newer refuse one once they
    are shutting down (after a run stopped on an error, a worker finishing its window
    starts the next)."""

    @override
    def start(self) -> None:
        if threading.current_thread() is not threading.main_thread():
            raise RuntimeError("can't create new thread at interpreter shutdown")
        super().start()


@pytest.mark.timeout(120)
def test_a_window_whose_thread_cannot_start_fails_the_run_instead_of_hanging(tap, monkeypatch):
    """The window is failed and the run stops on it; the worker used to die with the
    traceback, the window left started for ever, and the run waited for it."""
    no_thread = types.SimpleNamespace(**{**vars(threading), "Thread": _NoThreadFromWorkers})
    monkeypatch.setattr(feed, "threading", no_thread)
    config = tap.config(max_concurrent_requests=2)

    with in_this_process(), pytest.raises(RuntimeError, match="interpreter shutdown"):
        TapZoomLogs(config=config).sync_all()
