"""Every entry exactly once, stable ids, resumable state: the tap against the emulator."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pendulum
import pytest

from tap_zoom_logs.client import ZoomReportStream
from tap_zoom_logs.errors import EXIT_QUOTA
from tap_zoom_logs.settling import FIRST_READ, SETTLE_READ
from tap_zoom_logs.tap import TapZoomLogs
from tap_zoom_logs.times import parse_day
from tap_zoom_logs.windows import SETTLE_AFTER_HOURS, last_day_to_settle
from tests.support.tap import (
    ALL_STREAMS,
    FIELDS,
    STREAMS,
    Tap,
    as_record,
    assert_exact,
    assert_union_is_the_truth,
    at,
    in_this_process,
    one_line_error,
    parse_output,
    truth,
    without_id,
)
from zoom_emulator import ZoomEmulator


def test_every_entry_in_range_exactly_once(tap, emulator):
    config = tap.config(page_size=7, window_days=2)
    run = tap.run(config)

    assert run.returncode == 0, run.stderr
    for stream in STREAMS:
        records = run.records[stream]
        assert without_id(stream, records) == truth(emulator, stream, config)
        assert len({record["lw_id"] for record in records}) == len(records)
        times = [record["time"] for record in records]
        assert times == sorted(times), "records must come in ascending time order"


def test_range_is_filtered_to_the_second(tap, emulator):
    """Zoom filters by whole day; start_date/end_date mid-day must cut exactly."""
    entries = emulator.entries("operation_logs")
    start, end = entries[len(entries) // 4]["time"], entries[3 * len(entries) // 4]["time"]
    config = tap.config(start_date=start, end_date=end)
    run = tap.run(config)

    assert run.returncode == 0, run.stderr
    emitted = without_id("operation_logs", run.records["operation_logs"])
    assert emitted == truth(emulator, "operation_logs", config)
    assert min(r["time"] for r in run.records["operation_logs"]) == start
    assert max(r["time"] for r in run.records["operation_logs"]) == end


def test_exact_duplicates_both_arrive_with_their_own_ids(tap, emulator):
    config = tap.config()
    run = tap.run(config)

    for stream in STREAMS:
        duplicated = [row for row, n in truth(emulator, stream, config).items() if n > 1]
        assert duplicated, "the emulator must serve exact duplicates for this test to mean anything"
        by_row: dict[tuple[Any, ...], set[str]] = {}
        for record in run.records[stream]:
            by_row.setdefault(as_record(stream, record), set()).add(record["lw_id"])
        for row in duplicated:
            assert len(by_row[row]) == truth(emulator, stream, config)[row]


def test_values_pass_through_unchanged(tap, emulator):
    config = tap.config()
    run = tap.run(config)

    details = {r["operation_detail"] for r in run.records["operation_logs"]}
    assert any(d and d.endswith(" ") for d in details), "trailing spaces are kept"
    assert any(d and not d.isascii() for d in details), "unicode is kept"
    versions = {r["version"] for r in run.records["activity_logs"]}
    assert "-" in versions
    assert any(None in as_record("activity_logs", r)[1:] for r in run.records["activity_logs"])


@pytest.mark.parametrize(
    ("served", "emitted"),
    [
        ("{day}T10:00:00", "{day}T10:00:00Z"),  # no zone: taken as UTC
        ("{day}T12:00:00+02:00", "{day}T10:00:00Z"),
        (12345, None),  # a number: no timestamp column could take it
    ],
)
def test_a_time_in_another_form_is_emitted_as_a_utc_date_time_or_null(
    tap, emulator, served, emitted
):
    day = (emulator.now - timedelta(days=2)).date().isoformat()
    value = served.format(day=day) if isinstance(served, str) else served
    emulator.inject("bad_time", endpoint="activities", value=value, times=100)  # every page
    run = tap.run(tap.config(lookback_days=0))

    assert run.returncode == 0, run.stderr[-2000:]
    times = [record["time"] for record in run.records["activity_logs"]]
    expected = emitted.format(day=day) if emitted else None
    assert expected in times
    assert all(t is None or (len(t) == 20 and t.endswith("Z")) for t in times)
    assert repr(value) in run.stderr, "a warning quotes what Zoom wrote"


def test_lw_id_is_stable_across_runs_and_window_sizes(tap, emulator):
    configs = [tap.config(window_days=days, page_size=size) for days, size in ((1, 300), (5, 9))]
    runs = [tap.run(config) for config in configs]

    for run, config in zip(runs, configs, strict=True):
        assert_exact(run, emulator, config)  # each run is every entry, not two failures alike
    for stream in STREAMS:
        first, second = ({r["lw_id"]: r for r in run.records[stream]} for run in runs)
        assert first == second


def test_state_has_a_bookmark_per_stream_and_no_progress_markers(tap):
    config = tap.config()
    run = tap.run(config)

    closed = {
        last_day_to_settle(moment, SETTLE_AFTER_HOURS)
        for moment in (at(config["end_date"]), pendulum.now("UTC"))
    }
    for stream in STREAMS:
        final = dict(run.state["bookmarks"][stream])
        # The days due to settle when they were read are settled: never read again.
        assert parse_day(final.pop("settled_through")) in closed
        # The days not yet final keep their counts of entries (settling.py), no others.
        counted = set(final.pop(FIRST_READ)) | set(final.pop(SETTLE_READ, {}))
        assert all(day >= min(closed).to_date_string() for day in counted), counted
        assert final == {"replication_key": "time", "replication_key_value": config["end_date"]}
    start = at(config["start_date"]).date()
    windows = (min(closed) - start).days + 1  # a window per closed day, then the open ones
    per_stream = [s for s in run.states if "operation_logs" not in s["bookmarks"]]
    assert len(per_stream) >= windows, "the bookmark advances with every finished window"


def test_incremental_run_rereads_only_the_lookback_and_keeps_ids(tap, emulator):
    first = tap.run(tap.config())
    emulator.reset_stats()
    config = tap.config(lookback_days=1)
    del config["end_date"]
    second = tap.run(config, state=first.state)

    assert second.returncode == 0, second.stderr
    today = pendulum.now("UTC").date()
    requested = {
        record.params["from"] for record in emulator.stats.log if record.endpoint != "token"
    }
    # One window from the day before the bookmark's, read newest first down to its start.
    assert requested == {today.subtract(days=1).isoformat()}
    for stream in STREAMS:
        again = {r["lw_id"]: r for r in second.records[stream]}
        before = {r["lw_id"]: r for r in first.records[stream]}
        assert again, "the lookback days are emitted again"
        assert all(before[lw_id] == record for lw_id, record in again.items() if lw_id in before)


def test_a_late_entry_within_the_lookback_arrives_next_run(tap, emulator):
    first = tap.run(tap.config(lookback_days=1))
    yesterday = pendulum.now("UTC").subtract(days=1).format("YYYY-MM-DD[T]12:00:00[Z]")
    late = {
        "time": yesterday,
        "operator": "late@example.com",
        "category_type": "User",
        "action": "Update",
        "operation_detail": "arrived late ",
    }
    emulator.add_entry("operation_logs", late)
    second = tap.run(tap.config(lookback_days=1), state=first.state)

    rows = [as_record("operation_logs", r) for r in second.records["operation_logs"]]
    assert as_record("operation_logs", late) in rows
    assert as_record("operation_logs", late) not in [
        as_record("operation_logs", r) for r in first.records["operation_logs"]
    ]


def test_daily_limit_stops_cleanly_and_the_next_run_resumes(tap, emulator):
    config = tap.config(window_days=1, max_concurrent_requests=1)
    emulator.inject("daily_limit", after=3)
    stopped = tap.run(config)

    one_line_error(stopped, "daily", "00:00 UTC", code=EXIT_QUOTA)
    bookmark = stopped.bookmark("activity_logs")
    assert config["start_date"] < bookmark < config["end_date"]

    emulator.clear_faults()
    emulator.reset_stats()
    resumed = tap.run(config, state=stopped.state)

    assert resumed.returncode == 0, resumed.stderr
    first_from = min(r.params["from"] for r in emulator.stats.log if r.endpoint == "activities")
    # The bookmark is where a day ends at UTC+14 (10:00 UTC): from the day its margin falls
    # on at UTC-12, read newest first down to the margin.
    assert bookmark.endswith("T09:59:59Z")
    assert first_from == at(bookmark).subtract(hours=12, minutes=2).to_date_string()
    assert_union_is_the_truth([stopped, resumed], emulator, config)


@pytest.mark.parametrize("kill_after_states", [2, 5])
def test_killed_run_resumes_at_its_window_and_loses_nothing(tap, emulator, kill_after_states):
    config = tap.config(window_days=1, lookback_days=0, max_requests_per_second=20)
    killed = tap.run_killed(config, after_states=kill_after_states)

    emulator.reset_stats()
    resumed = tap.run(config, state=killed.state)

    assert resumed.returncode == 0, resumed.stderr
    assert_union_is_the_truth([killed, resumed], emulator, config)
    # It restarts at the interrupted window (the bookmark's day), not at the beginning
    # (the day before start_date: Zoom's day boundary is not documented).
    first_from = min(r.params["from"] for r in emulator.stats.log if r.endpoint == "activities")
    assert first_from == killed.bookmark("activity_logs")[:10]
    edge_day = at(config["start_date"]).subtract(days=1).to_date_string()
    assert first_from > edge_day


def test_streams_synced_one_at_a_time_in_any_order_get_all_their_windows(tap, emulator, capsys):
    """The tap fetches windows ahead across streams; a stream synced on its own (as the
    SDK's tests do), or synced again, must still get every one of its windows."""
    config = tap.config(window_days=2)
    with in_this_process():
        zoom_tap = TapZoomLogs(config=config)
        for name in ("operation_logs", "activity_logs", "activity_logs"):
            zoom_tap.streams[name].sync()
    run = parse_output(0, capsys.readouterr().out, "")

    operation = without_id("operation_logs", run.records["operation_logs"])
    assert operation == truth(emulator, "operation_logs", config)
    # The second sync of activity_logs resumes at its bookmark less the 2-minute margin.
    resumed_from = at(config["end_date"]).subtract(minutes=2).to_iso8601_string()
    again = truth(emulator, "activity_logs", {**config, "start_date": resumed_from})
    activity = without_id("activity_logs", run.records["activity_logs"])
    assert activity == truth(emulator, "activity_logs", config) + again


def test_the_sdk_still_calls_the_override_that_keeps_bookmarks_at_window_ends(
    tap, emulator, capsys, monkeypatch
):
    """The bookmark is the end of the last finished window, never a record's time (entries
    of that second could still be unread). That rests on overriding the SDK's private
    `_increment_stream_state`, which the SDK calls per record: were it no longer called,
    the SDK would move the bookmark to each record's time, and write it every
    STATE_MSG_FREQUENCY records. So with that frequency small, every STATE must still hold
    window ends (the last second of a day wherever Zoom cuts it: 09:59:59 UTC, where its day
    is furthest ahead) or the run's end_date, and nothing else."""
    monkeypatch.setattr(ZoomReportStream, "STATE_MSG_FREQUENCY", 5)
    config = tap.config(window_days=1)
    with in_this_process():
        TapZoomLogs(config=config).sync_all()
    run = parse_output(0, capsys.readouterr().out, "")

    assert_exact(run, emulator, config)
    for stream in STREAMS:
        assert len(run.records[stream]) > 5 * 4, "enough records for mid-window STATEs"
    values = [
        (stream, bookmark)
        for state in run.states
        for stream, bookmark in state["bookmarks"].items()
    ]
    assert values
    for stream, bookmark in values:
        assert set(bookmark) <= {
            "replication_key",
            "replication_key_value",
            "settled_through",
            FIRST_READ,
            SETTLE_READ,
        }
        value = bookmark["replication_key_value"]
        assert value.endswith("T09:59:59Z") or value == config["end_date"], (stream, value)


def test_each_streams_fields_are_the_fields_zoom_serves(emulator):
    """The schema's fields (which the tests compare records by) are those of the entries
    the emulator serves, as Zoom's definitions list them: none left out, none invented."""
    for stream in ALL_STREAMS:
        served = {name for entry in emulator.entries(stream) for name in entry}
        assert served == set(FIELDS[stream]), stream


@pytest.mark.parametrize("settle", [False, True])
def test_a_run_stopped_between_windows_resumes_without_a_loss_east_of_utc(tmp_path, settle):
    """A window of Zoom's days up to D holds entries up to D 15:00 UTC where Zoom cuts days at
    UTC+9: its bookmark was D 23:59:59 UTC, and a resumed run skipped the rest of D (for good
    with settling off)."""
    with ZoomEmulator(seed=5, history_days=6, entries_per_day=200, day_cut_utc_offset=9) as zoom:
        tap = Tap(zoom, tmp_path)
        config = tap.config(window_days=1, max_concurrent_requests=1, settle_closed_days=settle)
        killed = tap.run_killed(config, after_states=2, select=("activity_logs",))
        resumed = tap.run(config, state=killed.state, select=("activity_logs",))

        assert resumed.returncode == 0, resumed.stderr[-2000:]
        assert_union_is_the_truth([killed, resumed], zoom, config, streams=("activity_logs",))
