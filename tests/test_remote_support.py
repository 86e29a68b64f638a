"""Remote support sessions (GET /report/remote_support): exact when selected and only then,
resumable, `time` read from `start_time` whatever its form, the definition's integer
meeting number, and its scope (unpublished) refused in one line by Zoom's own answer."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from tests.support.tap import (
    Tap,
    as_record,
    assert_a_killed_run_resumes,
    assert_exact,
    discovered_catalog,
    one_line_error,
    truth,
)
from zoom_emulator import ACTIVITY_SCOPE, OPERATION_SCOPE, ZoomEmulator

STREAM = "remote_support_logs"
ONLY = (STREAM,)


def test_it_is_read_only_when_selected(tap, emulator):
    config = tap.config()
    default = tap.run(config)

    assert_exact(default, emulator, config)
    assert emulator.stats.requests["remote_support"] == 0
    assert default.records[STREAM] == []

    selected = tap.run(config, select=ONLY)
    assert_exact(selected, emulator, config, ONLY)
    assert sum(truth(emulator, STREAM, config).values()) > 20, "a vacuous test otherwise"


def test_every_session_exactly_once_with_ids_stable_across_window_sizes(tap, emulator):
    configs = [tap.config(window_days=days, page_size=size) for days, size in ((1, 300), (3, 7))]
    runs = [tap.run(config, select=ONLY) for config in configs]

    for run, config in zip(runs, configs, strict=True):
        assert_exact(run, emulator, config, ONLY)
    first, second = ({r["lw_id"]: r for r in run.records[STREAM]} for run in runs)
    assert first == second, "the same entries, the same ids"


def test_time_is_the_start_time_and_the_meeting_number_an_integer(tap, emulator):
    run = tap.run(tap.config(), select=ONLY)

    records = run.records[STREAM]
    assert records
    assert [r["time"] for r in records] == [r["start_time"] for r in records]
    assert [r["time"] for r in records] == sorted(r["time"] for r in records)
    numbers = [r["meeting_number"] for r in records if r["meeting_number"] is not None]
    assert numbers and all(type(n) is int for n in numbers)
    assert {r["wait_time"][2] for r in records if r["wait_time"]} == {":"}, "hh:mm:ss kept"


def test_the_schema_types_the_meeting_number_and_the_time():
    (entry,) = (s for s in discovered_catalog()["streams"] if s["tap_stream_id"] == STREAM)
    properties = entry["schema"]["properties"]

    assert "integer" in properties["meeting_number"]["type"]
    assert properties["time"]["format"] == "date-time"
    assert "string" in properties["duration"]["type"]


def test_a_start_time_in_another_form_is_read_and_a_missing_one_kept(tap, emulator):
    moment = emulator.now - timedelta(days=1)  # within the run's range
    spaced = f"{moment:%Y-%m-%d %H:%M:%S}"
    emulator.inject("bad_time", endpoint="remote_support", value=spaced, index=0)
    emulator.inject("bad_time", endpoint="remote_support", value=None, index=-1)
    config = tap.config(max_concurrent_requests=1, window_days=30)
    run = tap.run(config, select=ONLY)

    assert run.returncode == 0, run.stderr[-2000:]
    records = run.records[STREAM]
    odd = [r for r in records if r["start_time"] == spaced]
    assert [r["time"] for r in odd] == [f"{moment:%Y-%m-%dT%H:%M:%S}Z"], "an odd form, read"
    assert [r for r in records if r["time"] is None and r["start_time"] is None]
    assert "not a date-time: emitted with time null" in run.stderr
    assert len(records) == sum(truth(emulator, STREAM, config).values()), "none dropped"


def test_a_meeting_number_sent_as_text_is_read_as_its_number(tap, emulator):
    entry = dict(emulator.truth(STREAM, tap.config()["start_date"], emulator.now)[-1])
    entry.update(meeting_number="982 610 0285", topic="Late text number")
    emulator.add_entry(STREAM, entry)
    run = tap.run(tap.config(), select=ONLY)

    assert run.returncode == 0, run.stderr[-2000:]
    (found,) = (r for r in run.records[STREAM] if r["topic"] == "Late text number")
    assert found["meeting_number"] == 9826100285
    assert run.stderr.count("meeting_number is '982 610 0285', a str, not an integer") == 1


def test_a_killed_run_resumes_and_loses_nothing(tap, emulator):
    config = tap.config(window_days=1, page_size=10)
    assert_a_killed_run_resumes(tap, emulator, config, ONLY)


def test_without_its_scope_zooms_refusal_is_one_line_naming_it(tmp_path):
    with ZoomEmulator(seed=2, history_days=3, scopes=(ACTIVITY_SCOPE, OPERATION_SCOPE)) as zoom:
        run = Tap(zoom, tmp_path).run(select=ONLY)
        asked = zoom.stats.requests["remote_support"]

    line = one_line_error(
        run, STREAM, "4711", "report:read:remote_support:admin", "report:read:admin", "Scopes page"
    )
    assert "Usage reports" in line
    assert asked >= 1, "not refused up front: Zoom publishes no granular scope to check"
    assert run.records[STREAM] == []


def test_the_classic_scope_or_any_granular_name_works(tmp_path):
    for scopes in (("report:read:admin",), (ACTIVITY_SCOPE, "report:read:remote_support:admin")):
        with ZoomEmulator(seed=2, history_days=3, scopes=scopes) as zoom:
            tap = Tap(zoom, tmp_path)
            config = tap.config()
            run = tap.run(config, select=ONLY)

            assert_exact(run, zoom, config, ONLY)


def test_records_carry_every_field_of_the_definition(tap, emulator):
    config = tap.config()
    run = tap.run(config, select=ONLY)
    fields = {
        "meeting_uuid", "meeting_number", "topic", "meeting_host_id", "meeting_start_time",
        "supporter_name", "supporter_email", "supportee_name", "supportee_email",
        "request_time", "wait_time", "start_time", "end_time", "duration",
    }  # fmt: skip

    assert {key for r in run.records[STREAM] for key in r} == {*fields, "lw_id", "time"}
    emitted = Counter(as_record(STREAM, r) for r in run.records[STREAM])
    assert emitted == truth(emulator, STREAM, config)
