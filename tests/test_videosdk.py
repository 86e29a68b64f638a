"""A Video SDK account's operation logs (GET /videosdk/report/operationlogs): its own
credentials (a JWT signed with the account's API key and secret), each set of credentials
needed only by the streams that use it, its own rate lane, exact, resumable, and refused
in one line that names what to fix, the secret never printed."""

from __future__ import annotations

from typing import Any

import pytest

from tap_zoom_logs.errors import EXIT_QUOTA
from tests.support.tap import (
    STREAMS,
    Tap,
    assert_a_killed_run_resumes,
    assert_exact,
    assert_nothing_sent,
    one_line_error,
    truth,
)
from zoom_emulator import ZoomEmulator

STREAM = "videosdk_operation_logs"
ONLY = (STREAM,)
OAUTH = ("account_id", "client_id", "client_secret")
VIDEO_SDK = ("videosdk_api_key", "videosdk_api_secret")


def without(config: dict[str, Any], names: tuple[str, ...]) -> dict[str, Any]:
    return {key: value for key, value in config.items() if key not in names}


def test_only_the_video_sdk_credentials_read_only_its_log(tap, emulator):
    config = without(tap.config(), OAUTH)
    run = tap.run(config, select=ONLY)

    assert_exact(run, emulator, config, ONLY)
    assert sum(truth(emulator, STREAM, config).values()) > 20, "a vacuous test otherwise"
    assert emulator.stats.requests["token"] == 0, "a JWT is signed, no token is asked for"
    assert emulator.stats.requests["operationlogs"] == 0


def test_only_the_oauth_credentials_read_the_meeting_logs(tap, emulator):
    config = without(tap.config(), VIDEO_SDK)
    run = tap.run(config)

    assert_exact(run, emulator, config)
    assert emulator.stats.requests["videosdk_operationlogs"] == 0


def test_both_kinds_of_account_in_one_run(tap, emulator):
    config = tap.config(window_days=3, page_size=7)
    run = tap.run(config, select=(*STREAMS, STREAM))

    assert_exact(run, emulator, config, (*STREAMS, STREAM))
    ids = {r["lw_id"] for r in run.records[STREAM]}
    assert not ids & {r["lw_id"] for r in run.records["operation_logs"]}, "ids of their own"


@pytest.mark.parametrize(
    ("select", "missing", "named"),
    [
        (ONLY, "videosdk_api_secret", STREAM),
        (ONLY, "videosdk_api_key", STREAM),
        (None, "client_id", "activity_logs, operation_logs"),
        ((*STREAMS, STREAM), "account_id", "activity_logs, operation_logs"),
    ],
)
def test_missing_credentials_are_named_with_the_streams_needing_them(
    tap, emulator, select, missing, named
):
    run = tap.run(without(tap.config(), (missing,)), select=select, in_process=True)

    line = one_line_error(run, f"setting {missing} is missing", named)
    assert "Video SDK" in line if missing.startswith("videosdk") else "OAuth" in line
    assert_nothing_sent(run, emulator)


def test_a_wrong_secret_is_one_line_naming_the_settings(tap, emulator):
    run = tap.run(tap.config(videosdk_api_secret="not-the-video-sdk-secret"), select=ONLY)

    one_line_error(run, STREAM, "Zoom code 124", "videosdk_api_key", "videosdk_api_secret")
    assert "not-the-video-sdk-secret" not in run.stderr + run.stdout
    assert run.records[STREAM] == []


def test_a_wrong_key_is_refused_the_same_way(tap, emulator):
    run = tap.run(tap.config(videosdk_api_key="someone-elses-key"), select=ONLY)

    one_line_error(run, STREAM, "Invalid access token", "videosdk_api_key")


def test_a_killed_run_resumes_and_loses_nothing(tap, emulator):
    config = tap.config(window_days=1, page_size=10)
    assert_a_killed_run_resumes(tap, emulator, config, ONLY)


def test_its_daily_limit_stops_only_its_stream(tmp_path):
    with ZoomEmulator(seed=3, history_days=6, videosdk_daily_quota=2) as zoom:
        tap = Tap(zoom, tmp_path)
        config = tap.config(daily_quota_reserve=0)
        run = tap.run(config, select=(*STREAMS, STREAM))

        one_line_error(run, "daily", code=EXIT_QUOTA)
        for stream in STREAMS:  # the meetings API's streams go on, whole
            assert sum(truth(zoom, stream, config).values()) == len(run.records[stream])
        assert len(run.records[STREAM]) < sum(truth(zoom, STREAM, config).values())


def test_the_connection_test_checks_the_video_sdk_credentials(tap, emulator):
    good = tap.run(
        without(tap.config(), OAUTH), args=("--catalog", str(tap.catalog(ONLY)), "--test")
    )
    bad = tap.run(
        tap.config(videosdk_api_secret="wrong-secret-here"),
        args=("--catalog", str(tap.catalog(ONLY)), "--test"),
    )

    assert good.returncode == 0, good.stderr[-2000:]
    assert f"{STREAM}: OK" in good.stderr
    assert bad.returncode == 1
    assert f"{STREAM}: FAILED" in bad.stderr
    assert "wrong-secret-here" not in bad.stderr
