"""Runs one client against the emulator and measures it: wall and CPU time, peak RSS, the
tap's own metrics, and what the emulator served it.

Every client run is a child process reaped with ``os.wait4`` by :mod:`benchmarks.launcher`
(its stdout to /dev/null), so its CPU time (user+sys) and peak RSS (``ru_maxrss``) are its
own. Entries, the spools' peak on disk and the first pages read again come from the tap's
SDK metric lines on stderr (``METRIC: {"type": ..., "metric": ..., "value": ..., "tags":
...}``); pages, requests, tokens, 429s and peak concurrency from the emulator's stats.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.clients import client_command
from benchmarks.emulator_process import Emulator
from benchmarks.zoom_api import STREAMS


@dataclass
class Run:
    """One client run: what it used, what it emitted, what it asked the emulator for."""

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


# --------------------------------------------------------------------------- one process


@dataclass(frozen=True)
class Usage:
    """What one process used (its own, not its parent's), and its stderr."""

    wall: float
    cpu: float  # user + sys, s
    maxrss_mb: float
    stderr: str


def slug(text: str) -> str:
    """`text` as part of a file name."""
    return re.sub(r"[^A-Za-z0-9]+", "-", text)


def spawn(command: list[str], workdir: Path, name: str) -> Usage:
    """Run `command` (stdout to /dev/null) under the launcher; its stderr is kept in
    `workdir`. A command that fails ends the benchmark, with its stderr's tail."""
    log, report = workdir / f"{slug(name)}.stderr", workdir / f"{slug(name)}.usage.json"
    with log.open("w") as err:
        subprocess.run(
            [sys.executable, "-I", "-m", "benchmarks.launcher", str(report), *command],
            stdout=subprocess.DEVNULL,
            stderr=err,
            check=True,
        )
    code, wall, cpu, maxrss_kb = json.loads(report.read_text())
    text = log.read_text(errors="replace")
    if code != 0:
        tail = "\n".join(text.splitlines()[-15:])
        raise SystemExit(f"{name} failed with exit code {code}:\n{tail}")
    return Usage(wall, cpu, maxrss_kb / 1024, text)


# --------------------------------------------------------------------------- the tap's metrics


@dataclass(frozen=True)
class Metric:
    """One point of the SDK's metrics log: ``METRIC: {"metric", "value", "tags", ...}``."""

    name: str
    value: float
    tags: dict[str, Any]


def metrics(log: str) -> list[Metric]:
    """Every metric point in a tap's stderr, in order."""
    decoder, points = json.JSONDecoder(), []
    for line in log.splitlines():
        mark = line.find("METRIC:")
        start = line.find("{", mark) if mark >= 0 else -1
        if start < 0:
            continue
        try:
            point, _ = decoder.raw_decode(line, start)
        except json.JSONDecodeError:
            continue  # a line cut short (a crash): the run fails anyway
        if isinstance(point, dict) and "metric" in point and "value" in point:
            points.append(Metric(point["metric"], point["value"], point.get("tags") or {}))
    return points


def total(points: list[Metric], name: str) -> int:
    return int(sum(p.value for p in points if p.name == name))


def peak(points: list[Metric], name: str) -> float | None:
    return max((p.value for p in points if p.name == name), default=None)


def read_tap_log(run: Run, stderr: str) -> None:
    """Entries, peak disk and first pages read again, from a tap's metric lines."""
    points = metrics(stderr)
    run.entries = total(points, "record_count")
    disk = peak(points, "zoom_spool_peak_disk_bytes")
    run.disk_mb = disk / 1e6 if disk is not None else None
    run.first_pages_again = total(points, "zoom_first_pages_read_again")


def read_bare_log(run: Run, stderr: str) -> None:
    """Entries, from the bare loop's last stderr line."""
    run.entries = json.loads(stderr.strip().splitlines()[-1])["entries"]


# --------------------------------------------------------------------------- the emulator's side


def count_requests(run: Run, stats: dict[str, Any]) -> None:
    """Pages, report requests, tokens, 429s and peak concurrency from the emulator's stats.
    A tap's pages leave out its first pages read again; the older tap and the bare loop
    ask for what they ask, and are not counted against the minimum."""
    endpoints = [endpoint.name for endpoint in STREAMS.values()]
    if run.client != "tap":
        run.min_pages = run.pages = 0
    else:
        run.pages = sum(stats["pages"].get(name, 0) for name in endpoints)
        run.pages -= run.first_pages_again
    run.report_requests = sum(stats["requests"].get(name, 0) for name in endpoints)
    run.tokens = stats["requests"].get("token", 0)
    run.throttled = sum(n for key, n in stats["statuses"].items() if key.endswith(":429"))
    run.peak_concurrency = stats["peak_concurrency"]


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
    """Run `client` once from day `first` to the emulator's now, with tap `settings` on top
    of the emulator's config, and measure it (the emulator's stats are reset before)."""
    config = {**emulator.config, "start_date": f"{first.isoformat()}T00:00:00Z", **settings}
    path = workdir / f"{slug(section + name)}.json"
    path.write_text(json.dumps(config))
    command = client_command(client, path, executable)
    emulator.reset_stats()
    usage = spawn(command, workdir, f"{section} {name}")
    stats = emulator.stats()
    run = Run(section, name, client, wall=usage.wall, cpu=usage.cpu, maxrss_mb=usage.maxrss_mb)
    (read_bare_log if client == "bare" else read_tap_log)(run, usage.stderr)
    window_days = int(settings.get("window_days", 1))
    run.expected_entries, run.min_pages = emulator.expected.minimum(first, window_days)
    count_requests(run, stats)
    if client != "bare" and run.entries != run.expected_entries:
        run.notes.append(f"emitted {run.entries} entries, {run.expected_entries} in range")
    return run
