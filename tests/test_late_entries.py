"""Entries Zoom writes late (issue 27, case 4): up to settle_after_hours (48) after their
time they are delivered, wherever from UTC-12 to UTC+14 Zoom cuts days, by a day read whole
once, later rather than more often; the days' found-late counts are the truth."""

from __future__ import annotations

import re
from collections import Counter
from datetime import datetime, timedelta, timezone
from typing import Any

import pendulum
import pytest

from tap_zoom_logs.times import parse_day
from tap_zoom_logs.windows import (
    SETTLE_AFTER_HOURS,
    Plan,
    Reading,
    last_day_to_settle,
    plan_stream,
)
from tap_zoom_logs.windows import Bounds as RangeBounds
from tests.support.clock import run_at, scheduled_config, union_of
from tests.support.tap import TapRun, as_record, at
from zoom_emulator import ZoomEmulator

# --------------------------------------------------------------------------- when a day settles


def plan_at(now: pendulum.DateTime, settled: str, hours: int = SETTLE_AFTER_HOURS) -> Plan:
    return plan_stream(
        name="activity_logs",
        bounds=RangeBounds(at("2026-05-01T00:00:00Z"), None),
        bookmark=now.subtract(hours=1),
        reading=Reading(1, 2, None, True, hours),
        now=now,
        settled_through=parse_day(settled),
    )


def settling_days(
    now: pendulum.DateTime, settled: str, hours: int = SETTLE_AFTER_HOURS
) -> list[str]:
    return [w.label for w in plan_at(now, settled, hours).windows if w.settles]


def test_a_day_settles_two_days_after_it_closed_in_every_zone():
    """Day D closes (ends at UTC-12, plus 2 hours) at D+1 14:00 UTC; 48 hours later it is
    read whole: an entry of its last second written 48 hours late is in by then."""
    d_plus_3 = pendulum.datetime(2026, 5, 13)
    assert settling_days(d_plus_3.add(hours=13, minutes=59), "2026-05-09") == []
    assert settling_days(d_plus_3.add(hours=14), "2026-05-09") == ["2026-05-10"]
    assert last_day_to_settle(d_plus_3.add(hours=14), 48) == pendulum.date(2026, 5, 10)
    assert last_day_to_settle(d_plus_3.add(hours=14), 0) == pendulum.date(2026, 5, 12)


def test_the_wait_is_a_setting():
    now = pendulum.datetime(2026, 5, 13, 15)
    assert settling_days(now, "2026-05-09", hours=0) == ["2026-05-10", "2026-05-11", "2026-05-12"]
    assert settling_days(now, "2026-05-09", hours=24) == ["2026-05-10", "2026-05-11"]


def test_a_day_settled_before_its_wait_was_over_is_settled_again_when_due():
    """A state from a version that settled 14 hours after a day's end: the days it settled
    too soon are read whole again when due, never skipped."""
    now = pendulum.datetime(2026, 5, 13, 15)
    assert plan_at(now, "2026-05-12").settle_again_after == pendulum.date(2026, 5, 10)
    assert settling_days(now, "2026-05-12") == []
    assert plan_at(now, "2026-05-10").settle_again_after is None
    assert settling_days(now.add(days=1), "2026-05-10") == ["2026-05-11"]


# --------------------------------------------------------------------------- hourly, for days

START = datetime(2026, 3, 10, 0, 17, tzinfo=timezone.utc)
DAYS = 7
#: Few entries, so that hourly runs over days take seconds.
VOLUMES = {"activity_logs": 24, "operation_logs": 8}


def edge_entries(offset: int) -> list[tuple[dict[str, Any], datetime]]:
    """Sign-ins at the last second of Zoom's days (cut at UTC+offset), each written exactly
    48 hours later: the latest a day settled at the promised time must still hold."""
    planted = []
    for n in range(1, 4):
        day_end = datetime(2026, 3, 9 + n, tzinfo=timezone.utc) - timedelta(hours=offset)
        moment = day_end - timedelta(seconds=1)
        entry = {
            "email": f"edge{n}@example.com",
            "time": moment.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "type": "Sign in",
            "ip_address": "192.0.2.9",
            "client_type": "Browser",
            "version": "-",
        }
        planted.append((entry, moment + timedelta(hours=48)))
    return planted


def hourly(offset: int, **settings: Any) -> tuple[ZoomEmulator, list[TapRun]]:
    """Runs every hour at :17 for DAYS days against a Zoom cutting days at UTC+offset that
    writes each entry up to 48 hours after its time (and the edge entries exactly 48)."""
    zoom = ZoomEmulator(
        seed=11,
        now=START + timedelta(days=DAYS + 1),
        history_days=DAYS + 4,
        entries_per_day=VOLUMES,
        live_clock=True,
        write_delay_hours=48,
        day_cut_utc_offset=offset,
    )
    for entry, written in edge_entries(offset):
        zoom.add_entry("activity_logs", entry, written_at=written)
    config = scheduled_config(zoom, "2026-03-09T00:00:00Z", **settings)
    runs: list[TapRun] = []
    with zoom:
        for hour in range(DAYS * 24):
            runs.append(
                run_at(START + timedelta(hours=hour), config, runs[-1].state if runs else None)
            )
    return zoom, runs


def settled_bound(run: TapRun, stream: str) -> str:
    """The last second of the newest UTC day whose Zoom days (before, of, after) are all
    settled: every entry up to it must have been delivered."""
    settled = parse_day(run.state["bookmarks"][stream]["settled_through"])
    return f"{settled.subtract(days=1).isoformat()}T23:59:59Z"


def report_requests(zoom: ZoomEmulator) -> int:
    return sum(n for endpoint, n in zoom.stats.requests.items() if endpoint != "token")


@pytest.mark.parametrize("offset", [-12, 0, 14])
def test_entries_written_up_to_48_hours_late_are_delivered_in_any_zone(offset):
    zoom, runs = hourly(offset)

    for stream in ("activity_logs", "operation_logs"):
        bound = settled_bound(runs[-1], stream)
        assert bound >= "2026-03-12T23:59:59Z", "settling went on through the schedule"
        union = union_of(runs, stream)
        truth = Counter(
            as_record(stream, e) for e in zoom.truth(stream, "2026-03-09T00:00:00Z", bound)
        )
        delivered = Counter({k: n for k, n in union.items() if k in truth})
        assert delivered == truth, f"{stream}: {sum((truth - delivered).values())} lost"
        last_run = START + timedelta(hours=DAYS * 24 - 1)
        everything = Counter(
            as_record(stream, e) for e in zoom.truth(stream, "2026-03-09T00:00:00Z", last_run)
        )
        assert not union - everything, "nothing delivered that Zoom does not hold"
    edges = [as_record("activity_logs", entry) for entry, _ in edge_entries(offset)]
    assert all(union_of(runs, "activity_logs")[edge] == 1 for edge in edges)


def found_late_said(runs: list[TapRun], stream: str) -> dict[str, int]:
    pattern = re.compile(rf"INFO {stream}: (\S+) is final: (\d+) entries found late")
    return {match[1]: int(match[2]) for run in runs for match in pattern.finditer(run.stderr)}


def first_reads(runs: list[TapRun], stream: str) -> Counter[str]:
    """Per UTC day, the entries a run read first: after the bookmark it started from (all
    of them in the first run, a backfill)."""
    counted: Counter[str] = Counter()
    bookmark = ""
    for run in runs:
        for record in run.records[stream]:
            if record["time"] > bookmark:
                counted[record["time"][:10]] += 1
        bookmark = run.state["bookmarks"][stream]["replication_key_value"]
    return counted


def test_found_late_is_each_final_days_entries_less_those_read_first():
    zoom, runs = hourly(-12)

    said = found_late_said(runs, "activity_logs")
    first = first_reads(runs, "activity_logs")
    assert len(said) >= 3
    for day, late in said.items():
        if day == "2026-03-09":
            continue  # the backfill's first day: its day before was never read
        entries = len(zoom.truth("activity_logs", day, day))
        assert late == entries - first[day], day
    assert sum(said.values()) > 0, "with delays up to 48 hours, some were found late"


def test_settling_later_costs_no_more_requests_than_settling_at_once():
    """The same hourly schedule, settling as today (once a day has closed) and two days
    later: a day is still read whole once, so the requests are no more."""
    at_once, _ = hourly(0, settle_after_hours=0)
    later, _ = hourly(0)

    assert report_requests(later) <= report_requests(at_once)
