"""Runs one command as its own child, reaps it with ``os.wait4`` and writes what it used.

Usage: ``python -I -m benchmarks.launcher REPORT COMMAND [ARG...]``; REPORT is then the
JSON list ``[exit code, wall s, user+sys CPU s, peak RSS kB]`` of COMMAND alone.

Why a process of its own: a child spawned straight from the benchmark's process would have
that process' peak RSS as its floor (Linux carries the parent's high-water mark over exec),
and that process holds a whole data set; this small launcher's fork starts from its own
~10 MB. So it imports nothing but what it needs from the standard library.
"""

from __future__ import annotations

import json
import os
import sys
import time


def main(argv: list[str] | None = None) -> None:
    report, *command = sys.argv[1:] if argv is None else argv
    started = time.perf_counter()
    pid = os.fork()
    if pid == 0:
        try:
            os.execv(command[0], command)
        except OSError as error:
            print(f"cannot run {command[0]}: {error}", file=sys.stderr)
        os._exit(127)  # the exec failed: the child must not go on as a launcher
    _, status, usage = os.wait4(pid, 0)
    wall = time.perf_counter() - started
    cpu = usage.ru_utime + usage.ru_stime
    with open(report, "w") as out:
        json.dump([os.waitstatus_to_exitcode(status), wall, cpu, usage.ru_maxrss], out)


if __name__ == "__main__":
    main()
