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
/dev/null) against ``python -m zoom_emulator`` in another process, and prints one raw
table, the derived ratios, then one line per target saying met / not met. ``--quick``
shrinks every data set: the tables are real but too small for the targets to mean much.
Timings on a shared 2-core machine are noisy: compare within one run only.

The parts, in ``benchmarks/``: ``sections.py`` (what each section runs), ``measure.py``
(one client run and its figures, through ``launcher.py``), ``emulator_process.py`` and
``expected.py`` (the emulator and its data), ``clients.py`` and ``bare.py`` (the clients),
``report.py`` (the table and the targets).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from benchmarks.clients import install_baseline
from benchmarks.report import report
from benchmarks.sections import FULL, QUICK, Plan, run_all


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small data sets, a smoke run")
    parser.add_argument("--rps", type=float, default=38.0, help="max_requests_per_second")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", help="keep configs and stderr logs of the runs in this folder")
    parser.add_argument("--baseline", help="a git ref to run beside the current tap")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="tap-zoom-logs-bench-") as scratch:
        workdir = Path(args.keep or scratch)
        workdir.mkdir(parents=True, exist_ok=True)
        baseline = install_baseline(args.baseline, Path(scratch)) if args.baseline else None
        sizes = QUICK if args.quick else FULL
        runs = run_all(Plan(sizes, args.seed, args.rps, workdir, baseline))
    print(report(runs, quick=args.quick, rps=args.rps, baseline=args.baseline))
    print(f"\n(benchmark took {time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
