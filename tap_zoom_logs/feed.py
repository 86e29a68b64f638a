"""The window feed: reads windows ahead, concurrently, and hands them back finished, in order.

One feed per run, shared by the streams in the order the SDK syncs them (the tap's
`streams`, which the SDK sorts by name: not the order of discovery), so the next stream's
first windows are already in flight while this one's last are still paging, and no window
fetched ahead is thrown away.

The feed plans the streams (windows.py) when a sync begins, by Zoom's clock (the Date of
its answers: api.clock), and hands each stream its plan with its windows. How many windows
are in flight follows the rate: `windows_in_flight` (pacing.py) says how many keep each
family's lane busy at the latency it measures (capped by max_concurrent_requests). What
is fetched ahead is bounded by what it holds: no new window starts while the spools hold
more than `AHEAD_BYTES`, and a window that is not the next to be emitted waits before its
next page until they hold less. Disk use is therefore at most about `AHEAD_BYTES` plus
the window being emitted (whose entries must all be in before its first is emitted).
"""

from __future__ import annotations

import contextlib
import os
import threading
import typing as t
from collections import deque
from dataclasses import dataclass, field

import pendulum

from tap_zoom_logs.errors import DailyLimitReached, Interrupted, Stopped
from tap_zoom_logs.pacing import windows_in_flight
from tap_zoom_logs.paging import fetch_window
from tap_zoom_logs.spool import SpoolBudget
from tap_zoom_logs.windows import plan_from_state

if t.TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Mapping, Sequence

    from tap_zoom_logs.api import ZoomAPI
    from tap_zoom_logs.paging import FetchedWindow
    from tap_zoom_logs.reports import Report
    from tap_zoom_logs.windows import Bounds, Plan, Reading, Window

#: What the spools of windows not yet emitted may hold before the fetch-ahead waits.
AHEAD_BYTES = 256 * 1024 * 1024


class FeedSource(t.Protocol):
    """What the feed needs of a stream."""

    name: str

    @property
    def selected(self) -> bool: ...

    @property
    def report(self) -> Report: ...

    @property
    def resume_state(self) -> Mapping[str, t.Any]:
        """The stream's entry of the state the run started from ({} if none)."""
        ...


@dataclass
class StreamWindows:
    """What a stream reads in this run: its plan, and its windows as they are read."""

    plan: Plan
    fetched: Iterator[FetchedWindow]


@dataclass(frozen=True)
class Planning:
    """The settings that shape every stream's plan (windows.plan_stream)."""

    bounds: Bounds
    reading: Reading


@dataclass
class _Job:
    source: FeedSource
    window: Window
    is_open: bool
    started: bool = False
    done: bool = False
    abandoned: bool = False
    fetched: FetchedWindow | None = None
    error: BaseException | None = None


@dataclass
class _Jobs:
    """The run's windows in emission order, and what is in flight."""

    queue: deque[_Job] = field(default_factory=deque)
    running: t.Counter[str] = field(default_factory=t.Counter)


class WindowFeed:
    """Fetches the windows of the run's streams and hands each back when it is complete."""

    def __init__(
        self,
        api: ZoomAPI,
        *,
        page_size: int,
        max_windows: int,
        planning: Planning,
        sync_order: Callable[[], Sequence[FeedSource]],
    ) -> None:
        self._api = api
        self._page_size = page_size
        #: max_concurrent_requests: the most windows in flight, whatever the rate.
        self._max_windows = max_windows
        self._planning = planning
        #: Each stream's plan, made when the sync that reaches it begins.
        self._plans: dict[str, Plan] = {}
        #: The tap's clock when they were made.
        self._planned_at = pendulum.now("UTC")
        self.budget = SpoolBudget(api.stats)
        #: The streams in the order the SDK syncs them (asked when the sync begins).
        self._sync_order = sync_order
        #: Failures that stopped one stream but not the run (a family's daily limit).
        self.deferred: list[Exception] = []
        self._jobs = _Jobs()
        self._cond = threading.Condition()
        #: Families whose windows failed: nothing new of theirs starts (but the next to be
        #: emitted, which must land for the error to surface in order).
        self._failed: set[str] = set()
        #: The signal that is to stop the run (set by the signal handler, nothing more).
        self._signal: int | None = None
        #: Written by the signal handler to wake `_stop_when_woken` (once a sync begins).
        self._wake_write: int | None = None

    def interrupt(self, signum: int) -> None:
        """A signal: the workers stop now, and the run at the main thread's next step
        (`check_interrupted`). Safe in a signal handler: an assignment and a write."""
        if self._signal is None:
            self._signal = signum
        if self._wake_write is not None:
            with contextlib.suppress(OSError):  # a wake-up already pending is enough
                os.write(self._wake_write, b"!")

    def _watch_for_signals(self) -> None:
        """The handler wakes a thread of the feed's own through a pipe, and that thread
        stops the workers: a handler runs between two bytecodes of the main thread, which
        may hold any lock at that moment, so the handler itself takes none."""
        if self._wake_write is None:
            wake_read, wake_write = os.pipe()
            os.set_blocking(wake_write, False)
            self._wake_write = wake_write
            watch = threading.Thread(
                target=self._stop_when_woken, args=(wake_read,), name="signal-watch", daemon=True
            )
            watch.start()

    def _stop_when_woken(self, wake_read: int) -> None:
        os.read(wake_read, 1)
        self._api.stopping.set()  # workers stop at their next step; the main thread raises
        with self._cond:
            self._cond.notify_all()

    def check_interrupted(self) -> None:
        """In the main thread: stop the run here if a signal asked for it."""
        if self._signal is not None:
            self.stop()
            raise Interrupted(self._signal)

    def windows(self, source: FeedSource) -> StreamWindows:
        """`source`'s plan, and its windows, each complete, oldest first, as they come (the
        caller closes each spool). The plan is made now, unless the sync of an earlier
        stream made it already."""
        self.check_interrupted()
        if not self._jobs.queue or self._jobs.queue[0].source is not source:
            self._restart(source)
        return StreamWindows(self._plans[source.name], self._windows_of(source))

    def _windows_of(self, source: FeedSource) -> Iterator[FetchedWindow]:
        while self._jobs.queue and self._jobs.queue[0].source is source:
            yield self._next()

    def _restart(self, first: FeedSource) -> None:
        """A new sync from `first` on, with every selected stream that follows it."""
        self._watch_for_signals()
        self.stop()
        self._api.stopping.clear()
        self._failed = set()
        order = list(self._sync_order())
        sources = order[order.index(first) :] if first in order else [first]
        sources = [first, *(s for s in sources[1:] if s.selected)]
        try:
            self._api.check_scopes([source.report for source in sources])
        except Stopped:  # a signal came while the token was being fetched
            self.check_interrupted()
            raise
        # Zoom's clock, as the token's answer told it: the plans end at Zoom's now, not ours.
        self._planned_at = pendulum.now("UTC")
        now = self._api.clock.zoom_time(self._planned_at).replace(microsecond=0)
        for source in sources:
            plan = self._plan(source, now)
            for window in plan.windows:
                self._jobs.queue.append(_Job(source, window, window.is_open(now)))

    def zoom_now_at_planning(self) -> pendulum.DateTime:
        """Zoom's clock when the plans were made, as its answers tell it now: later than the
        plans' end only if no answer had said so then (a bookmark must not pass it)."""
        return self._api.clock.zoom_time(self._planned_at).replace(microsecond=0)

    def _plan(self, source: FeedSource, now: pendulum.DateTime) -> Plan:
        plan = plan_from_state(
            source.name,
            source.resume_state,
            bounds=self._planning.bounds,
            reading=self._planning.reading.fitted(source.report.max_window_days),
            now=now,
        )
        for note in plan.notes:
            self._api.logger.warning("%s", note)
        self._plans[source.name] = plan
        return plan

    def _next(self) -> FetchedWindow:
        with self._cond:
            head = self._jobs.queue[0]
            while not head.done:
                self.check_interrupted()
                self._start_more()
                self._cond.wait(0.5)
            self.check_interrupted()
            self._jobs.queue.popleft()
            self._start_more()
            self._cond.notify_all()  # a new head: a paused window may be it
        if head.error is not None:
            raise head.error
        assert head.fetched is not None
        return head.fetched

    def _start_more(self) -> None:
        """Start windows, in order, while their lane wants more in flight and the spools
        have room (called with the lock held)."""
        queue = self._jobs.queue
        if queue and not queue[0].started:
            self._start(queue[0])  # whatever else holds, the next to be emitted must come
        full = set(self._failed)
        for job in queue:
            family = job.source.report.family
            if job.started or family in full:
                continue
            if self.budget.held > AHEAD_BYTES:
                return
            wanted = windows_in_flight(self._api.lanes[family], self._max_windows)
            if self._jobs.running[family] >= wanted:
                full.add(family)
                continue
            self._start(job)

    def _start(self, job: _Job) -> None:
        job.started = True
        self._jobs.running[job.source.report.family] += 1
        try:
            threading.Thread(target=self._fetch, args=(job,), daemon=True).start()
        except RuntimeError as exc:
            # No thread to fetch it: the window failed, and whoever waits for it is told.
            # From Python 3.12 on none starts once Python is shutting down, which is when a
            # worker finishing after the run stopped on an error (its line already written)
            # starts the next window: its traceback came after the line.
            job.error = exc
            job.done = True
            self._jobs.running[job.source.report.family] -= 1

    def _fetch(self, job: _Job) -> None:
        # A daemon thread: a run that stops (a signal, an error) does not wait for it.
        report = job.source.report
        try:
            job.fetched = fetch_window(
                self._api,
                report,
                job.window,
                page_size=self._page_size,
                budget=self.budget,
                is_open=job.is_open,
                wait_turn=lambda: self._wait_turn(job),
            )
        except BaseException as exc:
            job.error = exc
        with self._cond:
            job.done = True
            if job.abandoned:
                if job.fetched is not None:
                    job.fetched.spool.close()
                return
            self._jobs.running[report.family] -= 1
            if isinstance(job.error, DailyLimitReached):
                self._failed.add(report.family)  # other families' streams may go on
            elif job.error is not None and not isinstance(job.error, Stopped):
                self._failed.update(self._api.lanes)
            self._start_more()
            self._cond.notify_all()

    def _wait_turn(self, job: _Job) -> None:
        """Before each page: wait while the spools are over budget, unless `job` is next."""
        with self._cond:
            while self.budget.held > AHEAD_BYTES and job is not self._jobs.queue[0]:
                if job.abandoned or self._api.stopping.is_set():
                    break
                self._cond.wait(0.5)
        if job.abandoned or self._api.stopping.is_set():
            raise Stopped

    def stop(self) -> None:
        """Abandon what is queued and in flight (workers stop at their next step)."""
        self._api.stopping.set()
        with self._cond:
            for job in self._jobs.queue:
                job.abandoned = True
                if job.fetched is not None:
                    job.fetched.spool.close()
            self._jobs = _Jobs()
            self._cond.notify_all()

    def defer(self, source: FeedSource, error: Exception) -> None:
        """`source` stopped on `error`; the other streams go on, and the run fails at its end."""
        self.drop(source)
        self.deferred.append(error)

    def finish(self, source: FeedSource) -> None:
        """`source` is done: if it is the last the SDK syncs, fail with what stopped a stream.

        The SDK's sync_all is final, so the run's end is the end of its last stream, in the
        SDK's own order (not the order of discovery: then a later stream swallowed the error
        and the run exited 0).
        """
        selected = [s for s in self._sync_order() if s.selected]
        if self.deferred and (not selected or source is selected[-1]):
            raise self.deferred[0]

    def drop(self, source: FeedSource) -> None:
        """Forget `source`'s remaining windows (its stream stopped; the others go on)."""
        with self._cond:
            for job in [job for job in self._jobs.queue if job.source is source]:
                job.abandoned = True
                if job.fetched is not None:
                    job.fetched.spool.close()
                if job.started and not job.done:
                    self._jobs.running[source.report.family] -= 1
                self._jobs.queue.remove(job)
            self._cond.notify_all()
