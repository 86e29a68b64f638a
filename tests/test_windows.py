"""windows.py in this process: the range a stream reads and the report windows that cover
it, from the settings, the bookmark and a fixed clock."""

from __future__ import annotations

from typing import Any

import pendulum
import pytest

from tap_zoom_logs.settings import bounds_of
from tap_zoom_logs.times import parse_day, zoom_second
from tap_zoom_logs.windows import (
    Plan,
    Reading,
    Window,
    last_closed_day,
    oldest_day,
    plan_stream,
    plan_windows,
)
from tests.support.tap import at

NOW = pendulum.datetime(2026, 5, 30, 10, 15, 0)
#: Six months before NOW's day, plus one: the oldest day Zoom still answers for.
FLOOR = "2025-12-01"


def plan(
    *,
    start: str | None = None,
    end: str | None = None,
    bookmark: str | None = None,
    lookback: int | None = None,
    window: int = 1,
    margin: int = 3,
    settle: bool = True,
    settled: str | None = None,
    settle_after: int = 0,
) -> Plan:
    """The plan at NOW; days settle as soon as they close unless `settle_after` says (the
    wait itself: tests/test_late_entries.py)."""
    return plan_stream(
        name="activity_logs",
        bounds=bounds_of({"start_date": start, "end_date": end}),
        bookmark=None if bookmark is None else at(bookmark),
        reading=Reading(window, margin, lookback, settle, settle_after),
        now=NOW,
        settled_through=None if settled is None else parse_day(settled),
    )


def days(result: Plan) -> tuple[str, str]:
    """The first and last day the plan's windows ask Zoom for."""
    return result.windows[0].first_day.isoformat(), result.windows[-1].last_day.isoformat()


def test_the_oldest_day_is_six_months_back_plus_one():
    assert oldest_day(NOW) == at(f"{FLOOR}T00:00:00Z")
    assert zoom_second(pendulum.datetime(2026, 3, 29, 13, 38, 50, tz="Europe/Paris")) == (
        "2026-03-29T11:38:50Z"
    )


# --------------------------------------------------------------------------- from the settings


def test_a_range_from_start_date_reads_one_more_day_before_it_and_up_to_now():
    """Zoom cuts days in a time zone it does not document: the day before start_date may
    hold entries of start_date's UTC day."""
    result = plan(start="2026-05-20T08:00:00Z")

    assert result.start == at("2026-05-20T08:00:00Z")
    assert result.end == NOW
    assert days(result) == ("2026-05-19", "2026-05-31"), "up to Zoom's day at UTC+14"
    # Closed days (to 05-28: 14 hours after its end have passed) a window each, settling;
    # the open days in one window, read newest first down to the range's start.
    assert len(result.windows) == 11
    assert all(w.settles for w in result.windows[:-1])
    assert result.windows[-1] == Window(
        pendulum.date(2026, 5, 29), pendulum.date(2026, 5, 31), "2026-05-20T08:00:00Z"
    )
    assert result.notes == ()


def test_a_past_end_date_reads_one_more_day_after_it():
    result = plan(start="2026-05-20T08:00:00Z", end="2026-05-25T18:00:00Z")

    assert result.end == at("2026-05-25T18:00:00Z")
    assert days(result) == ("2026-05-19", "2026-05-26")
    assert (result.lower, result.upper) == ("2026-05-20T08:00:00Z", "2026-05-25T18:00:00Z")


def test_an_end_date_today_reads_up_to_zooms_furthest_day_and_no_further():
    assert days(plan(start="2026-05-28", end="2026-05-30T09:00:00Z")) == (
        "2026-05-27",
        "2026-05-31",
    )
    before_ten: dict[str, Any] = {"start": "2026-05-28", "end": "2026-05-29T09:00:00Z"}
    assert days(plan(**before_ten))[1] == "2026-05-30", "the day after a past end_date"


def test_a_date_only_end_date_is_its_whole_day():
    result = plan(start="2026-05-20", end="2026-05-25")

    assert result.end == at("2026-05-25T23:59:59Z")
    assert result.upper == "2026-05-25T23:59:59Z"
    assert days(result) == ("2026-05-19", "2026-05-26")


def test_without_start_date_the_range_starts_at_the_oldest_day_and_no_earlier():
    for start in (None, "2020-01-01", FLOOR):
        result = plan(start=start)
        assert result.start == at(FLOOR), start
        assert days(result)[0] == FLOOR, "Zoom refuses a day before its six months"


def test_the_day_before_start_date_is_read_when_zoom_still_has_it():
    assert days(plan(start="2025-12-02T06:00:00Z"))[0] == FLOOR


def test_windows_of_several_days_cover_the_range_once():
    result = plan(start="2026-05-20T08:00:00Z", end="2026-05-25T18:00:00Z", window=3)

    assert [w.label for w in result.windows] == [
        "2026-05-19..2026-05-21",
        "2026-05-22..2026-05-24",
        "2026-05-25..2026-05-26",
    ]


def test_windows_cover_every_day_once_oldest_first():
    start = pendulum.datetime(2026, 1, 30, 13, 5)
    end = pendulum.datetime(2026, 3, 2, 1, 0)
    windows = plan_windows(start.date(), end.date(), 7)

    days_read = [
        w.first_day.add(days=i) for w in windows for i in range((w.last_day - w.first_day).days + 1)
    ]
    expected = [start.date().add(days=i) for i in range((end.date() - start.date()).days + 1)]
    assert days_read == expected
    assert all((w.last_day - w.first_day).days < 7 for w in windows)
    assert windows[-1].last_day == end.date()


# --------------------------------------------------------------------------- from a bookmark


@pytest.mark.parametrize(("lookback", "first"), [(0, "2026-05-28"), (1, "2026-05-27")])
def test_a_bookmark_resumes_at_its_day_less_the_lookback(lookback, first):
    """No extra day before a bookmark's range: the lookback is the margin there."""
    result = plan(start="2026-05-01", bookmark="2026-05-28T23:59:59Z", lookback=lookback)

    assert result.start == at(f"{first}T00:00:00Z")
    assert days(result) == (first, "2026-05-31")
    assert result.notes == ()


def test_a_bookmark_that_resumes_at_start_date_itself_is_a_resume():
    """The first run read start_date's edge day already."""
    result = plan(start="2026-05-27T00:00:00Z", bookmark="2026-05-28T23:59:59Z", lookback=1)

    assert days(result)[0] == "2026-05-27"


def test_a_bookmark_before_start_date_gives_way_to_start_date():
    result = plan(start="2026-05-01T00:00:00Z", bookmark="2026-04-10T23:59:59Z")

    assert result.start == at("2026-05-01T00:00:00Z")
    assert days(result)[0] == "2026-04-30", "a range from the settings gets its edge day"


def test_a_bookmark_in_the_future_is_read_as_now_and_named():
    result = plan(bookmark="2099-01-01T00:00:00Z", lookback=1)

    assert result.start == at("2026-05-29T00:00:00Z")
    assert days(result) == ("2026-05-29", "2026-05-31")
    (note,) = result.notes
    assert "activity_logs: the state's bookmark 2099-01-01T00:00:00Z is in the future" in note
    assert "the clock is now 2026-05-30T10:15:00Z" in note


def test_a_bookmark_older_than_six_months_names_the_days_lost():
    result = plan(bookmark="2025-03-01T10:00:00Z", lookback=0)

    assert result.start == at(FLOOR)
    assert days(result)[0] == FLOOR
    (note,) = result.notes
    assert "bookmark 2025-03-01T10:00:00Z is older than the six months" in note
    assert f"entries from 2025-03-01 to 2025-11-30 can no longer be read; starting at {FLOOR}" in (
        note
    )


def test_a_range_that_starts_after_it_ends_has_no_window():
    result = plan(start="2026-05-01", end="2026-05-20", bookmark="2026-05-25T23:59:59Z")

    assert result.start > result.end
    assert result.windows == ()


# --------------------------------------------------------------------------- plan and window


def test_a_start_with_a_fraction_of_a_second_emits_from_the_next_second():
    start = pendulum.datetime(2026, 5, 20, 8, 0, 0, 500_000)
    result = Plan(start, NOW, ())

    assert result.lower == "2026-05-20T08:00:01Z"
    assert result.upper == "2026-05-30T10:15:00Z"


def test_a_window_asks_for_its_days_and_reads_one_more_on_either_side():
    window = Window(pendulum.date(2026, 5, 28), pendulum.date(2026, 5, 29))

    assert window.label == "2026-05-28..2026-05-29"
    assert Window(window.first_day, window.first_day).label == "2026-05-28"
    assert window.query() == {"from": "2026-05-28", "to": "2026-05-29"}
    assert window.near() == ("2026-05-27", "2026-05-30")
    assert window.end() == at("2026-05-29T23:59:59Z")


def test_a_window_is_open_until_fourteen_hours_after_its_last_utc_day():
    window = Window(pendulum.date(2026, 5, 29), pendulum.date(2026, 5, 29))
    day_after = pendulum.datetime(2026, 5, 30)

    assert window.is_open(day_after.add(hours=13, minutes=59, seconds=59))
    assert not window.is_open(day_after.add(hours=14))


def test_a_future_end_date_reads_up_to_now_and_no_further():
    """The plan's end becomes the bookmark: past now, it would claim entries not yet read."""
    result = plan(start="2026-05-20T08:00:00Z", end="2026-06-19T00:00:00Z")

    assert result.end == NOW
    assert result.upper == zoom_second(NOW)
    assert days(result) == ("2026-05-19", "2026-05-31"), "no day after Zoom's furthest"


# --------------------------------------------------------------------------- staying current


def test_a_day_closes_fourteen_hours_after_its_utc_end():
    assert last_closed_day(NOW) == pendulum.date(2026, 5, 28)
    assert last_closed_day(pendulum.datetime(2026, 5, 30, 14)) == pendulum.date(2026, 5, 29)
    assert last_closed_day(pendulum.datetime(2026, 5, 30, 13, 59)) == pendulum.date(2026, 5, 28)


def test_a_bookmark_resumes_at_its_second_less_the_margin_in_one_newest_first_window():
    result = plan(start="2026-05-01", bookmark="2026-05-30T09:00:00Z", settled="2026-05-28")

    assert result.start == at("2026-05-30T08:57:00Z")
    assert result.bookmark == at("2026-05-30T09:00:00Z")
    # From the day 08:57 falls on at UTC-12 to the day now falls on at UTC+14.
    assert result.windows == (
        Window(pendulum.date(2026, 5, 29), pendulum.date(2026, 5, 31), "2026-05-30T08:57:00Z"),
    )


def test_closed_days_not_yet_settled_are_read_whole_from_the_range_start():
    result = plan(start="2026-05-01", bookmark="2026-05-30T09:00:00Z", settled="2026-05-26")

    assert [(w.label, w.lower, w.settles) for w in result.windows] == [
        ("2026-05-27", "2026-05-01T00:00:00Z", True),
        ("2026-05-28", "2026-05-01T00:00:00Z", True),
        ("2026-05-29..2026-05-31", "2026-05-30T08:57:00Z", False),
    ]


def test_without_settling_no_day_is_read_whole_again():
    result = plan(bookmark="2026-05-30T09:00:00Z", settled="2026-05-20", settle=False)

    assert [w.label for w in result.windows] == ["2026-05-29..2026-05-31"]
    assert not any(window.settles for window in result.windows)


def test_a_state_from_before_settling_takes_the_days_closed_at_its_bookmark_as_settled():
    result = plan(bookmark="2026-05-29T20:00:00Z")  # 05-28 had closed by then

    assert [w.label for w in result.windows] == ["2026-05-29..2026-05-31"]
    older = plan(bookmark="2026-05-29T10:00:00Z")  # 05-28 had not
    assert [(w.label, w.settles) for w in older.windows] == [
        ("2026-05-28", True),
        ("2026-05-29..2026-05-31", False),
    ]


def test_a_settled_day_before_the_bookmark_range_is_read_down_to_the_margin_only():
    """Days already settled that the margin reaches back into: newest first, down to it."""
    result = plan(bookmark="2026-05-29T00:01:00Z", settled="2026-05-28", margin=5)

    assert [(w.label, w.lower, w.settles) for w in result.windows] == [
        ("2026-05-28..2026-05-31", "2026-05-28T23:56:00Z", False),
    ]
    weeks_old = plan(bookmark="2026-05-10T00:01:00Z", settle=False, window=7)
    assert [w.label for w in weeks_old.windows] == [
        "2026-05-09..2026-05-15",
        "2026-05-16..2026-05-22",
        "2026-05-23..2026-05-28",
        "2026-05-29..2026-05-31",
    ]


def test_a_state_day_is_a_pendulum_date_whatever_the_sdk_patched():
    # On Python 3.10 the SDK (imported by tap_zoom_logs.settings above) patches
    # date.fromisoformat, after which pendulum.Date.fromisoformat returned a plain date
    # without pendulum's arithmetic: CI runs this test on 3.10 too.
    day = parse_day("2026-03-01")
    assert isinstance(day, pendulum.Date)
    assert day.subtract(days=1).isoformat() == "2026-02-28"
