"""Benchmark of the PostgreSQL warehouse: RECORD against BATCH loads, the time index, and
the security layer's dbt build, full and incremental.

Usage (from the repository root, with .venv, .venv-meltano and `meltano install` done, and
PostgreSQL's server binaries installed)::

    .venv/bin/python benchmarks/warehouse.py                # A, B and C, ~30 min
    .venv/bin/python benchmarks/warehouse.py --quick        # smoke run, a few minutes
    .venv/bin/python benchmarks/warehouse.py --section dbt  # C only (with --quick: ~2 min)

Options: ``--section all|loads|dbt`` (loads: A and B; dbt: C), ``--rounds N`` (RECORD and
BATCH runs each, alternately; default 2), ``--rows N`` (section B's table), ``--layer-rows
N`` (section C's history), ``--seed N``, ``--keep DIR`` (keep the Meltano logs).

One throwaway PostgreSQL server (tests/support/postgres.py) serves the whole benchmark.

A. RECORD against BATCH. The Zoom emulator runs in this process with about a million
   entries: activity_logs 200,000 a day and operation_logs 2,000, over the 6 whole days
   before the last UTC midnight (its `now`, so that the data set does not depend on the
   hour the benchmark runs at); a day holds 0.5x to 1.5x its nominal count, so the real
   count is printed.
   ``meltano run tap-zoom-logs target-postgres`` loads them all, once with RECORD messages
   and once with BATCH messages (the tap writes JSONL files, the target loads the files),
   alternately, each into a schema of its own and from a Meltano system database of its
   own (no state: every run is a full backfill). Measured: wall seconds of ``meltano run``
   (Meltano's start included), rows per table and rows per second; every table's row
   count is checked against the emulator's entries in the config's range, and the target's
   own summary says how many records and batch manifests it read. target-postgres keeps
   its default batch size. The BATCH/RECORD wall-time ratio is printed per round.
B. The time index. A table shaped like the activity_logs table target-postgres created in
   A (``LIKE ... INCLUDING ALL``: its primary key on lw_id only) is filled with a few
   million sign-ins spread over the last 180 days, in ascending time as loads append them,
   then VACUUM ANALYZE. Four queries (median of 5 runs after a warm-up): a one-hour count,
   the rows of one hour by time, one user's sign-ins of the last 24 hours, the newest 100.
   Then the real scripts/postgres_time_index.py (the Meltano utility postgres-time-index)
   indexes it, timed, and the four queries run again. Printed with each query's plan (its
   scan nodes), the table's size, the index's size and the build time.
C. The security layer (transform/). A small real load (every stream selected, a few hundred
   emulator entries each) gives target-postgres's tables and real entries; each log's source
   table is created like its own (``LIKE ... INCLUDING ALL``) and filled with its share of
   3,000,000 rows (sign-ins 80%, operation logs 10%, the meeting audit trail 6%, Phone and
   Contact Center 2% each) over 180 days, in ascending time: each row a real entry's fields
   with a fresh lw_id, its own time, one of 5,000 people (3 addresses each). Then, as the job
   zoom-logs-to-postgres runs after a load: postgres-time-index, and ``meltano invoke
   dbt-postgres:build`` (the full build: every model from nothing, then dbt's tests). Then an
   hourly run's news: one busy hour (4x the history's hourly average) of new entries after
   the history, the time index's ANALYZE, and the same build again (incremental). Measured:
   wall seconds of ``meltano invoke`` and, from dbt's run_results.json, dbt's own time, the
   models' and the tests' (per model too); after each build, every OCSF model's rows against
   the source tables its SQL reads (exact, or the difference); each detection view's rows
   and what counting them costs.

Timings on a shared 2-core machine are noisy: compare within one run only.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

from tests.support.pipeline import meltano_env, tap_env
from tests.support.postgres import PostgresServer, running_postgres
from zoom_emulator import ZoomEmulator

REPO = Path(__file__).resolve().parents[1]
MELTANO = REPO / ".venv-meltano" / "bin" / "meltano"
PYTHON = REPO / ".venv" / "bin" / "python"
TIME_INDEX_SCRIPT = REPO / "scripts" / "postgres_time_index.py"
STREAMS = ("activity_logs", "operation_logs")  # what meltano.yml selects
RUN_TIMEOUT = 3600  # seconds for one `meltano run` or `meltano invoke`
LOAD_COMMAND = ("run", "tap-zoom-logs", "target-postgres")
QUERY_RUNS = 5


@dataclass(frozen=True)
class Sizes:
    per_day: Mapping[str, int]
    history_days: int
    rows: int  # section B's table
    rounds: int


FULL = Sizes(
    {
        "activity_logs": 200_000,
        "operation_logs": 2_000,
        "meeting_activity_logs": 0,
        "phone_operation_logs": 0,
    },
    history_days=7,  # today (empty at midnight) and 6 whole days
    rows=5_000_000,
    rounds=2,
)
QUICK = Sizes(
    {
        "activity_logs": 10_000,
        "operation_logs": 200,
        "meeting_activity_logs": 0,
        "phone_operation_logs": 0,
    },
    history_days=3,
    rows=200_000,
    rounds=2,
)


def progress(text: str) -> None:
    print(f"warehouse: {text}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- A: loads


@dataclass
class Load:
    """One `meltano run tap-zoom-logs target-postgres`."""

    mode: str  # RECORD or BATCH
    round: int
    schema: str
    seconds: float = 0.0
    rows: dict[str, int] = field(default_factory=dict)
    expected: dict[str, int] = field(default_factory=dict)
    read: dict[str, int] = field(default_factory=dict)  # the target's summary
    files: int = 0  # BATCH files the tap wrote
    megabytes: float = 0.0

    @property
    def total(self) -> int:
        return sum(self.rows.values())

    def check(self, stream: str) -> str:
        diff = self.rows.get(stream, 0) - self.expected[stream]
        return "exact" if diff == 0 else f"{diff:+,}"

    @property
    def exact(self) -> bool:
        return set(self.rows) == set(self.expected) and all(
            self.check(s) == "exact" for s in self.expected
        )


def private_sys_dir(scratch: Path) -> Path:
    """A Meltano system directory of our own that uses the repository's installed plugins.

    `meltano run` writes each plugin's config and the tap's catalog under <sys dir>/run/;
    a pipeline test run at the same time in the repository's .meltano/ would overwrite
    them under a running benchmark (an empty catalog, seen as "not valid JSON").
    """
    sysdir = scratch / "meltano-sys"
    sysdir.mkdir()
    for kind in ("extractors", "loaders", "utilities"):
        (sysdir / kind).symlink_to(REPO / ".meltano" / kind)
    return sysdir


def benchmark_env(sysdir: Path, sysdb: Path) -> dict[str, str]:
    """The pipeline tests' Meltano environment, with this benchmark's own system folder."""
    return meltano_env(sysdb, REPO, sysdir)


def run_meltano(env: Mapping[str, str], log: Path, command: Sequence[str] = LOAD_COMMAND) -> float:
    """`meltano <command>` (by default the load); its wall seconds. Exits on a failure."""
    args = [str(MELTANO), *command]
    started = time.perf_counter()
    with log.open("wb") as out:
        # A session of its own: a timeout kills meltano, the tap and the target together.
        proc = subprocess.Popen(
            args, cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            proc.wait(RUN_TIMEOUT)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    seconds = time.perf_counter() - started
    if proc.returncode != 0:
        tail = "\n".join(log.read_text(errors="replace").splitlines()[-40:])
        raise SystemExit(
            f"meltano {command[0]} failed (exit {proc.returncode}, {seconds:.0f}s):\n{tail}"
        )
    return seconds


SUMMARY = re.compile(r"completed processing \d+ lines of input \(.*?(\d+) records, (\d+) batch")


def target_read(log: Path) -> dict[str, int]:
    """Records and batch manifests target-postgres says it read (its last summary line)."""
    found = SUMMARY.findall(log.read_text(errors="replace"))
    if not found:
        return {}
    records, manifests = found[-1]
    return {"records": int(records), "manifests": int(manifests)}


def table_rows(pg: PostgresServer, schema: str) -> dict[str, int]:
    with pg.connect() as conn:
        tables = conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = %s",
            (schema,),
        ).fetchall()
        counts = {}
        for (table,) in tables:
            query = sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(schema, table))
            counts[table] = conn.execute(query).fetchone()[0]
    return counts


def one_load(
    mode: str,
    n: int,
    zoom: ZoomEmulator,
    pg: PostgresServer,
    expected: dict[str, int],
    sysdir: Path,
    scratch: Path,
    workdir: Path,
) -> Load:
    load = Load(mode, n, f"load_{mode.lower()}_{n}", expected=expected)
    config = zoom.tap_config(max_requests_per_second=200, max_concurrent_requests=16)
    env = benchmark_env(sysdir, scratch / f"{load.schema}.db")  # no state: a full backfill
    env.update(tap_env(config))
    env.update(pg.target_env(load.schema))
    folder = scratch / f"{load.schema}-batches"
    if mode == "BATCH":
        env["TAP_ZOOM_LOGS_BATCH_CONFIG_ENCODING_FORMAT"] = "jsonl"
        env["TAP_ZOOM_LOGS_BATCH_CONFIG_STORAGE_ROOT"] = folder.as_uri()
    log = workdir / f"{load.schema}.log"
    progress(f"{mode} run {n}: meltano run tap-zoom-logs target-postgres -> {load.schema} ...")
    load.seconds = run_meltano(env, log)
    load.read = target_read(log)
    files = [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []
    load.files = len(files)
    load.megabytes = sum(p.stat().st_size for p in files) / 1e6
    shutil.rmtree(folder, ignore_errors=True)
    load.rows = table_rows(pg, load.schema)
    progress(f"{mode} run {n}: {load.total:,} rows in {load.seconds:.1f}s")
    return load


def loads_section(
    sizes: Sizes, seed: int, pg: PostgresServer, scratch: Path, workdir: Path
) -> tuple[list[Load], dict[str, int]]:
    """The RECORD and BATCH runs, alternately; Meltano's logs in `workdir`."""
    # Today's entries stop at `now`: a midnight keeps the data set the same at any hour.
    now = dt.datetime.now(dt.timezone.utc).replace(hour=0, minute=0, second=0, microsecond=0)
    zoom = ZoomEmulator(
        seed=seed, history_days=sizes.history_days, entries_per_day=dict(sizes.per_day), now=now
    )
    sysdir = private_sys_dir(scratch)
    with zoom:
        config = zoom.tap_config()
        progress("drawing the emulator's entries ...")
        expected = {
            s: len(zoom.truth(s, config["start_date"], config["end_date"])) for s in STREAMS
        }
        progress(f"emulator: {sum(expected.values()):,} entries in range")
        loads = []
        for n in range(1, sizes.rounds + 1):
            for mode in ("RECORD", "BATCH"):
                loads.append(one_load(mode, n, zoom, pg, expected, sysdir, scratch, workdir))
    return loads, expected


def loads_report(loads: list[Load], expected: dict[str, int]) -> str:
    head = (
        "| run | messages | wall s | "
        + " | ".join(f"{s} rows" for s in STREAMS)
        + " | rows/s | check | target read | batch files |"
    )
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    for load in loads:
        check = ", ".join(f"{s} {load.check(s)}" for s in STREAMS)
        unexpected = sorted(set(load.rows) - set(STREAMS))
        if unexpected:
            check += f"; other tables {unexpected}"
        read = (
            f"{load.read['records']:,} records, {load.read['manifests']} manifests"
            if load.read
            else "no summary"
        )
        files = f"{load.files} ({load.megabytes:.1f} MB)" if load.mode == "BATCH" else "-"
        lines.append(
            f"| {load.round} | {load.mode} | {load.seconds:.1f} | "
            + " | ".join(f"{load.rows.get(s, 0):,}" for s in STREAMS)
            + f" | {load.total / load.seconds:,.0f} | {check} | {read} | {files} |"
        )
    lines.append("")
    lines.append(
        "emulator entries in range: "
        + ", ".join(f"{s} {n:,}" for s, n in expected.items())
        + f" ({sum(expected.values()):,} in all)"
    )
    ratios = []
    rounds = sorted({load.round for load in loads})
    for n in rounds:
        by_mode = {load.mode: load.seconds for load in loads if load.round == n}
        ratios.append(f"round {n} {by_mode['BATCH'] / by_mode['RECORD']:.2f}")
    best = {
        mode: min(load.seconds for load in loads if load.mode == mode)
        for mode in ("RECORD", "BATCH")
    }
    lines.append(
        "BATCH/RECORD wall time: "
        + ", ".join(ratios)
        + f"; best against best {best['BATCH'] / best['RECORD']:.2f}"
        + f" ({best['BATCH']:.1f}s / {best['RECORD']:.1f}s)"
    )
    return "\n".join(lines)


# --------------------------------------------------------------------------- B: time index


@dataclass
class Query:
    name: str
    text: sql.Composable
    without: float = 0.0  # median ms
    with_index: float = 0.0
    plan_without: str = ""
    plan_with: str = ""
    rows: int = 0


@dataclass
class IndexRun:
    rows: int = 0
    table_bytes: int = 0
    index_bytes: int = 0
    build_seconds: float = 0.0
    fill_seconds: float = 0.0
    queries: list[Query] = field(default_factory=list)


ACTIVITY_COLUMNS = ("lw_id", "time", "type", "email", "ip_address", "client_type", "version")

# One load's rows, numbers lo to hi: times ascend with the number, evenly spread over the
# 180 days from `oldest` (`step` seconds apart, to the second) as the tap appends them;
# a pool of 5,000 users; two sign-ins to a sign-out.
FILL = """
INSERT INTO {table} (lw_id, time, type, email, ip_address, client_type, version)
SELECT md5(n::text),
       date_trunc('second', {oldest}::timestamp + make_interval(secs => (n - 1) * {step})),
       CASE WHEN n % 3 = 0 THEN 'Sign out' ELSE 'Sign in' END,
       'user' || (n * 7919) % 5000 || '@example.com',
       '10.' || (n / 65536) % 256 || '.' || (n / 256) % 256 || '.' || n % 256,
       (ARRAY['Browser', 'Windows', 'Mac', 'iOS', 'Android'])[1 + n % 5],
       '6.' || n % 4 || '.' || n % 17
FROM generate_series({lo}::bigint, {hi}::bigint) AS n
"""


def fill_table(
    pg: PostgresServer, source: str, schema: str, rows: int, newest: dt.datetime
) -> None:
    """`schema`.activity_logs shaped like `source`'s, with `rows` rows loaded in ascending
    time, as a warehouse the tap has appended to for 180 days."""
    table = sql.Identifier(schema, "activity_logs")
    oldest = newest - dt.timedelta(days=180)
    step = 180 * 86400 / rows
    with pg.connect() as conn:
        conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
        conn.execute(
            sql.SQL("CREATE TABLE {} (LIKE {} INCLUDING ALL)").format(
                table, sql.Identifier(source, "activity_logs")
            )
        )
        columns = conn.execute(
            "SELECT column_name FROM information_schema.columns"
            " WHERE table_schema = %s AND table_name = 'activity_logs'",
            (schema,),
        ).fetchall()
        missing = set(ACTIVITY_COLUMNS) - {c for (c,) in columns}
        if missing:
            raise SystemExit(f"target-postgres's activity_logs has no {sorted(missing)}")
        chunk = max(rows // 10, 1)
        for lo in range(1, rows + 1, chunk):
            hi = min(lo + chunk - 1, rows)
            conn.execute(
                sql.SQL(FILL).format(
                    table=table,
                    oldest=sql.Literal(oldest.replace(tzinfo=None)),
                    step=sql.Literal(step),
                    lo=sql.Literal(lo),
                    hi=sql.Literal(hi),
                )
            )
            progress(f"time index: {hi:,} of {rows:,} rows loaded")
        conn.execute(sql.SQL("VACUUM ANALYZE {}").format(table))


def queries(schema: str, newest: dt.datetime) -> list[Query]:
    table = sql.Identifier(schema, "activity_logs")
    naive = newest.replace(tzinfo=None)
    hour = (naive - dt.timedelta(days=30)).replace(hour=2)
    one_hour = sql.SQL("time >= {} AND time < {}").format(
        sql.Literal(hour), sql.Literal(hour + dt.timedelta(hours=1))
    )
    day_ago = sql.Literal(naive - dt.timedelta(hours=24))
    return [
        Query(
            "q1 count(*) of one hour",
            sql.SQL("SELECT count(*) FROM {} WHERE {}").format(table, one_hour),
        ),
        Query(
            "q2 one hour's rows ORDER BY time",
            sql.SQL("SELECT * FROM {} WHERE {} ORDER BY time").format(table, one_hour),
        ),
        Query(
            "q3 one user's sign-ins, last 24 h",
            sql.SQL(
                "SELECT * FROM {} WHERE email = 'user42@example.com' AND type = 'Sign in'"
                " AND time >= {} ORDER BY time"
            ).format(table, day_ago),
        ),
        Query(
            "q4 newest 100",
            sql.SQL("SELECT * FROM {} ORDER BY time DESC LIMIT 100").format(table),
        ),
    ]


def scan_nodes(plan: Mapping[str, Any]) -> Iterator[str]:
    if "Scan" in plan["Node Type"]:
        yield plan["Node Type"]
    for child in plan.get("Plans", []):
        yield from scan_nodes(child)


def measure(pg: PostgresServer, query: Query) -> tuple[float, str, int]:
    """(median ms of QUERY_RUNS runs after a warm-up, the plan's scan nodes, rows)."""
    with pg.connect() as conn:
        explain = sql.SQL("EXPLAIN (FORMAT JSON) {}").format(query.text)
        plan = conn.execute(explain).fetchone()[0]
        plan = json.loads(plan) if isinstance(plan, str) else plan
        nodes = " + ".join(dict.fromkeys(scan_nodes(plan[0]["Plan"])))
        rows = len(conn.execute(query.text).fetchall())  # the warm-up
        times = []
        for _ in range(QUERY_RUNS):
            started = time.perf_counter()
            conn.execute(query.text).fetchall()
            times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), nodes, rows


def build_time_index(pg: PostgresServer, schema: str) -> float:
    """scripts/postgres_time_index.py, as the Meltano utility runs it; its wall seconds."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TARGET_POSTGRES_")}
    env.update(pg.target_env(schema))
    started = time.perf_counter()
    done = subprocess.run(
        [str(PYTHON), str(TIME_INDEX_SCRIPT)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - started
    if done.returncode != 0 or "activity_logs" not in done.stdout:
        raise SystemExit(f"postgres_time_index.py failed: {done.stdout}{done.stderr}")
    progress(done.stdout.strip())
    return seconds


def index_section(pg: PostgresServer, source: str, rows: int) -> IndexRun:
    schema = "time_index_bench"
    newest = dt.datetime.now(dt.timezone.utc).replace(minute=0, second=0, microsecond=0)
    result = IndexRun()
    started = time.perf_counter()
    fill_table(pg, source, schema, rows, newest)
    result.fill_seconds = time.perf_counter() - started
    result.queries = queries(schema, newest)
    for query in result.queries:
        progress(f"time index: without: {query.name} ...")
        query.without, query.plan_without, query.rows = measure(pg, query)
    progress("time index: scripts/postgres_time_index.py ...")
    result.build_seconds = build_time_index(pg, schema)
    for query in result.queries:
        progress(f"time index: with: {query.name} ...")
        query.with_index, query.plan_with, _ = measure(pg, query)
    name = f"{schema}.activity_logs"
    with pg.connect() as conn:
        result.rows = conn.execute(
            sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(schema, "activity_logs"))
        ).fetchone()[0]
        result.table_bytes = conn.execute("SELECT pg_relation_size(%s)", (name,)).fetchone()[0]
        index = f"{schema}.activity_logs_time_idx"
        result.index_bytes = conn.execute("SELECT pg_relation_size(%s)", (index,)).fetchone()[0]
    return result


def index_report(run: IndexRun) -> str:
    head = (
        "| query | rows | without index ms | with index ms | speed-up | plan without | plan with |"
    )
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    for q in run.queries:
        lines.append(
            f"| {q.name} | {q.rows:,} | {q.without:,.1f} | {q.with_index:,.1f} |"
            f" {q.without / q.with_index:,.0f}x | {q.plan_without} | {q.plan_with} |"
        )
    lines.append("")
    lines.append(
        f"table: {run.rows:,} rows (loaded in {run.fill_seconds:.0f}s), "
        f"{run.table_bytes / 2**20:,.0f} MiB; time index {run.index_bytes / 2**20:,.0f} MiB, "
        f"built by scripts/postgres_time_index.py in {run.build_seconds:.1f}s (with ANALYZE)"
    )
    return "\n".join(lines)


# --------------------------------------------------------------------------- C: the layer


@dataclass(frozen=True)
class LayerSizes:
    rows: int  # the history, every log's table together
    shares: Mapping[str, float]  # of `rows`, per stream
    history_days: int = 180  # as long as Zoom keeps its logs
    busy_hour: float = 4.0  # the news: this many times the history's hourly average


LAYER_SHARES = {
    "activity_logs": 0.80,
    "operation_logs": 0.10,
    "meeting_activity_logs": 0.06,
    "phone_operation_logs": 0.02,
    "contact_center_operation_logs": 0.02,
}
LAYER_FULL = LayerSizes(3_000_000, LAYER_SHARES)
LAYER_QUICK = LayerSizes(30_000, LAYER_SHARES)
SHAPE_SCHEMA = "layer_shape"  # a small real load: target-postgres's tables and real entries
SOURCE_SCHEMA = "layer_source"  # the history and the news, filled from the shape's entries
LAYER_SCHEMA = "layer"  # dbt's prefix: models in layer_ocsf, detections in layer_detections
USERS = 5_000
SLOWEST_TESTS = 8  # dbt tests listed by name in the report
VIEW_TIMEOUT = 300  # seconds a detection view's count(*) may take
ADDRESSES_PER_USER = 3


@dataclass
class Build:
    """One `meltano invoke dbt-postgres:build` over the source tables."""

    name: str
    wall: float = 0.0  # meltano's start, dbt clean and deps included
    dbt: float = 0.0  # dbt build's own elapsed time (run_results.json)
    models: float = 0.0  # the models' execution time, summed
    tests: float = 0.0  # the data tests' execution time, summed
    per_model: dict[str, float] = field(default_factory=dict)
    per_test: dict[str, float] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)  # nodes not "success"/"pass"
    checks: list[str] = field(default_factory=list)  # sources' rows against the models'

    @property
    def exact(self) -> bool:
        return not self.failures and all(c.endswith(": exact") for c in self.checks)


@dataclass
class LayerRun:
    source_rows: dict[str, int] = field(default_factory=dict)
    news_rows: dict[str, int] = field(default_factory=dict)
    fill_seconds: float = 0.0
    news_seconds: float = 0.0
    index_seconds: float = 0.0
    builds: list[Build] = field(default_factory=list)
    detection_ms: dict[str, tuple[int, float]] = field(default_factory=dict)  # rows, ms


def shape_load(seed: int, pg: PostgresServer, sysdir: Path, scratch: Path, workdir: Path) -> None:
    """Every log's table as target-postgres creates it, with a few hundred real entries
    each from the emulator: the columns and the values the history is made of."""
    now = dt.datetime.now(dt.timezone.utc).replace(hour=0, minute=0, second=0, microsecond=0)
    streams = tuple(LAYER_SHARES)
    zoom = ZoomEmulator(seed=seed, history_days=3, entries_per_day=200, now=now)
    with zoom:
        config = zoom.tap_config(max_requests_per_second=200, max_concurrent_requests=16)
        env = benchmark_env(sysdir, scratch / "layer-shape.db")
        env.update(tap_env(config))
        env.update(pg.target_env(SHAPE_SCHEMA))
        env["TAP_ZOOM_LOGS__SELECT"] = json.dumps([f"{s}.*" for s in streams])
        progress(f"layer: meltano run tap-zoom-logs target-postgres -> {SHAPE_SCHEMA} ...")
        run_meltano(env, workdir / "layer-shape.log")
    missing = set(streams) - set(table_rows(pg, SHAPE_SCHEMA))
    if missing:
        raise SystemExit(f"the shape load created no table for {sorted(missing)}")


def user_expr(n: str) -> str:
    return f"(({n}) * 7919) % {USERS}"


def column_expr(stream: str, column: str, kind: str, n: str, time: str) -> str:
    """SQL for one column of row number `n` at `time`: a fresh key, the row's time, one of
    USERS people with a few addresses each; the rest copied from a real entry (`tpl`)."""
    user = user_expr(n)
    if column == "lw_id":
        return f"md5('{stream}:' || {n})"
    if column == "time" or column.endswith("_time"):
        if kind.startswith("timestamp"):
            return time
        return f'to_char({time}, \'YYYY-MM-DD"T"HH24:MI:SS"Z"\')'
    if column in ("email", "operator", "operator_email"):
        return f"'user' || {user} || '@example.com'"
    if column == "ip_address":
        host = f"{user} * {ADDRESSES_PER_USER} + ({n}) % {ADDRESSES_PER_USER}"
        octets = (f"({host}) / 65536 % 256", f"({host}) / 256 % 256", f"({host}) % 256")
        return "'10.' || " + " || '.' || ".join(octets)
    return f"tpl.{sql_name(column)}"


def sql_name(column: str) -> str:
    return '"' + column.replace('"', '""') + '"'


LAYER_FILL = """
INSERT INTO {table} ({columns})
SELECT {values}
FROM generate_series({lo}::bigint, {hi}::bigint) AS n
JOIN (SELECT *, row_number() OVER (ORDER BY lw_id) - 1 AS tpl_k FROM {shape}) AS tpl
  ON tpl.tpl_k = n % {templates}
"""


def fill_stream(conn: Any, stream: str, lo: int, hi: int, oldest: dt.datetime, step: float) -> None:
    """Rows `lo` to `hi` of `stream`'s source table, times ascending from `oldest`."""
    shape = sql.Identifier(SHAPE_SCHEMA, stream)
    templates = conn.execute(sql.SQL("SELECT count(*) FROM {}").format(shape)).fetchone()[0]
    if not templates:
        raise SystemExit(f"the shape load has no {stream} entries to copy")
    columns = conn.execute(
        "SELECT column_name, data_type FROM information_schema.columns"
        " WHERE table_schema = %s AND table_name = %s ORDER BY ordinal_position",
        (SHAPE_SCHEMA, stream),
    ).fetchall()
    offset = f"make_interval(secs => (n - 1) * {step})"
    time = f"date_trunc('second', {sql_literal(oldest)}::timestamp + {offset})"
    values = ", ".join(column_expr(stream, c, kind, "n", time) for c, kind in columns)
    query = LAYER_FILL.format(
        table=sql.Identifier(SOURCE_SCHEMA, stream).as_string(conn),
        columns=", ".join(sql_name(c) for c, _ in columns),
        values=values,
        lo=lo,
        hi=hi,
        shape=shape.as_string(conn),
        templates=templates,
    )
    conn.execute(query)


def sql_literal(moment: dt.datetime) -> str:
    return "'" + moment.replace(tzinfo=None).isoformat(sep=" ") + "'"


def layer_rows(sizes: LayerSizes) -> dict[str, int]:
    return {stream: max(int(sizes.rows * share), 1) for stream, share in sizes.shares.items()}


def fill_history(pg: PostgresServer, sizes: LayerSizes, newest: dt.datetime) -> dict[str, int]:
    """Each log's source table, shaped like the shape load's (its primary key on lw_id
    only), filled with its share of the history in ascending time, as loads append."""
    rows = layer_rows(sizes)
    oldest = newest - dt.timedelta(days=sizes.history_days)
    with pg.connect() as conn:
        conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(SOURCE_SCHEMA)))
        for stream, count in rows.items():
            conn.execute(
                sql.SQL("CREATE TABLE {} (LIKE {} INCLUDING ALL)").format(
                    sql.Identifier(SOURCE_SCHEMA, stream), sql.Identifier(SHAPE_SCHEMA, stream)
                )
            )
            step = sizes.history_days * 86400 / count
            chunk = max(count // 5, 1)
            for lo in range(1, count + 1, chunk):
                hi = min(lo + chunk - 1, count)
                fill_stream(conn, stream, lo, hi, oldest, step)
                progress(f"layer: {stream} {hi:,} of {count:,} rows")
            conn.execute(sql.SQL("VACUUM ANALYZE {}").format(sql.Identifier(SOURCE_SCHEMA, stream)))
    return rows


def add_news(
    pg: PostgresServer, sizes: LayerSizes, history: Mapping[str, int], newest: dt.datetime
) -> dict[str, int]:
    """An hourly run's news: one busy hour after `newest`, new entries only."""
    news = {}
    with pg.connect() as conn:
        for stream, count in history.items():
            hourly = count / (sizes.history_days * 24)
            news[stream] = max(round(hourly * sizes.busy_hour), 1)
            step = 3600 / news[stream]
            start = newest + dt.timedelta(seconds=1) - dt.timedelta(seconds=step * count)
            # row numbers after the history's: their times fall in the hour after `newest`
            fill_stream(conn, stream, count + 1, count + news[stream], start, step)
    return news


def dbt_env(pg: PostgresServer, sysdir: Path, scratch: Path, target: Path) -> dict[str, str]:
    """`meltano invoke dbt-postgres` on the source tables, its own dbt target folder."""
    env = benchmark_env(sysdir, scratch / "layer.db")
    env.update(pg.target_env(SOURCE_SCHEMA))  # dbt-postgres defaults to target-postgres's
    # Meltano reads a setting from its plugin-named variable (DBT_POSTGRES_<SETTING>); the
    # `env:` of meltano.yml (ZOOM_LOGS_SCHEMA, DBT_TARGET_PATH) is what dbt is handed.
    env["DBT_POSTGRES_SOURCE_SCHEMA"] = SOURCE_SCHEMA
    env["DBT_POSTGRES_SCHEMA"] = LAYER_SCHEMA
    env["DBT_POSTGRES_TARGET_PATH"] = str(target)
    return env


SOURCE_TABLE = re.compile(rf'"?{SOURCE_SCHEMA}"?\."?(\w+)"?')  # in compiled SQL


def dbt_build(name: str, env: Mapping[str, str], target: Path, workdir: Path) -> Build:
    build = Build(name)
    progress(f"layer: {name} build: meltano invoke dbt-postgres:build ...")
    log = workdir / f"layer-{name}.log"
    build.wall = run_meltano(env, log, ("invoke", "dbt-postgres:build"))
    results = json.loads((target / "run_results.json").read_text())
    build.dbt = results["elapsed_time"]
    for result in results["results"]:
        kind = result["unique_id"].split(".", 1)[0]
        if result["status"] not in ("success", "pass"):
            build.failures.append(f"{result['unique_id']} {result['status']}")
        if kind == "model":
            build.models += result["execution_time"]
            build.per_model[result["unique_id"].rsplit(".", 1)[1]] = result["execution_time"]
        elif kind == "test":
            build.tests += result["execution_time"]
            build.per_test[result["unique_id"].split(".")[2]] = result["execution_time"]
    progress(f"layer: {name} build: {build.wall:.1f}s wall, dbt {build.dbt:.1f}s")
    return build


def model_sources(target: Path) -> dict[str, tuple[str, set[str]]]:
    """Each table the build made in a *_ocsf schema: its relation name, and the source
    tables its compiled SQL reads."""
    results = json.loads((target / "run_results.json").read_text())
    found = {}
    for result in results["results"]:
        relation = result.get("relation_name") or ""
        if not result["unique_id"].startswith("model.") or "_ocsf" not in relation:
            continue
        code = result.get("compiled_code") or ""
        reads = set(SOURCE_TABLE.findall(code))
        found[result["unique_id"].rsplit(".", 1)[1]] = (relation, reads)
    return found


def count_check(pg: PostgresServer, target: Path) -> list[str]:
    """The models' rows against their sources': the models reading a group of sources
    hold, together, exactly the group's rows (one model per log, or a log split by kind)."""
    models = model_sources(target)
    if not models:
        return ["no OCSF model was built: not exact"]
    with pg.connect() as conn:

        def count(relation: str) -> int:
            return int(conn.execute(f"SELECT count(*) FROM {relation}").fetchone()[0])

        groups: list[tuple[set[str], set[str]]] = []  # (sources, models), joined if they share
        for model, (_, reads) in models.items():
            joined = ({*reads}, {model})
            for group in [g for g in groups if g[0] & reads]:
                groups.remove(group)
                joined = (joined[0] | group[0], joined[1] | group[1])
            groups.append(joined)
        checks = []
        for sources, names in sorted(groups, key=lambda group: sorted(group[1])):
            have = sum(count(models[m][0]) for m in names)
            want = sum(count(sql.Identifier(SOURCE_SCHEMA, s).as_string(conn)) for s in sources)
            verdict = "exact" if have == want else f"{have - want:+,}"
            read = " + ".join(sorted(sources)) or "no source"
            checks.append(f"{' + '.join(sorted(names))} {have:,} rows, {read} {want:,}: {verdict}")
    return checks


def time_detections(pg: PostgresServer) -> dict[str, tuple[int, float]]:
    """Each detection (a view, or an incremental table): its rows and what counting them
    costs (ms, one run after a warm-up; rows -1 past VIEW_TIMEOUT): an analyst's query."""
    timings = {}
    with pg.connect() as conn:
        views = conn.execute(
            "SELECT table_schema, table_name FROM information_schema.tables"
            " WHERE table_schema = %s ORDER BY table_name",
            (f"{LAYER_SCHEMA}_detections",),
        ).fetchall()
        conn.execute(f"SET statement_timeout = '{VIEW_TIMEOUT}s'")
        for schema, view in views:
            query = sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(schema, view))
            try:
                conn.execute(query)
                started = time.perf_counter()
                rows = conn.execute(query).fetchone()[0]
            except psycopg.errors.QueryCanceled:
                timings[view] = (-1, VIEW_TIMEOUT * 1000.0)  # reported as a timeout
                continue
            timings[view] = (rows, (time.perf_counter() - started) * 1000)
    return timings


def layer_section(
    sizes: LayerSizes, seed: int, pg: PostgresServer, scratch: Path, workdir: Path
) -> LayerRun:
    """The models built over the history, then again after an hour of news."""
    run = LayerRun()
    sysdir = scratch / "meltano-sys"
    if not sysdir.exists():
        sysdir = private_sys_dir(scratch)
    # the history ends an hour ago; the news fill the last hour
    hour = dt.datetime.now(dt.timezone.utc).replace(minute=0, second=0, microsecond=0)
    newest = hour - dt.timedelta(hours=1)
    shape_load(seed, pg, sysdir, scratch, workdir)
    started = time.perf_counter()
    history = fill_history(pg, sizes, newest)
    run.fill_seconds = time.perf_counter() - started
    target = scratch / "dbt-target"
    env = dbt_env(pg, sysdir, scratch, target)
    # as the job runs: the time index (postgres-time-index:create), then the build
    run.index_seconds = build_time_index(pg, SOURCE_SCHEMA)
    full = dbt_build("full", env, target, workdir)
    full.checks = count_check(pg, target)
    started = time.perf_counter()
    run.news_rows = add_news(pg, sizes, history, newest)
    run.news_seconds = time.perf_counter() - started
    build_time_index(pg, SOURCE_SCHEMA)  # the hourly job's step: ANALYZE with the news
    incremental = dbt_build("incremental", env, target, workdir)
    incremental.checks = count_check(pg, target)
    run.builds = [full, incremental]
    run.source_rows = table_rows(pg, SOURCE_SCHEMA)
    run.detection_ms = time_detections(pg)
    return run


def layer_report(run: LayerRun) -> str:
    full, incremental = run.builds
    head = "| build | source rows | news rows | wall s | dbt s | models s | tests s | check |"
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    news = sum(run.news_rows.values())
    total = sum(run.source_rows.values())
    for build, rows, added in ((full, total - news, "-"), (incremental, total, f"{news:,}")):
        check = "exact" if build.exact else "; ".join(build.failures + build.checks)
        lines.append(
            f"| {build.name} | {rows:,} | {added} | {build.wall:.1f} | {build.dbt:.1f} |"
            f" {build.models:.1f} | {build.tests:.1f} | {check} |"
        )
    lines.append("")
    ratios = {
        "dbt": (incremental.dbt, full.dbt),
        "models": (incremental.models, full.models),
        "tests": (incremental.tests, full.tests),
        "wall": (incremental.wall, full.wall),
    }
    lines.append(
        "incremental/full: "
        + ", ".join(f"{k} {new / old:.2f}" if old else f"{k} -" for k, (new, old) in ratios.items())
    )
    lines.append(
        "sources: "
        + ", ".join(f"{s} {n:,} (+{run.news_rows.get(s, 0):,})" for s, n in run.source_rows.items())
        + f"; filled in {run.fill_seconds:.0f}s, news in {run.news_seconds:.1f}s,"
        f" time index {run.index_seconds:.1f}s"
    )
    lines.append("")
    lines.append("| model (OCSF tables, detection views) | full s | incremental s |")
    lines.append("|---|---|---|")
    for model, seconds in sorted(full.per_model.items()):
        lines.append(f"| {model} | {seconds:.2f} | {incremental.per_model.get(model, 0):.2f} |")
    slowest = sorted(full.per_test, key=lambda t: -full.per_test[t])[:SLOWEST_TESTS]
    lines.append("")
    lines.append(
        f"| the {len(slowest)} slowest of {len(full.per_test)} tests | full s | incremental s |"
    )
    lines.append("|---|---|---|")
    for test in slowest:
        lines.append(
            f"| {test} | {full.per_test[test]:.2f} | {incremental.per_test.get(test, 0):.2f} |"
        )
    lines.append("")
    lines.append("row counts, after each build:")
    for build in run.builds:
        lines.extend(f"  {build.name}: {check}" for check in build.checks)
        lines.extend(f"  {build.name}: FAILED {failure}" for failure in build.failures)
    if run.detection_ms:
        lines.append("")
        lines.append("| detection view | rows | count(*) ms |")
        lines.append("|---|---|---|")
        for view, (rows, ms) in run.detection_ms.items():
            shown = f"{rows:,} | {ms:,.0f}" if rows >= 0 else f"? | over {ms:,.0f}"
            lines.append(f"| {view} | {shown} |")
    return "\n".join(lines)


# --------------------------------------------------------------------------- main


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small data, a smoke run")
    parser.add_argument(
        "--section",
        choices=("all", "loads", "dbt"),
        default="all",
        help="loads: A and B only; dbt: C only (default all)",
    )
    parser.add_argument("--rounds", type=int, help="RECORD and BATCH runs each (alternately)")
    parser.add_argument("--rows", type=int, help="rows of section B's table")
    parser.add_argument("--layer-rows", type=int, help="section C's history, every log together")
    parser.add_argument("--seed", type=int, default=20260401)
    parser.add_argument("--keep", help="keep the Meltano logs of the runs in this folder")
    args = parser.parse_args()
    sizes = QUICK if args.quick else FULL
    rounds = args.rounds or sizes.rounds
    rows = args.rows or sizes.rows
    sizes = Sizes(sizes.per_day, sizes.history_days, rows, rounds)
    layer_sizes = LAYER_QUICK if args.quick else LAYER_FULL
    if args.layer_rows:
        layer_sizes = LayerSizes(args.layer_rows, layer_sizes.shares)
    started = time.perf_counter()
    loads: list[Load] = []
    layer = None
    with tempfile.TemporaryDirectory(prefix="warehouse-bench-") as scratch:
        workdir = Path(args.keep or scratch)
        workdir.mkdir(parents=True, exist_ok=True)
        with running_postgres() as pg:
            progress(f"PostgreSQL on port {pg.port}")
            if args.section in ("all", "loads"):
                loads, expected = loads_section(sizes, args.seed, pg, Path(scratch), workdir)
                index = index_section(pg, loads[0].schema, sizes.rows)
            if args.section in ("all", "dbt"):
                layer = layer_section(layer_sizes, args.seed, pg, Path(scratch), workdir)
    print(
        f"warehouse benchmark ({'quick' if args.quick else 'full'}; {os.cpu_count()} CPUs;"
        f" seed {args.seed}; tap max_requests_per_second 200, max_concurrent_requests 16)"
    )
    if loads:
        print()
        print("A. meltano run tap-zoom-logs target-postgres: RECORD against BATCH messages")
        print()
        print(loads_report(loads, expected))
        print()
        print("B. time-range queries on activity_logs, without and with the time index")
        print()
        print(index_report(index))
    if layer is not None:
        print()
        print("C. the security layer: meltano invoke dbt-postgres:build, full then incremental")
        print()
        print(layer_report(layer))
    print(f"\n(benchmark took {time.perf_counter() - started:.0f} s)")
    lost = [f"{load.mode} run {load.round}" for load in loads if not load.exact]
    if layer is not None:
        lost += [f"the {b.name} build" for b in layer.builds if not b.exact]
    if lost:
        raise SystemExit(f"rows lost or added, or a build failed, in: {', '.join(lost)}")


if __name__ == "__main__":
    main()
