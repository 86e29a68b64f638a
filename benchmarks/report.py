"""The benchmark's output: one raw table of the runs, the ratios derived from it, then one
line per target saying met / NOT MET."""

from __future__ import annotations

import math
import os

from benchmarks.measure import Run
from benchmarks.sections import EMULATOR_LIMIT


def heading(*, quick: bool, rps: float, baseline: str | None) -> str:
    """The first line: what was run, where."""
    return (
        f"tap-zoom-logs benchmark ({'quick' if quick else 'full'}; {os.cpu_count()} CPUs;"
        f" emulator limit {EMULATOR_LIMIT:g}/s where a rate binds; tap rps {rps:g}"
        + (f"; baseline {baseline}" if baseline else "")
        + ")"
    )


def report(runs: list[Run], *, quick: bool, rps: float, baseline: str | None) -> str:
    """The whole output but its last line (how long the benchmark took)."""
    verdicts = "\n".join(Verdicts(runs).all())
    return f"{heading(quick=quick, rps=rps, baseline=baseline)}\n\n{table(runs)}\n\n{verdicts}"


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
    """A run's cells; "-" where a figure means nothing (startup; pages of non-taps)."""
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
    """The raw table: a header, a rule, a row per run; names left, figures right."""
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
    """The ratios derived from the runs, and the targets: one method per section."""

    def __init__(self, runs: list[Run]) -> None:
        self.runs = runs
        self.derived: list[str] = []
        self.lines: list[str] = []

    def pick(self, section: str, client: str = "tap", prefix: str = "") -> list[Run]:
        """The runs of `section` by `client` whose names start with `prefix`."""
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
        """The derived lines, an empty line, the target lines."""
        for check in (self.latency, self.rate, self.cpu, self.memory, self.requests):
            check()
        return [*self.derived, "", *self.lines]
