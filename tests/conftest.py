"""Fixtures: a Zoom emulator per test, and the real `tap-zoom-logs` command run against it."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tap_zoom_logs.sandbox import ZoomEmulator

#: The streams selected by default, and every stream.
STREAMS = ("activity_logs", "operation_logs")
ALL_STREAMS = (*STREAMS, "meeting_activity_logs", "phone_operation_logs")
#: Each stream's own fields (what the emulator serves, compared with what the tap emits).
FIELDS = {
    "activity_logs": ("time", "type", "email", "ip_address", "client_type", "version"),
    "operation_logs": ("time", "operator", "category_type", "action", "operation_detail"),
    "meeting_activity_logs": (
        "meeting_number",
        "activity_time",
        "operator",
        "operator_email",
        "activity_category",
        "activity_detail",
    ),
    "phone_operation_logs": ("time", "operator", "category_type", "action", "operation_detail"),
}
TAP = str(Path(sys.executable).with_name("tap-zoom-logs"))


@dataclass
class TapRun:
    """What one run of the tap printed, parsed."""

    returncode: int
    stdout: str
    stderr: str
    records: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    states: list[dict[str, Any]] = field(default_factory=list)

    @property
    def state(self) -> dict[str, Any]:
        return self.states[-1] if self.states else {}

    def bookmark(self, stream: str) -> str:
        return self.state["bookmarks"][stream]["replication_key_value"]


def parse_output(returncode: int, stdout: str, stderr: str) -> TapRun:
    run = TapRun(returncode, stdout, stderr, {stream: [] for stream in ALL_STREAMS})
    for line in stdout.splitlines():
        message = json.loads(line)
        if message["type"] == "RECORD":
            run.records[message["stream"]].append(message["record"])
        elif message["type"] == "STATE":
            run.states.append(message["value"])
    return run


def as_record(stream: str, entry: dict[str, Any]) -> tuple:
    """An emulator entry as the tap must emit it (missing fields become null)."""
    return tuple(entry.get(name) for name in FIELDS[stream])


def without_id(stream: str, records: list[dict[str, Any]]) -> Counter:
    return Counter(tuple(record[name] for name in FIELDS[stream]) for record in records)


def truth(emulator: ZoomEmulator, stream: str, config: dict[str, Any]) -> Counter:
    """The entries the emulator has in the run's range, as the tap must emit them."""
    entries = emulator.truth(stream, config["start_date"], config["end_date"])
    return Counter(as_record(stream, entry) for entry in entries)


def assert_exact(
    run: TapRun,
    emulator: ZoomEmulator,
    config: dict[str, Any],
    streams: tuple[str, ...] = STREAMS,
) -> None:
    """The run succeeded and emitted every entry in range exactly once, with unique ids."""
    assert run.returncode == 0, run.stderr[-3000:]
    for stream in streams:
        assert without_id(stream, run.records[stream]) == truth(emulator, stream, config)
        assert len({r["lw_id"] for r in run.records[stream]}) == len(run.records[stream])


def secrets_of(emulator: ZoomEmulator) -> list[str]:
    config = emulator.tap_config()
    basic = f"{config['client_id']}:{config['client_secret']}".encode()
    return [
        config["client_secret"],
        base64.b64encode(basic).decode(),
        *emulator.stats.tokens_issued,
    ]


class Tap:
    """Runs the installed `tap-zoom-logs` executable, as Meltano would."""

    def __init__(self, emulator: ZoomEmulator, tmp_path: Path) -> None:
        self.emulator = emulator
        self.tmp_path = tmp_path
        self.runs = 0

    def config(self, **overrides: Any) -> dict[str, Any]:
        # A high client-side rate so tests are not slowed by the production default.
        return self.emulator.tap_config(**{"max_requests_per_second": 500, **overrides})

    def run(
        self,
        config: dict[str, Any] | None = None,
        *,
        state: dict[str, Any] | None = None,
        args: tuple[str, ...] = (),
        env: dict[str, str] | None = None,
        select: tuple[str, ...] | None = None,
    ) -> TapRun:
        """One run; `select` names the streams a catalog selects (default: the tap's own
        default selection, no catalog)."""
        self.runs += 1
        config_path = self.tmp_path / f"config-{self.runs}.json"
        config_path.write_text(json.dumps(self.config() if config is None else config))
        command = [TAP, "--config", str(config_path), *args]
        if select is not None:
            command += ["--catalog", str(self.catalog(config_path, select))]
        if state is not None:
            state_path = self.tmp_path / f"state-{self.runs}.json"
            state_path.write_text(json.dumps(state))
            command += ["--state", str(state_path)]
        done = subprocess.run(
            command,
            capture_output=True,
            text=True,
            timeout=300,
            env={**os.environ, **(env or {})},
            check=False,
        )
        run = parse_output(done.returncode, done.stdout, done.stderr)
        self.assert_no_secret(run)
        return run

    def catalog(self, config_path: Path, select: tuple[str, ...]) -> Path:
        """A catalog from --discover with exactly `select` selected."""
        discovered = subprocess.run(
            [TAP, "--config", str(config_path), "--discover"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        catalog = json.loads(discovered)
        for entry in catalog["streams"]:
            for metadata in entry["metadata"]:
                if metadata["breadcrumb"] == []:
                    metadata["metadata"]["selected"] = entry["tap_stream_id"] in select
        path = self.tmp_path / f"catalog-{self.runs}.json"
        path.write_text(json.dumps(catalog))
        return path

    def assert_no_secret(self, run: TapRun) -> None:
        for secret in secrets_of(self.emulator):
            assert secret not in run.stdout
            assert secret not in run.stderr


@pytest.fixture
def emulator() -> Any:
    with ZoomEmulator(seed=7, history_days=8, entries_per_day=40) as zoom:
        yield zoom


@pytest.fixture
def tap(emulator: ZoomEmulator, tmp_path: Path) -> Tap:
    return Tap(emulator, tmp_path)
