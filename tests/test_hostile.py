"""A broken Zoom, a scheduler's signals and input that would silently do the wrong thing:
each ends in one clear line (or a warning) and never in a lost or doubled entry."""

from __future__ import annotations

import json
import math
import signal
import subprocess
import time
from datetime import timedelta

import pendulum
import pytest

from tap_zoom_logs.sandbox import ZoomEmulator
from tests.conftest import STREAMS, TAP, Tap, parse_output, truth, without_id

ERROR_PREFIX = "tap-zoom-logs: error: "


def one_line_error(run) -> str:
    lines = run.stderr.strip().splitlines()
    assert run.returncode == 1, run.stderr[-2000:]
    assert "Traceback" not in run.stderr, run.stderr[-2000:]
    assert lines[-1].startswith(ERROR_PREFIX), lines[-3:]
    return lines[-1]


def assert_union_is_the_truth(runs, emulator, config) -> None:
    for stream in STREAMS:
        union: dict[str, dict] = {}
        for run in runs:
            for record in run.records[stream]:
                assert union.setdefault(record["lw_id"], record) == record
        assert without_id(stream, list(union.values())) == truth(emulator, stream, config)


# --------------------------------------------------------------------------- paging that ends


@pytest.mark.parametrize(
    ("fault", "says"),
    [
        ({"kind": "repeat_page_token"}, "next_page_token it had given on page"),
        ({"kind": "repeat_page_token", "entries": "empty"}, "next_page_token it had given"),
        ({"kind": "empty_pages"}, "still handing out page tokens after"),
    ],
    ids=["same token forever", "same token, empty pages", "new tokens, empty pages"],
)
def test_paging_that_never_ends_stops_the_stream(tap, emulator, fault, says):
    config = tap.config(page_size=10, lookback_days=0, max_concurrent_requests=2)
    kind = fault.pop("kind")
    emulator.inject(kind, endpoint="activities", times=100_000, after=8, **fault)
    stopped = tap.run(config)

    line = one_line_error(stopped)
    assert "activity_logs 20" in line and says in line and "would never end" in line
    assert emulator.stats.requests["activities"] < 60, "a bounded number of requests"
    emulator.clear_faults()
    resumed = tap.run(config, state=stopped.state or None)
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    assert_union_is_the_truth([stopped, resumed], emulator, config)


# --------------------------------------------------------------------------- signals


@pytest.mark.parametrize(("signum", "code"), [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_a_signal_stops_the_run_at_once_with_its_exit_code_and_a_resumable_state(
    tap, emulator, signum, code
):
    config = tap.config(page_size=10, lookback_days=0, max_requests_per_second=50)
    emulator.latency = 0.05
    emulator.inject("slow", times=40, after=25, delay=30)  # requests that hang
    path = tap.tmp_path / "config-signal.json"
    path.write_text(json.dumps(config))
    process = subprocess.Popen(
        [TAP, "--config", str(path)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    time.sleep(3)
    sent = time.monotonic()
    process.send_signal(signum)
    stdout, stderr = process.communicate(timeout=60)
    took = time.monotonic() - sent

    assert process.returncode == code, stderr[-2000:]
    assert took < 5, f"the run took {took:.1f} s to stop"
    assert "Traceback" not in stderr
    assert stderr.strip().splitlines()[-1].startswith(f"tap-zoom-logs: stopped by {signum.name}")
    stopped = parse_output(process.returncode, stdout, stderr)
    emulator.clear_faults()
    emulator.latency = 0
    resumed = tap.run(config, state=stopped.state or None)
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    assert_union_is_the_truth([stopped, resumed], emulator, config)


def test_a_target_that_stops_reading_ends_the_run_with_one_line(tap):
    path = tap.tmp_path / "config-pipe.json"
    path.write_text(json.dumps(tap.config(page_size=10)))
    process = subprocess.Popen(
        [TAP, "--config", str(path)], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert process.stdout is not None and process.stderr is not None
    process.stdout.read(2000)  # the target read a little, then died
    process.stdout.close()
    stderr = process.stderr.read().decode()
    process.wait(timeout=60)

    assert process.returncode == 1
    assert "Traceback" not in stderr and "Exception ignored" not in stderr
    assert "the target stopped reading" in stderr.strip().splitlines()[-1]


# --------------------------------------------------------------------------- redirects


@pytest.mark.parametrize("location", ["same", "http", "other"])
def test_a_redirect_is_an_error_naming_where_it_pointed_and_is_not_followed(
    tap, emulator, location
):
    emulator.inject("redirect", endpoint="report", times=100_000, location=location)
    run = tap.run(tap.config())

    line = one_line_error(run)
    assert "redirecting to" in line and "does not redirect" in line
    expected = {
        "same": emulator.api_url,
        "http": "http://api.zoom.example",
        "other": "https://other.example",
    }
    assert expected[location] in line
    # At most the first request of each window (8 days, the edge day, 2 streams); a
    # followed redirect loop would have made hundreds.
    reports = emulator.stats.requests["activities"] + emulator.stats.requests["operationlogs"]
    assert reports <= 2 * 10


def test_a_redirect_of_the_token_request_is_not_followed(tap, emulator):
    emulator.inject("redirect", endpoint="token", times=100, location="http")
    run = tap.run(tap.config())

    assert "http://api.zoom.example" in one_line_error(run)
    assert emulator.stats.requests["token"] == 1


# --------------------------------------------------------------------------- state and settings


def bookmarks(value: str) -> dict:
    entry = {"replication_key": "time", "replication_key_value": value}
    return {"bookmarks": {stream: dict(entry) for stream in STREAMS}}


def test_a_bookmark_in_the_future_is_named_and_the_stream_reads_on(tap, emulator):
    config = tap.config(lookback_days=1)
    run = tap.run(config, state=bookmarks("2099-01-01T00:00:00Z"))

    assert run.returncode == 0, run.stderr[-2000:]
    warnings = [line for line in run.stderr.splitlines() if "in the future" in line]
    assert len(warnings) == len(STREAMS) and "2099-01-01T00:00:00Z" in warnings[0]
    yesterday = pendulum.parse(config["end_date"]).subtract(days=1).to_date_string()
    for stream in STREAMS:
        assert without_id(stream, run.records[stream]) == truth(
            emulator, stream, {**config, "start_date": yesterday}
        )
        assert run.bookmark(stream) == config["end_date"], "set back to what was read"


def test_a_bookmark_older_than_six_months_names_the_days_lost(tap, emulator):
    run = tap.run(tap.config(lookback_days=0), state=bookmarks("2020-03-01T10:00:00Z"))

    assert run.returncode == 0, run.stderr[-2000:]
    oldest = pendulum.now("UTC").start_of("day").subtract(months=6).add(days=1)
    lost = [line for line in run.stderr.splitlines() if "can no longer be read" in line]
    assert len(lost) == len(STREAMS)
    assert f"from 2020-03-01 to {oldest.subtract(days=1).to_date_string()}" in lost[0]


def test_an_end_date_before_the_six_months_is_a_setting_error(tap, emulator):
    run = tap.run(tap.config(start_date="2020-01-01", end_date="2020-02-01"))

    line = one_line_error(run)
    assert "setting end_date" in line and "six months" in line
    assert sum(emulator.stats.requests.values()) == 0


def test_a_misspelt_setting_is_named_with_the_setting_meant(tap, emulator):
    config = tap.config()
    config["start_data"] = config.pop("start_date")
    config["flattening_enabled"] = False  # the SDK's own settings are known ones
    config["stream_maps"] = {}
    run = tap.run(config)

    assert run.returncode == 0, run.stderr[-2000:]
    named = [line for line in run.stderr.splitlines() if "start_data" in line]
    assert len(named) == 1 and "did you mean start_date?" in named[0]
    assert "flattening_enabled is not" not in run.stderr
    assert "stream_maps is not" not in run.stderr


def test_a_date_only_end_date_includes_that_whole_day(tap, emulator):
    day = pendulum.parse(tap.config()["end_date"]).subtract(days=2).to_date_string()
    config = tap.config(end_date=day)
    run = tap.run(config)

    assert run.returncode == 0, run.stderr[-2000:]
    for stream in STREAMS:
        last = max(record["time"] for record in run.records[stream])
        assert last > f"{day}T12:00:00Z"
        expected = truth(emulator, stream, {**config, "end_date": f"{day}T23:59:59Z"})
        assert without_id(stream, run.records[stream]) == expected


# --------------------------------------------------------------------------- secrets


@pytest.mark.parametrize(("endpoint", "status"), [("token", 400), ("report", 400), ("report", 500)])
def test_zoom_quoting_the_credentials_back_is_redacted(tap, emulator, endpoint, status):
    emulator.inject(
        "echo_credentials", endpoint=endpoint, times=1 if status == 500 else 100, status=status
    )
    run = tap.run(tap.config(), env={"TAP_ZOOM_LOGS_LOGLEVEL": "DEBUG"})  # asserts no secret

    assert "Invalid request: Authorization" in run.stderr, "Zoom's message is still shown"
    assert "[redacted]" in run.stderr
    if status == 500:
        assert run.returncode == 0, run.stderr[-2000:]
    else:
        one_line_error(run)


# --------------------------------------------------------------------------- the open day


@pytest.mark.parametrize("paging", ["offset", "snapshot"])
def test_an_entry_arriving_while_today_is_paged_gets_no_second_lw_id(tmp_path, paging):
    volume = {"activity_logs": 5000, "operation_logs": 10}  # today has pages, whatever the hour
    with ZoomEmulator(seed=7, history_days=2, entries_per_day=volume, paging=paging) as zoom:
        tap = Tap(zoom, tmp_path)
        today = zoom.now.date()
        yesterday = (today - timedelta(days=1)).isoformat()
        config = tap.config(
            start_date=today.isoformat(), page_size=10, max_concurrent_requests=1, lookback_days=0
        )
        # Yesterday (read too: Zoom's day boundary is unknown) takes `pages` requests; the
        # entry arrives once today's second page is out, so every later page shifts by one
        # if Zoom's page tokens are offsets.
        pages = max(1, math.ceil(len(zoom.truth("activity_logs", yesterday, yesterday)) / 10))
        zoom.inject("arrive", endpoint="activities", after=pages + 1)
        first = tap.run(config)
        second = tap.run(config, state=first.state)

        assert first.returncode == 0, first.stderr[-2000:]
        assert second.returncode == 0, second.stderr[-2000:]
        ids = [record["lw_id"] for record in first.records["activity_logs"]]
        assert len(ids) == len(set(ids))
        assert_union_is_the_truth([first, second], zoom, config)
        if paging == "offset":
            assert "came again at the top of page" in first.stderr


# --------------------------------------------------------------------------- Zoom's day boundary


@pytest.mark.parametrize("offset", [-8, 9])
def test_a_first_run_keeps_its_range_to_the_second_whatever_zooms_day_boundary(tmp_path, offset):
    with ZoomEmulator(
        seed=3, history_days=8, entries_per_day=80, day_cut_utc_offset=offset
    ) as zoom:
        tap = Tap(zoom, tmp_path)
        today = zoom.now.date()
        config = tap.config(
            start_date=(today - timedelta(days=5)).isoformat(),
            end_date=(today - timedelta(days=3)).isoformat(),
        )
        run = tap.run(config)

        assert run.returncode == 0, run.stderr[-2000:]
        end_of_day = {**config, "end_date": f"{config['end_date']}T23:59:59Z"}
        for stream in STREAMS:
            assert without_id(stream, run.records[stream]) == truth(zoom, stream, end_of_day)
