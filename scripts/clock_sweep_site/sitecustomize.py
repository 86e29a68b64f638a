"""Loaded by scripts/clock_sweep.sh only (PYTHONPATH), in every Python process it starts.

libfaketime 0.9.10 moves the wall clock well, but with FAKETIME_DONT_FAKE_MONOTONIC=1
(needed: a faked monotonic clock makes every timed lock or Event.wait hang, since glibc's
sem_clockwait reads the real one) its clock_nanosleep answers EINVAL, which is what
time.sleep calls. Here time.sleep waits in select() instead, which libfaketime leaves alone.
"""

from __future__ import annotations

import select
import time
from typing import SupportsIndex


def _sleep(secs: float | SupportsIndex) -> None:
    seconds = float(secs)
    if seconds < 0:
        raise ValueError("sleep length must be non-negative")
    deadline = time.monotonic() + seconds
    while (left := deadline - time.monotonic()) > 0:
        select.select([], [], [], left)


time.sleep = _sleep
