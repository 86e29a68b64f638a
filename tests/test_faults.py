"""Fault injection: every backfill is exact, or stops with one line and the next run completes it.

Each case runs a full backfill of several windows per stream while the emulator injects one
kind of fault (then several kinds mixed at random with fixed seeds). The outcome must be one
of two things:

- "exact": exit 0, and each stream's records equal the emulator's truth (lw_id unique);
- "resumed": a non-zero exit whose last stderr line is the one-line reason (no traceback),
  then a fault-free run from the state it left completes it: the union of both runs by
  lw_id equals the truth, and an lw_id seen in both runs names the same record.

`lookback_days` is 0 so that a state claiming an unfinished window shows up as a gap.
Every run is recorded; the module prints a summary (kind, runs, outcome) when it is done.

Also here: bad input (malformed state files, a catalog that selects nothing, entries that
break Zoom's contract).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import random
import subprocess
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from tap_zoom_logs.sandbox import ZoomEmulator
from tests.conftest import FIELDS, STREAMS, TAP, Tap, TapRun, truth, without_id

ERROR_PREFIX = "tap-zoom-logs: error: "

#: Several windows per stream (8 days of data in 2-day windows), several pages per window.
BACKFILL = {
    "window_days": 2,
    "page_size": 12,
    "lookback_days": 0,
    "max_concurrent_requests": 3,
    "max_retry_seconds": 15,
    "request_timeout": 5,
}


# --------------------------------------------------------------------------- the record


@dataclass
class Outcome:
    group: str
    case: str
    outcome: str  # "exact", "resumed", or "FAILED: ..."
    runs: int
    seconds: float
    reason: str = ""


OUTCOMES: list[Outcome] = []


@pytest.fixture(scope="module", autouse=True)
def fault_summary(request: pytest.FixtureRequest) -> Any:
    """Print what every case of this module ended with, once the module is done."""
    yield
    if not OUTCOMES:
        return
    lines = ["", "fault suite summary (group | case | tap runs | outcome | seconds | reason)"]
    for o in OUTCOMES:
        reason = (o.reason[:110] + "...") if len(o.reason) > 110 else o.reason
        lines.append(
            f"  {o.group:<9} | {o.case:<34} | {o.runs} | {o.outcome:<8}"
            f" | {o.seconds:5.1f} | {reason}"
        )
    totals: dict[str, Counter] = defaultdict(Counter)
    for o in OUTCOMES:
        totals[o.group][o.outcome.split(":")[0]] += 1
        totals[o.group]["tap runs"] += o.runs
    for group, counts in totals.items():
        lines.append(f"  {group}: {dict(counts)}")
    # Past pytest's output capture, so that it shows with -q and on success too.
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    with capture.global_and_fixture_disabled() if capture else contextlib.nullcontext():
        print("\n".join(lines), flush=True)


# --------------------------------------------------------------------------- checks


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or ["assertion failed"])[0][:60]


def truth_of(emulator: ZoomEmulator, config: dict[str, Any]) -> dict[str, Counter]:
    return {stream: truth(emulator, stream, config) for stream in STREAMS}


def assert_ids_unique(run: TapRun) -> None:
    for stream in STREAMS:
        ids = [record["lw_id"] for record in run.records[stream]]
        assert len(set(ids)) == len(ids), f"{stream}: an lw_id was emitted twice in one run"


def failure_line(run: TapRun) -> str:
    """The one-line reason of a failed run (asserting that it is one line, no traceback)."""
    lines = run.stderr.strip().splitlines()
    assert run.returncode != 0, "the run was to fail"
    traceback = "Traceback" in run.stderr
    assert not traceback, "a traceback instead of one line, ending: " + " | ".join(lines[-3:])
    assert lines, "a failed run must say why"
    last = lines[-1]
    assert last.startswith(ERROR_PREFIX), "the last line is not the reason: " + " | ".join(
        lines[-3:]
    )
    assert sum(line.startswith(ERROR_PREFIX) for line in lines) == 1
    return last


def backfill(
    tap: Tap,
    emulator: ZoomEmulator,
    group: str,
    case: str,
    config: dict[str, Any],
    *,
    expect: str | None = None,
    reason_has: tuple[str, ...] = (),
) -> list[TapRun]:
    """Run a backfill under the faults already injected; check and record its outcome."""
    truth = truth_of(emulator, config)
    started = time.monotonic()
    runs: list[TapRun] = []
    reason = ""
    try:
        first = tap.run(config)
        runs.append(first)
        assert_ids_unique(first)
        if first.returncode == 0:
            outcome = "exact"
            for stream in STREAMS:
                assert without_id(stream, first.records[stream]) == truth[stream], stream
        else:
            outcome = "resumed"
            reason = failure_line(first)
            for needle in reason_has:
                assert needle in reason, f"{needle!r} missing from: {reason}"
            emulator.clear_faults()
            resumed = tap.run(config, state=first.state or None)
            runs.append(resumed)
            assert resumed.returncode == 0, resumed.stderr[-3000:]
            assert_ids_unique(resumed)
            for stream in STREAMS:
                union: dict[str, dict[str, Any]] = {}
                for run in runs:
                    for record in run.records[stream]:
                        seen = union.setdefault(record["lw_id"], record)
                        assert seen == record, f"{stream}: one lw_id, two different records"
                assert without_id(stream, list(union.values())) == truth[stream], stream
        if expect is not None:
            assert outcome == expect, f"expected {expect}, got {outcome} ({reason})"
    except AssertionError as exc:
        OUTCOMES.append(
            Outcome(
                group,
                case,
                f"FAILED: {_first_line(exc)}",
                len(runs),
                time.monotonic() - started,
                reason,
            )
        )
        raise
    OUTCOMES.append(Outcome(group, case, outcome, len(runs), time.monotonic() - started, reason))
    return runs


# --------------------------------------------------------------------------- one kind at a time


def _revoked_every_few_requests(zoom: ZoomEmulator) -> None:
    # Pending faults' `after` counters tick together, so these fire about every 5 requests.
    for k in range(1, 6):
        zoom.inject("revoke_token", after=4 * k)


def _token_endpoint_5xx(zoom: ZoomEmulator) -> None:
    zoom.inject("server_error", endpoint="token", times=2, status=500)  # the first token
    zoom.inject("server_error", endpoint="token", times=1, status=502, after=1)  # a renewal
    zoom.inject("revoke_token", after=10)


SINGLE_KINDS: dict[str, tuple[Callable[[ZoomEmulator], None], dict[str, Any], str]] = {
    # case: (inject, config overrides, expected outcome)
    "HTTP 500 HTML burst": (lambda z: z.inject("server_error", times=3, status=500), {}, "exact"),
    "HTTP 502 HTML burst": (lambda z: z.inject("server_error", times=3, status=502), {}, "exact"),
    "HTTP 503 HTML burst": (lambda z: z.inject("server_error", times=3, status=503), {}, "exact"),
    "connection resets": (lambda z: z.inject("reset", times=3), {}, "exact"),
    "truncated JSON": (lambda z: z.inject("truncated", times=3), {}, "exact"),
    "records key missing": (lambda z: z.inject("missing_key", times=3), {}, "exact"),
    "slower than request_timeout": (
        lambda z: z.inject("slow", times=3, delay=1.5),
        {"request_timeout": 0.5},
        "exact",
    ),
    "429 storm, Retry-After seconds": (
        lambda z: z.inject("rate_limit", times=6, retry_after="seconds", seconds=1),
        {},
        "exact",
    ),
    "429 storm, Retry-After HTTP date": (
        lambda z: z.inject("rate_limit", times=6, retry_after="http_date", seconds=0.5),
        {},
        "exact",
    ),
    "429 storm, Retry-After ISO": (
        lambda z: z.inject("rate_limit", times=6, retry_after="iso", seconds=0.5),
        {},
        "exact",
    ),
    "429 storm, no Retry-After": (
        lambda z: z.inject("rate_limit", times=4, retry_after="absent"),
        {},
        "exact",
    ),
    "token revoked every few requests": (_revoked_every_few_requests, {}, "exact"),
    "token endpoint 5xx": (_token_endpoint_5xx, {}, "exact"),
    "expired page tokens": (lambda z: z.inject("expire_page_token", times=2), {}, "exact"),
    "daily limit mid-window": (
        lambda z: z.inject("daily_limit", after=15),
        {"window_days": 3, "max_concurrent_requests": 1},
        "resumed",
    ),
}


@pytest.mark.parametrize("case", SINGLE_KINDS, ids=list(SINGLE_KINDS))
def test_backfill_under_one_kind_of_fault(tap, emulator, case):
    inject, overrides, expected = SINGLE_KINDS[case]
    inject(emulator)
    config = tap.config(**{**BACKFILL, **overrides})
    reason_has = ("daily", "00:00 UTC") if expected == "resumed" else ()
    runs = backfill(tap, emulator, "single", case, config, expect=expected, reason_has=reason_has)

    if expected == "exact":  # the faults were met, and overcome
        refused = [r for r in emulator.stats.log if r.status != 200]
        assert refused or "retrying" in runs[0].stderr, "no fault fired: the case means nothing"
    else:  # stopped mid-backfill: the state kept the finished windows, not the start
        bookmark = runs[0].bookmark("activity_logs")
        assert config["start_date"] < bookmark < config["end_date"]


# --------------------------------------------------------------------------- giving up


GIVE_UP: dict[str, tuple[Callable[[ZoomEmulator], None], tuple[str, ...]]] = {
    # case: (a fault that never stops, what the one line must name)
    "HTTP 503 HTML forever": (
        lambda z: z.inject("server_error", times=10_000, status=503),
        ("gave up", "HTTP 503", "x-zm-trackingid"),
    ),
    "429 forever": (
        lambda z: z.inject("rate_limit", times=10_000, retry_after="seconds", seconds=1),
        ("gave up", "HTTP 429", "Zoom code 429", "x-zm-trackingid"),
    ),
    "token endpoint 500 forever": (
        lambda z: z.inject("server_error", endpoint="token", times=10_000, status=500),
        ("gave up", "access token", "HTTP 500", "x-zm-trackingid"),
    ),
    "timeouts forever": (
        lambda z: z.inject("slow", times=10_000, delay=1.5),
        ("gave up", "request_timeout"),
    ),
    "resets forever": (lambda z: z.inject("reset", times=10_000), ("gave up", "connection")),
    "records key missing forever": (
        lambda z: z.inject("missing_key", times=10_000),
        ("gave up", "HTTP 200", "x-zm-trackingid"),
    ),
    "token revoked on every request": (
        lambda z: z.inject("revoke_token", times=10_000),
        ("HTTP 401", "Zoom code 124", "x-zm-trackingid"),
    ),
    "page token refused every time": (
        lambda z: z.inject("expire_page_token", times=10_000),
        ("HTTP 400", "Zoom code 300", "x-zm-trackingid"),
    ),
}


@pytest.mark.parametrize("case", GIVE_UP, ids=list(GIVE_UP))
def test_a_fault_that_never_stops_ends_the_run_in_bounded_time(tap, emulator, case):
    inject, names = GIVE_UP[case]
    inject(emulator)
    budget, timeout = 2.0, 0.5
    config = tap.config(**{**BACKFILL, "max_retry_seconds": budget, "request_timeout": timeout})
    started = time.monotonic()
    runs = backfill(tap, emulator, "give-up", case, config, expect="resumed", reason_has=names)

    # Measured over both runs; the fault-free resume takes about a second.
    elapsed = time.monotonic() - started
    assert elapsed < budget + timeout + 8, f"{elapsed:.1f} s is not bounded by the retry budget"
    assert len(runs) == 2


# --------------------------------------------------------------------------- mixed at random


MIX_SEEDS = (3, 11, 42)


def random_plan(seed: int) -> tuple[list[tuple[str, dict[str, Any]]], dict[str, Any]]:
    """Faults and settings drawn from `seed`: the same seed is the same storm."""
    rng = random.Random(seed)
    plan: list[tuple[str, dict[str, Any]]] = []
    for _ in range(rng.randint(5, 8)):
        kind = rng.choice(
            [
                "server_error",
                "server_error",
                "reset",
                "truncated",
                "missing_key",
                "slow",
                "rate_limit",
                "rate_limit",
                "revoke_token",
                "token_error",
                "expire_page_token",
                "token_truncated",
                "token_slow",
            ]
        )
        params: dict[str, Any] = {"after": rng.randint(0, 40)}
        if kind == "server_error":
            params.update(times=rng.randint(1, 3), status=rng.choice([500, 502, 503]))
        elif kind == "rate_limit":
            style = rng.choice(["seconds", "http_date", "iso", "absent"])
            params.update(times=rng.randint(1, 4), retry_after=style, seconds=0.5)
        elif kind == "slow":
            params.update(times=rng.randint(1, 2), delay=1.5)
        elif kind == "token_error":
            kind = "server_error"
            params.update(endpoint="token", times=rng.randint(1, 2), after=rng.randint(0, 1))
            params["status"] = rng.choice([500, 503])
            plan.append(("revoke_token", {"after": rng.randint(5, 30)}))  # so renewals happen
        elif kind == "token_truncated":
            kind = "truncated"
            params.update(endpoint="token", times=1, after=0)
        elif kind == "token_slow":
            kind = "slow"
            params.update(endpoint="token", times=1, after=0, delay=1.5)
        elif kind == "expire_page_token":
            params.update(times=1)
        else:
            params.update(times=rng.randint(1, 3))
        plan.append((kind, params))
    if rng.random() < 0.5:
        plan.append(("daily_limit", {"after": rng.randint(10, 60)}))
    settings = {
        "window_days": rng.choice([1, 2, 3]),
        "page_size": rng.choice([7, 12, 25]),
        "max_concurrent_requests": rng.choice([1, 2, 4]),
        "max_retry_seconds": 6,
        "request_timeout": 0.5,
    }
    return plan, settings


@pytest.mark.parametrize("seed", MIX_SEEDS)
def test_backfill_under_a_random_mix_of_faults(tap, emulator, seed):
    plan, settings = random_plan(seed)
    for kind, params in plan:
        emulator.inject(kind, **params)
    config = tap.config(**{**BACKFILL, **settings})
    kinds = ", ".join(
        sorted({f"{k}@{p.get('endpoint', 'report')}" if k != "daily_limit" else k for k, p in plan})
    )
    backfill(tap, emulator, "mixed", f"seed {seed}: {len(plan)} faults", config)
    OUTCOMES[-1].reason = f"[{kinds}] {OUTCOMES[-1].reason}"
    assert emulator.stats.statuses, "the faults were served"


# --------------------------------------------------------------------------- bad state files


BAD_STATES = {
    "not JSON": "{not json",
    "empty file": "",
    "a JSON list": "[1, 2]",
    "a JSON string": '"bookmarks"',
    "bookmarks not an object": '{"bookmarks": "2026-05-01"}',
    "bookmark not a date": json.dumps(
        {
            "bookmarks": {
                "operation_logs": {
                    "replication_key": "time",
                    "replication_key_value": "last tuesday",
                }
            }
        }
    ),
    "bookmark a number": json.dumps(
        {
            "bookmarks": {
                "activity_logs": {"replication_key": "time", "replication_key_value": 12345}
            }
        }
    ),
}


@pytest.mark.parametrize("case", BAD_STATES, ids=list(BAD_STATES))
def test_a_malformed_state_file_is_one_line_and_nothing_is_sent(tap, emulator, case):
    path = tap.tmp_path / "bad-state.json"
    path.write_text(BAD_STATES[case])
    started = time.monotonic()
    run = None
    try:
        run = tap.run(tap.config(), args=("--state", str(path)))
        line = failure_line(run)
        assert "state" in line.lower(), line
        assert not any(run.records.values()), "no record may be emitted"
        assert sum(emulator.stats.requests.values()) == 0, "no request may be sent"
    except AssertionError as exc:
        OUTCOMES.append(
            Outcome(
                "bad input",
                f"state: {case}",
                f"FAILED: {_first_line(exc)}",
                1,
                time.monotonic() - started,
                _last_line(run),
            )
        )
        raise
    OUTCOMES.append(
        Outcome("bad input", f"state: {case}", "refused", 1, time.monotonic() - started, line)
    )


def _last_line(run: TapRun | None) -> str:
    if run is None or not run.stderr.strip():
        return ""
    return run.stderr.strip().splitlines()[-1]


# --------------------------------------------------------------------------- catalogs


def discovered_catalog(tap: Tap) -> dict[str, Any]:
    config_path = tap.tmp_path / "discover-config.json"
    config_path.write_text(json.dumps(tap.config()))
    done = subprocess.run(
        [TAP, "--config", str(config_path), "--discover"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def select(catalog: dict[str, Any], streams: set[str]) -> str:
    for entry in catalog["streams"]:
        for metadata in entry["metadata"]:
            if metadata["breadcrumb"] == []:
                metadata["metadata"]["selected"] = entry["tap_stream_id"] in streams
    return json.dumps(catalog)


def test_a_catalog_that_selects_nothing_is_an_error(tap, emulator):
    """Decided: a catalog that selects no stream is a mistake (a `select` pattern that matches
    nothing), and a run that quietly extracts nothing is the silent gap this tap exists to
    prevent. So: one line saying that no stream is selected, exit 1, no request to Zoom, no
    record, and no STATE other than the one given (the stored bookmarks stay as they are)."""
    catalog_path = tap.tmp_path / "nothing-selected.json"
    catalog_path.write_text(select(discovered_catalog(tap), set()))
    state = {
        "bookmarks": {
            stream: {"replication_key": "time", "replication_key_value": "2026-01-02T23:59:59Z"}
            for stream in STREAMS
        }
    }
    started = time.monotonic()
    run = tap.run(tap.config(), state=state, args=("--catalog", str(catalog_path)))
    try:
        line = failure_line(run)
        assert "select" in line.lower(), line
        assert not any(run.records.values())
        assert sum(emulator.stats.requests.values()) == 0, "nothing selected: nothing to ask Zoom"
        assert all(s == state for s in run.states), "the state must not change"
    except AssertionError as exc:
        OUTCOMES.append(
            Outcome(
                "bad input",
                "catalog selects nothing",
                f"FAILED: {_first_line(exc)}",
                1,
                time.monotonic() - started,
                _last_line(run),
            )
        )
        raise
    OUTCOMES.append(
        Outcome(
            "bad input", "catalog selects nothing", "refused", 1, time.monotonic() - started, line
        )
    )


def test_a_catalog_that_selects_one_stream_keeps_the_other_bookmark(tap, emulator):
    catalog_path = tap.tmp_path / "operation-logs-only.json"
    catalog_path.write_text(select(discovered_catalog(tap), {"operation_logs"}))
    kept = {"replication_key": "time", "replication_key_value": "2026-01-02T23:59:59Z"}
    config = tap.config(window_days=3)
    run = tap.run(
        config, state={"bookmarks": {"activity_logs": kept}}, args=("--catalog", str(catalog_path))
    )

    assert run.returncode == 0, run.stderr
    assert run.records["activity_logs"] == []
    assert emulator.stats.requests["activities"] == 0
    assert (
        without_id("operation_logs", run.records["operation_logs"])
        == (truth_of(emulator, config)["operation_logs"])
    )
    assert run.state["bookmarks"]["activity_logs"] == kept
    assert run.bookmark("operation_logs") == config["end_date"]


# --------------------------------------------------------------------------- broken entries


def _day(config: dict[str, Any], offset: int) -> str:
    return (
        dt.date.fromisoformat(config["start_date"][:10]) + dt.timedelta(days=offset)
    ).isoformat()


# case: (stream, field, value or a function of the config giving it, what must happen)
#   "text": emitted once, the value as its JSON text, with a warning naming the stream
#   "emitted+warned": emitted once, with a warning naming the stream and the value
#   "accounted": emitted, or a warning names the value (never silently dropped)
#   "emitted": emitted once, unchanged
BREAKS: dict[str, tuple[str, str, Any, str]] = {
    "no time": ("operation_logs", "time", None, "emitted+warned"),
    "unparseable time": ("operation_logs", "time", "yesterday at noon", "emitted+warned"),
    "time not RFC 3339": ("activity_logs", "time", "29/03/2026 11:38:50", "emitted+warned"),
    "time a number": ("activity_logs", "time", 1774784330, "emitted+warned"),
    "time after end_date": ("operation_logs", "time", "2099-01-01T00:00:00Z", "accounted"),
    "time before start_date": ("activity_logs", "time", "2001-01-01T00:00:00Z", "accounted"),
    "time in range, other window": (
        "operation_logs",
        "time",
        lambda c: f"{_day(c, 0)}T00:00:05Z",
        "emitted",
    ),
    "a number field": ("operation_logs", "action", 42, "text"),
    "an object field": ("operation_logs", "operation_detail", {"a": [1, "ü"]}, "text"),
    "a float version": ("activity_logs", "version", 6.1, "text"),
    "a boolean field": ("activity_logs", "type", True, "text"),
}

MARKER_FIELD = {"activity_logs": "ip_address", "operation_logs": "operator"}


@pytest.mark.parametrize("case", BREAKS, ids=list(BREAKS))
def test_an_entry_that_breaks_the_contract_is_never_silently_dropped(tap, emulator, case):
    """`add_entry` only takes a valid `time`, so the entry is added whole and then broken in
    the emulator's own list (which is what it serves from)."""
    stream, name, value, expected = BREAKS[case]
    config = tap.config(window_days=2)
    if callable(value):
        value = value(config)
    baseline = truth_of(emulator, config)
    marker = f"contract-{case.replace(' ', '-')}"
    day = _day(config, 3)
    entry = {field: f"{field} of {case}" for field in FIELDS[stream]}
    entry.update({"time": f"{day}T12:00:00Z", MARKER_FIELD[stream]: marker})
    emulator.add_entry(stream, entry)
    served = next(
        row
        for row in emulator._data.ascending(stream, dt.date.fromisoformat(day))
        if row.get(MARKER_FIELD[stream]) == marker
    )
    if value is None:
        del served[name]
    else:
        served[name] = value

    started = time.monotonic()
    run = tap.run(config)
    try:
        assert run.returncode == 0, run.stderr[-3000:]
        assert_ids_unique(run)
        mine = [r for r in run.records[stream] if r[MARKER_FIELD[stream]] == marker]
        others = [r for r in run.records[stream] if r[MARKER_FIELD[stream]] != marker]
        assert without_id(stream, others) == baseline[stream], "the other entries are exact"
        other = next(s for s in STREAMS if s != stream)
        assert without_id(other, run.records[other]) == baseline[other]
        warnings = [
            line for line in run.stderr.splitlines() if "WARNING" in line and stream in line
        ]
        raw = "time" if value is None else str(value)
        named = [line for line in warnings if raw in line]
        if expected == "text":
            assert len(mine) == 1
            assert mine[0][name] == json.dumps(value, ensure_ascii=False)
            assert warnings, "a non-string value is kept with a warning"
        elif expected == "emitted":
            assert len(mine) == 1
            assert mine[0][name] == value
        elif expected == "emitted+warned":
            assert len(mine) == 1, f"the entry was dropped (emitted {len(mine)}x)"
            assert named, f"no warning names {raw!r}: {warnings}"
        else:  # accounted
            assert len(mine) <= 1
            assert mine or named, f"silently dropped: no record, no warning naming {raw!r}"
    except AssertionError as exc:
        OUTCOMES.append(
            Outcome(
                "bad input",
                f"entry: {case}",
                f"FAILED: {_first_line(exc)}",
                1,
                time.monotonic() - started,
            )
        )
        raise
    status = "emitted" if mine else "warned"
    OUTCOMES.append(Outcome("bad input", f"entry: {case}", status, 1, time.monotonic() - started))
