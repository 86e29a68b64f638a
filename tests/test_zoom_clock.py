"""Zoom's clock, not the tap's (issue 27, cases 5 and 6): with the tap's clock minutes
ahead of Zoom's or behind it, runs lose nothing and the skew is named once a run; a `to`
Zoom refuses as after its today, wherever it cuts days, is asked a day shorter and never
fails the run. Runs on a virtual clock, against an emulator whose clock runs with it."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from tests.support.clock import run_at, scheduled_config, union_of
from tests.support.tap import STREAMS, TapRun, as_record
from zoom_emulator import ZoomEmulator

START = datetime(2026, 3, 10, 9, 3, tzinfo=timezone.utc)
#: About two entries a minute: every few minutes of a clock's skew hold some.
VOLUMES = {"activity_logs": 3000, "operation_logs": 600}


def live_zoom(moment: datetime, **options: Any) -> ZoomEmulator:
    """A Zoom whose clock runs (with the process's, plus any skew), data up to 3 hours on."""
    return ZoomEmulator(
        seed=13,
        now=moment + timedelta(hours=3),
        history_days=3,
        entries_per_day=VOLUMES,
        live_clock=True,
        **options,
    )


def every_ten_minutes(zoom: ZoomEmulator, runs: int, **settings: Any) -> list[TapRun]:
    config = scheduled_config(zoom, "2026-03-10T00:00:00Z", **settings)
    done: list[TapRun] = []
    with zoom:
        for n in range(runs):
            state = done[-1].state if done else None
            done.append(run_at(START + timedelta(minutes=10 * n), config, state))
    return done


def assert_all_delivered_up_to_the_bookmark(zoom: ZoomEmulator, runs: list[TapRun]) -> None:
    for stream in STREAMS:
        bookmark = runs[-1].bookmark(stream)
        truth = Counter(
            as_record(stream, e) for e in zoom.truth(stream, "2026-03-10T00:00:00Z", bookmark)
        )
        union = union_of(runs, stream)
        delivered = Counter({k: n for k, n in union.items() if k in truth})
        assert delivered == truth, f"{stream}: {sum((truth - delivered).values())} lost"


def skew_lines(run: TapRun) -> list[str]:
    return [line for line in run.stderr.splitlines() if "this machine's clock is" in line]


@pytest.mark.parametrize(
    ("skew", "said"), [(-300, "5 minutes ahead of"), (300, "5 minutes behind")]
)
def test_a_clock_minutes_off_zooms_loses_nothing_and_is_named_once_a_run(skew, said):
    """Settling off: what a run skips is lost for good, as in the issue's case 5."""
    zoom = live_zoom(START, clock_skew_seconds=skew)
    runs = every_ten_minutes(zoom, 8, settle_closed_days=False)

    assert_all_delivered_up_to_the_bookmark(zoom, runs)
    last_run = START + timedelta(minutes=70)
    for stream in STREAMS:
        bookmark = datetime.fromisoformat(runs[-1].bookmark(stream).replace("Z", "+00:00"))
        assert bookmark <= last_run + timedelta(seconds=skew), "never past Zoom's now"
        assert bookmark >= last_run + timedelta(seconds=skew - 5), "and close behind it"
    for run in runs:
        (line,) = skew_lines(run)
        assert line.startswith("WARNING ") and said in line


def test_without_a_date_header_the_taps_clock_stands_and_nothing_is_said():
    zoom = live_zoom(START, date_header=False)
    runs = every_ten_minutes(zoom, 4, settle_closed_days=False)

    assert_all_delivered_up_to_the_bookmark(zoom, runs)
    assert not any(skew_lines(run) for run in runs)
    assert runs[-1].bookmark("activity_logs") == "2026-03-10T09:33:00Z"


@pytest.mark.parametrize(
    ("offset", "moment", "skew"),
    [
        (-8, datetime(2026, 3, 10, 0, 5, tzinfo=timezone.utc), 0),  # the case 6
        (-8, datetime(2026, 3, 10, 7, 59, tzinfo=timezone.utc), 0),
        (-12, datetime(2026, 3, 10, 11, 30, tzinfo=timezone.utc), 0),
        (-12, datetime(2026, 3, 10, 12, 30, tzinfo=timezone.utc), 0),
        (0, datetime(2026, 3, 10, 15, 0, tzinfo=timezone.utc), 0),
        (14, datetime(2026, 3, 10, 9, 55, tzinfo=timezone.utc), 0),
        (14, datetime(2026, 3, 10, 23, 55, tzinfo=timezone.utc), 0),
        # The tap's clock 8 minutes ahead at UTC midnight: still yesterday for Zoom.
        (0, datetime(2026, 3, 10, 0, 3, tzinfo=timezone.utc), -480),
    ],
)
def test_a_refused_future_to_is_asked_a_day_shorter_and_never_fails_the_run(offset, moment, skew):
    zoom = live_zoom(
        moment, refuse_future_to=True, day_cut_utc_offset=offset, clock_skew_seconds=skew
    )
    config = scheduled_config(zoom, "2026-03-09T00:00:00Z")
    with zoom:
        backfill = run_at(moment, config, None)
        hour_later = run_at(moment + timedelta(hours=1), config, backfill.state)

    runs = [backfill, hour_later]
    assert_all_delivered_up_to_the_bookmark(zoom, runs)
    for run in runs:
        refusals = [line for line in run.stderr.splitlines() if "refused a 'to' of" in line]
        assert len(refusals) <= 1, refusals
        assert all(line.startswith("WARNING ") for line in refusals)
    said = backfill.stderr + hour_later.stderr
    zoom_today = (moment + timedelta(seconds=skew) + timedelta(hours=offset)).date()
    utc_plus_14 = (moment + timedelta(hours=14)).date()
    assert ("refused a 'to' of" in said) == (zoom_today < utc_plus_14)


def test_runs_before_zooms_midnight_west_of_utc_cost_their_news(tmp_path):
    """Zoom cutting days at UTC-8 and refusing a future 'to': from 00:00 to 08:00 UTC the
    window ends at Zoom's today (yesterday in UTC), and holds everything up to now. A run an
    hour after another reads the hour's news, not everything since UTC midnight again."""
    moment = datetime(2026, 3, 10, 5, 0, tzinfo=timezone.utc)
    zoom = live_zoom(moment, refuse_future_to=True, day_cut_utc_offset=-8)
    config = scheduled_config(zoom, "2026-03-09T00:00:00Z", page_size=50)
    with zoom:
        backfill = run_at(moment, config, None)
        zoom.reset_stats()
        hour_later = run_at(moment + timedelta(hours=1), config, backfill.state)

    assert_all_delivered_up_to_the_bookmark(zoom, [backfill, hour_later])
    hour = zoom.truth("activity_logs", "2026-03-10T04:58:00Z", "2026-03-10T06:00:00Z")
    news_pages = len(hour) // 50 + 1
    assert zoom.stats.requests["activities"] <= news_pages + 2, (len(hour), news_pages)
