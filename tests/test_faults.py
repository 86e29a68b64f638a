"""Fault injection: every backfill is exact, or stops with one line and the next run completes it.

Each case runs a full backfill of several windows per stream while the emulator injects one
kind of fault (then several kinds mixed at random with fixed seeds). The outcome must be one
of two things:

- "exact": exit 0, and each stream's records equal the emulator's truth (lw_id unique);
- "resumed": a non-zero exit whose last stderr line is the one-line reason (no traceback),
  then a fault-free run from the state it left completes it: the union of both runs by
  lw_id equals the truth, and an lw_id seen in both runs names the same record.

`lookback_days` is 0 so that a state claiming an unfinished window shows up as a gap.

Also here: bad input (malformed state files, a catalog that selects nothing, entries that
break Zoom's contract).
"""

from __future__ import annotations

import datetime as dt
import json
import random
import time
from collections.abc import Callable
from typing import Any

import pytest

from tap_zoom_logs.errors import EXIT_QUOTA
from tests.support.tap import (
    FIELDS,
    STREAMS,
    Tap,
    TapRun,
    assert_exact,
    assert_nothing_sent,
    assert_union_is_the_truth,
    one_line_error,
    truth,
    without_id,
)
from zoom_emulator import ZoomEmulator

#: Several windows per stream (8 days of data in 2-day windows), several pages per window.
BACKFILL = {
    "window_days": 2,
    "page_size": 12,
    "lookback_days": 0,
    "max_concurrent_requests": 3,
    "max_retry_seconds": 15,
    "request_timeout": 5,
}


# --------------------------------------------------------------------------- checks


def backfill(
    tap: Tap,
    emulator: ZoomEmulator,
    config: dict[str, Any],
    *,
    expect: str | None = None,
    reason_has: tuple[str, ...] = (),
) -> list[TapRun]:
    """Run a backfill under the faults already injected: it is exact, or it stops with one
    line (naming each of `reason_has`) and a fault-free run from its state completes it.
    `expect` ("exact" or "resumed") says which it must be."""
    first = tap.run(config)
    if first.returncode == 0:
        assert expect in (None, "exact"), f"expected {expect}, the run completed"
        assert_exact(first, emulator, config)
        return [first]
    assert expect in (None, "resumed"), f"expected {expect}, got: {first.stderr[-2000:]}"
    # 75 when the daily quota stopped it, 1 for any other failure.
    quota = "daily" in reason_has or (not reason_has and first.returncode == EXIT_QUOTA)
    one_line_error(first, *reason_has, code=EXIT_QUOTA if quota else 1)
    emulator.clear_faults()
    resumed = tap.run(config, state=first.state or None)
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    assert_union_is_the_truth([first, resumed], emulator, config)
    return [first, resumed]


# --------------------------------------------------------------------------- one kind at a time


def _revoked_every_few_requests(zoom: ZoomEmulator) -> None:
    # Pending faults' `after` counters tick together, so these fire about every 10 requests:
    # more than the windows in flight (3) can send between a refusal and its retry, so no
    # single request meets a revocation at each of its MAX_TOKEN_RENEWALS retries. (At 5
    # requests apart, retries in lockstep met the next revocation: flaky.)
    for k in range(1, 5):
        zoom.inject("revoke_token", after=9 * k)


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


#: What the tap logs when it meets the fault: a retry, but for these.
SAYS = {
    "expired page tokens": "reading the window again from its start",
    "token revoked every few requests": "",  # a new token at once: no wait to log
}


@pytest.mark.parametrize("case", SINGLE_KINDS, ids=list(SINGLE_KINDS))
def test_backfill_under_one_kind_of_fault(tap, emulator, case):
    inject, overrides, expected = SINGLE_KINDS[case]
    inject(emulator)
    config = tap.config(**{**BACKFILL, **overrides})
    reason_has = ("daily", "00:00 UTC") if expected == "resumed" else ()
    runs = backfill(tap, emulator, config, expect=expected, reason_has=reason_has)

    if expected == "exact":  # the faults were met, and overcome
        refused = [r for r in emulator.stats.log if r.status != 200]
        assert refused or "retrying" in runs[0].stderr, "no fault fired: the case means nothing"
        assert SAYS.get(case, "retrying") in runs[0].stderr
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
    # Every socket read gets a byte, so only a deadline on the whole answer ends it.
    "pages that drip forever": (
        lambda z: z.inject("drip", times=10_000, bytes_per_second=20),
        ("gave up", "did not arrive whole within request_timeout"),
    ),
    "a token answer that drips forever": (
        lambda z: z.inject("drip", endpoint="token", times=10_000, bytes_per_second=20),
        ("gave up", "access token", "did not arrive whole within request_timeout"),
    ),
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
    runs = backfill(tap, emulator, config, expect="resumed", reason_has=names)

    # Measured over both runs; the fault-free resume takes about a second.
    elapsed = time.monotonic() - started
    assert elapsed < budget + timeout + 8, f"{elapsed:.1f} s is not bounded by the retry budget"
    assert len(runs) == 2


# --------------------------------------------------------------------------- mixed at random


MIX_SEEDS = (3, 11, 42)


#: The shortest backfill these settings make (3-day windows of 25 entries a page) sends
#: about 25 report requests: every fault is due within them, so every storm hits the tap.
DUE_WITHIN = 20


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
        params: dict[str, Any] = {"after": rng.randint(0, DUE_WITHIN)}
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
            plan.append(("revoke_token", {"after": rng.randint(5, DUE_WITHIN)}))  # renewals
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
        plan.append(("daily_limit", {"after": rng.randint(10, DUE_WITHIN)}))
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
    runs = backfill(tap, emulator, config)

    # The storm reached the tap: Zoom answered it with errors (a fault-free run has only
    # 200s), and the tap retried them or stopped on one.
    refused = [r for r in emulator.stats.log if r.status != 200]
    assert refused, f"no fault fired: {plan}"
    assert "retrying" in runs[0].stderr or runs[0].returncode != 0


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
    """Through the command's entry point in this process; the subprocess case below shows
    the installed executable does the same."""
    path = tap.tmp_path / "bad-state.json"
    path.write_text(BAD_STATES[case])
    run = tap.run(tap.config(), args=("--state", str(path)), in_process=True)

    line = one_line_error(run)
    assert "state" in line.lower(), line
    assert_nothing_sent(run, emulator)


def test_a_malformed_state_stops_the_executable_before_any_request(tap, emulator):
    path = tap.tmp_path / "bad-state.json"
    path.write_text(BAD_STATES["bookmark not a date"])
    run = tap.run(tap.config(), args=("--state", str(path)))

    one_line_error(run, "state: bookmarks.operation_logs.replication_key_value", "last tuesday")
    assert_nothing_sent(run, emulator)


# --------------------------------------------------------------------------- catalogs


def test_a_catalog_that_selects_nothing_is_an_error(tap, emulator):
    """Decided: a catalog that selects no stream is a mistake (a `select` pattern that matches
    nothing), and a run that quietly extracts nothing is the silent gap this tap exists to
    prevent. So: one line saying that no stream is selected, exit 1, no request to Zoom, no
    record, and no STATE other than the one given (the stored bookmarks stay as they are)."""
    state = {
        "bookmarks": {
            stream: {"replication_key": "time", "replication_key_value": "2026-01-02T23:59:59Z"}
            for stream in STREAMS
        }
    }
    run = tap.run(tap.config(), state=state, select=(), in_process=True)

    line = one_line_error(run, "no stream is selected")
    assert "select" in line.lower(), line
    assert_nothing_sent(run, emulator)  # no record, no STATE: the stored one stands


def test_a_catalog_that_selects_one_stream_keeps_the_other_bookmark(tap, emulator):
    kept = {"replication_key": "time", "replication_key_value": "2026-01-02T23:59:59Z"}
    config = tap.config(window_days=3)
    run = tap.run(config, state={"bookmarks": {"activity_logs": kept}}, select=("operation_logs",))

    assert_exact(run, emulator, config, ("operation_logs",))
    assert run.records["activity_logs"] == []
    assert emulator.stats.requests["activities"] == 0
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


def test_an_entry_that_breaks_the_contract_is_never_silently_dropped(tap, emulator):
    """Every case of BREAKS in one run: each breaks its own entry (told apart by a marker).

    `add_entry` only takes a valid `time`, so each entry is added whole and then broken in
    the emulator's own list (which is what it serves from)."""
    config = tap.config(window_days=2)
    baseline = {stream: truth(emulator, stream, config) for stream in STREAMS}
    day = _day(config, 3)
    markers = {}
    for case, (stream, name, value, _) in BREAKS.items():
        marker = markers[case] = f"contract-{case.replace(' ', '-')}"
        entry = {field: f"{field} of {case}" for field in FIELDS[stream]}
        entry.update({"time": f"{day}T12:00:00Z", MARKER_FIELD[stream]: marker})
        emulator.add_entry(stream, entry)
        served = next(
            row
            for row in emulator.data.ascending(stream, dt.date.fromisoformat(day))
            if row.get(MARKER_FIELD[stream]) == marker
        )
        if value is None:
            del served[name]
        else:
            served[name] = value(config) if callable(value) else value

    run = tap.run(config)

    assert run.returncode == 0, run.stderr[-3000:]
    for stream in STREAMS:
        ids = [record["lw_id"] for record in run.records[stream]]
        assert len(set(ids)) == len(ids)
        others = [r for r in run.records[stream] if r[MARKER_FIELD[stream]] not in markers.values()]
        assert without_id(stream, others) == baseline[stream], "the other entries are exact"
    warnings = [line for line in run.stderr.splitlines() if "WARNING" in line]
    for case, (stream, name, given, expected) in BREAKS.items():
        value = given(config) if callable(given) else given
        mine = [r for r in run.records[stream] if r[MARKER_FIELD[stream]] == markers[case]]
        said = [line for line in warnings if stream in line]
        if expected == "text":
            assert len(mine) == 1, case
            assert mine[0][name] == json.dumps(value, ensure_ascii=False), case
            kept = f"a non-string value {value!r} kept as JSON text"
            assert any(kept in line for line in said), f"{case}: no warning says {kept!r}"
        elif expected == "emitted":
            assert len(mine) == 1, case
            assert mine[0][name] == value, case
        elif expected == "emitted+warned":
            assert len(mine) == 1, f"{case}: the entry was dropped (emitted {len(mine)}x)"
            raw = "is None" if value is None else str(value)
            named = [line for line in said if "not a date-time" in line and raw in line]
            assert named, f"{case}: no warning names {raw!r}"
        else:  # accounted
            assert len(mine) <= 1, case
            named = [line for line in said if str(value) in line]
            assert mine or named, f"{case}: silently dropped: no record, no warning"
