"""Helpers for the tests of incremental runs: news added to the emulator, late entries, a
state left with days to settle, and a run inside this process at a moment of its clock."""

from __future__ import annotations

import time
from typing import Any

import pendulum

from tap_zoom_logs.tap import TapZoomLogs
from tap_zoom_logs.windows import SETTLE_AFTER_HOURS, last_day_to_settle
from tests.support.tap import TapRun, in_this_process, parse_output
from zoom_emulator import ZoomEmulator

REPORT_ENDPOINTS = {"activity_logs": "activities", "operation_logs": "operationlogs"}


def sign_in(moment: pendulum.DateTime, n: int) -> dict[str, Any]:
    return {
        "email": f"news{n}@example.com",
        "time": moment.format("YYYY-MM-DD[T]HH:mm:ss[Z]"),
        "type": "Sign in",
        "ip_address": "192.0.2.7",
        "client_type": "Browser",
        "version": "-",
    }


def requests_to(zoom: ZoomEmulator, stream: str) -> int:
    return zoom.stats.requests[REPORT_ENDPOINTS[stream]]


def add_news(zoom: ZoomEmulator, count: int) -> pendulum.DateTime:
    """`count` sign-ins in the seconds after the emulator's now; waits until the clock has
    passed them (a run reads up to now), and returns the newest's time."""
    now = pendulum.instance(zoom.now)
    for n in range(count):
        zoom.add_entry("activity_logs", sign_in(now.add(seconds=1 + n % 2), n))
    newest = now.add(seconds=2)
    while pendulum.now("UTC") <= newest:
        time.sleep(0.1)
    return newest


def later(config: dict[str, Any]) -> dict[str, Any]:
    """The settings of a scheduled run: no end_date (up to now)."""
    return {k: v for k, v in config.items() if k != "end_date"}


def covering(config: dict[str, Any], newest: pendulum.DateTime) -> dict[str, Any]:
    """What the runs together must have delivered: up to the newest entry added."""
    return {**config, "end_date": newest.format("YYYY-MM-DD[T]HH:mm:ss[Z]")}


def a_day_left_unsettled(zoom: ZoomEmulator, run: TapRun) -> tuple[dict[str, Any], str]:
    """The state as a run two days ago would have left it (the last two days due to settle
    not yet settled), and the day before the last one due."""
    state = {"bookmarks": {k: dict(v) for k, v in run.state["bookmarks"].items()}}
    closed = settling_now()
    for bookmark in state["bookmarks"].values():
        bookmark["settled_through"] = closed.subtract(days=2).isoformat()
    return state, closed.subtract(days=1).isoformat()


def settling_now() -> pendulum.Date:
    """The newest day a run settles now (settle_after_hours at its default)."""
    return last_day_to_settle(pendulum.now("UTC"), SETTLE_AFTER_HOURS)


def late_operation(day: str, clock: str = "12:00:00") -> dict[str, Any]:
    """An admin operation at `clock` on `day`, for Zoom to write late."""
    return {
        "time": f"{day}T{clock}Z",
        "operator": "late@example.com",
        "category_type": "User",
        "action": "Update",
        "operation_detail": "written late ",
    }


def run_in_process_at(moment: pendulum.DateTime, config: dict[str, Any], state: Any, capsys):
    """One run inside this process, its clock moved to `moment` (pendulum's travel)."""
    with in_this_process(), pendulum.travel_to(moment):
        TapZoomLogs(config=config, state=state).sync_all()
    return parse_output(0, capsys.readouterr().out, "")
