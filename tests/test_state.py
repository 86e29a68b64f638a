"""The state the tap resumes from (issue 27, case 13): every field the tap writes is checked
(one line naming it and what to fix); a `settled_through` that has not even closed is named
and set back, so that settling goes on; and a state written before settling existed makes
no late count up on its first final day."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pendulum
import pytest

from tap_zoom_logs.errors import SettingError
from tap_zoom_logs.settling import FIRST_READ, SETTLE_READ, UNCOUNTED, DayCounts, count_late
from tap_zoom_logs.state import check_state, set_back_unsettled_days
from tap_zoom_logs.windows import last_closed_day
from tests.support.news import late_operation, run_in_process_at
from tests.support.tap import (
    STREAMS,
    Tap,
    as_record,
    assert_nothing_sent,
    one_line_error,
)
from zoom_emulator import ZoomEmulator

#: A stream's entry of the state as the tap writes it.
WRITTEN = {
    "replication_key": "time",
    "replication_key_value": "2026-05-10T06:00:00Z",
    "settled_through": "2026-05-08",
    FIRST_READ: {"2026-05-09": 410, "2026-05-10": 120},
    SETTLE_READ: {"2026-05-09": 412},
    UNCOUNTED: "2026-05-09",
}


def state_of(**fields: Any) -> dict[str, Any]:
    """A state whose activity_logs entry is WRITTEN with `fields` instead."""
    return {"bookmarks": {"activity_logs": {**WRITTEN, **fields}}}


# --------------------------------------------------------------------------- checked


@pytest.mark.parametrize(
    ("fields", "says"),
    [
        ({"settled_through": "yesterday"}, "settled_through: 'yesterday' is not a day"),
        ({"settled_through": 20260508}, "settled_through: 20260508 is not a day"),
        ({"settled_through": "20260508"}, "settled_through: '20260508' is not a day"),
        ({"settled_through": "2026-02-30"}, "settled_through: '2026-02-30' is not a day"),
        ({"settled_through": "2026-05-08T00:00:00Z"}, "settled_through: '2026-05-08T00"),
        ({"settled_through": ""}, "settled_through: '' is not a day"),
        ({FIRST_READ: "2026-05-09"}, "first_read_per_day must be an object of days"),
        ({FIRST_READ: [410, 120]}, "first_read_per_day must be an object of days"),
        ({SETTLE_READ: "412"}, "settle_read_per_day must be an object of days"),
        ({FIRST_READ: {"monday": 4}}, "first_read_per_day: 'monday' is not a day"),
        ({FIRST_READ: {"2026-05-9": 4}}, "first_read_per_day: '2026-05-9' is not a day"),
        ({SETTLE_READ: {"2026-05-09": -1}}, "settle_read_per_day['2026-05-09']: -1 is not a"),
        ({SETTLE_READ: {"2026-05-09": 1.5}}, "['2026-05-09']: 1.5 is not a count of entries"),
        ({FIRST_READ: {"2026-05-09": "410"}}, "['2026-05-09']: '410' is not a count"),
        ({FIRST_READ: {"2026-05-09": True}}, "['2026-05-09']: True is not a count"),
        ({UNCOUNTED: "soon"}, "uncounted_through: 'soon' is not a day"),
    ],
)
def test_a_field_the_tap_writes_that_it_cannot_use_is_one_line(fields, says):
    with pytest.raises(SettingError) as refused:
        check_state(state_of(**fields))

    line = str(refused.value)
    assert line.startswith("state: bookmarks.activity_logs.")
    assert says in line, line
    assert "\n" not in line
    assert "correct it, or remove it" in line, "says what to fix"


@pytest.mark.parametrize(
    "fields",
    [
        {},
        {"settled_through": None, FIRST_READ: None, SETTLE_READ: None, UNCOUNTED: None},
        {FIRST_READ: {}, SETTLE_READ: {"2026-05-09": 0}},
        {"settled_through": "2099-01-01"},  # set back later (it needs the clock), not refused
    ],
)
def test_fields_the_tap_writes_pass(fields):
    check_state(state_of(**fields))  # no SettingError


# --------------------------------------------------------------------------- set back


def test_a_settled_through_not_yet_closed_is_set_back_to_the_bookmarks_closed_day():
    now = pendulum.datetime(2026, 5, 20, 15)
    bookmark = "2026-05-18T06:00:00Z"
    closed, when_written = last_closed_day(now), last_closed_day(pendulum.datetime(2026, 5, 18, 6))
    assert when_written < closed < now.date()
    bookmarks = {
        "activity_logs": {"replication_key_value": bookmark, "settled_through": "2099-01-01"},
        "operation_logs": {"replication_key_value": bookmark, "settled_through": "2026-05-20"},
        "meeting_activity_logs": {"settled_through": "2026-05-20"},  # no bookmark
        "phone_operation_logs": {
            "replication_key_value": bookmark,
            "settled_through": closed.isoformat(),
        },
    }
    notes = set_back_unsettled_days(bookmarks, now)

    assert bookmarks["activity_logs"]["settled_through"] == when_written.isoformat()
    assert bookmarks["operation_logs"]["settled_through"] == when_written.isoformat()
    assert bookmarks["meeting_activity_logs"]["settled_through"] == closed.isoformat()
    assert bookmarks["phone_operation_logs"]["settled_through"] == closed.isoformat(), "kept"
    assert len(notes) == 3
    assert notes[0] == (
        "activity_logs: the state's settled_through 2099-01-01 is after the newest day closed"
        f" now ({closed}; the clock is now 2026-05-20T15:00:00Z), so it cannot have been"
        f" settled: set back to {when_written}, the newest day closed when the bookmark was"
        " written, so that the days closed since are read whole once"
    )


# --------------------------------------------------------------------------- late counts


def counted(bookmark: str, times: list[str], *, settles: bool) -> DayCounts:
    counts = DayCounts(bookmark, settles=settles)
    for time in times:
        counts.count(time)
    return counts


def two_runs(state: dict[str, Any]) -> list[tuple[str, int]]:
    """A run from `state` (bookmark 2026-05-10T06:00:00Z): its open window reads 3 entries
    after the bookmark, then a later run settles 2026-05-10 (10 entries, none late) and
    makes it final. Returns what the later run reports final."""
    day = [f"2026-05-10T0{h}:00:00Z" for h in range(10)]  # 00:00 to 09:00
    count_late(state, counted("2026-05-10T06:00:00Z", day[7:], settles=False))
    state["settled_through"] = "2026-05-11"
    return count_late(state, counted("2026-05-10T09:00:00Z", day, settles=True))


def test_an_older_states_first_final_day_reports_no_made_up_late_count():
    older = {"replication_key": "time", "replication_key_value": "2026-05-10T06:00:00Z"}

    assert two_runs(older) == [], "7 entries read before counting began are not late"
    assert UNCOUNTED not in older, "once its day is final, counting is whole again"


def test_a_counting_states_final_day_reports_its_late_count():
    """The same runs from a state that counted the first 7 entries (first read earlier)."""
    counting = {**WRITTEN, FIRST_READ: {"2026-05-10": 7}, SETTLE_READ: {}, UNCOUNTED: None}
    counting["settled_through"] = "2026-05-08"

    assert two_runs(counting) == [("2026-05-10", 0)]


def test_a_backfill_counts_everything_and_marks_nothing_uncounted():
    state: dict[str, Any] = {}
    counts = counted("", ["2026-05-10T01:00:00Z"], settles=False)
    count_late(state, counts)
    assert state == {FIRST_READ: {"2026-05-10": 1}}


# --------------------------------------------------------------------------- in a run


@pytest.fixture
def zoom() -> Iterator[ZoomEmulator]:
    with ZoomEmulator(seed=5, history_days=6, entries_per_day=100) as emulator:
        yield emulator


@pytest.mark.parametrize(
    ("fields", "names"),
    [
        ({"settled_through": "yesterday"}, ("settled_through", "'yesterday'")),
        ({FIRST_READ: "2026-05-09"}, ("first_read_per_day", "not str")),
    ],
)
def test_a_state_field_the_tap_cannot_use_stops_the_run_before_any_request(
    zoom, tmp_path, fields, names
):
    tap = Tap(zoom, tmp_path)
    run = tap.run(tap.config(), state=state_of(**fields), in_process=True)

    one_line_error(run, "state: bookmarks.activity_logs.", *names)
    assert_nothing_sent(run, zoom)


def test_a_future_settled_through_is_set_back_and_a_late_entry_is_settled(
    zoom, tmp_path, capsys, caplog
):
    """It was trusted: settling was off until 2099, and the late entry was never read."""
    today = pendulum.instance(zoom.now).start_of("day")
    # Days settle as soon as they close (settle_after_hours 0): the days these runs see.
    config = {k: v for k, v in Tap(zoom, tmp_path).config().items() if k != "end_date"}
    config["settle_after_hours"] = 0
    d = today.subtract(days=3)
    first = run_in_process_at(d.add(hours=6), config, None, capsys)
    state = {"bookmarks": {k: dict(v) for k, v in first.state["bookmarks"].items()}}
    for bookmark in state["bookmarks"].values():
        bookmark["settled_through"] = "2099-01-01"
    # Before the first run's bookmark less its margin: only settling reads it.
    zoom.add_entry("operation_logs", late_operation(d.to_date_string(), "01:00:00"))

    with caplog.at_level(logging.WARNING):
        second = run_in_process_at(today.add(hours=15), config, state, capsys)

    late = as_record("operation_logs", late_operation(d.to_date_string(), "01:00:00"))
    assert late in {as_record("operation_logs", r) for r in second.records["operation_logs"]}
    said = [
        r.getMessage() for r in caplog.records if "settled_through 2099-01-01" in r.getMessage()
    ]
    assert len(said) == len(STREAMS), said
    set_back = last_closed_day(d.add(hours=6)).isoformat()
    assert all(f"set back to {set_back}" in line for line in said), said
    closed = last_closed_day(today.add(hours=15)).isoformat()
    for stream in STREAMS:
        assert second.state["bookmarks"][stream]["settled_through"] == closed


def test_an_older_states_first_run_reports_no_made_up_late_count(zoom, tmp_path, capsys, caplog):
    """A state written before settling existed (no settled_through, no counts): its
    bookmark's day, read in part uncounted, was reported with those entries found late."""
    today = pendulum.instance(zoom.now).start_of("day")
    # Days settle as soon as they close (settle_after_hours 0): the days these runs see.
    config = {k: v for k, v in Tap(zoom, tmp_path).config().items() if k != "end_date"}
    config["settle_after_hours"] = 0
    d = today.subtract(days=2)
    first = run_in_process_at(d.add(hours=6), config, None, capsys)
    older = {
        "bookmarks": {
            stream: {k: bookmark[k] for k in ("replication_key", "replication_key_value")}
            for stream, bookmark in first.state["bookmarks"].items()
        }
    }

    with caplog.at_level(logging.INFO):
        second = run_in_process_at(today.add(hours=15), config, older, capsys)

    said = [r.getMessage() for r in caplog.records if " is final: " in r.getMessage()]
    assert all(
        line.endswith(": 0 entries found late (written after the tap had read their second)")
        for line in said
    ), said
    for stream in STREAMS:
        assert UNCOUNTED not in second.state["bookmarks"][stream], "final: whole again"
        assert second.state["bookmarks"][stream][FIRST_READ], "counting goes on"
