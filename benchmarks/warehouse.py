"""Benchmark of the PostgreSQL warehouse: RECORD against BATCH loads, and the time index.

Usage (from the repository root, with .venv, .venv-meltano and `meltano install` done, and
PostgreSQL's server binaries installed)::

    .venv/bin/python benchmarks/warehouse.py            # ~1,000,000 entries, ~15-20 min
    .venv/bin/python benchmarks/warehouse.py --quick    # smoke run, a minute or two

Options: ``--rounds N`` (RECORD and BATCH runs each, alternately; default 2),
``--rows N`` (section B's table), ``--seed N``, ``--keep DIR`` (keep the Meltano logs).

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
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from psycopg import sql

from tests.support.pipeline import meltano_env, tap_env
from tests.support.postgres import PostgresServer, running_postgres
from zoom_emulator import ZoomEmulator

REPO = Path(__file__).resolve().parents[1]
MELTANO = REPO / ".venv-meltano" / "bin" / "meltano"
PYTHON = REPO / ".venv" / "bin" / "python"
TIME_INDEX_SCRIPT = REPO / "scripts" / "postgres_time_index.py"
STREAMS = ("activity_logs", "operation_logs")  # what meltano.yml selects
RUN_TIMEOUT = 3600  # seconds for one `meltano run`
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


def run_meltano(env: Mapping[str, str], log: Path) -> float:
    """`meltano run tap-zoom-logs target-postgres`; its wall seconds. Exits on a failure."""
    args = [str(MELTANO), "run", "tap-zoom-logs", "target-postgres"]
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
        raise SystemExit(f"meltano run failed (exit {proc.returncode}, {seconds:.0f}s):\n{tail}")
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


# --------------------------------------------------------------------------- main


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small data, a smoke run")
    parser.add_argument("--rounds", type=int, help="RECORD and BATCH runs each (alternately)")
    parser.add_argument("--rows", type=int, help="rows of section B's table")
    parser.add_argument("--seed", type=int, default=20260401)
    parser.add_argument("--keep", help="keep the Meltano logs of the runs in this folder")
    args = parser.parse_args()
    sizes = QUICK if args.quick else FULL
    rounds = args.rounds or sizes.rounds
    rows = args.rows or sizes.rows
    sizes = Sizes(sizes.per_day, sizes.history_days, rows, rounds)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="warehouse-bench-") as scratch:
        workdir = Path(args.keep or scratch)
        workdir.mkdir(parents=True, exist_ok=True)
        with running_postgres() as pg:
            progress(f"PostgreSQL on port {pg.port}")
            loads, expected = loads_section(sizes, args.seed, pg, Path(scratch), workdir)
            index = index_section(pg, loads[0].schema, sizes.rows)
    print(
        f"warehouse benchmark ({'quick' if args.quick else 'full'}; {os.cpu_count()} CPUs;"
        f" seed {args.seed}; tap max_requests_per_second 200, max_concurrent_requests 16)"
    )
    print()
    print("A. meltano run tap-zoom-logs target-postgres: RECORD against BATCH messages")
    print()
    print(loads_report(loads, expected))
    print()
    print("B. time-range queries on activity_logs, without and with the time index")
    print()
    print(index_report(index))
    print(f"\n(benchmark took {time.perf_counter() - started:.0f} s)")
    lost = [f"{load.mode} run {load.round}" for load in loads if not load.exact]
    if lost:
        raise SystemExit(f"rows lost or added in: {', '.join(lost)}")


if __name__ == "__main__":
    main()
