"""Benchmark of tap-zoom-logs against the Zoom emulator: speed, cost per entry, memory, requests.

Usage (from the repository root, with the project installed in .venv)::

    .venv/bin/python benchmarks/run.py            # full run, a few minutes on 2 cores
    .venv/bin/python benchmarks/run.py --quick    # smoke run, well under a minute

Options: ``--rps N`` (the tap's max_requests_per_second in the latency section, default 38),
``--seed N``, ``--keep DIR`` (keep configs and stderr logs of every run there).

It drives the real ``tap-zoom-logs`` executable (a subprocess per run, its stdout to
/dev/null) against ``python -m tap_zoom_logs.sandbox`` in another process, so that the
emulator's CPU does not share a GIL with what is measured (the machine has 2 cores: one for the
emulator, one for the client). Every client run is a child process reaped with ``os.wait4``
(by a small launcher process, see ``LAUNCHER``), so its CPU time (user+sys) and peak RSS
(``ru_maxrss``) are its own. It prints one raw table, the derived ratios, then one line per
target saying met / not met.

Sections:

1. latency-bound backfill: emulator latency 0.1 s per report page, per-second limit 40, 30
   days of a few thousand entries a day per stream. The tap runs with
   max_requests_per_second=38 (``--rps``; 5% under the emulator's 40, so 0 429s are
   expected, and close to 4 / latency = 40 so that the concurrent run is not held back by
   the rate when it is compared with the sequential one: at 20/s the best possible speed-up
   over one request at a time would be 2x, and the 3.5x target could not be reached by
   design; at 36 the measured speed-up was 3.49x)
   and max_concurrent_requests=4, then the same with max_concurrent_requests=1 (the
   sequential reference). The bound is ``pages / min(rps, concurrency / latency)`` where
   pages = report pages the emulator served (200 answers, both streams); the token request
   takes one slot of the client's limiter but has no latency, so when the rate binds it is
   counted with the pages: ``bound = max((pages + tokens) / rps, pages * latency / conc)``.
   Wall time is the tap process' whole life (interpreter start and imports included; the
   ``startup`` row shows what that costs alone).
2. CPU-bound: no latency, no limit, about 1,000,000 entries in range (both streams). The tap
   (max_requests_per_second=1000, the most its limiter expresses; max_concurrent_requests=4)
   and a bare loop written here (requests + json: a token, then every page of every day
   sequentially, one RECORD line per entry with an md5 ``lw_id`` to /dev/null) run
   alternately, twice each, against the same warmed emulator. Reported: entries/s (wall) and
   CPU seconds per million entries; the ratio tap/bare is taken on CPU (the tap's threads
   overlap with the emulator, the bare loop does not, so the wall ratio flatters the tap on
   2 cores; it is printed too). Best of the two runs of each.
3. memory: peak RSS of the tap with about 100,000 and about 1,000,000 entries in range, same
   data density (the same emulator, the shorter range being its newest days), so only the
   length of the range differs; ratio 1M / 100k (largest of the repeated runs of each).
4. requests: for every tap run, report pages and token requests served against the minimum,
   ``sum over windows (stream x day) of max(1, ceil(entries / page_size))`` and 1 token. The
   entry counts come from an in-process copy of the emulator's deterministic data set (same
   seed and clock), which also checks that the tap emitted exactly the entries in range.

``--quick`` shrinks every data set (4 days in section 1, ~60,000 entries in 2, 10k/50k in 3):
the tables are real but too small for the targets to mean much (startup dominates).
Timings on a shared 2-core machine are noisy: compare ratios within one run, never across runs.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import datetime as dt
import hashlib
import json
import math
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

STREAMS = {  # stream -> (endpoint, path, fields in schema order, extra query parameters)
    "activity_logs": (
        "activities",
        "/report/activities",
        ("time", "type", "email", "ip_address", "client_type", "version"),
        {},
    ),
    "operation_logs": (
        "operationlogs",
        "/report/operationlogs",
        ("time", "operator", "category_type", "action", "operation_detail"),
        {"category_type": "all"},
    ),
}
PAGE_SIZE = 300
LATENCY = 0.1
EMULATOR_LIMIT = 40.0
CONCURRENCY = 4


@dataclass(frozen=True)
class Sizes:
    latency_days: int
    latency_per_day: int
    cpu_days: int
    cpu_per_day: int
    big: int  # entries in range for the CPU runs and the large memory run
    small: int  # entries in range for the small memory run


FULL = Sizes(30, 3000, 176, 3300, 1_000_000, 100_000)
QUICK = Sizes(4, 900, 30, 1000, 50_000, 10_000)


# --------------------------------------------------------------------------- the emulator


class Emulator:
    """``python -m tap_zoom_logs.sandbox`` in its own process, and a local copy of its data."""

    def __init__(self, *, seed: int, days: int, per_day: int, latency: float, limit: float) -> None:
        self.args = dict(seed=seed, days=days, per_day=per_day)
        command = [
            sys.executable,
            "-m",
            "tap_zoom_logs.sandbox",
            "--port=0",
            f"--seed={seed}",
            f"--history-days={days}",
            f"--entries-per-day={per_day}",
            f"--latency={latency}",
            f"--rate-limit={limit}",
        ]
        self.latency, self.limit = latency, limit
        self.proc = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
        )
        line = self.proc.stdout.readline() if self.proc.stdout else ""
        if not line:
            self.stop()
            raise SystemExit("the emulator did not start (run it alone to see why)")
        self.config: dict[str, Any] = json.loads(line)
        self.base = self.config["api_url"].rsplit("/v2", 1)[0]
        self.end = self.config["end_date"]
        self.first_day = dt.date.fromisoformat(self.config["start_date"][:10])
        self.last_day = dt.date.fromisoformat(self.end[:10])
        self._counts: dict[tuple[str, dt.date], int] | None = None

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def stats(self) -> dict[str, Any]:
        with urllib.request.urlopen(f"{self.base}/_emulator/stats", timeout=30) as answer:
            return json.load(answer)

    def reset_stats(self) -> None:
        request = urllib.request.Request(f"{self.base}/_emulator/reset_stats", method="POST")
        with urllib.request.urlopen(request, timeout=30):
            pass

    def days(self, first: dt.date | None = None) -> list[dt.date]:
        first = first or self.first_day
        return [first + dt.timedelta(days=n) for n in range((self.last_day - first).days + 1)]

    def counts(self) -> dict[tuple[str, dt.date], int]:
        """Entries per (stream, day), from a local emulator with the same seed and clock."""
        if self._counts is None:
            from tap_zoom_logs.sandbox import ZoomEmulator  # noqa: PLC0415 - only here

            now = dt.datetime.strptime(self.end, "%Y-%m-%dT%H:%M:%SZ").replace(
                tzinfo=dt.timezone.utc
            )
            local = ZoomEmulator(
                seed=self.args["seed"],
                history_days=self.args["days"],
                entries_per_day=self.args["per_day"],
                now=now,
            )
            self._counts = {
                (stream, day): len(local.truth(stream, day, day))
                for stream in STREAMS
                for day in self.days()
            }
        return self._counts

    def minimum(self, first: dt.date) -> tuple[int, int]:
        """(entries in range, fewest pages that serve them) from day `first` to the end."""
        entries = pages = 0
        for (_, day), n in self.counts().items():
            if day >= first:
                entries += n
                pages += max(1, math.ceil(n / PAGE_SIZE))
        return entries, pages

    def first_day_for(self, entries: int) -> dt.date:
        """The latest start day with at least `entries` entries from it to the end."""
        total = 0
        for day in reversed(self.days()):
            total += sum(self.counts()[(stream, day)] for stream in STREAMS)
            if total >= entries:
                return day
        return self.first_day

    def warm(self, threads: int) -> None:
        """Ask once for the first page of every (stream, day): the emulator generates its data
        lazily, and that must not be charged to the first measured run."""
        import requests  # noqa: PLC0415

        token = _token(requests.Session(), self.config)

        def first_page(job: tuple[str, dt.date]) -> None:
            stream, day = job
            _, path, _, extra = STREAMS[stream]
            params = {"from": day.isoformat(), "to": day.isoformat(), "page_size": PAGE_SIZE}
            headers = {"Authorization": f"Bearer {token}"}
            url = self.config["api_url"] + path
            for _ in range(20):
                if requests.get(url, params={**params, **extra}, headers=headers).ok:
                    return
                time.sleep(0.5)  # a 429 from the per-second limit: try later

        jobs = [(stream, day) for stream in STREAMS for day in self.days()]
        with concurrent.futures.ThreadPoolExecutor(threads) as pool:
            list(pool.map(first_page, jobs))
        time.sleep(1.1 if self.limit else 0)  # let the emulator's per-second window empty


def _token(session: Any, config: dict[str, Any]) -> str:
    answer = session.post(
        config["oauth_url"],
        auth=(config["client_id"], config["client_secret"]),
        data={"grant_type": "account_credentials", "account_id": config["account_id"]},
    )
    answer.raise_for_status()
    return answer.json()["access_token"]


# --------------------------------------------------------------------------- client runs


@dataclass
class Run:
    section: str
    name: str
    wall: float = 0.0
    cpu: float = 0.0
    maxrss_mb: float = 0.0
    entries: int = 0
    expected_entries: int = 0
    pages: int = 0
    min_pages: int = 0
    report_requests: int = 0
    tokens: int = 0
    throttled: int = 0
    peak_concurrency: int = 0
    bound: float | None = None
    is_tap: bool = True
    notes: list[str] = field(default_factory=list)

    @property
    def per_million(self) -> float:
        return self.cpu / self.entries * 1e6 if self.entries else math.nan

    @property
    def rate(self) -> float:
        return self.entries / self.wall if self.wall else math.nan


def tap_executable() -> str:
    beside = Path(sys.executable).parent / "tap-zoom-logs"
    found = str(beside) if beside.exists() else shutil.which("tap-zoom-logs")
    if not found:
        raise SystemExit("tap-zoom-logs is not installed: run with the project's .venv/bin/python")
    return found


#: Forks and execs the measured command, reaps it with wait4 and writes what it used to the
#: file named first. A child spawned straight from this process would have this process'
#: peak RSS as its floor (Linux carries the parent's high-water mark over exec), and this
#: process holds a whole data set; this small launcher's fork starts from its own ~10 MB.
LAUNCHER = """
import json, os, sys, time
started = time.perf_counter()
pid = os.fork()
if pid == 0:
    os.execv(sys.argv[2], sys.argv[2:])
_, status, usage = os.wait4(pid, 0)
wall = time.perf_counter() - started
with open(sys.argv[1], "w") as out:
    json.dump([os.waitstatus_to_exitcode(status), wall, usage.ru_utime + usage.ru_stime,
               usage.ru_maxrss], out)
"""


def spawn(command: list[str], workdir: Path, name: str) -> tuple[float, float, float, str]:
    """Run `command` (stdout to /dev/null); returns (wall s, user+sys s, peak RSS MB, stderr)."""
    log, report = workdir / f"{name}.stderr", workdir / f"{name}.usage.json"
    with log.open("w") as err:
        subprocess.run(
            [sys.executable, "-I", "-c", LAUNCHER, str(report), *command],
            stdout=subprocess.DEVNULL,
            stderr=err,
            check=True,
        )
    code, wall, cpu, maxrss_kb = json.loads(report.read_text())
    text = log.read_text(errors="replace")
    if code != 0:
        tail = "\n".join(text.splitlines()[-15:])
        raise SystemExit(f"{name} failed with exit code {code}:\n{tail}")
    return wall, cpu, maxrss_kb / 1024, text


def run_client(
    emulator: Emulator,
    workdir: Path,
    section: str,
    name: str,
    *,
    first: dt.date,
    bare: bool = False,
    **settings: Any,
) -> Run:
    config = {**emulator.config, "start_date": f"{first.isoformat()}T00:00:00Z", **settings}
    path = workdir / f"{name}.json"
    path.write_text(json.dumps(config))
    if bare:
        command = [sys.executable, str(Path(__file__).resolve()), "--bare", str(path)]
    else:
        command = [tap_executable(), "--config", str(path)]
    emulator.reset_stats()
    wall, cpu, rss, stderr = spawn(command, workdir, name)
    stats = emulator.stats()
    run = Run(section, name, wall=wall, cpu=cpu, maxrss_mb=rss, is_tap=not bare)
    if bare:
        run.entries = json.loads(stderr.strip().splitlines()[-1])["entries"]
    else:
        run.entries = sum(
            int(m) for m in re.findall(r'"metric":\s*"record_count",\s*"value":\s*(\d+)', stderr)
        )
    run.expected_entries, run.min_pages = emulator.minimum(first)
    run.pages = sum(stats["pages"].values())
    run.report_requests = sum(stats["requests"].get(ep, 0) for ep, *_ in STREAMS.values())
    run.tokens = stats["requests"].get("token", 0)
    run.throttled = sum(n for key, n in stats["statuses"].items() if key.endswith(":429"))
    run.peak_concurrency = stats["peak_concurrency"]
    if run.entries != run.expected_entries:
        run.notes.append(f"emitted {run.entries} entries, {run.expected_entries} in range")
    return run


def bare_loop(config_path: str) -> None:
    """The reference client: the simplest loop that writes the same RECORD lines."""
    import requests  # noqa: PLC0415

    config = json.loads(Path(config_path).read_text())
    session = requests.Session()
    token = _token(session, config)
    headers = {"Authorization": f"Bearer {token}"}
    first = dt.date.fromisoformat(config["start_date"][:10])
    last = dt.date.fromisoformat(config["end_date"][:10])
    out = sys.stdout
    entries = pages = 0
    for stream, (_, path, fields, extra) in STREAMS.items():
        url = config["api_url"] + path
        day = first
        while day <= last:
            params = {"from": day.isoformat(), "to": day.isoformat(), "page_size": PAGE_SIZE}
            params.update(extra)
            while True:
                page = session.get(url, params=params, headers=headers).json()
                pages += 1
                for entry in page[stream]:
                    record = {name: entry.get(name) for name in fields}
                    text = json.dumps(record, sort_keys=True)
                    lw_id = hashlib.md5(text.encode()).hexdigest()
                    message = {
                        "type": "RECORD",
                        "stream": stream,
                        "record": {"lw_id": lw_id, **record},
                        "time_extracted": dt.datetime.now(dt.timezone.utc).isoformat(),
                    }
                    out.write(json.dumps(message, ensure_ascii=False))
                    out.write("\n")
                    entries += 1
                if not page.get("next_page_token"):
                    break
                params["next_page_token"] = page["next_page_token"]
            day += dt.timedelta(days=1)
    out.flush()
    sys.stderr.write(json.dumps({"entries": entries, "pages": pages}) + "\n")


def startup_run(workdir: Path) -> Run:
    wall, cpu, rss, _ = spawn([tap_executable(), "--about"], workdir, "startup")
    return Run("startup", "tap --about", wall=wall, cpu=cpu, maxrss_mb=rss)


# --------------------------------------------------------------------------- sections


def _prepare(emulator: Emulator, threads: int) -> None:
    """Warm the emulator (its process) while this process counts the data (its own core)."""
    warming = threading.Thread(target=emulator.warm, args=(threads,))
    warming.start()
    emulator.counts()
    warming.join()


def latency_section(sizes: Sizes, seed: int, rps: float, workdir: Path) -> list[Run]:
    emulator = Emulator(
        seed=seed,
        days=sizes.latency_days,
        per_day=sizes.latency_per_day,
        latency=LATENCY,
        limit=EMULATOR_LIMIT,
    )
    try:
        _prepare(emulator, threads=3)
        runs = []
        for name, conc in (("concurrent", CONCURRENCY), ("sequential", 1)):
            run = run_client(
                emulator,
                workdir,
                "1 latency",
                f"{name} c={conc} rps={rps:g}",
                first=emulator.first_day,
                max_requests_per_second=rps,
                max_concurrent_requests=conc,
            )
            run.bound = max(
                (run.pages + run.tokens) / rps if rps <= conc / LATENCY else 0.0,
                run.pages * LATENCY / conc,
            )
            runs.append(run)
        return runs
    finally:
        emulator.stop()


def cpu_memory_section(sizes: Sizes, seed: int, workdir: Path) -> list[Run]:
    emulator = Emulator(
        seed=seed,
        days=sizes.cpu_days,
        per_day=sizes.cpu_per_day,
        latency=0.0,
        limit=0.0,
    )
    try:
        _prepare(emulator, threads=2)
        big = emulator.first_day_for(sizes.big)
        small = emulator.first_day_for(sizes.small)
        fast = {"max_requests_per_second": 1000, "max_concurrent_requests": CONCURRENCY}
        runs = []
        for rep in (1, 2):
            runs.append(
                run_client(emulator, workdir, "2 cpu", f"bare loop #{rep}", first=big, bare=True)
            )
            runs.append(run_client(emulator, workdir, "2 cpu", f"tap #{rep}", first=big, **fast))
        for rep in (1, 2):
            runs.append(
                run_client(emulator, workdir, "3 memory", f"tap small #{rep}", first=small, **fast)
            )
        return runs
    finally:
        emulator.stop()


# --------------------------------------------------------------------------- report


def _fmt(value: float | None, digits: int = 2) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    return f"{value:,.{digits}f}"


def table(runs: list[Run]) -> str:
    header = (
        "section",
        "run",
        "entries",
        "pages",
        "min pages",
        "report req",
        "tokens",
        "429s",
        "peak conc",
        "wall s",
        "bound s",
        "wall/bound",
        "entries/s",
        "CPU s",
        "CPU s/M",
        "maxrss MB",
    )
    rows = [header]
    for r in runs:
        measured = r.section != "startup"
        rows.append(
            (
                r.section,
                r.name,
                f"{r.entries:,}" if measured else "-",
                f"{r.pages:,}" if measured else "-",
                f"{r.min_pages:,}" if measured else "-",
                f"{r.report_requests:,}" if measured else "-",
                str(r.tokens) if measured else "-",
                str(r.throttled) if measured else "-",
                str(r.peak_concurrency) if measured else "-",
                _fmt(r.wall),
                _fmt(r.bound),
                _fmt(r.wall / r.bound if r.bound else None),
                _fmt(r.rate, 0) if measured else "-",
                _fmt(r.cpu),
                _fmt(r.per_million) if measured else "-",
                _fmt(r.maxrss_mb, 1),
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = []
    for n, row in enumerate(rows):
        cells = [
            c.ljust(w) if i < 2 else c.rjust(w)
            for i, (c, w) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("  ".join(cells))
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def verdicts(runs: list[Run]) -> list[str]:
    def pick(section: str, prefix: str) -> list[Run]:
        return [r for r in runs if r.section == section and r.name.startswith(prefix)]

    lines = []
    derived = []

    def target(met: bool, text: str) -> None:
        lines.append(f"{'met    ' if met else 'NOT MET'}  {text}")

    (conc,) = pick("1 latency", "concurrent")
    (seq,) = pick("1 latency", "sequential")
    assert conc.bound
    speedup = seq.wall / conc.wall
    derived.append(
        f"latency: wall/bound {conc.wall / conc.bound:.3f} (concurrent),"
        f" sequential/concurrent wall {speedup:.2f}x"
    )
    target(conc.wall <= 1.25 * conc.bound, f"latency: wall {conc.wall / conc.bound:.3f}x bound")
    target(speedup >= 3.5, f"latency: {speedup:.2f}x faster than sequential (>= 3.5x)")
    throttled = conc.throttled + seq.throttled
    target(throttled == 0, f"latency: {throttled} 429s (0)")

    taps, bares = pick("2 cpu", "tap"), pick("2 cpu", "bare")
    tap_cpu = min(r.per_million for r in taps)
    bare_cpu = min(r.per_million for r in bares)
    tap_rate, bare_rate = max(r.rate for r in taps), max(r.rate for r in bares)
    cpu_ratio = bare_cpu / tap_cpu
    derived.append(
        f"cpu: tap {tap_cpu:.2f} CPU s/M, bare {bare_cpu:.2f} CPU s/M -> tap/bare throughput per"
        f" CPU second {cpu_ratio:.2f}x; wall entries/s tap {tap_rate:,.0f}, bare"
        f" {bare_rate:,.0f} -> {tap_rate / bare_rate:.2f}x (best of each)"
    )
    target(cpu_ratio >= 0.5, f"cpu: tap/bare {cpu_ratio:.2f}x per CPU second (>= 0.5x)")

    small = max(r.maxrss_mb for r in pick("3 memory", "tap small"))
    large = max(r.maxrss_mb for r in taps)
    small_n = pick("3 memory", "tap small")[0].entries
    large_n = taps[0].entries
    derived.append(
        f"memory: peak RSS {large:.1f} MB at {large_n:,} entries, {small:.1f} MB at"
        f" {small_n:,} -> {large / small:.3f}x"
    )
    target(large <= 1.25 * small, f"memory: {large / small:.3f}x (<= 1.25x)")

    extra = [
        f"{r.name}: {r.pages} pages/{r.min_pages}, {r.report_requests} report requests,"
        f" {r.tokens} tokens"
        for r in runs
        if r.is_tap
        and r.section != "startup"
        and (r.pages != r.min_pages or r.report_requests != r.pages or r.tokens != 1)
    ]
    target(
        not extra,
        "requests: every tap run at the minimum" + (": " + "; ".join(extra) if extra else ""),
    )
    wrong = [f"{r.name}: {'; '.join(r.notes)}" for r in runs if r.notes]
    target(
        not wrong,
        "output: every run emitted exactly the entries in range"
        + (": " + "; ".join(wrong) if wrong else ""),
    )
    return [*derived, "", *lines]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small data sets, a smoke run")
    parser.add_argument("--rps", type=float, default=38.0, help="section 1 max_requests_per_second")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", help="keep configs and stderr logs of the runs in this folder")
    parser.add_argument("--bare", help=argparse.SUPPRESS)  # the bare loop's own process
    args = parser.parse_args()
    if args.bare:
        bare_loop(args.bare)
        return
    sizes = QUICK if args.quick else FULL
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="tap-zoom-logs-bench-") as scratch:
        workdir = Path(args.keep or scratch)
        workdir.mkdir(parents=True, exist_ok=True)
        runs = [startup_run(workdir)]
        runs += latency_section(sizes, args.seed, args.rps, workdir)
        runs += cpu_memory_section(sizes, args.seed, workdir)
    print(
        f"tap-zoom-logs benchmark ({'quick' if args.quick else 'full'}; {os.cpu_count()} CPUs;"
        f" latency section: emulator {LATENCY:g} s/page, limit {EMULATOR_LIMIT:g}/s,"
        f" {sizes.latency_days} days x ~{sizes.latency_per_day}/day/stream; tap rps {args.rps:g})"
    )
    print()
    print(table(runs))
    print()
    print("\n".join(verdicts(runs)))
    print(f"\n(benchmark took {time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
