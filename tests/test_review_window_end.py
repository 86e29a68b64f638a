"""Review of issue 27: the bookmark a finished window writes, where Zoom cuts its days east
of UTC. A window of Zoom's days `[first, last]` then ends before the UTC end of `last`
(at UTC+9, at 15:00 UTC): a bookmark at `last` 23:59:59 UTC passes entries the window
never held, and a run that stops there (a kill, the daily quota) resumes past them."""

from __future__ import annotations

import pytest

from tests.support.tap import Tap, assert_union_is_the_truth
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
