"""Review of issue 27: the bookmark a finished window writes, where Zoom cuts its days east
of UTC. A window of Zoom's days `[first, last]` then ends before the UTC end of `last`
(at UTC+9, at 15:00 UTC): a bookmark at `last` 23:59:59 UTC passes entries the window
never held, and a run that stops there (a kill, the daily quota) resumes past them."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from tests.support.clock import run_at, scheduled_config
from tests.support.tap import Tap, assert_union_is_the_truth
from tests.test_zoom_clock import assert_all_delivered_up_to_the_bookmark, live_zoom
from zoom_emulator import ZoomEmulator

ONLY = ("activity_logs",)


@pytest.mark.parametrize("settle", [False, True])
def test_a_run_stopped_between_windows_resumes_without_a_loss_east_of_utc(tmp_path, settle):
    with ZoomEmulator(seed=5, history_days=6, entries_per_day=200, day_cut_utc_offset=9) as zoom:
        tap = Tap(zoom, tmp_path)
        config = tap.config(window_days=1, max_concurrent_requests=1, settle_closed_days=settle)
        killed = tap.run_killed(config, after_states=2, select=ONLY)
        resumed = tap.run(config, state=killed.state, select=ONLY)

        assert resumed.returncode == 0, resumed.stderr[-2000:]
        assert_union_is_the_truth([killed, resumed], zoom, config, streams=ONLY)


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
