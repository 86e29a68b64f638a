"""Every kind of fault `inject` can make the emulator serve, once or a given number of
times, on a report or the token endpoint: server errors, a reset or truncated answer, a
missing records key, slowness, 429s (Retry-After in each style, the daily limit), a
revoked token, expired or repeated page tokens, a missing scope, redirects, empty pages,
credentials echoed in an error, a bad time in a record; and `inject`'s checks of its
arguments. (Named test_injected_faults, not test_faults: tests/test_faults.py is the
tap's, and test folders are not packages, so module names must differ.)"""

from __future__ import annotations

import base64
import time
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime

import pytest
import requests

from tests.support.emulator import (
    ALL,
    KEYS,
    TIME_RE,
    WINDOW,
    error_code,
    fetch_token,
    newest_first,
    read_window,
    report,
    token_request,
)
from zoom_emulator import OPERATION_SCOPE, ZoomEmulator

# --------------------------------------------------------------------------- broken answers


@pytest.mark.parametrize("status", [500, 502, 503])
def test_fault_server_error(emu: ZoomEmulator, status: int) -> None:
    token = fetch_token(emu)
    emu.inject("server_error", status=status)
    response = report(emu, "activities", token, **WINDOW)
    assert response.status_code == status
    assert response.headers["Content-Type"].startswith("text/html")
    assert response.headers["x-zm-trackingid"]
    assert report(emu, "activities", token, **WINDOW).status_code == 200


def test_fault_reset(emu: ZoomEmulator) -> None:
    token = fetch_token(emu)
    emu.inject("reset")
    with pytest.raises(requests.ConnectionError):
        report(emu, "activities", token, **WINDOW)
    assert report(emu, "activities", token, **WINDOW).status_code == 200
    assert emu.stats.statuses[("activities", 0)] == 1


def test_fault_truncated(emu: ZoomEmulator) -> None:
    token = fetch_token(emu)
    emu.inject("truncated")
    with pytest.raises(requests.RequestException):
        report(emu, "activities", token, **WINDOW)
    assert report(emu, "activities", token, **WINDOW).status_code == 200


def test_fault_missing_key(emu: ZoomEmulator) -> None:
    token = fetch_token(emu)
    emu.inject("missing_key")
    body = report(emu, "activities", token, **WINDOW).json()
    assert "activity_logs" not in body
    assert body["from"] == WINDOW["from"]
    assert "activity_logs" in report(emu, "activities", token, **WINDOW).json()


def test_fault_slow(emu: ZoomEmulator) -> None:
    token = fetch_token(emu)
    emu.inject("slow", delay=0.4)
    started = time.monotonic()
    assert report(emu, "activities", token, **WINDOW).status_code == 200
    assert time.monotonic() - started >= 0.4


@pytest.mark.parametrize(
    ("endpoint", "value", "index"),
    [
        ("meeting_activities", "2026-03-21 7:9", 0),
        ("activities", "", 2),
        ("operationlogs", None, 0),
    ],
)
def test_fault_bad_time(busy_emu: ZoomEmulator, endpoint: str, value, index: int) -> None:
    token = fetch_token(busy_emu)
    params = {**WINDOW, **(ALL if endpoint == "meeting_activities" else {})}
    normal = report(busy_emu, endpoint, token, **params).json()[KEYS[endpoint]]
    busy_emu.inject("bad_time", endpoint=endpoint, value=value, index=index)
    spoiled = report(busy_emu, endpoint, token, **params).json()[KEYS[endpoint]]
    field = "activity_time" if endpoint == "meeting_activities" else "time"
    expected = dict(normal[index])
    if value is None:
        del expected[field]
    else:
        expected[field] = value
    assert spoiled[index] == expected
    assert spoiled[:index] + spoiled[index + 1 :] == normal[:index] + normal[index + 1 :]
    assert report(busy_emu, endpoint, token, **params).json()[KEYS[endpoint]] == normal


# --------------------------------------------------------------------------- rate limits


@pytest.mark.parametrize("style", ["seconds", "http_date", "iso", "absent"])
def test_fault_rate_limit(emu: ZoomEmulator, style: str) -> None:
    token = fetch_token(emu)
    emu.inject("rate_limit", retry_after=style, seconds=2)
    response = report(emu, "activities", token, **WINDOW)
    assert response.status_code == 429
    assert response.json()["message"].startswith("You have reached the maximum per-second")
    assert response.headers["X-RateLimit-Category"] == "Heavy"
    retry_after = response.headers.get("Retry-After")
    if style == "seconds":
        assert retry_after == "2"
    elif style == "http_date":
        assert retry_after is not None
        assert parsedate_to_datetime(retry_after) > datetime.now(timezone.utc)
    elif style == "iso":
        assert retry_after is not None
        assert TIME_RE.fullmatch(retry_after)
    else:
        assert retry_after is None
    assert report(emu, "activities", token, **WINDOW).status_code == 200


def test_fault_daily_limit_lasts_until_cleared(emu: ZoomEmulator) -> None:
    token = fetch_token(emu)
    emu.inject("daily_limit", after=1)
    assert report(emu, "activities", token, **WINDOW).status_code == 200
    tomorrow = (datetime.now(timezone.utc) + timedelta(days=1)).date()
    for _ in range(3):
        response = report(emu, "operationlogs", token, **WINDOW)
        assert response.status_code == 429
        assert response.headers["X-RateLimit-Type"] == "Daily-limit"
        assert response.headers["X-RateLimit-Remaining"] == "0"
        assert response.headers["Retry-After"] == f"{tomorrow.isoformat()}T00:00:00Z"
        assert "daily rate limit" in response.json()["message"]
    emu.clear_faults()
    assert report(emu, "activities", token, **WINDOW).status_code == 200


# --------------------------------------------------------------------------- tokens and scopes


def test_fault_revoke_token(emu: ZoomEmulator) -> None:
    old = fetch_token(emu)
    emu.inject("revoke_token")
    assert error_code(report(emu, "activities", old, **WINDOW)) == (401, 124)
    assert error_code(report(emu, "activities", old, **WINDOW)) == (401, 124)
    assert report(emu, "activities", fetch_token(emu), **WINDOW).status_code == 200


def test_fault_expire_page_token_only_hits_follow_up_pages(emu: ZoomEmulator) -> None:
    token = fetch_token(emu)
    emu.inject("expire_page_token")
    first = report(emu, "activities", token, page_size=5, **WINDOW)
    assert first.status_code == 200
    page_token = first.json()["next_page_token"]
    response = report(emu, "activities", token, page_size=5, next_page_token=page_token, **WINDOW)
    assert error_code(response) == (400, 300)


def test_fault_repeat_page_token_with_a_given_token(busy_emu: ZoomEmulator) -> None:
    token = fetch_token(busy_emu)
    window = {**WINDOW, "page_size": 5}
    expected = newest_first(busy_emu, "activity_logs", WINDOW["from"], WINDOW["to"])
    given = report(busy_emu, "activities", token, **window).json()["next_page_token"]
    busy_emu.inject("repeat_page_token", times=3)
    for _ in range(3):
        body = report(busy_emu, "activities", token, next_page_token=given, **window).json()
        assert body["next_page_token"] == given
        assert body["activity_logs"] == expected[5:10]
    after = report(busy_emu, "activities", token, next_page_token=given, **window).json()
    assert after["next_page_token"] not in ("", given)


def test_fault_repeat_page_token_on_a_first_page(busy_emu: ZoomEmulator) -> None:
    token = fetch_token(busy_emu)
    window = {**WINDOW, "page_size": 5}
    expected = newest_first(busy_emu, "activity_logs", WINDOW["from"], WINDOW["to"])
    busy_emu.inject("repeat_page_token", times=3, entries="empty")
    first = report(busy_emu, "activities", token, **window).json()
    assert first["activity_logs"] == []
    fixed = first["next_page_token"]
    again = report(busy_emu, "activities", token, next_page_token=fixed, **window).json()
    assert again["next_page_token"] == fixed
    assert report(busy_emu, "activities", token, **window).json()["next_page_token"] == fixed
    # Once the fault is spent, the fixed token leads to the first page, paging as usual.
    after = report(busy_emu, "activities", token, next_page_token=fixed, **window).json()
    assert after["activity_logs"] == expected[:5]
    assert after["next_page_token"] != fixed


def test_fault_empty_pages(busy_emu: ZoomEmulator) -> None:
    busy_emu.inject("empty_pages", times=4, after=1)
    records, envelopes = read_window(busy_emu, "activities", page_size=20, **WINDOW)
    assert records == newest_first(busy_emu, "activity_logs", WINDOW["from"], WINDOW["to"])
    assert [len(e["activity_logs"]) for e in envelopes][1:5] == [0, 0, 0, 0]
    tokens = [e["next_page_token"] for e in envelopes[1:5]]
    assert len(set(tokens)) == 4, "each empty page has a fresh token"


def test_fault_missing_scope(emu: ZoomEmulator) -> None:
    token = fetch_token(emu)
    emu.inject("missing_scope", endpoint="operationlogs")
    assert report(emu, "activities", token, **WINDOW).status_code == 200
    response = report(emu, "operationlogs", token, **WINDOW)
    assert error_code(response) == (400, 4711)
    assert OPERATION_SCOPE in response.json()["message"]


# --------------------------------------------------------------------------- redirects, echoes


@pytest.mark.parametrize(
    ("location", "expected"),
    [
        ("same", None),
        ("http", "http://api.zoom.example"),
        ("other", "https://other.example"),
        ("https://evil.example/steal", "https://evil.example/steal"),
    ],
)
def test_fault_redirect(busy_emu: ZoomEmulator, location: str, expected: str | None) -> None:
    token = fetch_token(busy_emu)
    busy_emu.inject("redirect", location=location, times=2)
    response = report(busy_emu, "activities", token, **WINDOW)
    assert response.status_code == 302
    path = response.request.path_url
    if expected is None:
        assert response.headers["Location"] == busy_emu.base_url + path
    elif expected.endswith("/steal"):
        assert response.headers["Location"] == expected
    else:
        assert response.headers["Location"] == expected + path
    assert report(busy_emu, "activities", token, **WINDOW).status_code == 302
    assert report(busy_emu, "activities", token, **WINDOW).status_code == 200
    assert busy_emu.stats.requests["activities"] == 3
    assert busy_emu.stats.statuses[("activities", 302)] == 2


def test_fault_redirect_on_the_token_endpoint_with_a_status(busy_emu: ZoomEmulator) -> None:
    busy_emu.inject("redirect", endpoint="token", status=307)
    response = requests.post(busy_emu.oauth_url, timeout=5, allow_redirects=False)
    assert response.status_code == 307
    assert response.headers["Location"] == busy_emu.oauth_url
    assert busy_emu.stats.statuses[("token", 307)] == 1
    with pytest.raises(ValueError, match="redirect location"):
        busy_emu.inject("redirect", location="elsewhere")
    with pytest.raises(ValueError, match="3xx"):
        busy_emu.inject("redirect", status=200)
    with pytest.raises(ValueError, match="entries"):
        busy_emu.inject("repeat_page_token", entries="some")


def test_fault_echo_credentials_on_the_token_endpoint(busy_emu: ZoomEmulator) -> None:
    busy_emu.inject("echo_credentials", endpoint="token")
    response = token_request(busy_emu)
    basic = base64.b64encode(f"{busy_emu.client_id}:{busy_emu.client_secret}".encode()).decode()
    assert response.status_code == 400
    assert response.json() == {
        "code": 300,
        "message": f"Invalid request: Authorization Basic {basic} for client secret "
        f"{busy_emu.client_secret}",
    }
    assert token_request(busy_emu).status_code == 200


def test_fault_echo_credentials_on_a_report(busy_emu: ZoomEmulator) -> None:
    token = fetch_token(busy_emu)
    busy_emu.inject("echo_credentials", endpoint="phone_operationlogs", status=401)
    assert report(busy_emu, "activities", token, **WINDOW).status_code == 200
    response = report(busy_emu, "phone_operationlogs", token)
    assert error_code(response) == (401, 300)
    assert response.json()["message"] == f"Invalid request: Authorization Bearer {token}"


# --------------------------------------------------------------------------- when a fault fires


def test_fault_on_token_endpoint_and_counts(emu: ZoomEmulator) -> None:
    emu.inject("server_error", endpoint="token", times=2)
    for _ in range(2):
        response = token_request(emu)
        assert response.status_code == 503
        assert response.headers["Content-Type"].startswith("text/html")
    token = fetch_token(emu)
    assert report(emu, "activities", token, **WINDOW).status_code == 200


def test_fault_only_consumed_when_it_fires(emu: ZoomEmulator) -> None:
    token = fetch_token(emu)
    emu.inject("server_error", endpoint="operationlogs", times=2)
    for _ in range(3):
        assert report(emu, "activities", token, **WINDOW).status_code == 200
    assert report(emu, "operationlogs", token, **WINDOW).status_code == 503
    assert report(emu, "operationlogs", token, **WINDOW).status_code == 503
    assert report(emu, "operationlogs", token, **WINDOW).status_code == 200


def test_inject_rejects_unknown_kind(emu: ZoomEmulator) -> None:
    with pytest.raises(ValueError, match="unknown fault"):
        emu.inject("meteor")
