"""Page tokens of either kind against entries Zoom writes while a window is paged (issue
27, cases 7 to 10): whether Zoom's next_page_token is an offset (a write above the read
position shifts the later pages by one) or a snapshot, in a news read of the open window,
a settling read of a closed day and a backfill, no entry gets a second lw_id, an entry
written while a window is paged is delivered by the time its day settles, and identical
entries (separate events) keep every copy, at the latest once their day settles."""

from __future__ import annotations

import time
from collections import Counter
from typing import Any

import pendulum
import pytest

from tests.support.news import (
    a_day_left_unsettled,
    add_news,
    covering,
    later,
    run_in_process_at,
    sign_in,
)
from tests.support.tap import (
    Tap,
    TapRun,
    assert_exact,
    assert_union_is_the_truth,
    truth,
    without_id,
)
from zoom_emulator import ZoomEmulator

LATE = {"email": "late@example.com", "type": "Sign in", "ip_address": "192.0.2.99"}


def stamp(moment: pendulum.DateTime) -> str:
    return moment.format("YYYY-MM-DD[T]HH:mm:ss[Z]")


def settled(
    zoom: ZoomEmulator, config: dict[str, Any], last: TapRun, capsys: Any
) -> tuple[TapRun, dict[str, Any]]:
    """A run four days on (the open days before it closed and settled since), and what
    the runs up to it must have delivered together."""
    moment = pendulum.now("UTC").add(days=4)
    run = run_in_process_at(moment, later(config), last.state, capsys)
    return run, {**config, "end_date": stamp(moment)}


def no_second_id(runs: list[TapRun], zoom: ZoomEmulator, config: dict[str, Any]) -> None:
    """No record beyond the truth: every lw_id the runs gave names an entry of its own."""
    union = {r["lw_id"]: r for run in runs for r in run.records["activity_logs"]}
    extra = without_id("activity_logs", list(union.values())) - truth(zoom, "activity_logs", config)
    assert extra == Counter(), f"entries given a second lw_id: {extra}"


def copies(run: TapRun, entry: dict[str, Any]) -> int:
    """How many records of `run` hold every field of `entry` (an activity_logs entry)."""
    records = run.records["activity_logs"]
    return sum(all(r.get(k) == v for k, v in entry.items()) for r in records)


# --------------------------------------------------------------------------- case 7


@pytest.mark.parametrize("paging", ["offset", "snapshot"])
def test_case_7_an_entry_written_into_a_page_read_of_the_open_window(tmp_path, capsys, paging):
    with ZoomEmulator(seed=5, history_days=3, entries_per_day=2000, paging=paging) as zoom:
        tap = Tap(zoom, tmp_path)
        config = tap.config(page_size=20, max_concurrent_requests=1)
        backfill = tap.run(config)
        newest = add_news(zoom, 60)
        # Once page 2 of the news read is out, an entry is written at the time of its
        # middle row: with offset tokens, page 3 starts with page 2's last entry again.
        zoom.inject("write_into_page", endpoint="activities", after=1, entry=LATE)
        news = tap.run(later(config), state=backfill.state)

        assert news.returncode == 0, news.stderr[-2000:]
        no_second_id([backfill, news], zoom, covering(config, newest))
        if paging == "offset":
            assert "came again at the top of page 3: kept once" in news.stderr
        final, covered = settled(zoom, config, news, capsys)

    assert_union_is_the_truth([backfill, news, final], zoom, covered)
    assert copies(news, LATE) + copies(final, LATE) >= 1, "delivered, by settling at the latest"


# --------------------------------------------------------------------------- case 8


@pytest.mark.parametrize("page", [1, 2])
def test_case_8_an_entry_written_while_a_settling_read_pages_a_closed_day(tmp_path, page):
    # Six days of history: the day left to settle is due 48 hours after it closed.
    with ZoomEmulator(seed=5, history_days=6, entries_per_day=200) as zoom:
        tap = Tap(zoom, tmp_path)
        config = tap.config(page_size=20, max_concurrent_requests=1)
        backfill = tap.run(config)
        state, day = a_day_left_unsettled(zoom, backfill)
        # The settling read of `day` comes first; once its page `page` is out, an entry is
        # written into that page (a late entry of a closed day), shifting the later pages.
        zoom.inject("write_into_page", endpoint="activities", after=page - 1, entry=LATE)
        settling = tap.run(config, state=state)

    assert settling.returncode == 0, settling.stderr[-2000:]
    assert_union_is_the_truth([backfill, settling], zoom, config)
    assert copies(settling, LATE) == 1, "read again whole: the written entry, once"
    assert f"activity_logs {day}: Zoom added 1 entries above page {page + 1}" in settling.stderr
    assert "reading the window again" in settling.stderr


# --------------------------------------------------------------------------- case 9


def identical_pair_under_news(zoom: ZoomEmulator, newer: int) -> tuple[dict[str, Any], Any]:
    """Two identical sign-ins, and `newer` sign-ins a second after them: newest first,
    the pair straddles the boundary after page ceil(newer / 10) of pages of 10 (newer: 9,
    19...). Waits until the clock has passed them; returns the pair's entry and newest."""
    now = pendulum.instance(zoom.now)
    pair = sign_in(now.add(seconds=1), 9999)
    zoom.add_entry("activity_logs", pair)
    zoom.add_entry("activity_logs", pair)
    for n in range(newer):
        zoom.add_entry("activity_logs", sign_in(now.add(seconds=2), n))
    newest = now.add(seconds=2)
    while pendulum.now("UTC") <= newest.add(seconds=1):
        time.sleep(0.1)
    return pair, newest


@pytest.mark.parametrize(("newer", "settle"), [(19, False), (9, True)])
def test_case_9_a_genuine_pair_across_a_boundary_while_an_entry_arrives_on_top(
    tmp_path, capsys, newer, settle
):
    with ZoomEmulator(seed=5, history_days=3, entries_per_day=2000, paging="snapshot") as zoom:
        tap = Tap(zoom, tmp_path)
        config = tap.config(page_size=10, max_concurrent_requests=1, settle_closed_days=settle)
        backfill = tap.run(config)
        pair, newest = identical_pair_under_news(zoom, newer)
        on_top = sign_in(newest.add(seconds=1), 5000)
        zoom.inject("arrive", endpoint="activities", entry=on_top)  # once page 1 is out
        news = tap.run(later(config), state=backfill.state)

        assert news.returncode == 0, news.stderr[-2000:]
        no_second_id([backfill, news], zoom, covering(config, newest))
        if not settle:
            # Page 2 asked again with its (snapshot) token is served the same: two events.
            assert copies(news, pair) == 2
            assert_union_is_the_truth([backfill, news], zoom, covering(config, newest))
            return
        # Across pages 1 and 2, page 1 asked again (it has no token) holds the arrival: a
        # shift cannot be ruled out, so the pair is kept once, and settling completes it.
        assert copies(news, pair) == 1
        final, covered = settled(zoom, config, news, capsys)

    assert_union_is_the_truth([backfill, news, final], zoom, covered)
    assert copies(final, pair) == 2


# --------------------------------------------------------------------------- case 10


def repeated_events(zoom: ZoomEmulator, base: pendulum.DateTime) -> None:
    """A sign-in and a sign-out repeated four times in one second, 4 entries newer and 3
    older: with pages of 4, pages 2 and 3 hold the same four identical-looking events."""
    a, b = sign_in(base, 1), {**sign_in(base, 1), "type": "Sign out"}
    for n in range(4):
        zoom.add_entry("activity_logs", sign_in(base.add(minutes=10), 100 + n))
        zoom.add_entry("activity_logs", a)
        zoom.add_entry("activity_logs", b)
    for n in range(3):
        zoom.add_entry("activity_logs", sign_in(base.subtract(minutes=10), 200 + n))


@pytest.mark.parametrize("when", ["closed day", "open window"])
def test_case_10_pages_of_the_same_repeated_events_are_all_kept(tmp_path, when):
    quiet = {"activity_logs": 0}  # only the planted entries: their pages are known
    with ZoomEmulator(seed=5, history_days=5, entries_per_day=quiet) as zoom:
        now = pendulum.instance(zoom.now)
        base = now.subtract(days=3) if when == "closed day" else now.subtract(minutes=30)
        repeated_events(zoom, base)
        tap = Tap(zoom, tmp_path)
        config = tap.config(page_size=4, max_concurrent_requests=1)
        run = tap.run(config)

    assert_exact(run, zoom, config)
    assert "Zoom ignored the page token" not in run.stderr
