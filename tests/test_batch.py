"""BATCH messages (`batch_config`): the records go to files, each announced by a BATCH
message, and the STATE that covers a window's records comes only after the BATCH message
of the file that holds them. What a target is told is what RECORD messages would carry.
"""

from __future__ import annotations

import gzip
import json
import subprocess
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from unittest import mock
from urllib.parse import urlparse

import pyarrow.parquet as pq
import pytest

from tests.support.tap import (
    STREAMS,
    TAP,
    TapRun,
    as_record,
    assert_nothing_sent,
    assert_union_is_the_truth,
    catalog_selecting,
    one_line_error,
    truth,
)


@dataclass
class BatchedRun:
    """A run's messages in order, with the records of each BATCH message's files."""

    run: TapRun
    messages: list[dict[str, Any]]

    def delivered(self, stream: str) -> list[dict[str, Any]]:
        return [r for m in self.batches(stream) for r in read_batch(m)]

    def batches(self, stream: str) -> list[dict[str, Any]]:
        return [m for m in self.messages if m["type"] == "BATCH" and m["stream"] == stream]

    def as_tap_run(self) -> TapRun:
        """The run as the shared helpers read one: its records are the batch files'."""
        records = {stream: self.delivered(stream) for stream in self.run.records}
        return TapRun(self.run.returncode, "", self.run.stderr, records, self.run.states)


def read_batch(message: dict[str, Any]) -> list[dict[str, Any]]:
    records = []
    for url in message["manifest"]:
        path = urlparse(url).path
        if message["encoding"]["format"] == "parquet":
            records += pq.read_table(path).to_pylist()
        else:
            assert message["encoding"]["compression"] == "gzip", "what the file is"
            with gzip.open(path, "rt", encoding="utf-8") as lines:
                records += [json.loads(line) for line in lines]
    return records


def batch_config(root: Path, fmt: str = "jsonl", **more: Any) -> dict[str, Any]:
    return {"encoding": {"format": fmt}, "storage": {"root": root.as_uri()}, **more}


def batched(run: TapRun) -> BatchedRun:
    messages = [json.loads(line) for line in run.stdout.splitlines()]
    return BatchedRun(run, messages)


def by_id(records: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    found = {record["lw_id"]: record for record in records}
    assert len(found) == len(records), "an lw_id twice"
    return found


@pytest.mark.parametrize("fmt", ["jsonl", "parquet"])
def test_batch_files_hold_what_record_messages_would(tap, emulator, tmp_path, fmt):
    config = tap.config(window_days=1)
    recorded = tap.run(config)
    assert recorded.returncode == 0, recorded.stderr[-2000:]

    # 13 entries a file: files end inside windows, and windows inside files.
    config["batch_config"] = batch_config(tmp_path / "files", fmt, batch_size=13)
    run = batched(tap.run(config))

    assert run.run.returncode == 0, run.run.stderr[-2000:]
    assert not [m for m in run.messages if m["type"] == "RECORD"]
    for stream in STREAMS:
        assert len(run.batches(stream)) > 1, stream
        assert by_id(run.delivered(stream)) == by_id(recorded.records[stream]), stream


def test_each_state_covers_only_entries_already_in_announced_files(tap, emulator, tmp_path):
    config = tap.config(window_days=1)
    recorded = tap.run(config)
    config["batch_config"] = batch_config(tmp_path / "files", batch_size=13)
    run = batched(tap.run(config))
    assert run.run.returncode == 0, run.run.stderr[-2000:]

    entries = {s: emulator.truth(s, config["start_date"], config["end_date"]) for s in STREAMS}
    delivered: dict[str, list[dict[str, Any]]] = {stream: [] for stream in STREAMS}
    files_across_days = 0
    for message in run.messages:
        if message["type"] == "BATCH":
            records = read_batch(message)
            delivered[message["stream"]] += records
            files_across_days += len({r["time"][:10] for r in records}) > 1
        elif message["type"] == "STATE":
            for stream, bookmark in message["value"]["bookmarks"].items():
                covered = bookmark["replication_key_value"]
                told = [as_record(stream, r) for r in delivered[stream] if r["time"] <= covered]
                due = [as_record(stream, e) for e in entries[stream] if e["time"] <= covered]
                assert Counter(told) == Counter(due), (stream, covered)
    assert files_across_days, "no file held the end of one window and the start of the next"
    for stream in STREAMS:
        last_batch = max(i for i, m in enumerate(run.messages) if m in run.batches(stream))
        assert any(m["type"] == "STATE" for m in run.messages[last_batch:]), stream
    assert run.run.state["bookmarks"] == recorded.state["bookmarks"]


def test_a_killed_batch_run_resumes_and_loses_nothing(tap, emulator, tmp_path):
    config = tap.config(window_days=1, max_requests_per_second=20)
    config["batch_config"] = batch_config(tmp_path / "files", batch_size=13)
    killed = batched(tap.run_killed(config, after_states=3))

    resumed = batched(tap.run(config, state=killed.run.state))

    assert resumed.run.returncode == 0, resumed.run.stderr[-2000:]
    assert_union_is_the_truth([killed.as_tap_run(), resumed.as_tap_run()], emulator, config)


def test_batch_config_as_json_text_is_read_as_its_object(tap, emulator, tmp_path):
    """What `meltano config set tap-zoom-logs batch_config '{...}'` passes."""
    config = tap.config()
    config["batch_config"] = json.dumps(batch_config(tmp_path / "files"))
    run = batched(tap.run(config))

    assert run.run.returncode == 0, run.run.stderr[-2000:]
    for stream in STREAMS:
        assert Counter(as_record(stream, r) for r in run.delivered(stream)) == truth(
            emulator, stream, config
        )


def test_batch_files_leave_out_deselected_fields_and_apply_the_stream_map(tap, emulator, tmp_path):
    """The SDK batches records before it drops deselected fields and applies stream maps:
    a batch file must not hold what the catalog or the map keeps from the target."""
    config = tap.config(stream_maps={"activity_logs": {"email": "md5(email) if email else None"}})
    catalog = catalog_selecting(STREAMS)
    for stream in catalog["streams"]:
        for entry in stream["metadata"]:
            if stream["stream"] == "activity_logs" and entry["breadcrumb"] == [
                "properties",
                "ip_address",
            ]:
                entry["metadata"]["selected"] = False
    catalog_path = tmp_path / "catalog.json"
    catalog_path.write_text(json.dumps(catalog))
    recorded = tap.run(config, args=("--catalog", str(catalog_path)))
    config["batch_config"] = batch_config(tmp_path / "files")
    run = batched(tap.run(config, args=("--catalog", str(catalog_path))))

    assert run.run.returncode == 0, run.run.stderr[-2000:]
    activity = run.delivered("activity_logs")
    assert activity, "no entries to check"
    assert not [r for r in activity if "ip_address" in r]
    emails = {
        e["email"]
        for e in emulator.truth("activity_logs", config["start_date"], config["end_date"])
        if e.get("email")
    }
    assert not emails & {r["email"] for r in activity}
    assert by_id(activity) == by_id(recorded.records["activity_logs"])


@pytest.mark.parametrize(
    ("batch", "names"),
    [
        ({"encoding": {"format": "jsonl"}}, ("batch_config.storage.root",)),
        ({"storage": {"root": "file:///tmp/x"}}, ("batch_config.encoding.format",)),
        (
            {"encoding": {"format": "jsonl", "compression": "none"}, "storage": {"root": "x"}},
            ("batch_config.encoding.compression", "gzip"),
        ),
        ({"encoding": {"format": "csv"}, "storage": {"root": "x"}}, ("batch_config",)),
        ("{not json", ("batch_config", "JSON")),
    ],
    ids=["no root", "no format", "jsonl not gzipped", "unknown format", "text, not JSON"],
)
def test_a_batch_config_the_sdk_cannot_write_is_one_line_before_any_request(
    tap, emulator, batch, names
):
    run = tap.run(tap.config(batch_config=batch), in_process=True)

    one_line_error(run, *names)
    assert_nothing_sent(run, emulator)


def test_parquet_without_pyarrow_is_one_line_before_any_request(tap, emulator, tmp_path):
    import importlib.util  # noqa: PLC0415 - the function patched, as the tap calls it

    find_spec = importlib.util.find_spec
    hidden = mock.patch(
        "importlib.util.find_spec",
        side_effect=lambda name, *rest: None if name == "pyarrow" else find_spec(name, *rest),
    )
    config = tap.config(batch_config=batch_config(tmp_path, "parquet"))
    with hidden:
        run = tap.run(config, in_process=True)

    one_line_error(run, "parquet", "pyarrow", "tap-zoom-logs[parquet]")
    assert_nothing_sent(run, emulator)


def test_one_stream_mapped_to_two_with_batch_config_is_one_line(tap, emulator, tmp_path):
    config = tap.config(
        stream_maps={"activity_copy": {"__source__": "activity_logs"}},
        batch_config=batch_config(tmp_path),
    )
    run = tap.run(config, in_process=True)

    one_line_error(run, "stream_maps", "activity_logs", "batch_config")
    assert_nothing_sent(run, emulator)


def test_discovery_with_batch_config_gives_the_catalog(tap, tmp_path):
    """Meltano discovers with the whole config, batch_config included (no stream maps are
    set up to discover)."""
    config_path = tmp_path / "config.json"
    config_path.write_text(json.dumps(tap.config(batch_config=batch_config(tmp_path))))
    done = subprocess.run(
        [TAP, "--config", str(config_path), "--discover"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert done.returncode == 0, done.stderr[-2000:]
    assert {s["tap_stream_id"] for s in json.loads(done.stdout)["streams"]} >= set(STREAMS)
