"""What every Zoom report stream shares: its plan, its windows, its records and its bookmark."""

from __future__ import annotations

import json
import typing as t
from functools import cached_property

from singer_sdk import Stream
from singer_sdk.batch import Batcher
from singer_sdk.helpers.conform import TypeConformanceLevel
from typing_extensions import override

from tap_zoom_logs.errors import DailyLimitReached
from tap_zoom_logs.output import StreamSummary
from tap_zoom_logs.records import Occurrences, decode, lw_id
from tap_zoom_logs.reports import MAX_WINDOW_DAYS, MEETINGS_API, Report
from tap_zoom_logs.settling import DayCounts, count_late, settle_again_after
from tap_zoom_logs.times import EPOCH_SECONDS, TIME_KEYS, epoch_number, parse_day, zoom_second
from tap_zoom_logs.windows import Plan, Window

if t.TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

    from singer_sdk.helpers._batch import BaseBatchFileEncoding, BatchConfig
    from singer_sdk.helpers.types import Context

    from tap_zoom_logs.api import ZoomAPI
    from tap_zoom_logs.feed import WindowFeed
    from tap_zoom_logs.paging import FetchedWindow
    from tap_zoom_logs.tap import TapZoomLogs


class ZoomReportStream(Stream):
    """A Zoom report read window by window, each entry emitted once with a stable `lw_id`."""

    # Records are built here from JSON strings and nulls, already of the schema's types
    # (`_text` sees to that), so the SDK's per-field conformance pass would change nothing.
    TYPE_CONFORMANCE_LEVEL = TypeConformanceLevel.NONE

    path: t.ClassVar[str]
    records_key: t.ClassVar[str]
    scope: t.ClassVar[str]
    classic_scope: t.ClassVar[str] = "report:read:admin"
    role_permission: t.ClassVar[str]
    #: Whose rate limit the report's requests count against.
    family: t.ClassVar[str] = MEETINGS_API
    #: The entry's own field that holds its time, and how it is written (see TIME_KEYS).
    time_field: t.ClassVar[str] = "time"
    time_format: t.ClassVar[str] = "iso"
    permission_hint: t.ClassVar[str] = ""
    scope_checked_up_front: t.ClassVar[bool] = True
    #: What the endpoint takes of a window: its day parameters, page sizes and span.
    date_params: t.ClassVar[tuple[str, str]] = ("from", "to")
    page_sizes: t.ClassVar[tuple[int, int]] = (1, 300)
    max_window_days: t.ClassVar[int] = MAX_WINDOW_DAYS

    primary_keys: t.ClassVar[list[str]] = ["lw_id"]
    replication_key = "time"
    is_sorted = True

    def __init__(self, tap: TapZoomLogs) -> None:
        super().__init__(tap)
        self.zoom_tap = tap
        #: The newest time emitted in this run (Zoom's UTC form; "" before any): how fresh
        #: the feed is, for the summary.
        self.newest_emitted = ""
        #: Entries found late, over the days this run made final (tap_zoom_logs/settling.py).
        self.found_late = 0
        #: Whether the records go to batch files (`batch_config`), not RECORD messages.
        self.batching = False
        #: What the data showed of an assumption that failed, said once a run.
        self._said: set[str] = set()

    @property
    def api(self) -> ZoomAPI:
        """The run's client of Zoom's API, which the tap makes on first use: discovery needs
        none, so it works before the credentials are set."""
        return self.zoom_tap.zoom

    @property
    def feed(self) -> WindowFeed:
        """The run's window feed (the tap's, made on first use like `api`)."""
        return self.zoom_tap.feed

    def query_params(self) -> dict[str, str]:
        """Query parameters this report adds to its days (from/to) and page_size."""
        return {}

    @cached_property
    def report(self) -> Report:
        """The report as the client reads it (the settings are fixed for the run)."""
        return self.report_for(self.query_params())

    @classmethod
    def report_for(cls, params: t.Mapping[str, str]) -> Report:
        """The report this stream class reads, with these query parameters."""
        return Report(
            name=_declared(cls, "name"),
            path=cls.path,
            records_key=cls.records_key,
            fields=cls.entry_fields(),
            scope=cls.scope,
            classic_scope=cls.classic_scope,
            role_permission=cls.role_permission,
            params=dict(params),
            family=cls.family,
            time_field=cls.time_field,
            time_key=TIME_KEYS[cls.time_format],
            permission_hint=cls.permission_hint,
            scope_checked_up_front=cls.scope_checked_up_front,
            date_params=cls.date_params,
            page_sizes=cls.page_sizes,
            max_window_days=cls.max_window_days,
            typed_fields=cls.typed_fields(),
        )

    @classmethod
    def typed_fields(cls) -> dict[str, str]:
        """The entry's fields the schema types other than as strings, and their JSON type."""
        properties: dict[str, t.Any] = _declared(cls, "schema")["properties"]
        found = {}
        for name in cls.entry_fields():
            declared = properties[name].get("type", [])
            kinds = [declared] if isinstance(declared, str) else declared
            kind = next((k for k in kinds if k != "null"), "string")
            if kind != "string":
                found[name] = kind
        return found

    @classmethod
    def entry_fields(cls) -> tuple[str, ...]:
        """The entry's own fields, in schema order (the order `lw_id` hashes them in): the
        schema's properties but the tap's own (`lw_id`, and `time` where it is derived)."""
        schema: dict[str, t.Any] = _declared(cls, "schema")
        derived = {"lw_id"} if cls.time_field == "time" else {"lw_id", "time"}
        return tuple(name for name in schema["properties"] if name not in derived)

    @property
    def resume_state(self) -> t.Mapping[str, t.Any]:
        """This stream's entry of the state the run started from ({} if none)."""
        # Read without creating: a stream not yet synced keeps no (empty) entry in the state.
        found: t.Mapping[str, t.Any] = self.tap_state.get("bookmarks", {}).get(
            self.tap_stream_id, {}
        )
        return found

    @override
    def get_records(self, context: Context | None) -> Iterable[dict[str, t.Any]]:
        windows = self.feed.windows(self)
        plan = windows.plan
        if plan.settle_again_after is not None:  # written with the first window's state
            state = self.get_context_state(context)
            settle_again_after(state, plan.settle_again_after.isoformat())
        if plan.windows:
            summary = StreamSummary.begin(self.api.stats)
            try:
                for index, fetched in enumerate(windows.fetched, start=1):
                    emitted = yield from self._emit(fetched, plan, index, context)
                    summary.add(emitted, fetched.pages)
            except DailyLimitReached as exc:
                # That API family's quota is spent: this stream stops with the state of its
                # finished windows; other families' streams go on; the run fails at its end.
                self.logger.error("%s: %s", self.name, exc)
                self.feed.defer(self, exc)
            summary.log(self, self.family, self.newest_emitted, self.found_late)
        else:
            self.logger.info("%s: nothing to read (range starts after it ends)", self.name)
        self.feed.finish(self)

    def _emit(
        self, fetched: FetchedWindow, plan: Plan, index: int, context: Context | None
    ) -> t.Generator[dict[str, t.Any], None, int]:
        """One finished window: its records, a progress line, the bookmark past it."""
        bookmark = zoom_second(plan.bookmark) if plan.bookmark else ""
        counts = DayCounts(
            bookmark, settles=fetched.window.settles, counted=_counted_days(fetched.window, plan)
        )
        try:
            emitted = yield from self._window_records(fetched, plan, counts)
        finally:
            fetched.spool.close()
        self.logger.info(
            "%s %s (%d/%d): %s entries in %d pages%s",
            self.name,
            fetched.window.label,
            index,
            len(plan.windows),
            f"{emitted:,}",
            fetched.pages,
            f", newest first down to {fetched.window.lower}" if fetched.stopped_early else "",
        )
        self._advance_bookmark(fetched.window, plan, counts, context)
        if fetched.window.settles and plan.bookmark is not None:
            self.logger.info(
                "%s: %s settled (read whole after it closed, for entries Zoom added late):"
                " %s entries",
                self.name,
                fetched.window.label,
                f"{emitted:,}",
            )
        return emitted

    def _window_records(
        self, fetched: FetchedWindow, plan: Plan, counts: DayCounts
    ) -> t.Generator[dict[str, t.Any], None, int]:
        """A window's entries in ascending order, with their `lw_id`, within the plan's range,
        counted per day in `counts`; returns how many."""
        fields, name, window = self.report.fields, self.name, fetched.window
        lower, upper = (window.lower or plan.lower)[:19], plan.upper[:19]
        near = window.near()
        occurrence = Occurrences()
        emitted, newest = 0, ""
        typed = {fields.index(name) for name in self.report.typed_fields}
        for batch in fetched.spool.batches():
            self.feed.check_interrupted()  # a signal stops the run between two batches
            for (key, row), values in zip(batch, decode(batch, self._text, typed), strict=True):
                number = occurrence(key, row)
                if key and not near[0] <= key[:10] <= near[1]:
                    self.logger.warning(
                        "%s %s: an entry of %s, outside the days asked for; %s",
                        name,
                        window.label,
                        key,
                        "emitted"
                        if lower <= key[:19] <= upper
                        else "outside the range, not emitted",
                    )
                if key and not lower <= key[:19] <= upper:
                    continue
                record = dict(zip(fields, values, strict=True))
                record["lw_id"] = lw_id(name, row, number)
                self._set_time(record, key, window.label)  # quoting the time as Zoom sent it
                if typed:
                    self._conform(record, window.label)
                emitted += 1
                if key:
                    newest = key  # ascending: the last is the window's newest
                    counts.count(key)
                yield record
        self.newest_emitted = max(self.newest_emitted, newest[:19] + "Z" if newest else "")
        return emitted

    def _set_time(self, record: dict[str, t.Any], key: str, label: str) -> None:
        """`time`: Zoom's own value where it is the entry's field, else the parsed key.

        An entry without a usable time is still emitted (with `time` null, and a warning
        that quotes the value): a security log entry is never dropped for its format.
        """
        if not key:
            self.logger.warning(
                "%s %s: an entry whose %s is %r, not a date-time: emitted with time null",
                self.name,
                label,
                self.time_field,
                record.get(self.time_field),
            )
            record["time"] = None
        elif self.time_field != "time":
            record["time"] = key
        elif record["time"] != key:
            # Another ISO form (no zone, an offset, a fraction): `time` is a UTC date-time
            # with its zone, whatever Zoom wrote; one without a zone is taken as UTC.
            self.logger.warning(
                "%s %s: an entry whose time is %r, not Zoom's UTC form: emitted as %s",
                self.name,
                label,
                record["time"],
                key,
            )
            record["time"] = key

    def _conform(self, record: dict[str, t.Any], label: str) -> None:
        """The typed fields (objects, integers) as the schema types them: a number sent as
        its digits becomes the number; a value of another type is emitted null, with a
        warning that quotes it (the entry is still emitted, its lw_id of what Zoom sent,
        and its `time` read from whatever form its time field came in)."""
        for field, kind in self.report.typed_fields.items():
            value = record[field]
            if value is None or _of_type(value, kind):
                if field == self.time_field and type(value) is int and value in EPOCH_SECONDS:
                    self._say_once(field, f"{value!r}, epoch seconds, not milliseconds")
                continue
            number = _whole_number(value) if kind == "integer" else None
            if number is not None:
                self._say_once(field, f"{value!r}, a {type(value).__name__}, not an integer")
                record[field] = number
                continue
            self.logger.warning(
                "%s %s: an entry whose %s is %r, not of the schema's type (%s): emitted with"
                " %s null",
                self.name,
                label,
                field,
                value,
                kind,
                field,
            )
            record[field] = None

    def _say_once(self, field: str, what: str) -> None:
        """Zoom's definition says `field` is an integer (epoch milliseconds for a time):
        the first entry that shows otherwise is named, once a run."""
        if field in self._said:
            return
        self._said.add(field)
        promise = "an integer of epoch milliseconds" if field == self.time_field else "a number"
        self.logger.warning(
            "%s: an entry whose %s is %s (Zoom's definition says %s); read as such, and every"
            " entry like it this run",
            self.name,
            field,
            what,
            promise,
        )

    def _text(self, value: t.Any) -> str:
        """A non-string where Zoom promises a string: keep it, as its JSON text."""
        self.logger.warning("%s: a non-string value %r kept as JSON text", self.name, value)
        return json.dumps(value, ensure_ascii=False)

    def _advance_bookmark(
        self, window: Window, plan: Plan, counts: DayCounts, context: Context | None
    ) -> None:
        """Everything up to the window's end is emitted, and a settling window's days are
        settled: say so in the state, now. A settling window is older than the bookmark
        the run started from, which it never moves back; and no bookmark passes Zoom's own
        now (a clock ahead of Zoom's would skip what Zoom writes until the tap's now), nor
        what the window holds where Zoom cuts days east of UTC (a run stopped after this
        window resumes from it, and the next window holds the rest of its last UTC day).
        A window whose next day Zoom refused as future holds everything to the plan's end:
        Zoom's today was its last day when it refused, after the plan was made."""
        if self.api.clock.refused_day == window.last_day.add(days=1):
            held = plan.end
        else:
            held = window.held_through()
        bookmark = min(held, plan.end, self.feed.zoom_now_at_planning())
        if plan.bookmark is not None:
            bookmark = max(bookmark, plan.bookmark)
        state = self.get_context_state(context)
        state["replication_key"] = self.replication_key
        state["replication_key_value"] = zoom_second(bookmark)
        if window.settles:
            state["settled_through"] = window.last_day.isoformat()
        if self.config["settle_closed_days"]:
            for day, late in count_late(state, counts):
                self.found_late += late
                self.logger.info(
                    "%s: %s is final: %d entries found late (written after the tap had read"
                    " their second)",
                    self.name,
                    day,
                    late,
                )
        if self.batching:
            # Not yet: the window's records may still be in the batch being filled. The SDK
            # writes the state after each BATCH message, when every window it covers is in
            # a file the target has been told of (and `get_batches` once more at the end).
            return
        self.finalize_state_progress_markers(state)  # marks the state changed and writes it

    @override
    def get_batches(
        self, batch_config: BatchConfig, context: Context | None = None
    ) -> Iterator[tuple[BaseBatchFileEncoding, list[str]]]:
        self.batching = True
        batcher = Batcher(tap_name=self.tap_name, stream_name=self.name, batch_config=batch_config)
        for manifest in batcher.get_batches(records=self._batch_records(context)):
            yield batch_config.encoding, manifest
        # Every record is in a file the target has been told of: the state may cover them
        # all, even when no record was new (the settled days, the margin's re-read).
        self.finalize_state_progress_markers(self.get_context_state(context))

    def _batch_records(self, context: Context | None) -> Iterator[dict[str, t.Any]]:
        """The records as RECORD messages would carry them: the SDK batches records before
        it drops deselected fields and applies the stream map, so a batch file would hold a
        field the catalog left out or an email a map hashes. The private call is the SDK's
        own RECORD path (tap.py allows one stream map per stream with batch_config)."""
        for record in self._sync_records(context, write_messages=False):
            for message in self._generate_record_messages(record):
                yield message.record

    # The bookmark is the end of the last finished window, set by `_advance_bookmark`: not
    # the newest record's time (entries of that same second could still be unread). The
    # SDK's per-record increment has no public switch; it also costs a few microseconds per
    # record. tests/test_extract.py checks that the state moves per window, not per record.
    @override
    def _increment_stream_state(
        self, latest_record: dict[str, t.Any], *, context: Context | None = None
    ) -> None:
        return

    @override
    def get_replication_key_signpost(self, context: Context | None = None) -> None:
        return None


#: The Python types of the JSON types a schema may give an entry's field.
JSON_TYPES: dict[str, type | tuple[type, ...]] = {
    "object": dict,
    "array": list,
    "integer": int,
    "number": (int, float),
    "boolean": bool,
}


def _of_type(value: t.Any, kind: str) -> bool:
    """Whether `value` is of JSON type `kind` (a boolean is no integer, whatever Python says)."""
    if kind == "boolean" or type(value) is bool:
        return kind == "boolean" and type(value) is bool
    return isinstance(value, JSON_TYPES.get(kind, object))


def _counted_days(window: Window, plan: Plan) -> list[str]:
    """The UTC days whose first reads this window counts whole: those its entries may fall
    on (windows.near), within the plan's range, and after the day of the bookmark the run
    started from (that day was counted by the run that reached it first, or never: a state
    from before counting began, whose first day gets no made-up late count)."""
    low, high = window.near()
    if plan.bookmark is not None:
        low = max(low, plan.bookmark.date().add(days=1).isoformat())
    low, high = max(low, plan.lower[:10]), min(high, plan.upper[:10])
    days = []
    day = low
    while day <= high:
        days.append(day)
        day = parse_day(day).add(days=1).isoformat()
    return days


def _whole_number(value: t.Any) -> int | None:
    """An integer as Zoom may send it: a number, or its digits, spaces and all (a meeting
    number is often written `982 610 0285`)."""
    return epoch_number(value.replace(" ", "") if isinstance(value, str) else value)


def _declared(stream: type[ZoomReportStream], attribute: str) -> t.Any:
    """A class attribute as the stream class declares it: the SDK types `name` and `schema`
    as instance attributes, which a class method may not read as such."""
    for klass in stream.__mro__:
        if attribute in vars(klass):
            return vars(klass)[attribute]
    raise AttributeError(attribute)
