"""What the tap writes besides records' content: the message writer, and each stream's
summary (a log line and SDK metric lines)."""

from __future__ import annotations

import copy
import enum
import os
import sys
import time
import typing as t
from dataclasses import dataclass

from singer_sdk import metrics
from singer_sdk.contrib.msgspec import MsgSpecWriter
from singer_sdk.helpers._state import StateWriter
from singer_sdk.singerlib import RecordMessage, StateMessage
from typing_extensions import override

from tap_zoom_logs.errors import TapZoomLogsError
from tap_zoom_logs.times import age_seconds

if t.TYPE_CHECKING:
    from singer_sdk import Stream
    from singer_sdk.helpers.types import TapState

    from tap_zoom_logs.run_stats import RunStats


class ZoomMessageWriter(MsgSpecWriter):
    """msgspec's encoder (the SDK's fastest), flushing at every message but RECORD.

    A flush per record is a system call per record. Records are flushed at the latest with
    the next STATE (and at exit), so a STATE never reaches the target before the records it
    covers; records lost in a crash lie after the last STATE and are read again on resume.
    """

    #: Whether a RECORD went out since the last STATE (StateAfterRecords reads it).
    records_since_state = False

    @override
    def write_message(self, message: t.Any) -> None:
        self.records_since_state = isinstance(message, RecordMessage) or (
            self.records_since_state and not isinstance(message, StateMessage)
        )
        try:
            sys.stdout.buffer.write(self.format_message(message))
            if not isinstance(message, RecordMessage):
                sys.stdout.flush()
        except BrokenPipeError:
            stdout_to_nowhere()
            msg = "the target stopped reading the tap's output (its stdin closed): see its log"
            raise TargetGone(msg) from None
        except OSError as exc:  # a full disk behind `> file`, a dead device
            stdout_to_nowhere()
            reason = exc.strerror or exc
            msg = f"the tap's output could not be written ({reason}): see where stdout goes"
            raise TargetGone(msg) from None


class StateAfterRecords(StateWriter):
    """The SDK's state writer writes a STATE only when the state changed; this one also
    writes it, unchanged, after records. A run whose margin re-read changes nothing must
    still end on the STATE that covers those records: target-jsonl 0.1.4 forgets the state
    at each RECORD and prints only one that comes after the last, so the run's state file
    came out empty."""

    def __init__(self, writer: ZoomMessageWriter) -> None:
        super().__init__(writer)
        self._writer = writer
        self._last: TapState | None = None

    @override
    def write_state(self, state: TapState) -> None:
        if self._writer.records_since_state or state != self._last:
            self._writer.write_message(StateMessage(value=state))
            self._last = copy.deepcopy(state)


def stdout_to_nowhere() -> None:
    """After a broken pipe: so that the interpreter's own last flush does not fail again."""
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


class TargetGone(TapZoomLogsError):
    """The process reading the tap's output is gone: nothing more can be delivered."""


class _MetricName(str, enum.Enum):
    """The SDK's Point takes any enum for a metric's name: these are the tap's own."""

    ENTRIES = "zoom_entries"
    WINDOWS = "zoom_windows"
    PAGES = "zoom_pages"
    FIRST_PAGES_AGAIN = "zoom_first_pages_read_again"
    TOKEN_REQUESTS = "zoom_token_requests"  # noqa: S105 - a metric's name, not a secret
    RETRIES = "zoom_retries"
    RATE_LIMIT_WAIT = "zoom_rate_limit_wait_seconds"
    PEAK_DISK = "zoom_spool_peak_disk_bytes"
    WALL = "zoom_wall_seconds"
    NEWEST_AGE = "zoom_newest_entry_age_seconds"
    FAMILY_REQUESTS = "zoom_family_requests"
    QUOTA_LEFT = "zoom_daily_quota_remaining"
    FOUND_LATE = "zoom_entries_found_late"


@dataclass
class StreamSummary:
    """What one stream's sync cost: logged at its end, and sent as SDK metric lines."""

    stats: RunStats
    before: RunStats
    started: float
    entries: int = 0
    windows: int = 0
    pages: int = 0

    @classmethod
    def begin(cls, stats: RunStats) -> StreamSummary:
        return cls(stats, stats.snapshot(), time.monotonic())

    def add(self, entries: int, pages: int) -> None:
        self.entries += entries
        self.windows += 1
        self.pages += pages

    def log(self, stream: Stream, family: str, newest: str, found_late: int) -> None:
        """Log and send the figures; `newest` is the newest time the stream emitted,
        `found_late` the entries found late over the days this run made final. The tokens,
        the spools' disk and the family's requests are the run's so far, not the stream's."""
        now, before = self.stats.snapshot(), self.before
        retries = now.retries - before.retries
        waited = now.rate_limit_wait - before.rate_limit_wait
        again = now.first_pages_again - before.first_pages_again
        wall = time.monotonic() - self.started
        age = age_seconds(newest)
        requests, left = now.family_requests[family], now.quota_left.get(family)
        causes = ", ".join(f"{n} {cause}" for cause, n in sorted(retries.items())) or "none"
        stream.logger.info(
            "%s done: %s entries, %d windows, %d pages (and %d first pages read again),"
            " retries: %s; %d token requests so far; %.1f s waiting on 429s; spools' peak on"
            " disk so far %.1f MB; %.1f s in all; newest entry emitted: %s; %s API: %d requests"
            " this run so far, %s left of today's quota as Zoom last said; %d entries found"
            " late",
            stream.name,
            f"{self.entries:,}",
            self.windows,
            self.pages,
            again,
            causes,
            now.token_requests,
            waited,
            now.spool_peak_disk / 1e6,
            wall,
            f"{newest} ({age:,} s old)" if newest else "none",
            family,
            requests,
            "unknown" if left is None else f"{left:,}",
            found_late,
        )
        figures = {
            _MetricName.ENTRIES: self.entries,
            _MetricName.WINDOWS: self.windows,
            _MetricName.PAGES: self.pages,
            _MetricName.FIRST_PAGES_AGAIN: again,
            _MetricName.TOKEN_REQUESTS: now.token_requests,
            _MetricName.RETRIES: sum(retries.values()),
            _MetricName.RATE_LIMIT_WAIT: round(waited, 3),
            _MetricName.PEAK_DISK: now.spool_peak_disk,
            _MetricName.WALL: round(wall, 3),
        }
        if newest:  # how stale the feed is: a monitor alerts when it only grows
            figures[_MetricName.NEWEST_AGE] = age
        figures[_MetricName.FAMILY_REQUESTS] = requests
        figures[_MetricName.FOUND_LATE] = found_late
        if left is not None:
            figures[_MetricName.QUOTA_LEFT] = left
        for name, value in figures.items():
            tags: dict[str, t.Any] = {"stream": stream.name}
            if name is _MetricName.RETRIES:
                tags["causes"] = dict(retries)
            if name in {_MetricName.FAMILY_REQUESTS, _MetricName.QUOTA_LEFT}:
                tags["family"] = family
            point = metrics.Point("counter", name, value, tags)  # type: ignore[arg-type]
            metrics.log(stream.metrics_logger, point)
