"""`meltano run tap-zoom-logs target-postgres` against the Zoom emulator, end to end.

Real Meltano, real meltanolabs target-postgres, real PostgreSQL (see conftest.py).

How `time` lands in PostgreSQL
------------------------------
The tap declares `time` as a JSON-schema ``date-time`` string (``2026-03-29T11:38:50Z``).
target-postgres (meltanolabs, 0.8.x) maps ``date-time`` to ``TIMESTAMP`` *without* time
zone, and hands the value to psycopg as a timezone-aware datetime. PostgreSQL converts an
aware value into ``timestamp without time zone`` in the *session's* TimeZone, so on a
server whose TimeZone is not UTC the stored wall-clock time would be shifted (11:38:50Z
would land as 17:08:50 on an Asia/Kolkata server). meltano.yml therefore sets ``PGTZ=UTC``
in target-postgres's environment: the column holds the UTC wall-clock time, whatever the
server's TimeZone. The test server runs with TimeZone=Asia/Kolkata, so every comparison
below (naive value read back == UTC time served by Zoom) proves it.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter
from typing import Any

import pytest

from tests.support.pipeline import (
    EMULATOR_KW,
    STREAM_FIELDS,
    Pipeline,
    assert_table_equals_truth,
    describe,
    entry_key,
    report_requests,
    table_snapshot,
    to_utc_z,
    truth,
)
from tests.support.tap import ALL_STREAMS
from zoom_emulator import REPORT_ENDPOINTS, ZoomEmulator
from zoom_emulator.endpoints import ENDPOINTS

pytestmark = pytest.mark.pipeline

LOADER = "target-postgres"
#: Pipeline.run selects every log for this loader: every test here covers all four.
STREAMS = ALL_STREAMS
#: The columns the schema types as integers (the definition's): the others are text.
INTEGER_COLUMNS = {("remote_support_logs", "meeting_number")}


# --------------------------------------------------------------------------- helpers


def parse_when(value: Any) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day, tzinfo=dt.timezone.utc)
    text = str(value).replace("Z", "+00:00")
    parsed = dt.datetime.fromisoformat(text)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.timezone.utc)


def report_log(emu: Any) -> list[Any]:
    return [r for r in emu.stats.log if r.endpoint in REPORT_ENDPOINTS]


def param(record: Any, name: str) -> str:
    params = record.params
    value = params.get(name) if hasattr(params, "get") else dict(params)[name]
    if isinstance(value, list | tuple):
        value = value[0]
    return str(value)


def bookmarks(state: dict[str, Any]) -> dict[str, dt.datetime]:
    """replication_key_value per stream from Meltano's stored state."""
    singer_state = state.get("singer_state", state)
    out = {}
    for stream, mark in (singer_state.get("bookmarks") or {}).items():
        value = mark.get("replication_key_value")
        if value:
            out[stream] = parse_when(value)
    return out


def served_time(entry: dict[str, Any]) -> str:
    """The entry's time as Zoom served it, as a naive UTC timestamp literal (the meeting
    audit trail's `2026-03-21 07:09:03:216` has milliseconds after a colon)."""
    if "time" in entry:
        return to_utc_z(entry["time"]).replace("T", " ").rstrip("Z")
    if "start_time" in entry:  # a remote support session's time is its start
        return to_utc_z(entry["start_time"]).replace("T", " ").rstrip("Z")
    day_and_clock, millis = entry["activity_time"].rsplit(":", 1)
    return f"{day_and_clock}.{millis}"


# --------------------------------------------------------------------------- tests


def test_first_run_loads_every_entry_once_byte_for_byte(pipeline: Pipeline) -> None:
    cfg = pipeline.config()
    result = pipeline.run(LOADER, cfg)
    assert result.returncode == 0, describe(result)

    expected = truth(pipeline.emu, cfg, STREAMS)
    assert all(expected[s] for s in STREAMS), "emulator served no data: test would be vacuous"
    assert_table_equals_truth(pipeline, expected)
    for stream in STREAMS:
        assert len(pipeline.pg_rows(stream)) == len(expected[stream])

    # The data holds the hard cases, so "byte for byte" above means something.
    all_values = [
        e.get(f) for s in STREAMS for e in expected[s] for f in STREAM_FIELDS[s] if f != "time"
    ]
    strings = [v for v in all_values if isinstance(v, str)]
    assert any(v != v.rstrip() for v in strings), "no trailing-space value in the data"
    assert any(not v.isascii() for v in strings), "no non-ASCII value in the data"
    assert any(f not in e for s in STREAMS for e in expected[s] for f in STREAM_FIELDS[s]), (
        "no entry with a missing field in the data"
    )
    assert any(max(Counter(entry_key(s, e) for e in expected[s]).values()) > 1 for s in STREAMS), (
        "no exact duplicate entries in the data"
    )

    assert pipeline.pg is not None
    with pipeline.pg.connect() as conn:
        for stream in STREAMS:
            # lw_id is the table's primary key, and nothing else is.
            pk = conn.execute(
                """
                SELECT a.attname FROM pg_index i
                JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
                WHERE i.indrelid = %s::regclass AND i.indisprimary
                """,
                (f'"{pipeline.schema}"."{stream}"',),
            ).fetchall()
            assert [r[0] for r in pk] == ["lw_id"], f"{stream}: primary key {pk}"
            types = dict(
                conn.execute(
                    "SELECT column_name, data_type FROM information_schema.columns"
                    " WHERE table_schema = %s AND table_name = %s",
                    (pipeline.schema, stream),
                ).fetchall()
            )
            # How `time` lands: timestamp without time zone, holding the UTC wall-clock time.
            assert types["time"] == "timestamp without time zone", types
            for name in STREAM_FIELDS[stream]:
                if (stream, name) in INTEGER_COLUMNS:
                    assert types[name] == "bigint", (name, types)
                elif name != "time":
                    assert types[name] in {"text", "character varying"}, (name, types)
            # The server's TimeZone is not UTC, yet the stored values are UTC (see module doc).
            tz = conn.execute("SELECT current_setting('TimeZone')").fetchone()[0]
            assert tz != "UTC"
            first = expected[stream][0]
            row = conn.execute(
                f'SELECT time FROM "{pipeline.schema}"."{stream}" WHERE time = %s::timestamp',
                (served_time(first),),
            ).fetchone()
            assert row is not None, "the UTC time of an entry is not in the table as UTC"


def test_second_run_loads_nothing_twice_and_reads_only_lookback(pipeline: Pipeline) -> None:
    cfg = pipeline.config()
    first = pipeline.run(LOADER, cfg)
    assert first.returncode == 0, describe(first)
    first_requests = report_requests(pipeline.emu)
    first_log = report_log(pipeline.emu)
    start_day = parse_when(cfg["start_date"]).date()
    assert min(dt.date.fromisoformat(param(r, "from")) for r in first_log) <= start_day
    before = table_snapshot(pipeline, STREAMS)
    marks = bookmarks(pipeline.state(LOADER))
    assert set(marks) == set(STREAMS), f"no bookmark per stream in Meltano's state: {marks}"

    pipeline.emu.reset_stats()
    second = pipeline.run(LOADER, cfg)
    assert second.returncode == 0, describe(second)

    assert table_snapshot(pipeline, STREAMS) == before, "the second run changed the table"
    assert_table_equals_truth(pipeline, truth(pipeline.emu, cfg, STREAMS))

    lookback = int(cfg["lookback_days"])
    end_day = parse_when(cfg["end_date"]).date()
    log = report_log(pipeline.emu)
    assert log, "the second run asked Zoom nothing (it must re-read the lookback)"
    endpoint_stream = {name: endpoint.stream for name, endpoint in ENDPOINTS.items()}
    for rec in log:
        frm = dt.date.fromisoformat(param(rec, "from"))
        to = dt.date.fromisoformat(param(rec, "to"))
        mark_day = marks[endpoint_stream[rec.endpoint]].date()
        assert mark_day - dt.timedelta(days=lookback) <= frm, (rec, mark_day)
        # One day past end_date at most: Zoom's day boundary is undocumented, so the day
        # after an end_date in the past is read too (and cut to the second).
        assert to <= end_day + dt.timedelta(days=1), rec
    second_requests = sum(pipeline.emu.stats.requests[e] for e in REPORT_ENDPOINTS)
    assert second_requests * 3 < first_requests, (second_requests, first_requests)


def test_new_and_late_entries_arrive_on_the_next_run(pipeline: Pipeline) -> None:
    full = pipeline.config()
    start, end = parse_when(full["start_date"]), parse_when(full["end_date"])
    mid = start + (end - start) * 2 / 3
    cfg1 = {**full, "end_date": to_utc_z(mid)}
    first = pipeline.run(LOADER, cfg1)
    assert first.returncode == 0, describe(first)
    assert_table_equals_truth(pipeline, truth(pipeline.emu, cfg1, STREAMS))

    marks = bookmarks(pipeline.state(LOADER))
    # Late entries: Zoom publishes them after the first run had read their day, within the
    # lookback (one day) before each stream's bookmark.
    late_activity = {
        "time": to_utc_z(marks["activity_logs"] - dt.timedelta(hours=2)),
        "type": "Sign in",
        "email": "late.signin@example.com",
        "ip_address": "192.0.2.77",
        "client_type": "Mac",
        "version": "6.1.0 ",
    }
    late_operation = {
        "time": to_utc_z(marks["operation_logs"] - dt.timedelta(hours=3)),
        "operator": "zoë.admin@example.com",
        "category_type": "User",
        "action": "Update",
        "operation_detail": "Late entry: Ünïcödé detail with a trailing space ",
    }
    # New entries after the first run's end.
    new_activity = {
        "time": to_utc_z(mid + dt.timedelta(hours=5)),
        "type": "Sign out",
        "email": "new.signout@example.com",
        "ip_address": "192.0.2.78",
        "client_type": "Browser",
        "version": "-",
    }
    new_operation = {
        "time": to_utc_z(mid + dt.timedelta(hours=6)),
        "operator": "ops@example.com",
        "category_type": "Recording",
        "action": "Delete",
        "operation_detail": "Delete cloud recording for meeting 11122223333",
    }
    for stream, entry in (
        ("activity_logs", late_activity),
        ("operation_logs", late_operation),
        ("activity_logs", new_activity),
        ("operation_logs", new_operation),
    ):
        pipeline.emu.add_entry(stream, entry)

    second = pipeline.run(LOADER, full)
    assert second.returncode == 0, describe(second)
    expected = truth(pipeline.emu, full, STREAMS)
    for stream, entry in (("activity_logs", late_activity), ("operation_logs", late_operation)):
        assert entry_key(stream, entry) in {entry_key(stream, e) for e in expected[stream]}
    assert_table_equals_truth(pipeline, expected)


# Kill points: after this share of the report requests an uninterrupted run makes.
KILL_FRACTIONS = (0.0, 0.15, 0.35, 0.55, 0.75, 0.95)


@pytest.fixture(scope="module")
def uninterrupted(
    meltano_project: Any, postgres_server: Any, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Any]:
    """The reference: one uninterrupted backfill, its table and its request count."""
    with ZoomEmulator(**EMULATOR_KW) as emu:
        p = Pipeline(
            emu,
            meltano_project,
            postgres_server,
            f"ref_{uuid.uuid4().hex[:8]}",
            tmp_path_factory.mktemp("reference"),
        )
        cfg = p.config()
        result = p.run(LOADER, cfg)
        assert result.returncode == 0, describe(result)
        assert_table_equals_truth(p, truth(emu, cfg, STREAMS))
        return {
            "table": table_snapshot(p, STREAMS),
            "requests": report_requests(emu),
            "config": cfg,
        }


@pytest.mark.parametrize("fraction", KILL_FRACTIONS)
def test_sigkill_mid_backfill_then_rerun_gives_the_uninterrupted_table(
    pipeline: Pipeline, uninterrupted: dict[str, Any], fraction: float
) -> None:
    total = uninterrupted["requests"]
    assert total >= 20, f"backfill too small to kill at several points ({total} requests)"
    kill_at = max(1, round(total * fraction))
    cfg = pipeline.config()
    assert cfg["start_date"] == uninterrupted["config"]["start_date"]

    killed = pipeline.run(LOADER, cfg, kill_after_requests=kill_at)
    assert killed.returncode == -9, f"not killed at {kill_at}/{total}: " + describe(killed)
    left = {s: len(pipeline.pg_rows(s)) if pipeline.pg_table_exists(s) else 0 for s in STREAMS}
    print(
        f"SIGKILL after {killed.killed_at_requests}/{total} report requests"
        f" ({killed.seconds:.1f}s); rows committed before the kill: {left}"
    )

    # `--force`: Meltano still records the SIGKILLed job as running (see conftest).
    rerun = pipeline.run(LOADER, cfg, force=True)
    assert rerun.returncode == 0, describe(rerun)
    assert table_snapshot(pipeline, STREAMS) == uninterrupted["table"]


def test_daily_limit_stops_with_message_and_next_run_completes(
    pipeline: Pipeline, uninterrupted: dict[str, Any]
) -> None:
    cfg = pipeline.config()
    pipeline.emu.inject("daily_limit", after=25)
    first = pipeline.run(LOADER, cfg)
    assert first.returncode != 0, "a daily-limit 429 must fail the run: " + describe(first)
    assert "daily" in first.output.lower(), describe(first)
    assert "00:00 UTC" in first.output, describe(first)
    assert report_requests(pipeline.emu) >= 25
    expected = truth(pipeline.emu, cfg, STREAMS)
    # What landed before the stop is correct, if partial: no duplicates, nothing invented.
    if pipeline.pg_table_exists("activity_logs"):
        rows = pipeline.pg_rows("activity_logs")
        assert len({r["lw_id"] for r in rows}) == len(rows)
        assert not Counter(entry_key("activity_logs", r) for r in rows) - Counter(
            entry_key("activity_logs", e) for e in expected["activity_logs"]
        )

    state_after_stop = bookmarks(pipeline.state(LOADER))
    first_requests = report_requests(pipeline.emu)

    pipeline.emu.clear_faults()
    pipeline.emu.reset_stats()
    second = pipeline.run(LOADER, cfg)
    assert second.returncode == 0, describe(second)
    assert_table_equals_truth(pipeline, expected)
    # The tap stopped cleanly: Meltano kept the bookmarks of the finished windows, and the
    # next run resumed from them instead of reading the whole range again.
    assert state_after_stop, "no bookmark survived the daily-limit stop"
    assert report_requests(pipeline.emu) < uninterrupted["requests"]
    print(
        f"daily limit: stopped after {first_requests} report requests; bookmarks kept by"
        f" Meltano: {state_after_stop}; the next run made {report_requests(pipeline.emu)}"
    )
