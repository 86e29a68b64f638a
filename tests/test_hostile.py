"""A broken Zoom, a scheduler's signals and input that would silently do the wrong thing:
each ends in one clear line (or a warning) and never in a lost or doubled entry."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import threading
import time
from datetime import timedelta
from typing import Any

import pendulum
import pytest

from tests.support.tap import (
    STREAMS,
    TAP,
    Tap,
    TapRun,
    assert_exact,
    assert_union_is_the_truth,
    at,
    one_line_error,
    parse_output,
    truth,
    without_id,
)
from zoom_emulator import ZoomEmulator

# --------------------------------------------------------------------------- paging that ends


# Which paging never ends (the same token again, tokens that lead nowhere) is told apart in
# test_paging_unit.py; this run shows the stream stops, in one line, and the next run
# completes it.
def test_paging_that_never_ends_stops_the_stream(tap, emulator):
    config = tap.config(page_size=10, lookback_days=0, max_concurrent_requests=2)
    emulator.inject("repeat_page_token", endpoint="activities", times=100_000, after=8)
    stopped = tap.run(config)

    line = one_line_error(stopped, "activity_logs 20", "next_page_token it had given on page")
    assert "would never end" in line
    assert emulator.stats.requests["activities"] < 60, "a bounded number of requests"
    emulator.clear_faults()
    resumed = tap.run(config, state=stopped.state or None)
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    assert_union_is_the_truth([stopped, resumed], emulator, config)


ODD_ANSWERS: dict[str, tuple[str, str, int, dict[str, Any], str]] = {
    # case: (fault, endpoint, times, params, what the one line must name)
    "page 1 for ever under fresh tokens": (
        "ignore_page_token",
        "activities",
        10_000,
        {},
        "would never end",
    ),
    "Zoom Phone claiming 1e9 entries in empty pages": (
        "empty_pages",
        "phone_operationlogs",
        10_000,
        {"total_records": 10**9},
        "would never end",
    ),
    "a next_page_token that is an object": (
        "bad_page_token",
        "activities",
        1,
        {"value": {"offset": 300}},
        "not text (dict)",
    ),
    "a next_page_token that is a list": (
        "bad_page_token",
        "activities",
        1,
        {"value": ["a", "b"]},
        "not text (list)",
    ),
    "a field nested 100,000 deep": ("nested", "activities", 1, {}, "nested too deep"),
}


@pytest.mark.parametrize("case", ODD_ANSWERS, ids=list(ODD_ANSWERS))
def test_an_odd_answer_stops_the_stream_in_bounded_requests_and_a_rerun_completes(
    tap, emulator, case
):
    kind, endpoint, times, params, says = ODD_ANSWERS[case]
    emulator.inject(kind, endpoint=endpoint, times=times, after=1, **params)
    config = tap.config(page_size=10, lookback_days=0, max_concurrent_requests=2)
    streams = ("activity_logs", "phone_operation_logs")
    stopped = tap.run(config, select=streams)

    one_line_error(stopped, says)
    assert emulator.stats.requests[endpoint] < 60, "paging was stopped, not left to run"
    emulator.clear_faults()
    resumed = tap.run(config, state=stopped.state or None, select=streams)
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    assert_union_is_the_truth([stopped, resumed], emulator, config, streams)


def test_page_one_served_again_once_under_a_fresh_token_is_emitted_once(tap, emulator):
    emulator.inject("ignore_page_token", endpoint="activities", times=1)
    config = tap.config(page_size=10, lookback_days=0)
    run = tap.run(config)

    assert_exact(run, emulator, config)
    assert "holds what an earlier page held" in run.stderr


def test_a_lone_surrogate_escape_is_kept_as_a_replacement_character(tap, emulator):
    emulator.inject("lone_surrogate", endpoint="activities", times=3)
    run = tap.run(tap.config(page_size=10, lookback_days=0))

    assert run.returncode == 0, run.stderr[-2000:]
    spoiled = [r for r in run.records["activity_logs"] if "\ufffd" in (r["email"] or "")]
    assert spoiled, "the entries are emitted, each lone surrogate as U+FFFD"


def test_a_zoom_serving_smaller_pages_than_asked_is_read_to_the_end(tmp_path):
    # 30 entries a page when 300 were asked: the endless-paging guard counts what Zoom
    # serves (it used to stop such a day after 6 pages, on every run).
    with ZoomEmulator(seed=4, history_days=3, entries_per_day=400, max_page_size=30) as zoom:
        tap = Tap(zoom, tmp_path)
        config = tap.config(page_size=300, lookback_days=0)
        run = tap.run(config)

        assert_exact(run, zoom, config)
        assert zoom.stats.pages("activities") > 3 * 6, "days of more than 6 short pages"


def test_an_answer_larger_than_the_cap_is_refused_in_one_line(tap, emulator):
    emulator.inject("oversized", endpoint="activities", megabytes=40, after=2)
    config = tap.config(lookback_days=0)
    stopped = tap.run(config)

    one_line_error(stopped, "more than 32 MiB", "x-zm-trackingid", "api_url")
    emulator.clear_faults()
    resumed = tap.run(config, state=stopped.state or None)
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    assert_union_is_the_truth([stopped, resumed], emulator, config)


# --------------------------------------------------------------------------- signals


@pytest.mark.parametrize(
    ("signum", "code", "times"),
    [(signal.SIGTERM, 143, 1), (signal.SIGINT, 130, 1), (signal.SIGTERM, 143, 2)],
    ids=["SIGTERM", "SIGINT", "SIGTERM twice, 20 ms apart"],
)
def test_a_signal_stops_the_run_at_once_with_its_exit_code_and_a_resumable_state(
    tap, emulator, signum, code, times
):
    config = tap.config(page_size=10, lookback_days=0, max_requests_per_second=50)
    emulator.options.latency = 0.05
    emulator.inject("slow", times=40, after=25, delay=30)  # requests that hang
    path = tap.tmp_path / "config-signal.json"
    path.write_text(json.dumps(config))
    process = subprocess.Popen(
        [TAP, "--config", str(path)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not emulator.stats.in_flight:
        time.sleep(0.05)  # until a request hangs: the signal comes with one in flight
    assert emulator.stats.in_flight, "no request was hanging when the signal came"
    sent = time.monotonic()
    for _ in range(times):  # a second signal while the first is being handled changes nothing
        process.send_signal(signum)
        time.sleep(0.02)
    stdout, stderr = process.communicate(timeout=60)
    took = time.monotonic() - sent

    assert process.returncode == code, stderr[-2000:]
    assert took < 5, f"the run took {took:.1f} s to stop"
    assert "Traceback" not in stderr
    assert stderr.strip().splitlines()[-1].startswith(f"tap-zoom-logs: stopped by {signum.name}")
    stopped = parse_output(process.returncode, stdout, stderr)
    emulator.clear_faults()
    emulator.options.latency = 0
    resumed = tap.run(config, state=stopped.state or None)
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    assert_union_is_the_truth([stopped, resumed], emulator, config)


def test_a_signal_before_the_tap_has_started_is_still_a_failure_with_nothing_written(tap):
    # Python is still importing: no handler of the tap's yet, so the signal's default
    # action ends the process. Nothing has been written, and the scheduler sees a failure.
    path = tap.tmp_path / "config-early.json"
    path.write_text(json.dumps(tap.config()))
    process = subprocess.Popen(
        [TAP, "--config", str(path)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    process.send_signal(signal.SIGTERM)
    stdout, _ = process.communicate(timeout=60)

    assert process.returncode in (-signal.SIGTERM, 143), process.returncode
    assert all(json.loads(line)["type"] != "RECORD" for line in stdout.splitlines())


def test_a_signal_while_the_log_pipe_is_full_still_stops_the_run(tmp_path):
    # A scheduler that reads stderr slowly: the tap's log writes block on a full pipe, and
    # the signal arrives while the main thread is inside logging, whose own error handling
    # would swallow an exception raised there ("--- Logging error ---").
    volume = {"activity_logs": 200}  # two warnings an entry: far more than a pipe holds
    with ZoomEmulator(seed=7, history_days=8, entries_per_day=volume) as emulator:
        tap = Tap(emulator, tmp_path)
        config = tap.config(page_size=2, lookback_days=0, max_requests_per_second=500)
        # Each page's first time a number: the main thread warns of it as it emits it.
        emulator.inject("bad_time", times=100_000, value=12345)
        path = tap.tmp_path / "config-full-pipe.json"
        path.write_text(json.dumps(config))
        process = subprocess.Popen(
            [TAP, "--config", str(path)], stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        assert process.stdout is not None and process.stderr is not None
        stdout, out = bytearray(), process.stdout

        def read_stdout() -> None:  # the target reads on, as it comes
            while chunk := out.read1(65536):  # type: ignore[attr-defined]
                stdout.extend(chunk)

        reader = threading.Thread(target=read_stdout, daemon=True)
        reader.start()
        deadline, written = time.monotonic() + 30, -1
        while time.monotonic() < deadline and process.poll() is None:
            time.sleep(1)  # until the output stops: the main thread waits on the full pipe
            if len(stdout) == written and b'"RECORD"' in stdout:  # records came, then stopped
                break
            written = len(stdout)
        assert process.poll() is None, "the run ended before its log pipe filled"
        process.send_signal(signal.SIGTERM)
        time.sleep(1)
        stderr = process.stderr.read().decode()  # the scheduler reads on
        process.wait(timeout=30)
        reader.join(timeout=30)

    assert process.returncode == 143, stderr[-2000:]
    assert "Logging error" not in stderr and "Traceback" not in stderr
    assert stderr.strip().splitlines()[-1].startswith("tap-zoom-logs: stopped by SIGTERM")
    stopped = parse_output(process.returncode, stdout.decode(), stderr)
    assert stopped.records["activity_logs"], "the signal came mid-run"
    assert not stopped.records["operation_logs"], "no stream is read after the signal"


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

    one_line_error(TapRun(process.returncode, "", stderr), "the target stopped reading")
    assert "Exception ignored" not in stderr


# --------------------------------------------------------------------------- redirects


@pytest.mark.parametrize(
    ("output", "says"),
    [("closed", "standard output is closed"), ("/dev/full", "could not be written")],
)
def test_output_that_cannot_be_written_is_one_line(tap, output, says):
    path = tap.tmp_path / "config-output.json"
    path.write_text(json.dumps(tap.config(page_size=10)))
    if output == "closed":  # `tap-zoom-logs ... >&-`
        command = ["bash", "-c", 'exec "$0" --config "$1" >&-', TAP, str(path)]
        # A preloaded library (the clock sweep's libfaketime) opens a file as the process
        # starts, and would get the free descriptor 1: the tap must meet it closed.
        env = {name: value for name, value in os.environ.items() if name != "LD_PRELOAD"}
        done = subprocess.run(command, stderr=subprocess.PIPE, timeout=120, check=False, env=env)
    else:
        with open(output, "wb") as full:
            command = [TAP, "--config", str(path)]
            done = subprocess.run(
                command, stdout=full, stderr=subprocess.PIPE, timeout=120, check=False
            )
    one_line_error(TapRun(done.returncode, "", done.stderr.decode()), says)


@pytest.mark.parametrize("location", ["same", "http", "other"])
def test_a_redirect_is_an_error_naming_where_it_pointed_and_is_not_followed(
    tap, emulator, location
):
    emulator.inject("redirect", endpoint="report", times=100_000, location=location)
    run = tap.run(tap.config())

    expected = {
        "same": emulator.api_url,
        "http": "http://api.zoom.example",
        "other": "https://other.example",
    }
    one_line_error(run, "redirecting to", "does not redirect", expected[location])
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


def bookmarks(value: str) -> dict[str, Any]:
    entry = {"replication_key": "time", "replication_key_value": value}
    return {"bookmarks": {stream: dict(entry) for stream in STREAMS}}


def test_a_bookmark_in_the_future_is_named_and_the_stream_reads_on(tap, emulator):
    config = tap.config(lookback_days=1)
    run = tap.run(config, state=bookmarks("2099-01-01T00:00:00Z"))

    assert run.returncode == 0, run.stderr[-2000:]
    warnings = [line for line in run.stderr.splitlines() if "in the future" in line]
    assert len(warnings) == len(STREAMS) and "2099-01-01T00:00:00Z" in warnings[0]
    yesterday = at(config["end_date"]).subtract(days=1).to_date_string()
    for stream in STREAMS:
        assert without_id(stream, run.records[stream]) == truth(
            emulator, stream, {**config, "start_date": yesterday}
        )
        assert run.bookmark(stream) == config["end_date"], "set back to what was read"


def test_a_future_end_date_sets_no_bookmark_past_what_was_read(tap, emulator):
    # With the bookmark at end_date, the next run would take it for "in the future", read
    # from now less the lookback, and never read what arrived between the two runs.
    future = (emulator.now + timedelta(days=20)).strftime("%Y-%m-%dT%H:%M:%SZ")
    config = tap.config(end_date=future)
    run = tap.run(config)
    read_until = pendulum.now("UTC").format("YYYY-MM-DDTHH:mm:ss[Z]")

    assert run.returncode == 0, run.stderr[-2000:]
    for stream in STREAMS:
        assert without_id(stream, run.records[stream]) == truth(emulator, stream, config)
        assert emulator.tap_config()["end_date"] <= run.bookmark(stream) <= read_until


# The bookmark older than six months, an end_date before them and a misspelt setting are
# checked in this process (test_windows.py, test_settings_unit.py).


def a_day_with_afternoon_entries(emulator: ZoomEmulator) -> str:
    """The latest day, two or more before today, on which every stream has an entry after
    noon (the data set has empty days, and which they are moves with the date)."""
    afternoons = [
        {entry["time"][:10] for entry in emulator.entries(stream) if entry["time"][11:] > "12:"}
        for stream in STREAMS
    ]
    latest = (emulator.now - timedelta(days=2)).date().isoformat()
    return max(day for day in set.intersection(*afternoons) if day <= latest)


def test_a_date_only_end_date_includes_that_whole_day(tap, emulator):
    day = a_day_with_afternoon_entries(emulator)
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
    with ZoomEmulator(seed=7, history_days=2, entries_per_day=1000, paging=paging) as zoom:
        tap = Tap(zoom, tmp_path)
        today = zoom.now.date()
        # Today has pages whatever the hour (just after midnight it has hardly any entries).
        for n in range(40):
            zoom.add_entry(
                "activity_logs",
                {"time": zoom.now.strftime("%Y-%m-%dT%H:%M:%SZ"), "email": f"early{n}@example.com"},
            )
        config = tap.config(
            start_date=today.isoformat(),
            page_size=10,
            max_concurrent_requests=1,
            lookback_days=0,
            settle_closed_days=False,  # yesterday is not read again whole, whatever the hour
        )
        # Resuming from a bookmark today, today is the only window (a first run would read
        # yesterday too, whose pages, and first pages read again while it is still open,
        # vary with the hour). The entry arrives once today's second page is out, so every
        # later page shifts by one if Zoom's page tokens are offsets.
        zoom.inject("arrive", endpoint="activities", after=1)
        first = tap.run(config, state=bookmarks(f"{today}T00:00:00Z"))
        second = tap.run(config, state=first.state)

        assert {r.params["from"] for r in zoom.stats.log if r.endpoint == "activities"} == {
            today.isoformat()
        }
        assert first.returncode == 0, first.stderr[-2000:]
        assert second.returncode == 0, second.stderr[-2000:]
        assert_union_is_the_truth([first, second], zoom, config)
        if paging == "offset":
            assert "came again at the top of page 3" in first.stderr


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
