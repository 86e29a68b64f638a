"""The benchmark's sections: each starts its emulators, runs its clients, returns its runs.

0. startup: ``tap-zoom-logs --about``.
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
   emitted exactly the entries in range); see :mod:`benchmarks.report`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.clients import tap_executable
from benchmarks.emulator_process import Emulator
from benchmarks.measure import Run, run_client, spawn
from benchmarks.zoom_api import STREAMS

EMULATOR_LIMIT = 40.0  # requests/s, where a rate binds: Zoom-like
LATENCY = 0.1  # s a page, in the latency section
FAST = {"max_requests_per_second": 1000}  # where the emulator has no limit


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


@dataclass(frozen=True)
class Plan:
    """One benchmark: its data sets, the emulator's seed, the tap's rate where a rate binds,
    the folder for configs and logs, and the baseline's tap-zoom-logs if any."""

    sizes: Sizes
    seed: int
    rps: float
    workdir: Path
    baseline: str | None = None

    def clients(self, *first: str) -> list[tuple[str, str | None]]:
        """(client, executable) of `first`, then the baseline if there is one."""
        clients: list[tuple[str, str | None]] = [(client, None) for client in first]
        return clients + ([("baseline", self.baseline)] if self.baseline else [])


def run_all(plan: Plan) -> list[Run]:
    """Every section, in order."""
    return [
        startup_run(plan.workdir),
        *latency_section(plan),
        *rate_section(plan),
        *cpu_section(plan),
        *memory_section(plan),
    ]


def both(per_day: int) -> dict[str, int]:
    """`per_day` entries a day in each stream."""
    return dict.fromkeys(STREAMS, per_day)


def startup_run(workdir: Path) -> Run:
    """0: ``tap-zoom-logs --about``, what starting the tap costs."""
    usage = spawn([tap_executable(), "--about"], workdir, "startup")
    return Run(
        "0 startup", "tap --about", wall=usage.wall, cpu=usage.cpu, maxrss_mb=usage.maxrss_mb
    )


def latency_section(plan: Plan) -> list[Run]:
    """1: a backfill at 0.1 s a page under the limit: default concurrency, then c=1."""
    sizes = plan.sizes
    volumes = both(sizes.latency_per_day)
    with Emulator(
        seed=plan.seed,
        days=sizes.latency_days,
        per_day=volumes,
        latency=LATENCY,
        limit=EMULATOR_LIMIT,
    ) as emulator:
        emulator.prepare(threads=3)
        cases = (("concurrent (default)", None), ("sequential c=1", 1))
        return [latency_run(plan, emulator, name, conc) for name, conc in cases]


def latency_run(plan: Plan, emulator: Emulator, name: str, conc: int | None) -> Run:
    """One backfill at `conc` requests in flight at most (None: the tap's default)."""
    settings: dict[str, Any] = {"max_requests_per_second": plan.rps}
    if conc:
        settings["max_concurrent_requests"] = conc
    run = run_client(
        emulator, plan.workdir, "1 latency", name, first=emulator.first_day, **settings
    )
    # The rate's bound; one request at a time is also bound by the page latency.
    run.bound = (run.pages + run.tokens) / plan.rps
    if conc:
        run.bound = max(run.bound, run.pages * emulator.latency / conc)
    return run


def rate_section(plan: Plan) -> list[Run]:
    """2: a backfill at each page latency, default concurrency, against pages/rps."""
    return [rate_run(plan, latency) for latency in plan.sizes.rate_latencies]


def rate_run(plan: Plan, latency: float) -> Run:
    """One backfill at `latency` s a page, with its own emulator."""
    sizes = plan.sizes
    volumes = both(sizes.rate_per_day)
    with Emulator(
        seed=plan.seed, days=sizes.rate_days, per_day=volumes, latency=latency, limit=EMULATOR_LIMIT
    ) as emulator:
        emulator.prepare(threads=8)
        run = run_client(
            emulator,
            plan.workdir,
            "2 rate",
            f"latency {latency * 1000:g} ms",
            first=emulator.first_day,
            max_requests_per_second=plan.rps,
        )
        run.bound = (run.pages + run.tokens) / plan.rps
        return run


def cpu_section(plan: Plan) -> list[Run]:
    """3: no latency, no limit; bare, tap (and baseline), twice each, alternately."""
    sizes = plan.sizes
    volumes = both(sizes.cpu_per_day)
    with Emulator(
        seed=plan.seed, days=sizes.cpu_days, per_day=volumes, latency=0.0, limit=0.0
    ) as emulator:
        emulator.prepare(threads=2)
        big = emulator.expected.first_day_for(sizes.cpu_entries)
        runs = []
        for rep in (1, 2):
            for client, executable in plan.clients("bare", "tap"):
                settings = FAST if client != "bare" else {}
                run = run_client(
                    emulator,
                    plan.workdir,
                    "3 cpu",
                    f"{client} #{rep}",
                    first=big,
                    client=client,
                    executable=executable,
                    **settings,
                )
                runs.append(run)
        return runs


def memory_cases(sizes: Sizes) -> list[tuple[int, int, int]]:
    """(activity_logs entries a day, days, window_days) of each memory case, in order."""
    cases = [(per_day, sizes.memory_days, 1) for per_day in sizes.memory_per_day]
    cases.insert(2, (sizes.memory_per_day[-1], sizes.memory_days, 7))
    # Yesterday, a whole day of `big_day` entries (today is only the part before now).
    cases.append((sizes.big_day, 2, 1))
    return cases


def memory_section(plan: Plan) -> list[Run]:
    """4: the tap (and baseline) at each volume of `memory_cases`, an emulator each."""
    runs = []
    for per_day, days, window_days in memory_cases(plan.sizes):
        runs += memory_runs(plan, per_day, days, window_days)
    return runs


def memory_runs(plan: Plan, per_day: int, days: int, window_days: int) -> list[Run]:
    """The clients of one memory case, from the first day of its emulator's history."""
    volumes = {"activity_logs": per_day, "operation_logs": per_day // 100}
    with Emulator(seed=plan.seed, days=days, per_day=volumes, latency=0.0, limit=0.0) as emulator:
        emulator.prepare(threads=2)
        return [
            run_client(
                emulator,
                plan.workdir,
                "4 memory",
                f"{client} {per_day:,}/day x{days} w{window_days}",
                first=emulator.first_day,
                client=client,
                executable=executable,
                window_days=window_days,
                **FAST,
            )
            for client, executable in plan.clients("tap")
        ]
