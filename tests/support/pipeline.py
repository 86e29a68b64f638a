"""What the end-to-end pipeline tests share: real PostgreSQL, real Meltano, real targets.

tests/pipeline/conftest.py holds their fixtures; this module, the helpers they use.

What runs where:

* PostgreSQL: a throwaway cluster (``initdb`` into a temporary directory, run as the
  ``postgres`` user when the tests run as root, since initdb refuses root), trust auth on
  127.0.0.1 and a free port: ``running_postgres`` of tests/support/postgres.py, which the
  benchmarks share. One server per session; every test gets its own schema.
  Its ``TimeZone`` is deliberately *not* UTC (``PG_SERVER_TIMEZONE``) so that the tests
  prove ``time`` stays UTC whatever the server is set to.
* Meltano: its own virtualenv ``.venv-meltano`` at the repository root (created here when
  missing; Meltano's dependencies are kept apart from the tap's). The Meltano project is
  the repository itself (``meltano.yml``), so ``pip_url: -e .`` installs this checkout.
  ``meltano install`` runs once per session; the plugin virtualenvs live in the project's
  ``.meltano/``. Each test gets its own system database (``MELTANO_DATABASE_URI``), so
  state never leaks from one test to the next, and runs in the ``dev`` environment.
* The Zoom emulator runs in this pytest process (a daemon thread on 127.0.0.1); the tap
  runs as Meltano's subprocess and reaches it through its loopback URLs, passed in
  ``TAP_ZOOM_LOGS_*`` environment variables exactly as a user would pass real settings.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.support.postgres import PostgresServer
from tests.support.tap import ALL_STREAMS, FIELDS, STREAMS
from zoom_emulator import REPORT_ENDPOINTS

REPO = Path(__file__).resolve().parents[2]
MELTANO_VENV = REPO / ".venv-meltano"
MELTANO_REQUIREMENTS = REPO / "requirements-meltano.txt"
PG_SERVER_TIMEZONE = "Asia/Kolkata"  # UTC+05:30 all year: any conversion shows at once
PG_DATABASE = "zoom"
PIPELINE_TIMEOUT = 240  # seconds for one `meltano run`
# target-duckdb's virtualenv, with the duckdb meltano.yml pins: the tests read with it.
DUCKDB_PYTHON = REPO / ".meltano" / "loaders" / "target-duckdb" / "venv" / "bin" / "python"

#: Each stream's own fields, the streams meltano.yml selects, and every stream (the meeting
#: audit trail and Zoom Phone's logs are not selected by default: target-postgres runs
#: select them all): the unit tests' own lists.
STREAM_FIELDS = FIELDS

# Small data so the whole suite stays within a few minutes. `now` is fixed once per session
# (the emulator bounds today's data by it): every emulator of the session, the reference
# run's and each test's, then serves exactly the same entries.
SESSION_NOW = dt.datetime.now(dt.timezone.utc).replace(minute=0, second=0, microsecond=0)
EMULATOR_KW: dict[str, Any] = {
    "seed": 20260401,
    "history_days": 14,
    "entries_per_day": 20,
    "now": SESSION_NOW,
}
# Tap settings shared by the tests: small pages so paging is exercised, a rate limit that
# does not slow the suite down (the default of 5 requests/s is for production).
TAP_SETTINGS: dict[str, Any] = {
    "page_size": 10,
    "window_days": 1,
    "lookback_days": 1,
    "max_requests_per_second": 50,
    "phone_max_requests_per_second": 50,
    "contact_center_max_requests_per_second": 50,
    "max_concurrent_requests": 4,
    "request_timeout": 30,
}


# --------------------------------------------------------------------------- helpers


def to_utc_z(value: Any) -> str:
    """Normalise a date-time (str or datetime) to RFC 3339 UTC with Z, to the second."""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.timezone.utc)
    return value.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def entry_key(stream: str, entry: Mapping[str, Any]) -> tuple[Any, ...]:
    """A comparable form of one entry: every field in schema order, None for missing."""
    out: list[Any] = []
    for name in STREAM_FIELDS[stream]:
        value = entry.get(name)
        out.append(to_utc_z(value) if name == "time" and value is not None else value)
    return tuple(out)


# --------------------------------------------------------------------------- PostgreSQL


# --------------------------------------------------------------------------- Meltano


def _ensure_meltano() -> Path:
    override = os.environ.get("MELTANO_BIN")
    if override:
        return Path(override)
    exe = MELTANO_VENV / "bin" / "meltano"
    if not exe.exists():
        for cmd in (
            [sys.executable, "-m", "venv", str(MELTANO_VENV)],
            [
                str(MELTANO_VENV / "bin" / "python"),
                "-m",
                "pip",
                "install",
                "-q",
                "-r",
                str(MELTANO_REQUIREMENTS),
            ],
        ):
            proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
            if proc.returncode != 0:
                pytest.fail(f"{' '.join(cmd)} failed:\n{proc.stdout}\n{proc.stderr}")
    return exe


def meltano_env(
    sysdb: Path, root: Path = REPO, sys_dir: Path = REPO / ".meltano"
) -> dict[str, str]:
    """This process's environment without any plugin's settings, for Meltano in project
    `root` with system database `sysdb` and its plugins (and run files) in `sys_dir`."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(
            (
                "TAP_ZOOM_LOGS_",
                "TARGET_POSTGRES_",
                "TARGET_JSONL_",
                "TARGET_DUCKDB_",
                "MELTANO_",
                "DBT_",
                "ZOOM_LOGS_SCHEMA",
            )
        )
    }
    env.update(
        {
            "MELTANO_PROJECT_ROOT": str(root),
            # A project copy (project_copy) uses the plugins installed in the repository.
            "MELTANO_SYS_DIR_ROOT": str(sys_dir),
            "MELTANO_ENVIRONMENT": "dev",
            "MELTANO_DATABASE_URI": f"sqlite:///{sysdb}",
            # dbt's run files (compiled SQL, run_results.json, logs) beside the system
            # database, for both dbt utilities: tests running dbt at once never share them.
            **{
                f"DBT_{warehouse}_{kind.upper()}_PATH": str(sysdb.parent / f"dbt-{kind}")
                for warehouse in ("POSTGRES", "DUCKDB")
                for kind in ("target", "log")
            },
            "MELTANO_SEND_ANONYMOUS_USAGE_STATS": "false",
            "MELTANO_CLI_LOG_LEVEL": "info",
            "NO_COLOR": "1",
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


PLUGINS = (
    "extractors/tap-zoom-logs",
    "loaders/target-jsonl",
    "loaders/target-postgres",
    "loaders/target-postgres-pipelinewise",
    "loaders/target-duckdb",
    "utilities/postgres-time-index",
    "utilities/dbt-postgres",
    "utilities/dbt-duckdb",
)


@dataclass
class MeltanoProject:
    executable: Path
    root: Path
    install_seconds: float


# --------------------------------------------------------------------------- emulator


def report_requests(emu: Any) -> int:
    """Report requests the emulator has answered so far (every status)."""
    return sum(emu.stats.requests[e] for e in REPORT_ENDPOINTS)


def truth(
    emu: Any, config: Mapping[str, Any], streams: tuple[str, ...] = STREAMS
) -> dict[str, list[dict[str, Any]]]:
    return {s: list(emu.truth(s, config["start_date"], config["end_date"])) for s in streams}


# --------------------------------------------------------------------------- pipeline


def tap_env(config: Mapping[str, Any]) -> dict[str, str]:
    """Tap settings as the environment variables Meltano reads (TAP_ZOOM_LOGS_<SETTING>)."""
    env = {}
    for key, value in config.items():
        if value is None:
            continue
        if isinstance(value, dt.datetime):
            text = to_utc_z(value)
        elif isinstance(value, dt.date):
            text = value.isoformat()
        else:
            text = str(value)
        env[f"TAP_ZOOM_LOGS_{key.upper()}"] = text
    return env


@dataclass
class RunResult:
    returncode: int
    stdout: str
    stderr: str
    seconds: float
    killed_at_requests: int | None = None
    args: list[str] = field(default_factory=list)

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


def run_pipeline(
    loader: str,
    env: Mapping[str, str],
    *,
    sysdb: Path,
    workdir: Path,
    kill_when: Callable[[], bool] | None = None,
    force: bool = False,
    timeout: float = PIPELINE_TIMEOUT,
    root: Path = REPO,
) -> RunResult:
    """`meltano run tap-zoom-logs <loader>` with the given extra environment.

    ``kill_when``: polled every few milliseconds while the pipeline runs; once it returns
    True, the whole pipeline (meltano, tap and target: one process group) gets SIGKILL,
    as a crashed machine or an OOM kill would do it.

    ``force``: pass ``--force``. After a SIGKILL, Meltano's system database still holds the
    killed job as running (its heartbeat is valid for 5 minutes), and ``meltano run`` refuses
    to start the same pipeline until then unless given ``--force``.

    ``root``: the Meltano project (a project_copy, where a test changes meltano.yml).
    """
    exe = _ensure_meltano()
    full_env = meltano_env(sysdb, root)
    full_env.update(env)
    workdir.mkdir(parents=True, exist_ok=True)
    n = len(list(workdir.glob("run-*.out")))
    out_path, err_path = workdir / f"run-{n}.out", workdir / f"run-{n}.err"
    args = [str(exe), "run", *(["--force"] if force else []), "tap-zoom-logs", loader]
    t0 = time.monotonic()
    killed_at: int | None = None
    with out_path.open("wb") as out, err_path.open("wb") as err:
        proc = subprocess.Popen(
            args, cwd=root, env=full_env, stdout=out, stderr=err, start_new_session=True
        )
        try:
            while proc.poll() is None:
                if time.monotonic() - t0 > timeout:
                    raise TimeoutError(f"meltano run {loader} took over {timeout}s")
                if kill_when is not None and killed_at is None and kill_when():
                    os.killpg(proc.pid, signal.SIGKILL)
                    killed_at = 1
                    proc.wait()
                    break
                time.sleep(0.005)
        finally:
            if proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
            else:
                # tap/target children that outlived meltano (should not happen)
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(proc.pid, signal.SIGKILL)
    seconds = time.monotonic() - t0
    return RunResult(
        returncode=proc.returncode,
        stdout=out_path.read_text(errors="replace"),
        stderr=err_path.read_text(errors="replace"),
        seconds=seconds,
        killed_at_requests=killed_at,
        args=args,
    )


class Pipeline:
    """One test's pipeline: its emulator, its Meltano system database, its schema/folder."""

    def __init__(
        self,
        emu: Any,
        project: MeltanoProject,
        pg: PostgresServer | None,
        schema: str,
        tmp: Path,
    ) -> None:
        self.emu = emu
        self.project = project
        self.pg = pg
        self.schema = schema
        self.tmp = tmp
        self.sysdb = tmp / "meltano.db"
        self.jsonl_dir = tmp / "jsonl"
        self.duckdb_path = tmp / "zoom.duckdb"
        self.runs: list[RunResult] = []

    def config(self, **overrides: Any) -> dict[str, Any]:
        cfg = dict(self.emu.tap_config(**{**TAP_SETTINGS, **overrides}))
        for key, value in {**TAP_SETTINGS, **overrides}.items():
            cfg.setdefault(key, value)
        return cfg

    def run(
        self,
        loader: str,
        config: Mapping[str, Any],
        *,
        kill_after_requests: int | None = None,
        force: bool = False,
        extra_env: Mapping[str, str] | None = None,
        root: Path = REPO,
    ) -> RunResult:
        env = tap_env(config)
        if loader == "target-postgres":
            assert self.pg is not None
            env.update(self.pg.target_env(self.schema))
            # Commit every few rows so a kill leaves a partly loaded table behind.
            env["TARGET_POSTGRES_BATCH_SIZE_ROWS"] = "25"
            # Every log, the two not selected by default too: one line of `select`.
            env["TAP_ZOOM_LOGS__SELECT"] = json.dumps([f"{s}.*" for s in ALL_STREAMS])
        elif loader == "target-postgres-pipelinewise":
            assert self.pg is not None
            env.update(self.pg.pipelinewise_env(self.schema))
        elif loader == "target-jsonl":
            env["TARGET_JSONL_DESTINATION_PATH"] = str(self.jsonl_dir)
        elif loader == "target-duckdb":
            env["TARGET_DUCKDB_FILEPATH"] = str(self.duckdb_path)
        env.update(extra_env or {})
        kill_when = None
        if kill_after_requests is not None:
            k = kill_after_requests

            def kill_when() -> bool:
                return report_requests(self.emu) >= k

        result = run_pipeline(
            loader,
            env,
            sysdb=self.sysdb,
            workdir=self.tmp / "logs",
            kill_when=kill_when,
            force=force,
            root=root,
        )
        if kill_when is not None and result.killed_at_requests is not None:
            result.killed_at_requests = report_requests(self.emu)
        self.runs.append(result)
        return result

    def meltano(
        self, *args: str, root: Path = REPO, env: Mapping[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        """`meltano <args>` in this test's system database (and `root` project)."""
        return subprocess.run(
            [str(self.project.executable), *args],
            cwd=root,
            env={**meltano_env(self.sysdb, root), **(env or {})},
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    def state(self, loader: str) -> dict[str, Any]:
        """The state Meltano keeps for this pipeline (`meltano state get`), {} if none."""
        proc = subprocess.run(
            [str(self.project.executable), "state", "get", f"dev:tap-zoom-logs-to-{loader}"],
            cwd=REPO,
            env=meltano_env(self.sysdb),
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        text = proc.stdout.strip()
        if proc.returncode != 0 or not text.startswith("{"):
            return {}
        return json.loads(text)

    # ---- reading what landed

    def pg_rows(self, stream: str) -> list[dict[str, Any]]:
        assert self.pg is not None
        cols = ("lw_id", *STREAM_FIELDS[stream])
        with self.pg.connect() as conn:
            cur = conn.execute(
                f'SELECT {", ".join(cols)} FROM "{self.schema}"."{stream}" ORDER BY lw_id'
            )
            return [dict(zip(cols, row, strict=True)) for row in cur.fetchall()]

    def pg_table_exists(self, stream: str) -> bool:
        assert self.pg is not None
        with self.pg.connect() as conn:
            name = f'"{self.schema}"."{stream}"'
            row = conn.execute("SELECT to_regclass(%s)", (name,)).fetchone()
            return row[0] is not None

    def jsonl_records(self, stream: str) -> list[dict[str, Any]]:
        records: list[dict[str, Any]] = []
        for path in sorted(self.jsonl_dir.glob(f"{stream}*.jsonl")):
            with path.open(encoding="utf-8") as fh:
                records.extend(json.loads(line) for line in fh if line.strip())
        return records


def assert_table_equals_truth(p: Pipeline, expected: dict[str, list[dict[str, Any]]]) -> None:
    """Every entry exactly once, values as served (byte for byte), lw_id unique."""
    for stream, entries in expected.items():
        rows = p.pg_rows(stream)
        ids = [r["lw_id"] for r in rows]
        assert len(ids) == len(set(ids)), f"{stream}: duplicate lw_id"
        assert all(isinstance(i, str) and i for i in ids), f"{stream}: empty lw_id"
        got = Counter(entry_key(stream, r) for r in rows)
        want = Counter(entry_key(stream, e) for e in entries)
        missing, extra = want - got, got - want
        summary = f"{stream}: {len(rows)} rows vs {len(entries)} entries"
        assert not missing, f"{summary}; missing {list(missing.elements())[:3]}"
        assert not extra, f"{summary}; extra {list(extra.elements())[:3]}"


def table_snapshot(
    p: Pipeline, streams: tuple[str, ...] = STREAMS
) -> dict[str, list[dict[str, Any]]]:
    return {s: p.pg_rows(s) for s in streams}


def duckdb_rows(path: Path, schema: str = "zoom_logs") -> dict[str, Any]:
    """Every table's rows (the streams meltano.yml selects), and the duckdb version, read
    with the target's own duckdb."""
    selected_fields = {stream: STREAM_FIELDS[stream] for stream in STREAMS}
    program = f"""
import json, sys, duckdb
con = duckdb.connect(sys.argv[1], read_only=True)
out = {{"version": duckdb.__version__, "tables": {{}}}}
for stream, fields in json.loads(sys.argv[2]).items():
    cols = ", ".join(["lw_id", *fields])
    rows = con.execute(f'SELECT {{cols}} FROM {schema}.{{stream}}').fetchall()
    out["tables"][stream] = [dict(zip(["lw_id", *fields], map(str, r))) for r in rows]
print(json.dumps(out))
"""
    done = subprocess.run(
        [str(DUCKDB_PYTHON), "-c", program, str(path), json.dumps(selected_fields)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def describe(result: RunResult) -> str:
    """Failure context: the tail of what meltano printed."""
    tail = "\n".join(result.output.splitlines()[-60:])
    return f"exit {result.returncode} after {result.seconds:.1f}s\n{tail}"
