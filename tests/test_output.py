"""output.py in this process: records flushed with the next STATE, never after it, and a
target that stops reading ends the run with one line."""

from __future__ import annotations

import io
import json
import os
import sys

import pytest
from singer_sdk.singerlib import RecordMessage, StateMessage

from tap_zoom_logs.output import TargetGone, ZoomMessageWriter


class Stdout(io.TextIOWrapper):
    """sys.stdout over bytes, counting the flushes that reach the bytes."""

    def __init__(self) -> None:
        self.raw_bytes = io.BytesIO()
        super().__init__(self.raw_bytes, encoding="utf-8")
        self.flushed: list[bytes] = []

    def flush(self) -> None:
        super().flush()
        self.flushed.append(self.raw_bytes.getvalue())


def test_records_wait_for_the_next_state_and_go_out_before_it(monkeypatch):
    stdout = Stdout()
    monkeypatch.setattr(sys, "stdout", stdout)
    writer = ZoomMessageWriter()
    records = [RecordMessage(stream="activity_logs", record={"lw_id": str(n)}) for n in range(3)]

    for record in records:
        writer.write_message(record)
    assert stdout.flushed == [], "no system call per record"
    writer.write_message(StateMessage(value={"bookmarks": {}}))

    (flushed,) = stdout.flushed
    lines = [json.loads(line) for line in flushed.decode().splitlines()]
    assert [line["type"] for line in lines] == ["RECORD"] * 3 + ["STATE"]


def test_a_target_that_stops_reading_is_one_line(monkeypatch):
    read_end, write_end = os.pipe()
    os.close(read_end)  # the target is gone
    stdout = open(write_end, "w", encoding="utf-8")  # noqa: SIM115 - closed below
    monkeypatch.setattr(sys, "stdout", stdout)
    try:
        with pytest.raises(TargetGone) as gone:
            ZoomMessageWriter().write_message(StateMessage(value={"bookmarks": {}}))
        # What was not delivered goes nowhere: the interpreter's last flush cannot fail.
        stdout.write("more\n")
        stdout.flush()
    finally:
        stdout.close()

    assert str(gone.value).startswith("the target stopped reading the tap's output")
