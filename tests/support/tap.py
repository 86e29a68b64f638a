"""What the tests share, besides fixtures (conftest.py): running the real `tap-zoom-logs`
command against the emulator, and the one copy of what several test files check (the
one-line error, exactly-once delivery, the union of a stopped run and its resume, a
catalog that selects given streams)."""

from __future__ import annotations

import base64
import contextlib
import copy
import functools
import io
import json
import logging
import os
import signal
import subprocess
import sys
import tempfile
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from unittest import mock

import pendulum

from tap_zoom_logs import cli
from tap_zoom_logs.records import Row
from tap_zoom_logs.spool import WindowSpool
from tap_zoom_logs.tap import STREAMS as TAP_STREAMS
from zoom_emulator import ZoomEmulator

#: The streams selected by default, and every stream.
STREAMS = ("activity_logs", "operation_logs")
ALL_STREAMS = (
    *STREAMS,
    "meeting_activity_logs",
    "phone_operation_logs",
    "contact_center_operation_logs",
    "remote_support_logs",
    "videosdk_operation_logs",
)
#: Each stream's own fields, as the tap hashes them: what the emulator serves and the tap
#: must emit (tests/test_extract.py checks them against the emulator's entries).
FIELDS = {report.name: report.fields for report in (s.report_for({}) for s in TAP_STREAMS)}
TAP = str(Path(sys.executable).with_name("tap-zoom-logs"))
#: How every error line of the command starts.
PREFIX = "tap-zoom-logs: error: "


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
    run = TapRun(returncode, stdout, stderr, {stream: [] for stream in FIELDS})
    for line in stdout.splitlines():
        message = json.loads(line)
        if message["type"] == "RECORD":
            run.records[message["stream"]].append(message["record"])
        elif message["type"] == "STATE":
            run.states.append(message["value"])
    return run


def at(text: str) -> pendulum.DateTime:
    """An ISO date-time (a bare date: its midnight) as a UTC moment."""
    moment = pendulum.parse(text, tz="UTC")
    if isinstance(moment, pendulum.Date) and not isinstance(moment, pendulum.DateTime):
        moment = pendulum.datetime(moment.year, moment.month, moment.day)
    assert isinstance(moment, pendulum.DateTime), text
    return moment


def as_record(stream: str, entry: dict[str, Any]) -> tuple[Any, ...]:
    """An emulator entry as the tap must emit it (missing fields become null)."""
    return tuple(entry.get(name) for name in FIELDS[stream])


def without_id(stream: str, records: list[dict[str, Any]]) -> Counter[tuple[Any, ...]]:
    return Counter(tuple(record[name] for name in FIELDS[stream]) for record in records)


def truth(emulator: ZoomEmulator, stream: str, config: dict[str, Any]) -> Counter[tuple[Any, ...]]:
    """The entries the emulator has in the run's range, as the tap must emit them."""
    entries = emulator.truth(stream, config["start_date"], config["end_date"])
    return Counter(as_record(stream, entry) for entry in entries)


def one_line_error(run: Any, *names: str, code: int = 1) -> str:
    """The run failed as the tap promises: exit code `code` (75: stopped to spare the daily
    quota), no traceback, and the reason as one line `tap-zoom-logs: error: ...`, the last
    on stderr and the only one of its kind, naming each of `names`. Returns the line."""
    lines = run.stderr.strip().splitlines()
    ending = " | ".join(lines[-3:])
    assert run.returncode == code, f"exit code {run.returncode}, stderr ending: {ending}"
    assert "Traceback" not in run.stderr, "a traceback instead of one line, ending: " + ending
    assert lines, "a failed run must say why"
    assert lines[-1].startswith(PREFIX), "the last line is not the reason: " + ending
    assert sum(line.startswith(PREFIX) for line in lines) == 1, ending
    for name in names:
        assert name in lines[-1], (name, lines[-1])
    return lines[-1]


def assert_nothing_sent(run: TapRun, emulator: ZoomEmulator) -> None:
    """Refused before anything: no request to Zoom, and nothing on stdout (no record, no
    state) for a target to act on."""
    assert sum(emulator.stats.requests.values()) == 0, "no request may be sent"
    assert run.stdout == "", run.stdout[:500]


def assert_union_is_the_truth(
    runs: list[TapRun],
    emulator: ZoomEmulator,
    config: dict[str, Any],
    streams: tuple[str, ...] = STREAMS,
) -> None:
    """Runs that stopped and resumed delivered every entry in range: no lw_id twice within
    a run, an lw_id seen in two runs names the same record, and the union (by lw_id) is
    exactly the emulator's entries."""
    for stream in streams:
        union: dict[str, dict[str, Any]] = {}
        for run in runs:
            ids = [record["lw_id"] for record in run.records[stream]]
            assert len(set(ids)) == len(ids), f"{stream}: an lw_id was emitted twice in a run"
            for record in run.records[stream]:
                seen = union.setdefault(record["lw_id"], record)
                assert seen == record, f"{stream}: one lw_id, two different records"
        assert without_id(stream, list(union.values())) == truth(emulator, stream, config), stream


def spooled_rows(spool: WindowSpool) -> list[Row]:
    """A spool's rows as the stream reads them back, batch after batch."""
    return [row for batch in spool.batches() for row in batch]


@functools.cache
def _about() -> str:
    return subprocess.run(
        [TAP, "--about", "--format=json"], capture_output=True, text=True, check=True, timeout=120
    ).stdout


def about() -> dict[str, Any]:
    """`tap-zoom-logs --about --format=json`, asked once per session."""
    result: dict[str, Any] = json.loads(_about())
    return result


def leaf_settings(schema: dict[str, Any]) -> dict[str, Any]:
    """--about's settings as Meltano (and the Hub) declare them: batch_config, an object of
    fixed parts, one setting per leaf (batch_config.encoding.format, ...)."""
    leaves = {}
    for name, spec in schema.items():
        if name == "batch_config":
            for part, inner in spec["properties"].items():
                for leaf, leaf_spec in inner["properties"].items():
                    leaves[f"{name}.{part}.{leaf}"] = leaf_spec
        else:
            leaves[name] = spec
    return leaves


def assert_script_check_passes(script: str) -> None:
    """`python scripts/<script> --check`: what it writes from the code is up to date."""
    repo = Path(__file__).resolve().parents[2]
    check = subprocess.run(
        [sys.executable, str(repo / "scripts" / script), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert check.returncode == 0, check.stdout + check.stderr


def one_line(text: str) -> str:
    """`text` with its white space folded (YAML and --about wrap descriptions differently)."""
    return " ".join(text.split())


@functools.cache
def _discovered() -> str:
    """`--discover`'s catalog (the same whatever the settings): asked once per session."""
    with tempfile.TemporaryDirectory() as folder:
        config = Path(folder) / "config.json"
        config.write_text(json.dumps({"account_id": "a", "client_id": "b", "client_secret": "c"}))
        return subprocess.run(
            [TAP, "--config", str(config), "--discover"],
            capture_output=True,
            text=True,
            check=True,
            timeout=120,
        ).stdout


def discovered_catalog() -> dict[str, Any]:
    return copy.deepcopy(json.loads(_discovered()))


def catalog_selecting(streams: tuple[str, ...]) -> dict[str, Any]:
    """The discovered catalog with exactly `streams` selected."""
    catalog = discovered_catalog()
    for entry in catalog["streams"]:
        for metadata in entry["metadata"]:
            if metadata["breadcrumb"] == []:
                metadata["metadata"]["selected"] = entry["tap_stream_id"] in streams
    return catalog


@contextlib.contextmanager
def in_this_process() -> Iterator[None]:
    """Undo what running the tap inside pytest's process changes in it: the signal
    handlers the tap installs, the log handler the SDK's command adds, and the logging
    the command turns off once it has written its last line."""
    handlers = {signum: signal.getsignal(signum) for signum in (signal.SIGINT, signal.SIGTERM)}
    root = logging.getLogger()
    saved = root.handlers[:], root.level, logging.root.manager.disable
    try:
        yield
    finally:
        for signum, handler in handlers.items():
            signal.signal(signum, handler)
        root.handlers[:], root.level = saved[0], saved[1]
        logging.disable(saved[2])


def run_executable(
    args: list[str], env: dict[str, str] | None = None, cwd: Path | None = None
) -> TapRun:
    """The installed `tap-zoom-logs ARGS`, as Meltano would run it."""
    done = subprocess.run(
        [TAP, *args],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, **(env or {})},
        cwd=cwd,
        check=False,
    )
    return parse_output(done.returncode, done.stdout, done.stderr)


def run_cli(args: list[str], env: dict[str, str] | None = None, *, singer: bool = True) -> TapRun:
    """`tap-zoom-logs ARGS` through the command's own entry point, `cli.main`, in this
    process: the same one line and exit code as the executable, without starting Python.

    For runs that stop before any window is fetched (bad files, settings, state): a run
    that syncs leaves worker threads behind, so those run as a subprocess (`Tap.run`).
    `singer=False` for output that is not Singer messages (`--discover`, `--about`).
    """
    stdout = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
    stderr = io.StringIO()
    code: Any = 0
    with (
        in_this_process(),
        mock.patch.dict(os.environ, env or {}),
        contextlib.redirect_stdout(stdout),
        contextlib.redirect_stderr(stderr),
    ):
        try:
            cli.main(args)
        except SystemExit as exc:
            code = exc.code
    stdout.flush()
    returncode = code if isinstance(code, int) else (0 if code is None else 1)
    out = stdout.buffer.getvalue().decode()
    if not singer:
        return TapRun(returncode, out, stderr.getvalue())
    return parse_output(returncode, out, stderr.getvalue())


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
        config["videosdk_api_secret"],
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
        # High client-side rates so tests are not slowed by the production defaults.
        fast = {
            "max_requests_per_second": 500,
            "phone_max_requests_per_second": 500,
            "contact_center_max_requests_per_second": 500,
            "videosdk_max_requests_per_second": 500,
            "team_chat_max_requests_per_second": 500,
        }
        return self.emulator.tap_config(**{**fast, **overrides})

    def run(
        self,
        config: dict[str, Any] | None = None,
        *,
        state: dict[str, Any] | None = None,
        args: tuple[str, ...] = (),
        env: dict[str, str] | None = None,
        select: tuple[str, ...] | None = None,
        in_process: bool = False,
    ) -> TapRun:
        """One run; `select` names the streams a catalog selects (default: the tap's own
        default selection, no catalog). `in_process`: through `run_cli`, for a run that is
        to stop before any window is fetched."""
        command = self._command(config, state, select, args)
        run = run_cli(command, env) if in_process else run_executable(command, env)
        self.assert_no_secret(run)
        return run

    def run_killed(
        self,
        config: dict[str, Any],
        *,
        after_states: int,
        state: dict[str, Any] | None = None,
        select: tuple[str, ...] | None = None,
    ) -> TapRun:
        """A run SIGKILLed (as a lost machine would end it) as soon as it has written
        `after_states` STATE messages: what it wrote until then."""
        command = [TAP, *self._command(config, state, select, ())]
        process = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
        )
        assert process.stdout is not None
        lines, states = [], 0
        for line in process.stdout:
            lines.append(line)
            states += json.loads(line)["type"] == "STATE"
            if states == after_states:
                process.send_signal(signal.SIGKILL)
                break
        process.wait()
        assert process.returncode == -signal.SIGKILL, "the run ended before the kill"
        return parse_output(process.returncode, "".join(lines), "")

    def _command(
        self,
        config: dict[str, Any] | None,
        state: dict[str, Any] | None,
        select: tuple[str, ...] | None,
        args: tuple[str, ...],
    ) -> list[str]:
        """The command's arguments, the files they name written for this run."""
        self.runs += 1
        config_path = self.tmp_path / f"config-{self.runs}.json"
        config_path.write_text(json.dumps(self.config() if config is None else config))
        command = ["--config", str(config_path), *args]
        if select is not None:
            command += ["--catalog", str(self.catalog(select))]
        if state is not None:
            state_path = self.tmp_path / f"state-{self.runs}.json"
            state_path.write_text(json.dumps(state))
            command += ["--state", str(state_path)]
        return command

    def catalog(self, select: tuple[str, ...]) -> Path:
        """A catalog file from --discover with exactly `select` selected."""
        path = self.tmp_path / f"catalog-{self.runs}.json"
        path.write_text(json.dumps(catalog_selecting(select)))
        return path

    def assert_no_secret(self, run: TapRun) -> None:
        for secret in secrets_of(self.emulator):
            assert secret not in run.stdout
            assert secret not in run.stderr


def assert_a_killed_run_resumes(
    tap: Tap, emulator: ZoomEmulator, config: dict[str, Any], select: tuple[str, ...]
) -> None:
    """A run of `select`'s one stream killed (SIGKILL) after three states, within its
    windows, and the run resumed from that state deliver every entry once between them."""
    (stream,) = select
    killed = tap.run_killed(config, after_states=3, select=select)
    resumed = tap.run(config, state=killed.state, select=select)

    assert resumed.returncode == 0, resumed.stderr[-2000:]
    assert killed.records[stream], "killed after some of its windows, not before"
    assert len(resumed.records[stream]) < sum(truth(emulator, stream, config).values())
    assert_union_is_the_truth([killed, resumed], emulator, config, select)
