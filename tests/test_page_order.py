"""The early stop against a Zoom that does not serve newest first (issue 27, cases 1 to 3):
a news run ends below its bookmark less the margin only once its pages show the order past
that point; pages oldest first, a first page of one second, pages of one entry or a pair
of pages swapped are caught in the same run, the window is read whole, and the stream
says so once, in a warning."""

from __future__ import annotations

from typing import Any

import pendulum
import pytest

from tests.support.news import add_news, covering, later, requests_to
from tests.support.tap import STREAMS, Tap, TapRun, assert_union_is_the_truth, at
from zoom_emulator import ZoomEmulator

SAID = "is not newest first; reading the window to its end"


def warned_once(run: TapRun) -> None:
    """The run named the failed assumption for activity_logs in one warning, and no more
    than that: a later window out of order says it at INFO. (operation_logs is served in
    the same order; whether its few entries show it depends on the hour, once if at all.)"""
    said = [line for line in run.stderr.splitlines() if SAID in line and "WARNING" in line]
    for stream in STREAMS:
        named = [line for line in said if f"| {stream} " in line]
        assert len(named) <= 1, said
    assert any("| activity_logs " in line for line in said), said


def burst_at_midnight(zoom: ZoomEmulator, count: int) -> None:
    """`count` sign-ins at 00:00:00 of the days a news run's window may start on: then its
    oldest `count` entries share one second, whatever the hour."""
    today = pendulum.instance(zoom.now).start_of("day")
    for day in (today.subtract(days=1), today):
        for n in range(count):
            zoom.add_entry(
                "activity_logs",
                {"time": day.format("YYYY-MM-DD[T]HH:mm:ss[Z]"), "email": f"burst{n}@example.com"},
            )


def news_run(
    zoom: ZoomEmulator, tmp_path: Any, news: int, **settings: Any
) -> tuple[list[TapRun], dict[str, Any], pendulum.DateTime]:
    tap = Tap(zoom, tmp_path)
    config = tap.config(max_concurrent_requests=1, **settings)
    backfill = tap.run(config)
    assert backfill.returncode == 0, backfill.stderr[-2000:]
    zoom.reset_stats()
    newest = add_news(zoom, news)
    run = tap.run(later(config), state=backfill.state)
    assert run.returncode == 0, run.stderr[-2000:]
    return [backfill, run], config, newest


def test_case_1_pages_served_oldest_page_first_are_read_whole_in_the_same_run(tmp_path):
    with ZoomEmulator(seed=5, history_days=3, entries_per_day=2000) as zoom:
        zoom.inject("oldest_page_first", endpoint="activities")
        runs, config, newest = news_run(zoom, tmp_path, 68, page_size=50)

        assert_union_is_the_truth(runs, zoom, covering(config, newest))
        emails = {r["email"] for r in runs[1].records["activity_logs"]}
        assert {f"news{n}@example.com" for n in range(68)} <= emails, "every new entry"
        warned_once(runs[1])
        lines = runs[1].stderr.splitlines()
        assert not [x for x in lines if SAID in x and "| operation_logs " in x], "newest first"


@pytest.mark.parametrize("page_size", [10, 1])
def test_case_2_oldest_first_behind_a_page_of_one_second_is_read_whole(tmp_path, page_size):
    # Few entries: one a page, the window read whole is a few hundred requests.
    volume = 2000 if page_size == 10 else 30
    with ZoomEmulator(seed=5, history_days=3, entries_per_day=volume, order="oldest") as zoom:
        burst_at_midnight(zoom, 10)
        runs, config, newest = news_run(zoom, tmp_path, 16, page_size=page_size)

        emails = {r["email"] for r in runs[1].records["activity_logs"]}
        assert {f"news{n}@example.com" for n in range(16)} <= emails, "every new entry"
        assert_union_is_the_truth(runs, zoom, covering(config, newest))
        warned_once(runs[1])


def first_page_below(zoom: ZoomEmulator, lower: pendulum.DateTime, page_size: int) -> int:
    """The page of a newest-first read that first holds an entry older than `lower`."""
    newer = zoom.truth("activity_logs", lower, lower.add(days=2))
    return len(newer) // page_size + 1


@pytest.mark.parametrize("settle", [True, False])
def test_case_3_a_page_served_before_the_one_above_it_is_read_whole(tmp_path, settle):
    with ZoomEmulator(seed=5, history_days=3, entries_per_day=2000) as zoom:
        tap = Tap(zoom, tmp_path)
        config = tap.config(max_concurrent_requests=1, page_size=20, settle_closed_days=settle)
        backfill = tap.run(config)
        zoom.reset_stats()
        newest = add_news(zoom, 68)
        lower = at(backfill.bookmark("activity_logs")).subtract(minutes=2)
        swapped = first_page_below(zoom, lower, 20)
        assert swapped >= 3, "news fills pages above the page that first reaches below"
        zoom.inject("swap_pages", endpoint="activities", page=swapped)

        run = tap.run(later(config), state=backfill.state)

        assert run.returncode == 0, run.stderr[-2000:]
        assert_union_is_the_truth([backfill, run], zoom, covering(config, newest))
        warned_once(run)


def test_pages_newest_first_cost_their_news_and_one_page_more(tmp_path):
    """The proof's price: the page past the margin, no more (the cost goal)."""
    with ZoomEmulator(seed=5, history_days=3, entries_per_day=2000) as zoom:
        runs, config, newest = news_run(zoom, tmp_path, 68, page_size=20)

        assert_union_is_the_truth(runs, zoom, covering(config, newest))
        assert SAID not in runs[1].stderr
        lower = at(runs[0].bookmark("activity_logs")).subtract(minutes=2)
        news_pages = first_page_below(zoom, lower, 20)
        assert requests_to(zoom, "activity_logs") == news_pages + 1
        for stream in STREAMS:
            assert requests_to(zoom, stream) <= news_pages + 2
