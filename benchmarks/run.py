"""Benchmark of tap-zoom-logs against the Zoom emulator: speed, rate, cost per entry, memory.

Usage (from the repository root, with the project installed in .venv)::

    .venv/bin/python benchmarks/run.py                       # full run, ~10 minutes on 2 cores
    .venv/bin/python benchmarks/run.py --quick               # smoke run, about a minute
    .venv/bin/python benchmarks/run.py --baseline d8c4b6e    # also an older version, side by side

Options: ``--rps N`` (the tap's max_requests_per_second where a rate binds, default 38, 5%
under the emulator's limit of 40), ``--seed N``, ``--keep DIR`` (keep configs and stderr
logs of every run there), ``--baseline REF`` (a git ref of this repository: it is checked
out and installed in a throwaway virtualenv, and run beside the current tap in the CPU and
memory sections, so that "no worse than before" is measured in one run, not remembered).

It drives the real ``tap-zoom-logs`` executable (a subprocess per run, its stdout to
/dev/null) against ``python -m zoom_emulator`` in another process, so that the
emulator's CPU does not share a GIL with what is measured. Every client run is a child
process reaped with ``os.wait4`` (by a small launcher, see ``LAUNCHER``), so its CPU time
(user+sys) and peak RSS (``ru_maxrss``) are its own. Peak disk is what the tap's summary
says its spools held on disk at most. It prints one raw table, the derived ratios, then one
line per target saying met / not met.

Sections:

1. latency-bound backfill, as before: emulator latency 0.1 s per page, limit 40/s, 30 days
   of a few thousand entries a day per stream; the tap with its default concurrency, then
   with max_concurrent_requests=1 (one request at a time, the sequential reference). Bound:
   ``max((pages + tokens) / rps, pages * latency / concurrency)``.
2. rate: page latencies of 50 ms, 400 ms and 1 s, default concurrency; wall time against
   ``(pages + tokens) / rps``, the best the client-side rate allows. Enough days of small
   windows that the run is long against the tap's start and the last window's drain.
3. CPU: no latency, no limit, about 1,000,000 entries (both streams). The tap, a bare
   requests+json loop writing the same RECORD lines (and the baseline), twice each,
   alternately; CPU seconds per million entries, best of each.
4. memory: activity_logs at 10,000, 300,000 (window_days 1 and 7) entries a day over 3 days,
   and 1,000,000 a day over 2 days (yesterday whole: one window of about a million
   entries; today up to now); peak RSS, peak disk, entries/s. A day holds 0.5x to 1.5x
   its nominal count (the emulator's spread), and today only what came before now.
5. requests: report pages and tokens of every tap run against the minimum, from an
   in-process copy of the emulator's deterministic data (which also checks that each run
   emitted exactly the entries in range).

``--quick`` shrinks every data set: the tables are real but too small for the targets to
mean much. Timings on a shared 2-core machine are noisy: compare within one run only.
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
import venv
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
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
EMULATOR_LIMIT = 40.0


@dataclass(frozen=True)
class Sizes:
    latency_days: int
    latency_per_day: int
    rate_days: int
    rate_per_day: int
    rate_latencies: tuple[float, ...]
    cpu_days: int
    cpu_per_day: int
    cpu_entries: int
    memory_days: int
    memory_per_day: tuple[int, ...]  # the first is the reference the others are held to
    big_day: int


FULL = Sizes(
    30, 3000, 170, 1100, (0.05, 0.4, 1.0), 176, 3300, 1_000_000, 3, (10_000, 300_000), 1_000_000
)
QUICK = Sizes(4, 900, 12, 800, (0.05, 0.4), 30, 1000, 50_000, 2, (2_000, 20_000), 50_000)


# --------------------------------------------------------------------------- the emulator


class Emulator:
    """``python -m zoom_emulator`` in its own process, and a local copy of its data."""

    def __init__(
        self, *, seed: int, days: int, per_day: dict[str, int], latency: float, limit: float
    ) -> None:
        self.args = {"seed": seed, "days": days, "per_day": per_day}
        volumes = [f"--entries-per-day={stream}={n}" for stream, n in per_day.items()]
        command = [
            sys.executable,
            "-m",
            "zoom_emulator",
            "--port=0",
            f"--seed={seed}",
            f"--history-days={days}",
            *volumes,
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
            from zoom_emulator import ZoomEmulator  # noqa: PLC0415 - only here

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

    def minimum(self, first: dt.date, window_days: int = 1) -> tuple[int, int]:
        """(entries in range, fewest pages that serve them) from day `first` to the end.

        The tap's windows (windows.py): the closed days from the day before `first` (Zoom's
        day boundary is not documented) in windows of `window_days`, then the open days in
        one. A window that holds older entries than the range is read, newest first, only
        to the first page that reaches one; a window reads at least one page.
        """
        import pendulum  # noqa: PLC0415 - only here, as the emulator's import above

        from tap_zoom_logs.windows import last_closed_day  # noqa: PLC0415 - only here

        closed = last_closed_day(pendulum.now("UTC"))
        edge = first - dt.timedelta(days=1)
        days = [edge, *self.days(first)]
        shut = [day for day in days if day <= closed]
        windows = [shut[i : i + window_days] for i in range(0, len(shut), window_days)]
        windows += [[day for day in days if day > closed]]
        entries = pages = 0
        for stream in STREAMS:
            for window in filter(None, windows):
                n = sum(self.counts().get((stream, day), 0) for day in window if day >= first)
                older = edge in window and self.counts().get((stream, edge), 0) > 0
                pages += max(1, math.ceil((n + older) / PAGE_SIZE))
            entries += sum(self.counts()[(stream, day)] for day in self.days(first))
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
                answer = requests.get(url, params={**params, **extra}, headers=headers, timeout=600)
                if answer.ok:
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
        timeout=30,
    )
    answer.raise_for_status()
    return answer.json()["access_token"]


# --------------------------------------------------------------------------- client runs


@dataclass
class Run:
    section: str
    name: str
    client: str = "tap"  # "tap", "bare" or "baseline"
    wall: float = 0.0
    cpu: float = 0.0
    maxrss_mb: float = 0.0
    disk_mb: float | None = None
    entries: int = 0
    expected_entries: int = 0
    pages: int = 0
    min_pages: int = 0
    report_requests: int = 0
    tokens: int = 0
    throttled: int = 0
    peak_concurrency: int = 0
    first_pages_again: int = 0  # the tap's checks of today's shifting pages (paging.py)
    bound: float | None = None
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


def install_baseline(ref: str, scratch: Path) -> str:
    """`ref` of this repository, installed in its own virtualenv: its tap-zoom-logs."""
    tree, env = scratch / "baseline-src", scratch / "baseline-venv"
    subprocess.run(
        ["git", "-C", str(REPO), "worktree", "add", "--detach", "--force", str(tree), ref],
        check=True,
        capture_output=True,
    )
    try:
        venv.create(env, with_pip=True)
        pip = [str(env / "bin" / "python"), "-m", "pip", "install", "--quiet"]
        subprocess.run([*pip, str(tree)], check=True, capture_output=True)
    finally:
        subprocess.run(
            ["git", "-C", str(REPO), "worktree", "remove", "--force", str(tree)],
            check=False,
            capture_output=True,
        )
    return str(env / "bin" / "tap-zoom-logs")


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
    slug = re.sub(r"[^A-Za-z0-9]+", "-", name)
    log, report = workdir / f"{slug}.stderr", workdir / f"{slug}.usage.json"
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
    client: str = "tap",
    executable: str | None = None,
    **settings: Any,
) -> Run:
    config = {**emulator.config, "start_date": f"{first.isoformat()}T00:00:00Z", **settings}
    path = workdir / f"{re.sub(r'[^A-Za-z0-9]+', '-', section + name)}.json"
    path.write_text(json.dumps(config))
    if client == "bare":
        command = [sys.executable, str(Path(__file__).resolve()), "--bare", str(path)]
    else:
        command = [executable or tap_executable(), "--config", str(path)]
    emulator.reset_stats()
    wall, cpu, rss, stderr = spawn(command, workdir, f"{section} {name}")
    stats = emulator.stats()
    run = Run(section, name, client, wall=wall, cpu=cpu, maxrss_mb=rss)
    if client == "bare":
        run.entries = json.loads(stderr.strip().splitlines()[-1])["entries"]
    else:
        run.entries = sum(
            int(m) for m in re.findall(r'"metric":\s*"record_count",\s*"value":\s*(\d+)', stderr)
        )
        disk = re.findall(r'"metric":\s*"zoom_spool_peak_disk_bytes",\s*"value":\s*(\d+)', stderr)
        run.disk_mb = max(int(d) for d in disk) / 1e6 if disk else None
        again = re.findall(r'"metric":\s*"zoom_first_pages_read_again",\s*"value":\s*(\d+)', stderr)
        run.first_pages_again = sum(int(n) for n in again)
    run.expected_entries, run.min_pages = emulator.minimum(
        first, int(settings.get("window_days", 1))
    )
    if client != "tap":
        run.min_pages = run.pages = 0  # the older tap and the bare loop ask for what they ask
    else:
        run.pages = sum(stats["pages"].get(ep, 0) for ep, *_ in STREAMS.values())
        run.pages -= run.first_pages_again
    run.report_requests = sum(stats["requests"].get(ep, 0) for ep, *_ in STREAMS.values())
    run.tokens = stats["requests"].get("token", 0)
    run.throttled = sum(n for key, n in stats["statuses"].items() if key.endswith(":429"))
    run.peak_concurrency = stats["peak_concurrency"]
    if client != "bare" and run.entries != run.expected_entries:
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
                page = session.get(url, params=params, headers=headers, timeout=600).json()
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
    return Run("0 startup", "tap --about", wall=wall, cpu=cpu, maxrss_mb=rss)


# --------------------------------------------------------------------------- sections


def _prepare(emulator: Emulator, threads: int) -> None:
    """Warm the emulator (its process) while this process counts the data (its own core)."""
    warming = threading.Thread(target=emulator.warm, args=(threads,))
    warming.start()
    emulator.counts()
    warming.join()


def both(per_day: int) -> dict[str, int]:
    return dict.fromkeys(STREAMS, per_day)


def latency_section(sizes: Sizes, seed: int, rps: float, workdir: Path) -> list[Run]:
    latency = 0.1
    emulator = Emulator(
        seed=seed,
        days=sizes.latency_days,
        per_day=both(sizes.latency_per_day),
        latency=latency,
        limit=EMULATOR_LIMIT,
    )
    try:
        _prepare(emulator, threads=3)
        runs = []
        for name, conc in (("concurrent (default)", None), ("sequential c=1", 1)):
            settings: dict[str, Any] = {"max_requests_per_second": rps}
            if conc:
                settings["max_concurrent_requests"] = conc
            run = run_client(
                emulator, workdir, "1 latency", name, first=emulator.first_day, **settings
            )
            # The rate's bound; one request at a time is also bound by the page latency.
            run.bound = (run.pages + run.tokens) / rps
            if conc:
                run.bound = max(run.bound, run.pages * latency / conc)
            runs.append(run)
        return runs
    finally:
        emulator.stop()


def rate_section(sizes: Sizes, seed: int, rps: float, workdir: Path) -> list[Run]:
    runs = []
    for latency in sizes.rate_latencies:
        emulator = Emulator(
            seed=seed,
            days=sizes.rate_days,
            per_day=both(sizes.rate_per_day),
            latency=latency,
            limit=EMULATOR_LIMIT,
        )
        try:
            _prepare(emulator, threads=8)
            run = run_client(
                emulator,
                workdir,
                "2 rate",
                f"latency {latency * 1000:g} ms",
                first=emulator.first_day,
                max_requests_per_second=rps,
            )
            run.bound = (run.pages + run.tokens) / rps
            runs.append(run)
        finally:
            emulator.stop()
    return runs


def cpu_section(sizes: Sizes, seed: int, workdir: Path, baseline: str | None) -> list[Run]:
    emulator = Emulator(
        seed=seed, days=sizes.cpu_days, per_day=both(sizes.cpu_per_day), latency=0.0, limit=0.0
    )
    fast = {"max_requests_per_second": 1000}
    clients = [("bare", None), ("tap", None)] + ([("baseline", baseline)] if baseline else [])
    try:
        _prepare(emulator, threads=2)
        big = emulator.first_day_for(sizes.cpu_entries)
        runs = []
        for rep in (1, 2):
            for client, executable in clients:
                name = f"{client} #{rep}"
                settings = fast if client != "bare" else {}
                runs.append(
                    run_client(
                        emulator,
                        workdir,
                        "3 cpu",
                        name,
                        first=big,
                        client=client,
                        executable=executable,
                        **settings,
                    )
                )
        return runs
    finally:
        emulator.stop()


def memory_section(sizes: Sizes, seed: int, workdir: Path, baseline: str | None) -> list[Run]:
    fast = {"max_requests_per_second": 1000}
    cases = [(per_day, sizes.memory_days, 1) for per_day in sizes.memory_per_day]
    cases.insert(2, (sizes.memory_per_day[-1], sizes.memory_days, 7))
    # Yesterday, a whole day of `big_day` entries (today is only the part before now).
    cases.append((sizes.big_day, 2, 1))
    clients = [("tap", None)] + ([("baseline", baseline)] if baseline else [])
    runs = []
    for per_day, days, window_days in cases:
        volumes = {"activity_logs": per_day, "operation_logs": per_day // 100}
        emulator = Emulator(seed=seed, days=days, per_day=volumes, latency=0.0, limit=0.0)
        try:
            _prepare(emulator, threads=2)
            for client, executable in clients:
                name = f"{client} {per_day:,}/day x{days} w{window_days}"
                run = run_client(
                    emulator,
                    workdir,
                    "4 memory",
                    name,
                    first=emulator.first_day,
                    client=client,
                    executable=executable,
                    window_days=window_days,
                    **fast,
                )
                runs.append(run)
        finally:
            emulator.stop()
    return runs


# --------------------------------------------------------------------------- report


def _fmt(value: float | None, digits: int = 2) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    return f"{value:,.{digits}f}"


HEADER = (
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
    "disk MB",
)


def _row(r: Run) -> tuple[str, ...]:
    measured = r.section != "0 startup"
    counted = measured and r.client == "tap"
    return (
        r.section,
        r.name,
        f"{r.entries:,}" if measured else "-",
        f"{r.pages:,}" if counted else "-",
        f"{r.min_pages:,}" if counted else "-",
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
        _fmt(r.disk_mb, 1),
    )


def table(runs: list[Run]) -> str:
    rows = [HEADER, *(_row(r) for r in runs)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(HEADER))]
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


class Verdicts:
    def __init__(self, runs: list[Run]) -> None:
        self.runs = runs
        self.derived: list[str] = []
        self.lines: list[str] = []

    def pick(self, section: str, client: str = "tap", prefix: str = "") -> list[Run]:
        return [
            r
            for r in self.runs
            if r.section == section and r.client == client and r.name.startswith(prefix)
        ]

    def target(self, met: bool, text: str) -> None:
        self.lines.append(f"{'met    ' if met else 'NOT MET'}  {text}")

    def latency(self) -> None:
        (conc,) = self.pick("1 latency", prefix="concurrent")
        (seq,) = self.pick("1 latency", prefix="sequential")
        assert conc.bound
        speedup = seq.wall / conc.wall
        self.derived.append(
            f"latency: wall/bound {conc.wall / conc.bound:.3f} (default concurrency, peak"
            f" {conc.peak_concurrency} in flight), sequential/concurrent wall {speedup:.2f}x"
        )
        ratio = conc.wall / conc.bound
        self.target(ratio <= 1.25, f"latency: wall {ratio:.3f}x bound (<= 1.25x)")
        self.target(speedup >= 3.5, f"latency: {speedup:.2f}x faster than sequential (>= 3.5x)")
        throttled = conc.throttled + seq.throttled
        self.target(throttled == 0, f"latency: {throttled} 429s (0)")

    def rate(self) -> None:
        for run in self.pick("2 rate"):
            assert run.bound
            ratio = run.wall / run.bound
            self.derived.append(
                f"rate: {run.name}: wall {run.wall:.1f} s, pages/rps {run.bound:.1f} s ->"
                f" {ratio:.3f}x, peak {run.peak_concurrency} in flight"
            )
            self.target(
                ratio <= 1.2 and run.throttled == 0,
                f"rate: {run.name}: {ratio:.3f}x pages/rps (<= 1.2x), {run.throttled} 429s (0)",
            )

    def cpu(self) -> None:
        taps, bares = self.pick("3 cpu"), self.pick("3 cpu", "bare")
        tap_cpu = min(r.per_million for r in taps)
        bare_cpu = min(r.per_million for r in bares)
        ratio = bare_cpu / tap_cpu
        self.derived.append(
            f"cpu: tap {tap_cpu:.2f} CPU s/M, bare {bare_cpu:.2f} CPU s/M -> tap/bare throughput"
            f" per CPU second {ratio:.2f}x (best of each)"
        )
        self.target(ratio >= 0.5, f"cpu: tap/bare {ratio:.2f}x per CPU second (>= 0.5x)")
        olds = self.pick("3 cpu", "baseline")
        if olds:
            old_cpu = min(r.per_million for r in olds)
            change = tap_cpu / old_cpu
            self.derived.append(
                f"cpu: baseline {old_cpu:.2f} CPU s/M, tap {tap_cpu:.2f} -> {change:.3f}x"
            )
            self.target(change <= 1.05, f"cpu: tap/baseline CPU per entry {change:.3f}x (<= 1.05x)")

    def memory(self) -> None:
        taps = self.pick("4 memory")
        reference, others = taps[0], taps[1:]
        for run in others:
            ratio = run.maxrss_mb / reference.maxrss_mb
            self.derived.append(
                f"memory: {run.name}: {run.maxrss_mb:.1f} MB vs {reference.maxrss_mb:.1f} MB"
                f" ({reference.name}) -> {ratio:.3f}x; disk peak {_fmt(run.disk_mb, 1)} MB"
            )
            if run is taps[-1]:
                text = f"memory: {run.name}: {run.maxrss_mb:.1f} MB (<= 200)"
                self.target(run.maxrss_mb <= 200, text)
            else:
                self.target(ratio <= 1.5, f"memory: {run.name}: {ratio:.3f}x (<= 1.5x)")
        for old in self.pick("4 memory", "baseline"):
            self.derived.append(f"memory: {old.name}: {old.maxrss_mb:.1f} MB")

    def requests(self) -> None:
        extra = [
            f"{r.name}: {r.pages} pages/{r.min_pages}, {r.report_requests} report requests,"
            f" {r.tokens} tokens"
            for r in self.runs
            if r.client == "tap"
            and r.section != "0 startup"
            and (
                r.pages != r.min_pages
                or r.report_requests != r.pages + r.first_pages_again
                or r.tokens != 1
            )
        ]
        self.target(
            not extra,
            "requests: every tap run at the minimum" + (": " + "; ".join(extra) if extra else ""),
        )
        wrong = [f"{r.name}: {'; '.join(r.notes)}" for r in self.runs if r.notes]
        self.target(
            not wrong,
            "output: every run emitted exactly the entries in range"
            + (": " + "; ".join(wrong) if wrong else ""),
        )

    def all(self) -> list[str]:
        for check in (self.latency, self.rate, self.cpu, self.memory, self.requests):
            check()
        return [*self.derived, "", *self.lines]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small data sets, a smoke run")
    parser.add_argument("--rps", type=float, default=38.0, help="max_requests_per_second")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", help="keep configs and stderr logs of the runs in this folder")
    parser.add_argument("--baseline", help="a git ref to run beside the current tap")
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
        baseline = install_baseline(args.baseline, Path(scratch)) if args.baseline else None
        runs = [startup_run(workdir)]
        runs += latency_section(sizes, args.seed, args.rps, workdir)
        runs += rate_section(sizes, args.seed, args.rps, workdir)
        runs += cpu_section(sizes, args.seed, workdir, baseline)
        runs += memory_section(sizes, args.seed, workdir, baseline)
    print(
        f"tap-zoom-logs benchmark ({'quick' if args.quick else 'full'}; {os.cpu_count()} CPUs;"
        f" emulator limit {EMULATOR_LIMIT:g}/s where a rate binds; tap rps {args.rps:g}"
        + (f"; baseline {args.baseline}" if args.baseline else "")
        + ")"
    )
    print()
    print(table(runs))
    print()
    print("\n".join(Verdicts(runs).all()))
    print(f"\n(benchmark took {time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
