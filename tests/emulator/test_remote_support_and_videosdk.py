"""The emulator's remote support report and Video SDK operation logs, as their published
definitions describe them: parameters, envelopes, entries, limits, and the Video SDK API's
own JWT auth refused in Zoom's error shape."""

from __future__ import annotations

import re
import time

import pytest

from tests.support.emulator import (
    NOW,
    SEED,
    TIME_RE,
    WINDOW,
    error_code,
    fetch_token,
    read_window,
    report,
    video_sdk_jwt,
)
from zoom_emulator import ACTIVITY_SCOPE, ZoomEmulator

HMS = re.compile(r"\d\d:\d\d:\d\d")
REMOTE_SUPPORT_FIELDS = {
    "meeting_uuid", "meeting_number", "topic", "meeting_host_id", "meeting_start_time",
    "supporter_name", "supporter_email", "supportee_name", "supportee_email",
    "request_time", "wait_time", "start_time", "end_time", "duration",
}  # fmt: skip


def test_remote_support_serves_its_definitions_entries_newest_first(shared):
    records, envelopes = read_window(shared, "remote_support", page_size=50, **WINDOW)

    assert records == list(reversed(shared.truth("remote_support_logs", "2026-03-21", NOW)))
    assert {key for envelope in envelopes for key in envelope} <= {
        "page_size", "next_page_token", "remote_support_logs"
    }  # fmt: skip
    assert len(envelopes) > 1
    full = [r for r in records if r.keys() == REMOTE_SUPPORT_FIELDS]
    assert len(full) > len(records) * 0.8
    for record in records:
        assert TIME_RE.fullmatch(record["start_time"])
        assert "meeting_number" not in record or type(record["meeting_number"]) is int
        assert "duration" not in record or HMS.fullmatch(record["duration"])
        assert "wait_time" not in record or HMS.fullmatch(record["wait_time"])
        if "request_time" in record:
            assert record["request_time"] <= record["start_time"]


@pytest.mark.parametrize(
    ("params", "status", "code"),
    [
        ({"from": "2026-02-01", "to": "2026-03-30"}, 400, 300),  # more than a month
        ({"from": "2026-03-29", "to": "2026-03-30", "page_size": "301"}, 400, 300),
        ({"to": "2026-03-30"}, 400, 300),  # from/to required
        ({"from": "2025-06-01", "to": "2025-06-02"}, 400, 300),  # older than six months
    ],
)
def test_remote_support_applies_the_report_limits(shared, params, status, code):
    assert error_code(report(shared, "remote_support", **params)) == (status, code)


def test_remote_support_without_its_scope_is_refused_with_zooms_4711():
    with ZoomEmulator(seed=SEED, now=NOW, history_days=3, scopes=(ACTIVITY_SCOPE,)) as emu:
        response = report(emu, "remote_support", **WINDOW)

    assert error_code(response) == (400, 4711)
    assert "report:read:remote_support:admin" in response.json()["message"]


def test_the_classic_scope_covers_remote_support():
    with ZoomEmulator(seed=SEED, now=NOW, history_days=3, scopes=("report:read:admin",)) as emu:
        assert report(emu, "remote_support", **WINDOW).status_code == 200


def test_video_sdk_operation_logs_take_the_accounts_jwt(shared):
    records, envelopes = read_window(
        shared, "videosdk_operationlogs", video_sdk_jwt(shared), page_size=40, **WINDOW
    )

    expected = list(reversed(shared.truth("videosdk_operation_logs", "2026-03-21", NOW)))
    assert records == expected
    assert envelopes[0]["from"] == "2026-03-21"
    assert {key for r in records for key in r} == {
        "time", "operator", "category_type", "action", "operation_detail"
    }  # fmt: skip


@pytest.mark.parametrize(
    ("token", "message"),
    [
        (
            lambda emu: video_sdk_jwt(emu, secret="not-the-secret-of-this-video-sdk-account"),
            "Invalid access token.",
        ),
        (lambda emu: video_sdk_jwt(emu, iss="another-accounts-key"), "Invalid access token."),
        (lambda emu: video_sdk_jwt(emu, exp=int(time.time()) - 5), "Access token is expired."),
        (fetch_token, "Invalid access token."),  # an OAuth token
        (lambda emu: "not.a.jwt", "Invalid access token."),
    ],
    ids=["bad signature", "other key", "expired", "oauth token", "garbage"],
)
def test_video_sdk_refuses_a_bad_token_as_zoom_does(shared, token, message):
    response = report(shared, "videosdk_operationlogs", token(shared), **WINDOW)

    assert response.status_code == 401
    assert response.json() == {"code": 124, "message": message}


def test_an_unsigned_jwt_is_refused(shared):
    unsigned = video_sdk_jwt(shared).rsplit(".", 1)[0] + "."
    header = "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0"  # {"alg":"none","typ":"JWT"}
    forged = header + "." + unsigned.split(".")[1] + "."
    for token in (unsigned, forged):
        response = report(shared, "videosdk_operationlogs", token, **WINDOW)
        assert error_code(response) == (401, 124)


def test_a_video_sdk_jwt_opens_no_meetings_report(shared):
    response = report(shared, "operationlogs", video_sdk_jwt(shared), **WINDOW)

    assert error_code(response) == (401, 124)


def test_video_sdk_has_its_own_daily_quota():
    with ZoomEmulator(seed=SEED, now=NOW, history_days=3, videosdk_daily_quota=1) as emu:
        token = video_sdk_jwt(emu)
        first = report(emu, "videosdk_operationlogs", token, **WINDOW)
        second = report(emu, "videosdk_operationlogs", token, **WINDOW)
        meetings = report(emu, "operationlogs", **WINDOW)

    assert first.status_code == 200
    assert second.status_code == 429
    assert second.headers["X-RateLimit-Type"] == "Daily-limit"
    assert meetings.status_code == 200, "the meetings API's quota is another"


def test_video_sdk_applies_the_month_rule(shared):
    token = video_sdk_jwt(shared)
    response = report(
        shared, "videosdk_operationlogs", token, **{"from": "2026-01-01", "to": "2026-03-01"}
    )

    assert error_code(response) == (400, 300)
