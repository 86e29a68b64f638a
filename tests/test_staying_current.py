"""Incremental runs against the emulator: a bookmarked run reads newest first down to its
bookmark less the margin and no further, proves the order before relying on it, settles
closed days once, and keeps every guarantee of a backfill (exactly once by lw_id)."""

from __future__ import annotations

import json
import logging
import time
from typing import Any

import pendulum
import pytest

from tap_zoom_logs.errors import EXIT_QUOTA
from tests.support.news import (
    a_day_left_unsettled,
    add_news,
    covering,
    late_operation,
    later,
    requests_to,
    run_in_process_at,
    settling_now,
    sign_in,
)
from tests.support.tap import (
    STREAMS,
    Tap,
    TapRun,
    as_record,
    assert_exact,
    assert_union_is_the_truth,
    at,
    one_line_error,
)
from zoom_emulator import ZoomEmulator


@pytest.fixture
def zoom() -> Any:
    # Enough entries that a day is several pages, few enough that a backfill is quick.
    with ZoomEmulator(seed=5, history_days=3, entries_per_day=2000) as emulator:
        yield emulator


def test_a_run_with_nothing_new_costs_two_requests_per_stream(zoom, tmp_path):
    tap = Tap(zoom, tmp_path)
    config = tap.config()
    # Within the margin whatever the hour: an entry the next run reads again.
    zoom.add_entry("activity_logs", sign_in(pendulum.instance(zoom.now).subtract(minutes=1), 0))
    backfill = tap.run(config)
    assert_exact(backfill, zoom, config)
    zoom.reset_stats()

    again = tap.run(config, state=backfill.state)

    assert again.returncode == 0, again.stderr
    for stream in STREAMS:
        # Page 1 reaches below the margin; page 2 shows the order past it (one page of
        # entries proves no order: tests/test_page_order.py), where the window has one.
        assert requests_to(zoom, stream) <= 2, stream
        # Only the margin's few minutes come again, each with the lw_id it had.
        margin_start = at(config["end_date"]).subtract(minutes=2)
        assert all(at(r["time"]) >= margin_start for r in again.records[stream])
        before = {r["lw_id"]: r for r in backfill.records[stream]}
        assert all(before[r["lw_id"]] == r for r in again.records[stream])
    assert requests_to(zoom, "activity_logs") == 2, "two days of 2,000 fill many pages"
    assert again.state == backfill.state
    # Unchanged, the state still follows the records it covers (target-jsonl prints only
    # a STATE that comes after the last RECORD).
    messages = [json.loads(line) for line in again.stdout.splitlines()]
    records = [i for i, m in enumerate(messages) if m["type"] == "RECORD"]
    assert records, "the margin's entries come again"
    assert any(m["type"] == "STATE" for m in messages[records[-1] :])
    margin_second = at(config["end_date"]).subtract(minutes=2)
    assert f"newest first down to {margin_second.format('YYYY-MM-DD[T]HH:mm:ss[Z]')}" in (
        again.stderr
    )


@pytest.mark.parametrize("order", ["newest", "oldest", "shuffled"])
def test_news_is_read_exactly_once_whatever_the_order_zoom_serves(tmp_path, order):
    with ZoomEmulator(seed=5, history_days=3, entries_per_day=2000, order=order) as zoom:
        tap = Tap(zoom, tmp_path)
        config = tap.config(page_size=50)
        backfill = tap.run(config)
        zoom.reset_stats()
        newest = add_news(zoom, 120)

        news = tap.run(later(config), state=backfill.state)

        assert_union_is_the_truth([backfill, news], zoom, covering(config, newest))
        emails = {r["email"] for r in news.records["activity_logs"]}
        assert {f"news{n}@example.com" for n in range(120)} <= emails
        said = "is not newest first; reading the window to its end"
        if order == "newest":
            # 120 new entries and the margin's few: pages of 50, nothing older read.
            assert requests_to(zoom, "activity_logs") <= 4
            assert said not in news.stderr
        else:
            assert said in news.stderr
            assert requests_to(zoom, "activity_logs") > 4


def test_pages_that_shift_as_entries_arrive_lose_and_repeat_nothing(zoom, tmp_path):
    tap = Tap(zoom, tmp_path)
    config = tap.config(page_size=20, max_concurrent_requests=1)
    backfill = tap.run(config)
    newest = add_news(zoom, 60)
    # An entry arrives at the top of the list after every page the next run reads.
    zoom.inject("arrive", times=8, endpoint="activities", entry=sign_in(newest, 1000))

    shifted = tap.run(later(config), state=backfill.state)
    zoom.clear_faults()
    final = tap.run(later(config), state=shifted.state)

    assert "came again at the top of page" in shifted.stderr
    assert_union_is_the_truth([backfill, shifted, final], zoom, covering(config, newest))


def test_an_entry_written_after_the_margin_is_found_when_its_day_settles(tmp_path):
    with ZoomEmulator(seed=5, history_days=6, entries_per_day=200) as zoom:
        tap = Tap(zoom, tmp_path)
        config = tap.config()
        backfill = tap.run(config)
        state, day = a_day_left_unsettled(zoom, backfill)
        zoom.add_entry("operation_logs", late_operation(day))

        settling = tap.run(config, state=state)
        settled = tap.run(config, state=settling.state)

    assert_union_is_the_truth([backfill, settling], zoom, config)
    late = as_record("operation_logs", late_operation(day))
    assert late in {as_record("operation_logs", r) for r in settling.records["operation_logs"]}
    closed = settling_now().isoformat()
    for stream in STREAMS:
        assert settling.state["bookmarks"][stream]["settled_through"] == closed
        assert f"{stream}: {day} settled" in settling.stderr
        assert settling.bookmark(stream) == backfill.bookmark(stream), "never moved back"
    assert "settled" not in settled.stderr.replace("settled_through", ""), "once, not each run"


def test_without_settling_a_late_entry_past_the_margin_is_not_read(tmp_path):
    with ZoomEmulator(seed=5, history_days=6, entries_per_day=200) as zoom:
        tap = Tap(zoom, tmp_path)
        config = tap.config(settle_closed_days=False)
        backfill = tap.run(config)
        state, day = a_day_left_unsettled(zoom, backfill)
        zoom.add_entry("operation_logs", late_operation(day))
        zoom.reset_stats()

        run = tap.run(config, state=state)

    assert run.returncode == 0, run.stderr
    late = as_record("operation_logs", late_operation(day))
    assert late not in {as_record("operation_logs", r) for r in run.records["operation_logs"]}
    assert requests_to(zoom, "operation_logs") == 1


def test_lookback_days_still_rereads_whole_days_and_says_what_to_set_instead(zoom, tmp_path):
    tap = Tap(zoom, tmp_path)
    config = tap.config(lookback_days=1)
    backfill = tap.run(config)
    zoom.reset_stats()

    again = tap.run(config, state=backfill.state)

    assert again.returncode == 0, again.stderr
    assert "setting lookback_days (1) re-reads whole days" in again.stderr
    assert "late_margin_minutes" in again.stderr
    day_before = at(config["end_date"]).subtract(days=1).start_of("day")
    times = [at(r["time"]) for r in again.records["activity_logs"]]
    assert min(times) < day_before.add(hours=1), "the whole day before the bookmark's"
    assert requests_to(zoom, "activity_logs") > 1


def test_the_summary_and_a_metric_say_how_old_the_newest_entry_emitted_is(zoom, tmp_path):
    tap = Tap(zoom, tmp_path)
    config = tap.config()
    backfill = tap.run(config)
    newest = add_news(zoom, 4)
    time.sleep(2)  # the newest entry is then at least 2 s old

    news = tap.run(later(config), state=backfill.state)

    assert news.returncode == 0, news.stderr
    stamp = newest.format("YYYY-MM-DD[T]HH:mm:ss[Z]")
    summary = next(line for line in news.stderr.splitlines() if "activity_logs done:" in line)
    assert f"newest entry emitted: {stamp} (" in summary
    (metric,) = [
        json.loads(line[line.index("{") :])
        for line in news.stderr.splitlines()
        if '"metric":"zoom_newest_entry_age_seconds"' in line and "activity_logs" in line
    ]
    age = pendulum.now("UTC").diff(newest).in_seconds()
    assert 2 <= metric["value"] <= age, (metric, age)


# --------------------------------------------------------------------------- the daily quota


def test_a_run_stops_before_the_daily_quota_falls_below_the_reserve_and_resumes(tmp_path):
    # A daily quota is at least 1,000 (Free's): 1,040 a day, 1,010 kept for other apps.
    with ZoomEmulator(seed=5, history_days=6, entries_per_day=400, daily_quota=1040) as zoom:
        tap = Tap(zoom, tmp_path)
        config = tap.config(page_size=50, daily_quota_reserve=1010, max_concurrent_requests=1)
        stopped = tap.run(config)

        reserve = "daily_quota_reserve (1,010)"
        line = one_line_error(stopped, reserve, "00:00 UTC", code=EXIT_QUOTA)
        assert "1,010 requests left today" in line
        sent = zoom.stats.requests["activities"] + zoom.stats.requests["operationlogs"]
        assert sent == 30, "the tap spends the quota down to the reserve and no further"
        bookmark = stopped.bookmark("activity_logs")
        assert config["start_date"] < bookmark < config["end_date"]
        summary = next(line for line in stopped.stderr.splitlines() if " done: " in line)
        assert "1,010 left of today's quota as Zoom last said" in summary

        zoom.reset_daily_quotas()  # the next day: 1,040 again, and this run may spend them
        resumed = tap.run({**config, "daily_quota_reserve": 0}, state=stopped.state)

        assert resumed.returncode == 0, resumed.stderr[-2000:]
        assert_union_is_the_truth([stopped, resumed], zoom, config)


@pytest.mark.parametrize(
    ("stream", "endpoint", "family", "quota"),
    [
        ("phone_operation_logs", "phone_operationlogs", "phone", "phone_daily_quota"),
        (
            "contact_center_operation_logs",
            "contact_center_operation_logs",
            "contact_center",
            "contact_center_daily_quota",
        ),
    ],
)
def test_a_familys_quota_reserve_stops_only_its_stream(tmp_path, stream, endpoint, family, quota):
    streams = ("activity_logs", stream)
    quotas: dict[str, Any] = {quota: 1004}
    with ZoomEmulator(seed=5, history_days=6, entries_per_day=100, **quotas) as zoom:
        tap = Tap(zoom, tmp_path)
        config = tap.config(daily_quota_reserve=1002, max_concurrent_requests=1)
        run = tap.run(config, select=streams)

        one_line_error(run, f"{family} API quota", code=EXIT_QUOTA)
        assert_exact(
            TapRun(0, run.stdout, run.stderr, run.records), zoom, config, ("activity_logs",)
        )
        assert zoom.stats.requests[endpoint] == 2


def test_a_per_second_limit_in_the_headers_is_not_taken_for_the_days(tmp_path):
    """Zoom does not say which limit X-RateLimit-Remaining counts: a small Limit (5 a
    second here) leaves the run alone, whatever the reserve."""
    with ZoomEmulator(seed=5, history_days=3, rate_limit_per_second=50) as zoom:
        tap = Tap(zoom, tmp_path)
        config = tap.config(daily_quota_reserve=100_000, max_requests_per_second=20)
        run = tap.run(config)

        assert_exact(run, zoom, config)
        assert "left of today's quota as Zoom last said" not in run.stderr.replace(
            "unknown left", ""
        )


# --------------------------------------------------------------------------- entries found late


def test_entries_written_late_are_counted_once_their_day_is_final(tmp_path, capsys, caplog):
    with ZoomEmulator(seed=5, history_days=5, entries_per_day=100) as zoom:
        today = pendulum.instance(zoom.now).start_of("day")
        config = {k: v for k, v in Tap(zoom, tmp_path).config().items() if k != "end_date"}
        # Days settle as soon as they close, for the counts alone (the wait for late
        # entries, with its counts: tests/test_late_entries.py).
        config["settle_after_hours"] = 0
        # Day D two days ago: a run at D 06:00 reads D-1 and D while still open.
        d = today.subtract(days=2)
        first = run_in_process_at(d.add(hours=6), config, None, capsys)
        assert first.state["bookmarks"]["operation_logs"]["settled_through"] == (
            d.subtract(days=2).to_date_string()
        )
        late_day = d.subtract(days=1).to_date_string()
        zoom.add_entry("operation_logs", late_operation(late_day))
        # Two days later, D-1, D and D+1 have closed: settling reads them whole.
        with caplog.at_level(logging.INFO):
            second = run_in_process_at(today.add(hours=15), config, first.state, capsys)

    late = as_record("operation_logs", late_operation(late_day))
    assert late in {as_record("operation_logs", r) for r in second.records["operation_logs"]}
    said = [r.getMessage() for r in caplog.records if " is final: " in r.getMessage()]
    assert f"operation_logs: {late_day} is final: 1 entries found late" in " | ".join(said)
    assert f"activity_logs: {late_day} is final: 0 entries found late" in " | ".join(said)
    final_days = {m.split(": ")[1].split(" ")[0] for m in said if m.startswith("activity_logs")}
    expected = {d.subtract(days=k).to_date_string() for k in (0, 1, 2)}
    assert final_days == expected, "the days whose Zoom days before, of and after settled"
    counts = second.state["bookmarks"]["operation_logs"]
    assert late_day not in counts.get("first_read_per_day", {}), "a final day's counts go"


@pytest.mark.parametrize("kill_after_states", [1, 2, 3])
def test_an_incremental_run_killed_while_settling_resumes_and_loses_nothing(
    tmp_path, kill_after_states
):
    """Settling windows, then the newest-first one, killed after some STATE and resumed:
    every entry once by lw_id, the settled days and the bookmark never ahead of the data."""
    with ZoomEmulator(seed=5, history_days=6, entries_per_day=300) as zoom:
        tap = Tap(zoom, tmp_path)
        config = tap.config(page_size=20, max_concurrent_requests=2, max_requests_per_second=40)
        backfill = tap.run(config)
        state, day = a_day_left_unsettled(zoom, backfill)
        zoom.add_entry("operation_logs", late_operation(day))
        killed = tap.run_killed(config, after_states=kill_after_states, state=state)
        resumed = tap.run(config, state={**state, **killed.state})

    assert resumed.returncode == 0, resumed.stderr[-2000:]
    assert_union_is_the_truth([backfill, killed, resumed], zoom, config)
    late = as_record("operation_logs", late_operation(day))
    found = [
        as_record("operation_logs", r)
        for run in (killed, resumed)
        for r in run.records["operation_logs"]
    ]
    assert late in found
