"""paging.py in this process: one window read to its end against a scripted Zoom, paging
that never ends stopped, refused page tokens re-read, and entries that a page token (an
offset) serves twice while Zoom adds entries kept once."""

from __future__ import annotations

import json
import logging
from collections import Counter
from collections.abc import Callable
from typing import Any

import pendulum
import pytest

from tap_zoom_logs.errors import DatesRefused, PageTokenInvalid, PagingNeverEnds, ZoomAPIError
from tap_zoom_logs.paging import FetchedWindow, _arrivals, _overlap, fetch_window
from tap_zoom_logs.reports import Report
from tap_zoom_logs.run_stats import RunStats
from tap_zoom_logs.spool import SpoolBudget
from tap_zoom_logs.streams import ActivityLogsStream
from tap_zoom_logs.times import ZoomClock
from tap_zoom_logs.windows import Window
from tests.support.tap import spooled_rows

REPORT = ActivityLogsStream.report_for({})
WINDOW = Window(pendulum.date(2026, 5, 29), pendulum.date(2026, 5, 29))


def entry(n: int, email: str = "") -> dict[str, Any]:
    """The n-th entry of the day: a later n is a later time."""
    return {
        "time": f"2026-05-29T10:{n // 60:02d}:{n % 60:02d}Z",
        "type": "Sign in",
        "email": email or f"user{n}@example.com",
    }


class ScriptedZoom:
    """A report endpoint serving `entries` newest first, whose page tokens are offsets into
    that list (as Zoom's may be); `after_page` runs after each answer. Counts like ZoomAPI."""

    def __init__(self, entries: list[dict[str, Any]]) -> None:
        self.entries = sorted(entries, key=lambda e: e["time"], reverse=True)
        self.after_page: Callable[[int], None] = lambda served: None
        self.refuse_tokens = 0
        #: Entries a page really holds, whatever page_size asks (None: as asked).
        self.serves: int | None = None
        self.asked: list[dict[str, Any]] = []
        self.stats = RunStats()
        self.without_page_size: set[str] = set()
        self.logger = logging.getLogger("test-paging-unit")
        self.clock = ZoomClock(self.logger)
        #: What answers a page (a test may put another answer in its place).
        self.get_page: Callable[[Report, dict[str, Any]], dict[str, Any]] = self.serve

    def serve(self, report: Report, query: dict[str, Any]) -> dict[str, Any]:
        self.asked.append(dict(query))
        token = query.get("next_page_token", "")
        if token and self.refuse_tokens:
            self.refuse_tokens -= 1
            raise PageTokenInvalid("HTTP 400, Zoom code 300: Invalid next page token.")
        offset, size = int(token or 0), self.serves or int(query["page_size"])
        page = self.entries[offset : offset + size]
        more = offset + size < len(self.entries)
        self.after_page(len(self.asked))
        return {report.records_key: page, "next_page_token": str(offset + size) if more else ""}


def read(
    zoom: Any, *, page_size: int = 10, is_open: bool = False, window: Window = WINDOW
) -> FetchedWindow:
    return fetch_window(
        zoom,
        REPORT,
        window,
        page_size=page_size,
        budget=SpoolBudget(RunStats()),
        is_open=is_open,
        wait_turn=lambda: None,
    )


def emails(done: FetchedWindow) -> list[str]:
    """The window's entries as they will be emitted (oldest first), by their email."""
    try:
        return [
            json.loads(row)[REPORT.fields.index("email")] for _, row in spooled_rows(done.spool)
        ]
    finally:
        done.spool.close()


# --------------------------------------------------------------------------- overlap


def test_overlap_is_the_end_of_the_last_page_repeated_at_the_start_of_this_one():
    last = [("k1", "a"), ("k2", "b"), ("k3", "c")]

    assert _overlap(last, [("k2", "b"), ("k3", "c"), ("k4", "d")]) == 2
    assert _overlap(last, [("k3", "c"), ("k4", "d")]) == 1
    assert _overlap(last, [("k4", "d")]) == 0
    assert _overlap(last, []) == 0
    assert _overlap([], [("k1", "a")]) == 0


def test_arrivals_are_the_shift_at_which_the_first_page_read_again_continues():
    first = [("k9", "i"), ("k8", "h"), ("k7", "g")]

    assert _arrivals(first, first) == 0
    assert _arrivals(first, [("k10", "new"), ("k9", "i"), ("k8", "h")]) == 1
    assert _arrivals(first, [("n3", "x"), ("n2", "y"), ("n1", "z")]) == 3, "a page or more"


# --------------------------------------------------------------------------- a window


def test_a_window_is_paged_to_its_end_and_comes_out_oldest_first():
    zoom = ScriptedZoom([entry(n) for n in range(25)])
    done = read(zoom)

    assert done.pages == 3
    assert emails(done) == [f"user{n}@example.com" for n in range(25)]
    assert [q.get("next_page_token", "") for q in zoom.asked] == ["", "10", "20"]
    assert all(q["from"] == q["to"] == "2026-05-29" for q in zoom.asked)


def test_a_page_token_given_twice_stops_the_stream():
    zoom = ScriptedZoom([entry(n) for n in range(25)])
    zoom.get_page = lambda report, query: {"activity_logs": [entry(1)], "next_page_token": "t"}

    with pytest.raises(PagingNeverEnds) as stopped:
        read(zoom)
    assert str(stopped.value) == (
        "activity_logs 2026-05-29: Zoom answered page 2 with the next_page_token it had given"
        " on page 1: its paging would never end"
    )


def test_page_tokens_that_lead_nowhere_stop_the_stream():
    zoom = ScriptedZoom([])
    tokens = iter(range(1000))
    zoom.get_page = lambda report, query: {
        "activity_logs": [],
        "next_page_token": f"t{next(tokens)}",
        "total_records": 30,  # Zoom Phone says how many there are: 3 pages, plus 5 spare
    }

    with pytest.raises(PagingNeverEnds) as stopped:
        read(zoom)
    assert "still handing out page tokens after 6 pages that held 0 entries (6 pages empty" in (
        str(stopped.value)
    )


@pytest.mark.parametrize("token", [{"offset": 10}, ["10"], 10])
def test_a_page_token_that_is_not_text_is_one_line(token):
    zoom = ScriptedZoom([entry(n) for n in range(25)])
    zoom.get_page = lambda report, query: {"activity_logs": [entry(1)], "next_page_token": token}

    with pytest.raises(ZoomAPIError, match="next_page_token that is not text"):
        read(zoom)


def test_a_total_that_no_page_bears_out_does_not_keep_paging_going():
    tokens = iter(range(1000))
    zoom = ScriptedZoom([])
    zoom.get_page = lambda report, query: {
        "activity_logs": [],
        "next_page_token": f"t{next(tokens)}",
        "total_records": 10**9,  # Zoom Phone's count, and empty pages for ever
    }

    with pytest.raises(PagingNeverEnds):
        read(zoom)
    assert next(tokens) == 6, "six pages asked, no more"


def test_a_zoom_serving_the_first_page_for_ever_is_stopped():
    # Zoom ignoring next_page_token: page 1 again and again, each time with a fresh token.
    zoom = ScriptedZoom([entry(n) for n in range(25)])
    tokens = iter(range(1000))
    first = zoom.entries[:10]
    zoom.get_page = lambda report, query: {
        "activity_logs": first,
        "next_page_token": f"fresh{next(tokens)}",
    }

    with pytest.raises(PagingNeverEnds) as stopped:
        read(zoom)
    assert next(tokens) == 6, "1 page and 5 spare pages asked, no more"
    assert "6 pages that held 10 entries" in str(stopped.value)


def test_the_first_page_served_twice_is_kept_once():
    zoom = ScriptedZoom([entry(n) for n in range(25)])
    serve = zoom.get_page
    asked = []

    def page_one_twice(report: Report, query: dict[str, Any]) -> dict[str, Any]:
        asked.append(query)
        if len(asked) == 2:  # page 1 again, with a token to page 2
            return {**serve(report, {**query, "next_page_token": ""}), "next_page_token": "010"}
        return serve(report, query)

    zoom.get_page = page_one_twice
    done = read(zoom)

    assert emails(done) == [f"user{n}@example.com" for n in range(25)], "each entry once"
    assert done.pages == 4


def test_a_page_of_one_entry_may_follow_an_identical_one():
    twins = [entry(1, "same@example.com"), entry(1, "same@example.com")]
    done = read(ScriptedZoom(twins), page_size=1)

    assert emails(done) == ["same@example.com", "same@example.com"], "two events, both kept"


@pytest.mark.parametrize(("asked", "served"), [(300, 30), (300, 100), (10, 3)])
def test_pages_smaller_than_asked_are_read_to_the_end(asked, served):
    # Zoom gives /report/activities no maximum page_size: it may serve fewer than asked.
    zoom = ScriptedZoom([entry(n) for n in range(20 * served + 1)])
    zoom.serves = served
    done = read(zoom, page_size=asked)

    assert done.pages == 21
    assert emails(done) == [f"user{n}@example.com" for n in range(20 * served + 1)]


def test_a_refused_page_token_reads_the_window_again_from_its_first_page():
    zoom = ScriptedZoom([entry(n) for n in range(25)])
    zoom.refuse_tokens = 2
    done = read(zoom)

    assert emails(done) == [f"user{n}@example.com" for n in range(25)], "each entry once"
    assert zoom.stats.retries == {"expired page token": 2}
    assert [q.get("next_page_token", "") for q in zoom.asked] == [
        "",
        "10",
        "",
        "10",
        "",
        "10",
        "20",
    ]


def test_page_tokens_refused_three_times_in_a_row_stop_the_stream():
    zoom = ScriptedZoom([entry(n) for n in range(25)])
    zoom.refuse_tokens = 3

    with pytest.raises(ZoomAPIError) as stopped:
        read(zoom)
    assert "activity_logs 2026-05-29: Zoom refused its page tokens 3 times in a row" in str(
        stopped.value
    )


# --------------------------------------------------------------------------- an open window


def test_an_entry_shifted_onto_the_next_page_by_an_arrival_is_kept_once():
    zoom = ScriptedZoom([entry(n) for n in range(25)])

    def arrive(served: int) -> None:
        if served == 1:  # once the first page is out, a new entry tops the list
            zoom.entries.insert(0, entry(99, "late@example.com"))

    zoom.after_page = arrive
    done = read(zoom, is_open=True)

    assert zoom.stats.first_pages_again == 1
    assert emails(done) == [f"user{n}@example.com" for n in range(25)]


def test_identical_entries_at_a_page_boundary_are_both_kept():
    """A repeat that no arrival explains is two events that look alike."""
    twins = [entry(n) for n in range(25)]
    twins[15] = dict(twins[14])  # newest first, these two meet across pages 1 and 2
    zoom = ScriptedZoom(twins)
    done = read(zoom, is_open=True)

    assert zoom.stats.first_pages_again == 1, "the first page was read again to tell"
    assert Counter(emails(done))["user14@example.com"] == 2


def test_a_closed_window_is_not_checked_for_shifts():
    zoom = ScriptedZoom([entry(n) for n in range(25)])
    zoom.after_page = lambda served: (
        zoom.entries.insert(0, entry(90 + served)) if served == 1 else None
    )
    done = read(zoom, is_open=False)

    assert zoom.stats.first_pages_again == 0
    assert len(emails(done)) == 26, "a closed window cannot grow: nothing to tell apart"


# --------------------------------------------------------------------------- down to `lower`


def read_down_to(zoom: Any, lower: str) -> FetchedWindow:
    return read(zoom, window=Window(WINDOW.first_day, WINDOW.last_day, lower))


def test_a_read_ends_at_the_first_page_older_than_lower_with_its_boundary_second_whole():
    # 100 entries, one a second; the boundary second (n=70) holds three identical entries,
    # which fall on both sides of a page boundary (newest first: 29 newer, then the three).
    entries = [entry(n) for n in range(100)] + [entry(70), entry(70)]
    zoom = ScriptedZoom(entries)
    result = read_down_to(zoom, entry(70)["time"])

    rows = spooled_rows(result.spool)
    assert result.stopped_early
    assert len(zoom.asked) == 4, "pages of 10 down to the first entry older than 10:01:10"
    boundary = [row for row in rows if row[0] == entry(70)["time"]]
    assert len(boundary) == 3, "every entry of the boundary second"
    assert {row[0] for row in rows} >= {entry(n)["time"] for n in range(70, 100)}


def test_a_window_not_served_newest_first_is_read_to_its_end():
    entries = [entry(n) for n in range(100)]
    zoom = ScriptedZoom(entries)
    # Pages 1 and 2 swapped: each newest first, but page 2 is newer than page 1.
    zoom.entries = zoom.entries[10:20] + zoom.entries[:10] + zoom.entries[20:]
    result = read_down_to(zoom, entry(70)["time"])

    assert not result.stopped_early
    assert len(zoom.asked) == 10
    assert len(spooled_rows(result.spool)) == 100


def test_a_page_out_of_order_within_itself_is_read_to_its_end():
    zoom = ScriptedZoom([entry(n) for n in range(100)])
    zoom.entries[0], zoom.entries[5] = zoom.entries[5], zoom.entries[0]
    result = read_down_to(zoom, entry(70)["time"])

    assert not result.stopped_early
    assert len(zoom.asked) == 10


def test_a_refused_to_in_the_future_is_asked_again_up_to_today(caplog):
    today = pendulum.now("UTC").date()

    class RefusesTomorrow(ScriptedZoom):
        def serve(self, report: Report, query: dict[str, Any]) -> dict[str, Any]:
            if query["to"] > today.isoformat():
                self.asked.append(dict(query))
                raise DatesRefused("Zoom refused the request (HTTP 400, Zoom code 300)")
            return super().serve(report, query)

    zoom = RefusesTomorrow([entry(n) for n in range(15)])
    window = Window(today.subtract(days=1), today.add(days=1))
    with caplog.at_level(logging.WARNING, logger="test-paging-unit"):
        result = read(zoom, is_open=True, window=window)

    assert [q["to"] for q in zoom.asked] == [today.add(days=1).isoformat()] + [
        today.isoformat()
    ] * 2
    assert result.window.last_day == today
    assert len(spooled_rows(result.spool)) == 15
    assert f"refused a 'to' of {today.add(days=1).isoformat()}" in caplog.text


def test_a_refusal_of_days_not_in_the_future_stands():
    today = pendulum.now("UTC").date()

    class RefusesAll(ScriptedZoom):
        def serve(self, report: Report, query: dict[str, Any]) -> dict[str, Any]:
            raise DatesRefused("activity_logs: Zoom refused the request (HTTP 400)")

    with pytest.raises(DatesRefused):
        read(RefusesAll([]), window=Window(today.subtract(days=2), today.subtract(days=1)))
