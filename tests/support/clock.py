"""Runs of the tap on a virtual clock (time-machine moves this process's clock, the
emulator's included), for schedules of hourly runs over days, in seconds: each run in this
process, its Singer output and its log lines kept."""

from __future__ import annotations

import contextlib
import io
import logging
from collections import Counter
from datetime import datetime
from typing import Any

import time_machine

from tap_zoom_logs.tap import TapZoomLogs
from tests.support.tap import TapRun, in_this_process, parse_output, without_id
from zoom_emulator import ZoomEmulator


class _Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(f"{record.levelname} {record.getMessage()}")


def run_at(moment: datetime, config: dict[str, Any], state: dict[str, Any] | None) -> TapRun:
    """One run of the tap with this process's clock at `moment` (and running); its log
    lines, as `LEVEL message`, are the run's stderr. An error is raised, as the command
    would exit non-zero."""
    stdout = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
    lines = _Lines()
    root = logging.getLogger()
    with (
        in_this_process(),
        time_machine.travel(moment, tick=True),
        contextlib.redirect_stdout(stdout),
    ):
        root.addHandler(lines)
        root.setLevel(logging.INFO)
        try:
            TapZoomLogs(config=config, state=state).sync_all()
        finally:
            root.removeHandler(lines)
    stdout.flush()
    return parse_output(0, stdout.buffer.getvalue().decode(), "\n".join(lines.lines))


def scheduled_config(zoom: ZoomEmulator, start_date: str, **settings: Any) -> dict[str, Any]:
    """The settings of a scheduled run (no end_date: up to now) from `start_date`."""
    config = {k: v for k, v in zoom.tap_config().items() if k != "end_date"}
    return {**config, "start_date": start_date, "max_requests_per_second": 500, **settings}


def union_of(runs: list[TapRun], stream: str) -> Counter[tuple[Any, ...]]:
    """What the runs together delivered, by lw_id (an lw_id seen twice names one record;
    no lw_id twice within a run), without the ids."""
    union: dict[str, dict[str, Any]] = {}
    for run in runs:
        ids = [record["lw_id"] for record in run.records[stream]]
        assert len(set(ids)) == len(ids), f"{stream}: an lw_id was emitted twice in a run"
        for record in run.records[stream]:
            assert union.setdefault(record["lw_id"], record) == record, "one lw_id, two records"
    return without_id(stream, list(union.values()))
