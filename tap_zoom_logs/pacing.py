"""How fast each Zoom API family is asked, and how many windows keep it busy.

A `Lane` is one family's client-side rate limit: requests spread evenly, slowed down when
Zoom keeps answering per-second 429s, with Zoom's latency measured. `windows_in_flight`
is how many windows the feed keeps fetching at once so that the lane is never idle:
windows page one request at a time (Zoom's page tokens chain), so the requests in flight
are the windows in flight, and Little's law sizes them from the rate and the latency.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque

from tap_zoom_logs.errors import Stopped

#: A lane halves its rate when this many of its last answers were per-second 429s (one
#: now and then is another app's burst; a steady share is a limit below the tap's rate),
#: and keeps at least the last rate below.
SLOW_DOWN_AFTER_429S = 3
OF_LAST_ANSWERS = 10
MIN_REQUESTS_PER_SECOND = 0.1
#: Windows in flight per family: enough for the allowed rate at the measured latency,
#: twice over (windows page one request at a time, and the last ones drain slowly).
LATENCY_HEADROOM = 2.0
#: Windows in flight before the first answer says what Zoom's latency is.
FIRST_WINDOWS_IN_FLIGHT = 4
#: Never so many windows in flight that each waits longer than this between its pages:
#: Zoom's page tokens expire after 15 minutes.
MAX_PAGE_GAP_SECONDS = 300.0


class Lane:
    """One Zoom API family's client-side rate limit, and Zoom's latency as measured.

    Requests are spread evenly (one every 1/rate seconds) rather than in bursts: the
    account's per-second budget is shared with the customer's other integrations. Slots go
    in the order they are asked for, so no window waits behind the others for long: a
    window starved of slots (as pyrate-limiter's wake-ups let happen with dozens of
    threads) holds up the state of every window after it.
    """

    def __init__(self, family: str, rate: float) -> None:
        self.family = family
        self.rate = rate
        self._interval = 1.0 / rate
        self._next_slot = 0.0
        self._lock = threading.Lock()
        self._latency: float | None = None
        self._answers: deque[bool] = deque(maxlen=OF_LAST_ANSWERS)  # True: a 429
        self.said_slower = False
        #: Why no more requests go in this family ("" while they may).
        self.spared = ""

    def acquire(self, stopping: threading.Event) -> None:
        """Wait for this family's next slot; give up at once when the run is stopping."""
        with self._lock:
            slot = max(time.monotonic(), self._next_slot)
            self._next_slot = slot + self._interval
        if stopping.wait(max(0.0, slot - time.monotonic())) or stopping.is_set():
            raise Stopped

    def refused(self) -> float | None:
        """A per-second 429: when SLOW_DOWN_AFTER_429S of the last OF_LAST_ANSWERS were,
        halve the rate (not below MIN_REQUESTS_PER_SECOND) and return it; else None."""
        with self._lock:
            self._answers.append(True)
            if sum(self._answers) < SLOW_DOWN_AFTER_429S:
                return None
            self._answers.clear()  # judge the new rate by its own answers
            self.rate = max(MIN_REQUESTS_PER_SECOND, self.rate / 2)
            self._interval = 1.0 / self.rate
            return self.rate

    def admitted(self) -> None:
        with self._lock:
            self._answers.append(False)

    def observe(self, seconds: float) -> None:
        """One request's latency (its answer, not its wait for a slot)."""
        with self._lock:
            if self._latency is None:
                self._latency = seconds
            else:
                self._latency += 0.2 * (seconds - self._latency)

    @property
    def latency(self) -> float | None:
        """Zoom's time to answer, averaged (None before the first answer)."""
        with self._lock:
            return self._latency


def windows_in_flight(lane: Lane, cap: int) -> int:
    """Little's law with headroom, capped by `cap` (max_concurrent_requests) and by what
    keeps each window's pages less than MAX_PAGE_GAP_SECONDS apart."""
    latency, rate = lane.latency, lane.rate
    if latency is None:
        wanted = FIRST_WINDOWS_IN_FLIGHT
    else:
        wanted = math.ceil(rate * latency * LATENCY_HEADROOM) + 1
    ceiling = min(cap, max(1, math.floor(rate * MAX_PAGE_GAP_SECONDS)))
    return max(1, min(wanted, ceiling))
