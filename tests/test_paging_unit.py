"""paging.py in this process: one window read to its end against a scripted Zoom, paging
that never ends stopped, refused page tokens re-read, entries that a page token (an
offset) serves twice while Zoom adds entries kept once, and the early stop proven past
the window's `lower` second."""

from __future__ import annotations

import json
import logging
from collections import Counter
from collections.abc import Callable
from typing import Any

import pendulum
import pytest

from tap_zoom_logs.errors import DatesRefused, PageTokenInvalid, PagingNeverEnds, ZoomAPIError
from tap_zoom_logs.paging import FetchedWindow, _overlap, _shift, fetch_window
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
    zoom: Any,
    *,
    page_size: int = 10,
    is_open: bool = False,
    window: Window = WINDOW,
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


def test_a_shift_is_how_many_last_rows_the_page_served_again_leaves_out():
    page = [("k9", "i"), ("k8", "h"), ("k7", "g")]

    assert _shift(page, page) == 0
    assert _shift(page, [("k10", "new"), ("k9", "i"), ("k8", "h")]) == 1, "added on top"
    assert _shift(page, [("k9", "i"), ("k8", "late"), ("k8", "h")]) == 1, "added into it"
    assert _shift(page, [("k10", "a"), ("k10", "b"), ("k9", "i")]) == 2
    assert _shift(page, [("n3", "x"), ("n2", "y"), ("n1", "z")]) == 3, "a page or more"


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


# --------------------------------------------------------------------------- repeats at a boundary


def arrive_after_first_page(zoom: ScriptedZoom, at: int = 0) -> None:
    """Once page 1 is out, a new entry is written at position `at` of the newest-first list
    (0: the top; 5: into the page already read)."""

    def arrive(served: int) -> None:
        if served == 1:
            zoom.entries.insert(at, entry(99 if at == 0 else 94, "late@example.com"))

    zoom.after_page = arrive


@pytest.mark.parametrize("is_open", [True, False])
def test_identical_entries_at_a_page_boundary_are_both_kept(is_open):
    """Page 1 asked again, served the same: nothing was added, the repeat is two events."""
    twins = [entry(n) for n in range(25)]
    twins[15] = dict(twins[14])  # newest first, these two meet across pages 1 and 2
    zoom = ScriptedZoom(twins)
    done = read(zoom, is_open=is_open)

    assert zoom.stats.first_pages_again == 1, "the first page was asked again to tell"
    assert Counter(emails(done))["user14@example.com"] == 2
    assert done.pages == 3


@pytest.mark.parametrize("at", [0, 5])
def test_an_entry_written_above_a_boundary_of_an_open_window_shifts_nothing_in(at):
    """At the top (news for the next run) or into page 1 (a late entry, which settling
    reads): the entry shifted onto page 2 is kept once."""
    zoom = ScriptedZoom([entry(n) for n in range(25)])
    arrive_after_first_page(zoom, at)
    done = read(zoom, is_open=True)

    assert zoom.stats.first_pages_again == 1
    assert emails(done) == [f"user{n}@example.com" for n in range(25)]


def test_identical_entries_are_kept_once_where_page_one_cannot_tell_them_from_a_shift():
    """A pair across pages 1 and 2, and an entry on top once page 2 is out (or with
    snapshot tokens, at any time): page 1 asked again is shifted by one, which may be what
    repeated. Kept once: settling completes a pair, where a second lw_id is for good."""
    twins = [entry(n) for n in range(25)]
    twins[15] = dict(twins[14])
    zoom = ScriptedZoom(twins)
    zoom.after_page = lambda served: (
        zoom.entries.insert(0, entry(99, "new@example.com")) if served == 2 else None
    )
    done = read(zoom, is_open=True)

    assert Counter(emails(done))["user14@example.com"] == 1


@pytest.mark.parametrize("at", [0, 5])
def test_a_closed_window_written_to_while_paged_is_read_again_whole(at):
    """An entry written above the read position is not in this reading: read again."""
    zoom = ScriptedZoom([entry(n) for n in range(25)])
    arrive_after_first_page(zoom, at)
    done = read(zoom, is_open=False)

    assert Counter(emails(done)) == Counter(
        [f"user{n}@example.com" for n in range(25)] + ["late@example.com"]
    ), "every entry once, the written one too"
    assert [q.get("next_page_token", "") for q in zoom.asked] == ["", "10", "", "", "10", "20"]
    assert done.pages == 5, "every request but the first page asked again"


def test_a_closed_window_that_keeps_changing_stops_the_stream_in_one_line():
    zoom = ScriptedZoom([entry(n) for n in range(25)])
    zoom.after_page = lambda served: zoom.entries.insert(0, entry(90 + served % 10))

    with pytest.raises(ZoomAPIError) as stopped:
        read(zoom, is_open=False)
    assert "activity_logs 2026-05-29: read 3 times, and each reading could not be trusted" in (
        str(stopped.value)
    )


def test_a_repeat_whose_page_cannot_be_asked_again_is_told_by_a_second_reading():
    """A token used once may be refused: identical entries repeat at the same boundary in
    the next reading, where a shift does not."""
    twins = [entry(n) for n in range(25)]
    twins[15] = dict(twins[14])
    twins[5] = dict(twins[4])  # and another pair, across pages 2 and 3
    zoom = ScriptedZoom(twins)
    serve = zoom.serve

    def no_going_back(report: Report, query: dict[str, Any]) -> dict[str, Any]:
        token, before = query.get("next_page_token", ""), zoom.asked[-1:] or [{}]
        if token and int(before[0].get("next_page_token", "0")) > int(token):
            zoom.asked.append(dict(query))
            raise PageTokenInvalid("HTTP 400, Zoom code 300: Invalid next page token.")
        return serve(report, query)

    zoom.get_page = no_going_back
    done = read(zoom, is_open=False)

    counts = Counter(emails(done))
    assert counts["user14@example.com"] == 2
    assert counts["user4@example.com"] == 2
    assert sum(counts.values()) == 25
    assert [q.get("next_page_token", "") for q in zoom.asked].count("") == 4, "read twice"


# --------------------------------------------------------------------------- down to `lower`


def read_down_to(zoom: Any, lower: str, page_size: int = 10) -> FetchedWindow:
    return read(zoom, page_size=page_size, window=Window(WINDOW.first_day, WINDOW.last_day, lower))


def test_a_read_ends_at_the_first_page_older_than_lower_with_its_boundary_second_whole():
    # 100 entries, one a second; the boundary second (n=70) holds three identical entries,
    # which fall on both sides of a page boundary (newest first: 29 newer, then the three).
    entries = [entry(n) for n in range(100)] + [entry(70), entry(70)]
    zoom = ScriptedZoom(entries)
    result = read_down_to(zoom, entry(70)["time"])

    rows = spooled_rows(result.spool)
    assert result.stopped_early
    # Pages of 10 down to the first entry older than 10:01:10, one more to show the order
    # past it, and page 3 asked again: the identical entries across pages 3 and 4 are two.
    tokens = [q.get("next_page_token", "") for q in zoom.asked]
    assert tokens == ["", "10", "20", "30", "20", "40"]
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


def served_as(zoom: ScriptedZoom, pages: list[list[int]]) -> None:
    """Zoom serving the entries numbered in `pages`, page after page, in that order."""
    by_number = {e["email"]: e for e in zoom.entries}
    zoom.entries = [by_number[f"user{n}@example.com"] for page in pages for n in page]


def chunks(numbers: list[int], size: int = 10) -> list[list[int]]:
    return [numbers[i : i + size] for i in range(0, len(numbers), size)]


NEWEST_FIRST = list(range(99, -1, -1))
LOWER = entry(70)["time"]


@pytest.mark.parametrize(
    ("case", "pages"),
    [
        ("case 1: oldest page first, each newest first", chunks(NEWEST_FIRST)[::-1]),
        ("case 2: oldest first", chunks(NEWEST_FIRST[::-1])),
        ("case 2: oldest first, one a page", chunks(NEWEST_FIRST[::-1], 1)),
        (
            "case 3: the page that first reaches below lower before the one above it",
            [*chunks(NEWEST_FIRST)[:2], *chunks(NEWEST_FIRST)[3:1:-1], *chunks(NEWEST_FIRST)[4:]],
        ),
    ],
)
def test_pages_not_newest_first_past_lower_are_read_to_the_end_and_warned(case, pages, caplog):
    zoom = ScriptedZoom([entry(n) for n in range(100)])
    served_as(zoom, pages)
    with caplog.at_level(logging.INFO, logger="test-paging-unit"):
        result = read_down_to(zoom, LOWER, page_size=len(pages[0]))

    assert not result.stopped_early, case
    assert len(spooled_rows(result.spool)) == 100, case
    said = [r for r in caplog.records if "is not newest first" in r.getMessage()]
    assert [r.levelno for r in said] == [logging.WARNING], case


def test_oldest_first_behind_a_first_page_of_one_second_is_read_to_the_end():
    """Case 2: a page of one second is newest first in any order: it proves nothing."""
    burst = [entry(0, f"burst{k}@example.com") for k in range(10)]
    zoom = ScriptedZoom(burst + [entry(n) for n in range(1, 100)])
    zoom.entries = burst + sorted(zoom.entries[:-10], key=lambda e: e["time"])
    result = read_down_to(zoom, LOWER)

    assert not result.stopped_early
    assert len(spooled_rows(result.spool)) == 109


def test_a_burst_of_one_second_below_lower_is_read_past_until_a_second_changes():
    burst = [entry(60, f"burst{k}@example.com") for k in range(25)]
    zoom = ScriptedZoom([entry(n) for n in range(70, 100)] + burst + [entry(5), entry(4)])
    result = read_down_to(zoom, LOWER)

    assert result.stopped_early
    # Pages 1-3 down to 10:01:10; pages 4 and 5 hold the burst's one second below it, which
    # any order would serve alike; page 6 shows the next second.
    assert len(zoom.asked) == 6
    assert len(spooled_rows(result.spool)) == 57


def test_the_warning_is_once_a_run_for_a_stream(caplog):
    zoom = ScriptedZoom([entry(n) for n in range(100)])
    served_as(zoom, chunks(NEWEST_FIRST)[::-1])
    with caplog.at_level(logging.INFO, logger="test-paging-unit"):
        for _ in range(2):
            read_down_to(zoom, LOWER).spool.close()

    said = [r.levelno for r in caplog.records if "is not newest first" in r.getMessage()]
    assert said == [logging.WARNING, logging.INFO]


def test_pages_of_the_same_repeated_events_are_kept():
    """Case 10: two pages of the same identical events of one second are events, not a
    page served again: nothing proves Zoom ignored the token."""
    pair = [entry(50, "a@example.com"), entry(50, "b@example.com")]
    zoom = ScriptedZoom(pair * 4 + [entry(n) for n in range(10)])
    zoom.entries = pair * 4 + zoom.entries[8:]
    done = read(zoom, page_size=4)

    assert Counter(emails(done)) == Counter(
        ["a@example.com"] * 4 + ["b@example.com"] * 4 + [f"user{n}@example.com" for n in range(10)]
    )


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
