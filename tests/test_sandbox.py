"""The Zoom emulator must behave like the reference (docs zoom-report-api.md) says Zoom does:
the tap's tests are only as good as the emulator they run against."""

from __future__ import annotations

import collections
import json
import re
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from pathlib import Path

import pytest
import requests

from zoom_emulator import (
    ACTIVITY_SCOPE,
    CONTACT_CENTER_SCOPE,
    MEETING_ACTIVITY_SCOPE,
    OPERATION_SCOPE,
    PHONE_OPERATION_SCOPE,
    STREAMS,
    EmulatorStats,
    RequestRecord,
    ZoomEmulator,
)

NOW = datetime(2026, 3, 30, 15, 30, 0, tzinfo=timezone.utc)
SEED = 7
TIME_RE = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")
RECORDS = {"activities": "activity_logs", "operationlogs": "operation_logs"}
#: Every report endpoint: its path under api_url, and its records key.
PATHS = {
    "activities": "/report/activities",
    "operationlogs": "/report/operationlogs",
    "meeting_activities": "/report/meeting_activities",
    "phone_operationlogs": "/phone/reports/operationlogs",
    "contact_center_operation_logs": "/contact_center/reports/operation_logs",
}
KEYS = {
    **RECORDS,
    "meeting_activities": "meeting_activity_logs",
    "phone_operationlogs": "operation_logs",
    "contact_center_operation_logs": "operation_logs",
}


# --------------------------------------------------------------------------- helpers


def token_request(
    emu: ZoomEmulator,
    client_id: str | None = None,
    client_secret: str | None = None,
    account_id: str | None = None,
    *,
    in_query: bool = False,
) -> requests.Response:
    """POST to the token endpoint, as a Server-to-Server OAuth app does (or nearly)."""
    form = {"grant_type": "account_credentials", "account_id": account_id or emu.account_id}
    return requests.post(
        emu.oauth_url,
        auth=(client_id or emu.client_id, client_secret or emu.client_secret),
        **({"params": form} if in_query else {"data": form}),
        timeout=5,
    )


def fetch_token(emu: ZoomEmulator) -> str:
    response = token_request(emu)
    assert response.status_code == 200, response.text
    return response.json()["access_token"]


def report(
    emu: ZoomEmulator, endpoint: str, token: str | None = None, **params
) -> requests.Response:
    """One GET of a report endpoint (redirects answered, not followed)."""
    token = token or fetch_token(emu)
    return requests.get(
        emu.api_url + PATHS[endpoint],
        headers={"Authorization": f"Bearer {token}"},
        params=params,
        timeout=10,
        allow_redirects=False,
    )


def read_window(
    emu: ZoomEmulator, endpoint: str, token: str | None = None, **params
) -> tuple[list[dict], list[dict]]:
    """Every record of a window, paging to the end; also each page's envelope."""
    token = token or fetch_token(emu)
    records: list[dict] = []
    envelopes: list[dict] = []
    page_token = ""
    while True:
        query = {**params, "next_page_token": page_token} if page_token else params
        response = report(emu, endpoint, token, **query)
        assert response.status_code == 200, response.text
        body = response.json()
        envelopes.append(body)
        records.extend(body[KEYS[endpoint]])
        page_token = body.get("next_page_token") or ""
        if not page_token:
            return records, envelopes


def error_code(response: requests.Response) -> tuple[int, int]:
    return response.status_code, response.json()["code"]


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def shared() -> ZoomEmulator:
    """A read-only emulator for tests that inject nothing."""
    with ZoomEmulator(seed=SEED, now=NOW) as emu:
        yield emu


@pytest.fixture
def emu() -> ZoomEmulator:
    """A fresh emulator per test, for faults and counters."""
    with ZoomEmulator(seed=SEED, now=NOW, history_days=10, entries_per_day=20) as emu:
        yield emu


# --------------------------------------------------------------------------- OAuth


def test_token_is_issued_with_zoom_shape(shared: ZoomEmulator) -> None:
    response = token_request(shared)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json"
    assert response.headers["x-zm-trackingid"]
    body = response.json()
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 3600
    assert body["scope"].split() == [
        ACTIVITY_SCOPE,
        OPERATION_SCOPE,
        MEETING_ACTIVITY_SCOPE,
        PHONE_OPERATION_SCOPE,
        CONTACT_CENTER_SCOPE,
    ]
    assert body["api_url"] == shared.api_url.removesuffix("/v2")
    assert len(body["access_token"]) >= 32


def test_several_tokens_live_at_once(shared: ZoomEmulator) -> None:
    first, second = fetch_token(shared), fetch_token(shared)
    assert first != second
    for token in (first, second):
        assert report(shared, "activities", token).status_code == 200


@pytest.mark.parametrize(
    ("client_id", "client_secret", "account_id"),
    [
        ("emulated-client-id", "wrong-secret", "emulated-account"),
        ("someone-else", "emulated-client-secret-9f3b2c1d", "emulated-account"),
        ("emulated-client-id", "emulated-client-secret-9f3b2c1d", "other-account"),
    ],
)
def test_token_refused_for_wrong_credentials(
    shared: ZoomEmulator, client_id: str, client_secret: str, account_id: str
) -> None:
    response = token_request(shared, client_id, client_secret, account_id)
    assert response.status_code == 400
    assert response.json() == {
        "reason": "Invalid client_id or client_secret",
        "error": "invalid_client",
    }


def test_the_grant_is_taken_in_the_query_string_too(shared: ZoomEmulator) -> None:
    """Zoom's published request collection sends the grant in the query string; the tap
    sends it in the form body. Both are taken, a wrong grant in either is not."""
    assert token_request(shared, in_query=True).status_code == 200
    wrong = requests.post(
        shared.oauth_url,
        auth=(shared.client_id, shared.client_secret),
        params={"grant_type": "client_credentials", "account_id": shared.account_id},
        timeout=5,
    )
    assert wrong.status_code == 400
    assert wrong.json()["error"] == "unsupported_grant_type"


def test_token_expires_server_side() -> None:
    with ZoomEmulator(seed=SEED, now=NOW, token_ttl=1) as emu:
        token = fetch_token(emu)
        assert report(emu, "activities", token).status_code == 200
        time.sleep(1.1)
        assert error_code(report(emu, "activities", token)) == (401, 124)


# --------------------------------------------------------------------------- bearer checks


@pytest.mark.parametrize("header", [None, "Bearer not-a-token", "Basic abc"])
def test_report_refuses_unknown_token(shared: ZoomEmulator, header: str | None) -> None:
    headers = {"Authorization": header} if header else {}
    response = requests.get(f"{shared.api_url}/report/activities", headers=headers, timeout=5)
    assert response.status_code == 401
    assert response.json() == {"code": 124, "message": "Invalid access token."}


def test_token_without_the_stream_scope_gets_4711() -> None:
    with ZoomEmulator(seed=SEED, now=NOW, scopes=(ACTIVITY_SCOPE,)) as emu:
        token = fetch_token(emu)
        assert report(emu, "activities", token).status_code == 200
        response = report(emu, "operationlogs", token, **{"from": "2026-03-01", "to": "2026-03-02"})
        assert error_code(response) == (400, 4711)
        assert OPERATION_SCOPE in response.json()["message"]


def test_classic_scope_covers_both_reports() -> None:
    with ZoomEmulator(seed=SEED, now=NOW, scopes=("report:read:admin",)) as emu:
        token = fetch_token(emu)
        window = {"from": "2026-03-01", "to": "2026-03-02"}
        assert report(emu, "activities", token, **window).status_code == 200
        assert report(emu, "operationlogs", token, **window).status_code == 200


# --------------------------------------------------------------------------- paging


@pytest.mark.parametrize("endpoint", ["activities", "operationlogs"])
def test_paging_reassembles_truth_newest_first(shared: ZoomEmulator, endpoint: str) -> None:
    records, envelopes = read_window(
        shared, endpoint, **{"from": "2026-03-10", "to": "2026-03-20", "page_size": 37}
    )
    expected = shared.truth(RECORDS[endpoint], "2026-03-10", "2026-03-20")
    assert len(envelopes) > 3
    assert records == list(reversed(expected))
    times = [r["time"] for r in records]
    assert times == sorted(times, reverse=True)
    assert all(len(e[RECORDS[endpoint]]) == 37 for e in envelopes[:-1])


def test_today_is_served_up_to_now(shared: ZoomEmulator) -> None:
    records, _ = read_window(shared, "activities", **{"from": "2026-03-30", "to": "2026-03-30"})
    assert records
    assert max(r["time"] for r in records) <= "2026-03-30T15:30:00Z"


def test_category_filter_maps_to_display_label(shared: ZoomEmulator) -> None:
    window = {"from": "2026-03-01", "to": "2026-03-30", "page_size": 300}
    records, _ = read_window(shared, "operationlogs", category_type="user_settings", **window)
    expected = [
        e
        for e in shared.truth("operation_logs", "2026-03-01", "2026-03-30")
        if e.get("category_type") == "User Settings"
    ]
    assert records
    assert records == list(reversed(expected))


def test_last_page_token_is_empty_or_absent(shared: ZoomEmulator) -> None:
    forms = set()
    for _ in range(2):
        _, envelopes = read_window(
            shared, "activities", **{"from": "2026-03-28", "to": "2026-03-29"}
        )
        last = envelopes[-1]
        forms.add("absent" if "next_page_token" not in last else repr(last["next_page_token"]))
    assert forms == {"absent", "''"}


def test_page_token_is_bound_to_its_query(shared: ZoomEmulator) -> None:
    token = fetch_token(shared)
    window = {"from": "2026-03-01", "to": "2026-03-20", "page_size": 10}
    page_token = report(shared, "activities", token, **window).json()["next_page_token"]
    assert page_token
    same = report(shared, "activities", token, next_page_token=page_token, **window)
    assert same.status_code == 200
    for changed in ({"page_size": 11}, {"to": "2026-03-21"}, {"from": "2026-03-02"}):
        response = report(
            shared, "activities", token, next_page_token=page_token, **{**window, **changed}
        )
        assert error_code(response) == (400, 300)
        assert response.json()["message"] == "Invalid next page token."
    other = report(shared, "operationlogs", token, next_page_token=page_token, **window)
    assert error_code(other) == (400, 300)
    unknown = report(shared, "activities", token, next_page_token="guessed", **window)
    assert error_code(unknown) == (400, 300)


def test_page_token_expires() -> None:
    with ZoomEmulator(seed=SEED, now=NOW, page_token_ttl=0.3) as emu:
        token = fetch_token(emu)
        window = {"from": "2026-03-01", "to": "2026-03-20", "page_size": 10}
        page_token = report(emu, "activities", token, **window).json()["next_page_token"]
        time.sleep(0.4)
        response = report(emu, "activities", token, next_page_token=page_token, **window)
        assert error_code(response) == (400, 300)


def test_late_entry_is_served_and_in_truth(emu: ZoomEmulator) -> None:
    late = {"time": "2026-03-25T10:00:00Z", "operator": "late@example.com", "action": "Add"}
    emu.add_entry("operation_logs", late)
    records, _ = read_window(emu, "operationlogs", **{"from": "2026-03-25", "to": "2026-03-25"})
    assert late in records
    assert late in emu.truth("operation_logs", "2026-03-25T10:00:00Z", "2026-03-25T10:00:00Z")


# --------------------------------------------------------------------------- validation


@pytest.mark.parametrize(
    ("window", "ok"),
    [
        ({"from": "2026-02-28", "to": "2026-03-28"}, True),  # exactly one calendar month
        ({"from": "2026-02-28", "to": "2026-03-29"}, False),
        ({"from": "2026-01-31", "to": "2026-02-28"}, True),  # month end clamps
        ({"from": "2026-03-10", "to": "2026-03-09"}, False),  # to before from
        ({"from": "2025-09-30", "to": "2025-10-15"}, True),  # today - 6 months
        ({"from": "2025-09-29", "to": "2025-10-15"}, False),
        ({"from": "2026/03/01", "to": "2026-03-02"}, False),
        ({"from": "2026-02-30", "to": "2026-03-02"}, False),
    ],
)
def test_window_rules(shared: ZoomEmulator, window: dict, ok: bool) -> None:
    response = report(shared, "activities", **window)
    if ok:
        assert response.status_code == 200, response.text
    else:
        assert error_code(response) == (400, 300)


def test_six_month_message(shared: ZoomEmulator) -> None:
    response = report(shared, "operationlogs", **{"from": "2025-01-01", "to": "2025-01-31"})
    assert "6 months" in response.json()["message"]


@pytest.mark.parametrize(
    "params",
    [
        {"page_size": 301},
        {"page_size": 0},
        {"page_size": "ten"},
        {"activity_type": "sign_in"},
        {"category_type": "User"},  # the display label is not a filter value
    ],
)
def test_invalid_parameters_get_code_300(shared: ZoomEmulator, params: dict) -> None:
    endpoint = "operationlogs" if "category_type" in params else "activities"
    window = {"from": "2026-03-01", "to": "2026-03-02"}
    assert error_code(report(shared, endpoint, **window, **params)) == (400, 300)


def test_page_size_defaults_to_30_and_allows_300(shared: ZoomEmulator) -> None:
    window = {"from": "2026-03-01", "to": "2026-03-30"}
    assert report(shared, "activities", **window).json()["page_size"] == 30
    body = report(shared, "activities", page_size=300, **window).json()
    assert body["page_size"] == 300
    assert len(body["activity_logs"]) == 300


# --------------------------------------------------------------------------- faults

WINDOW = {"from": "2026-03-21", "to": "2026-03-30"}


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
        assert parsedate_to_datetime(retry_after) > datetime.now(timezone.utc)
    elif style == "iso":
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


def test_fault_missing_scope(emu: ZoomEmulator) -> None:
    token = fetch_token(emu)
    emu.inject("missing_scope", endpoint="operationlogs")
    assert report(emu, "activities", token, **WINDOW).status_code == 200
    response = report(emu, "operationlogs", token, **WINDOW)
    assert error_code(response) == (400, 4711)
    assert OPERATION_SCOPE in response.json()["message"]


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


# --------------------------------------------------------------------------- rate limit


def test_per_second_limit() -> None:
    with ZoomEmulator(seed=SEED, now=NOW, rate_limit_per_second=3) as emu:
        token = fetch_token(emu)
        statuses = [report(emu, "activities", token, **WINDOW) for _ in range(5)]
        codes = [r.status_code for r in statuses]
        assert codes[:3] == [200, 200, 200]
        assert 429 in codes[3:]
        refused = next(r for r in statuses if r.status_code == 429)
        assert refused.json()["code"] == 429
        assert refused.headers["Retry-After"] == "1"
        assert refused.headers["X-RateLimit-Category"] == "Heavy"
        assert refused.headers["X-RateLimit-Limit"] == "3"
        assert refused.headers["X-RateLimit-Remaining"] == "0"
        time.sleep(1.05)
        assert report(emu, "activities", token, **WINDOW).status_code == 200


# --------------------------------------------------------------------------- data


@pytest.fixture(scope="module")
def data(shared: ZoomEmulator) -> dict[str, list[dict]]:
    return {stream: shared.entries(stream) for stream in RECORDS.values()}


def test_every_entry_has_a_zoom_time(data: dict[str, list[dict]]) -> None:
    for rows in data.values():
        assert all(TIME_RE.fullmatch(row["time"]) for row in rows)
        times = [row["time"] for row in rows]
        assert times == sorted(times)


@pytest.mark.parametrize("stream", ["activity_logs", "operation_logs"])
def test_data_has_duplicates_bursts_and_missing_fields(
    data: dict[str, list[dict]], stream: str
) -> None:
    rows = data[stream]
    copies = collections.Counter(json.dumps(row, sort_keys=True) for row in rows)
    assert any(n >= 2 for n in copies.values()), "exact duplicates"
    per_second = collections.Counter(row["time"] for row in rows)
    distinct_per_second = collections.defaultdict(set)
    for row in rows:
        distinct_per_second[row["time"]].add(json.dumps(row, sort_keys=True))
    assert any(len(v) >= 3 for v in distinct_per_second.values()), "same-second bursts"
    assert max(per_second.values()) >= 3
    widths = collections.Counter(len(row) for row in rows)
    assert len(widths) >= 2, "some entries miss a field"


def test_data_quirks(data: dict[str, list[dict]]) -> None:
    activity, operations = data["activity_logs"], data["operation_logs"]
    assert any(row.get("version") == "-" for row in activity)
    assert any(not row.get("email", "").isascii() for row in activity)
    details = [row.get("operation_detail", "") for row in operations]
    assert any(detail.endswith(" ") for detail in details)
    assert any("🚀" in detail for detail in details)
    labels = {row.get("category_type") for row in operations} - {None}
    assert {"User", "User Settings", "Zoom Rooms"} <= labels


@pytest.mark.parametrize("stream", ["activity_logs", "operation_logs"])
def test_data_has_empty_days_but_not_everywhere(shared: ZoomEmulator, stream: str) -> None:
    days = collections.Counter(row["time"][:10] for row in shared.entries(stream))
    history = [(NOW - timedelta(days=i)).date().isoformat() for i in range(40)]
    empty = [day for day in history if not days[day]]
    assert 1 <= len(empty) <= 10
    assert days[history[-1]], "the oldest day has data"
    assert shared.tap_config()["start_date"] == f"{history[-1]}T00:00:00Z"


def test_same_seed_same_data_and_later_runs_see_a_superset() -> None:
    first = ZoomEmulator(seed=3, now=NOW, history_days=5)
    again = ZoomEmulator(seed=3, now=NOW, history_days=5)
    later = ZoomEmulator(seed=3, now=NOW + timedelta(hours=2), history_days=5)
    other = ZoomEmulator(seed=4, now=NOW, history_days=5)
    for stream in RECORDS.values():
        assert first.entries(stream) == again.entries(stream)
        assert first.entries(stream) != other.entries(stream)
        assert later.truth(stream, "2026-03-26", NOW) == first.entries(stream)


def _age_of(stream: str, entry: dict, now: datetime) -> dict:
    """`entry` with the date of its time replaced by that day's age before `now`."""
    field = "activity_time" if stream == "meeting_activity_logs" else "time"
    age = (now.date() - date.fromisoformat(entry[field][:10])).days
    return {**entry, field: f"{age} days ago{entry[field][10:]}"}


@pytest.mark.parametrize("days_later", [1, 37, 366])
def test_the_data_is_the_same_on_every_date(days_later: int) -> None:
    # Seeded by a day's age, not its date: a test's data cannot pass on one date and fail
    # on another. Only the date in each time moves (and today's cut, with the hour).
    first = ZoomEmulator(seed=3, now=NOW, history_days=6)
    moved = ZoomEmulator(seed=3, now=NOW + timedelta(days=days_later), history_days=6)
    for stream in STREAMS:
        before, after = first.entries(stream), moved.entries(stream)
        assert before, stream
        assert [_age_of(stream, e, NOW) for e in before] == [
            _age_of(stream, e, moved.now) for e in after
        ]


def test_tap_config(shared: ZoomEmulator) -> None:
    config = shared.tap_config(start_date="2026-03-01T00:00:00Z", extra=1)
    assert config["api_url"] == shared.api_url
    assert config["oauth_url"] == shared.oauth_url
    assert config["end_date"] == "2026-03-30T15:30:00Z"
    assert config["start_date"] == "2026-03-01T00:00:00Z"
    assert config["extra"] == 1
    assert {"account_id", "client_id", "client_secret"} <= config.keys()


# --------------------------------------------------------------------------- stats


def test_stats_count_requests_statuses_and_tokens(emu: ZoomEmulator) -> None:
    token = fetch_token(emu)
    report(emu, "activities", token, **WINDOW)
    report(emu, "operationlogs", token, **WINDOW)
    report(emu, "operationlogs", "bad-token", **WINDOW)
    stats: EmulatorStats = emu.stats
    assert stats.requests == {"token": 1, "activities": 1, "operationlogs": 2}
    assert stats.statuses[("operationlogs", 401)] == 1
    assert stats.pages("operationlogs") == 1
    assert stats.tokens_issued == [token]
    assert stats.in_flight == 0
    assert all(isinstance(r, RequestRecord) for r in stats.log)
    assert stats.log[-1].params == WINDOW
    assert stats.log[-1].status == 401
    ids = {r.tracking_id for r in stats.log}
    assert len(ids) == len(stats.log)
    remote = requests.get(f"{emu.api_url.removesuffix('/v2')}/_emulator/stats", timeout=5).json()
    assert remote["requests"] == {"token": 1, "activities": 1, "operationlogs": 2}
    assert remote["statuses"]["operationlogs:401"] == 1
    assert remote["tokens_issued"] == 1
    emu.reset_stats()
    assert emu.stats.requests == {}
    assert emu.stats.log == []


def test_peak_concurrency() -> None:
    with ZoomEmulator(seed=SEED, now=NOW, latency=0.3) as emu:
        token = fetch_token(emu)
        with ThreadPoolExecutor(4) as pool:
            answers = list(pool.map(lambda _: report(emu, "activities", token, **WINDOW), range(4)))
        assert [a.status_code for a in answers] == [200] * 4
        assert emu.stats.peak_concurrency >= 3
        assert emu.stats.in_flight == 0


def test_tracking_ids_are_unique(shared: ZoomEmulator) -> None:
    token = fetch_token(shared)
    ids = {
        report(shared, "activities", token, **WINDOW).headers["x-zm-trackingid"] for _ in range(5)
    }
    assert len(ids) == 5


def test_stop_closes_the_port() -> None:
    emu = ZoomEmulator(seed=SEED, now=NOW).start()
    session = requests.Session()
    url = emu.oauth_url
    assert session.get(url, timeout=5).status_code == 405  # keep-alive connection pooled
    emu.stop()
    with pytest.raises(requests.ConnectionError):
        session.get(url, timeout=5)


# --------------------------------------------------------------------------- CLI


def test_cli_serves_until_sigterm(tmp_path: Path) -> None:
    config_path = tmp_path / "config.json"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "zoom_emulator",
            "--port",
            "0",
            "--seed",
            "5",
            "--history-days",
            "3",
            "--config-out",
            str(config_path),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parents[1],
    )
    try:
        printed = json.loads(proc.stdout.readline())
        assert json.loads(config_path.read_text()) == printed
        emu_stats = requests.get(
            printed["api_url"].removesuffix("/v2") + "/_emulator/stats", timeout=5
        ).json()
        assert emu_stats["requests"] == {}
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
