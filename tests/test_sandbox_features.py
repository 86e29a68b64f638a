"""The emulator's newer features: per-stream volumes, the day cut, entries arriving while a
window is paged (offset vs snapshot paging), faults of a broken Zoom, and the meeting audit
trail and Zoom Phone endpoints. Helpers come from test_sandbox.py."""

from __future__ import annotations

import base64
import collections
import hashlib
import json
import re
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
import requests

from tests.support.tap import FIELDS
from tests.test_sandbox import (
    KEYS,
    NOW,
    PATHS,
    SEED,
    error_code,
    fetch_token,
    read_window,
    report,
    token_request,
)
from zoom_emulator import (
    ACTIVITY_SCOPE,
    CLASSIC_SCOPE,
    CONTACT_CENTER_SCOPE,
    DEFAULT_SCOPES,
    MEETING_ACTIVITY_SCOPE,
    MEETING_ACTIVITY_TYPES,
    PHONE_CLASSIC_SCOPE,
    PHONE_OPERATION_SCOPE,
    REPORT_ENDPOINTS,
    STREAMS,
    ZoomEmulator,
)
from zoom_emulator.cli import volumes_of

MEETING_TIME_RE = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d:\d{3}")
TODAY = {"from": "2026-03-30", "to": "2026-03-30"}
WINDOW = {"from": "2026-03-21", "to": "2026-03-30"}
ALL = {"activity_type": "All Activities"}


def newest_first(emu: ZoomEmulator, stream: str, start, end) -> list[dict]:
    return list(reversed(emu.truth(stream, start, end)))


@pytest.fixture(scope="module")
def shared() -> ZoomEmulator:
    """A read-only emulator for tests that inject nothing (this module's own)."""
    with ZoomEmulator(seed=SEED, now=NOW) as emu:
        yield emu


@pytest.fixture
def emu() -> ZoomEmulator:
    """A fresh emulator per test (more entries a day than test_sandbox's)."""
    with ZoomEmulator(seed=SEED, now=NOW, history_days=10, entries_per_day=40) as emu:
        yield emu


# --------------------------------------------------------------------------- the package


def test_every_module_of_the_package_is_small() -> None:
    package = Path(__file__).resolve().parents[1] / "zoom_emulator"
    sizes = {
        str(path.relative_to(package)): len(path.read_text().splitlines())
        for path in package.rglob("*.py")
    }
    assert len(sizes) >= 8
    assert max(sizes.values()) <= 400, sizes


def test_seeded_data_of_the_first_two_streams_never_changes() -> None:
    """Pinned hashes, taken when the data came to be seeded by each day's age rather than
    its date (so that they hold on any date): tests written against a seed keep meaning the
    same whatever is added to the emulator."""
    emu = ZoomEmulator(seed=7, now=NOW, history_days=10, entries_per_day=20)
    pinned = {
        "activity_logs": (147, "fdb6c0d57e6e4093cb81e9a2062e5c587c9d054c78cec64eecfe9a25f55993dd"),
        "operation_logs": (188, "7780697d54957ef4f9340a466cb083b10e8ae20ac4548dacae6f376faaaf8d19"),
    }
    for stream, (count, digest) in pinned.items():
        rows = emu.entries(stream)
        text = json.dumps(rows, ensure_ascii=False, sort_keys=True)
        assert (len(rows), hashlib.sha256(text.encode()).hexdigest()) == (count, digest)


# --------------------------------------------------------------------------- volumes


def test_entries_per_day_per_stream() -> None:
    emu = ZoomEmulator(
        seed=SEED,
        now=NOW,
        history_days=5,
        entries_per_day={"activity_logs": 400, "operation_logs": 0},
    )
    assert emu.entries("operation_logs") == []
    per_day = collections.Counter(row["time"][:10] for row in emu.entries("activity_logs"))
    full_days = [n for day, n in per_day.items() if day != "2026-03-30"]
    assert full_days
    assert all(200 <= n <= 700 for n in full_days)  # 0.5x..1.5x, plus a few duplicates
    default = ZoomEmulator(seed=SEED, now=NOW, history_days=5, entries_per_day=40)
    for stream in ("meeting_activity_logs", "phone_operation_logs"):  # not named: 40
        assert emu.entries(stream) == default.entries(stream)
        assert emu.entries(stream)


def test_a_stream_volume_leaves_the_other_streams_data_alone() -> None:
    base = ZoomEmulator(seed=SEED, now=NOW, history_days=5, entries_per_day=40)
    louder = ZoomEmulator(
        seed=SEED, now=NOW, history_days=5, entries_per_day={"activity_logs": 300}
    )
    for stream in STREAMS:
        if stream != "activity_logs":
            assert louder.entries(stream) == base.entries(stream)
    assert louder.entries("activity_logs") != base.entries("activity_logs")


@pytest.mark.parametrize("volume", [{"sign_ins": 5}, {"activity_logs": -1}, -3])
def test_entries_per_day_rejects_nonsense(volume) -> None:
    with pytest.raises(ValueError, match=r"unknown stream|negative"):
        ZoomEmulator(seed=SEED, now=NOW, entries_per_day=volume)


def test_a_huge_volume_is_not_drawn_until_asked() -> None:
    emu = ZoomEmulator(seed=SEED, now=NOW, entries_per_day={"activity_logs": 1_000_000})
    config = emu.tap_config()
    assert config["start_date"] == "2026-02-19T00:00:00Z"  # the oldest of 40 days
    assert emu.data._ascending == {}, "tap_config() drew a day to know it has data"


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (None, 40),
        ([(None, 3000)], 3000),
        (
            [("activity_logs", 1_000_000), ("operation_logs", 0)],
            {
                "activity_logs": 1_000_000,
                "operation_logs": 0,
                "meeting_activity_logs": 40,
                "phone_operation_logs": 40,
                "contact_center_operation_logs": 40,
            },
        ),
        ([(None, 0), ("activity_logs", 5)], {s: 5 if s == "activity_logs" else 0 for s in STREAMS}),
    ],
)
def test_cli_volumes(values, expected) -> None:
    assert volumes_of(values) == expected


# --------------------------------------------------------------------------- day cut


@pytest.mark.parametrize(
    ("offset", "start", "end"),
    [
        (0, "2026-03-20T00:00:00Z", "2026-03-20T23:59:59Z"),
        (9, "2026-03-19T15:00:00Z", "2026-03-20T14:59:59Z"),
        (-5.5, "2026-03-20T05:30:00Z", "2026-03-21T05:29:59Z"),
        (14, "2026-03-19T10:00:00Z", "2026-03-20T09:59:59Z"),
    ],
)
@pytest.mark.parametrize("endpoint", ["activities", "meeting_activities"])
def test_day_cut_in_another_time_zone(offset: float, start: str, end: str, endpoint: str) -> None:
    with ZoomEmulator(seed=SEED, now=NOW, history_days=20, day_cut_utc_offset=offset) as emu:
        extra = ALL if endpoint == "meeting_activities" else {}
        window = {"from": "2026-03-20", "to": "2026-03-20", "page_size": 7, **extra}
        records, _ = read_window(emu, endpoint, **window)
        expected = newest_first(emu, KEYS[endpoint], start, end)
        assert len(expected) > 7
        assert records == expected
        # truth() stays UTC: the UTC day is another set unless the offset is 0.
        assert (records == newest_first(emu, KEYS[endpoint], "2026-03-20", "2026-03-20")) == (
            offset == 0
        )


@pytest.mark.parametrize("offset", [-12.5, 14.5])
def test_day_cut_offset_is_bounded(offset: float) -> None:
    with pytest.raises(ValueError, match="day_cut_utc_offset"):
        ZoomEmulator(day_cut_utc_offset=offset)


# --------------------------------------------------------------------------- arrivals


def test_offset_paging_serves_the_page_boundary_entry_twice_after_an_arrival() -> None:
    with ZoomEmulator(seed=SEED, now=NOW, history_days=3, entries_per_day=100) as emu:
        before = newest_first(emu, "activity_logs", "2026-03-30", "2026-03-30")
        assert len(before) > 12
        emu.inject("arrive")  # after the first page is answered
        records, envelopes = read_window(emu, "activities", page_size=5, **TODAY)
        first, second = envelopes[0]["activity_logs"], envelopes[1]["activity_logs"]
        assert first == before[:5]
        assert second[0] == first[-1]
        assert records == before[:5] + before[4:]  # one entry twice, none lost
        after = newest_first(emu, "activity_logs", "2026-03-30", "2026-03-30")
        assert len(after) == len(before) + 1
        assert after[0]["time"] == "2026-03-30T15:30:00Z"  # at now, newest of all
        assert after[1:] == before
        fresh, _ = read_window(emu, "activities", page_size=5, **TODAY)
        assert fresh == after


def test_snapshot_paging_ignores_an_arrival_until_the_next_read() -> None:
    with ZoomEmulator(
        seed=SEED, now=NOW, history_days=3, entries_per_day=100, paging="snapshot"
    ) as emu:
        before = newest_first(emu, "activity_logs", "2026-03-30", "2026-03-30")
        emu.inject("arrive", times=3)
        records, envelopes = read_window(emu, "activities", page_size=5, **TODAY)
        assert len(envelopes) > 3
        assert records == before
        fresh, _ = read_window(emu, "activities", page_size=5, **TODAY)
        assert fresh == newest_first(emu, "activity_logs", "2026-03-30", "2026-03-30")
        assert len(fresh) == len(before) + 3
        assert fresh[3:] == before


def test_arrive_with_a_given_entry_and_on_the_audit_trail(emu: ZoomEmulator) -> None:
    emu.inject("arrive", endpoint="operationlogs", entry={"operator": "late@example.com"})
    emu.inject("arrive", endpoint="meeting_activities")
    token = fetch_token(emu)
    assert report(emu, "operationlogs", token, **TODAY).status_code == 200
    assert report(emu, "meeting_activities", token, **TODAY, **ALL).status_code == 200
    operations = report(emu, "operationlogs", token, **TODAY).json()["operation_logs"]
    assert operations[0] == {"time": "2026-03-30T15:30:00Z", "operator": "late@example.com"}
    meetings = report(emu, "meeting_activities", token, **TODAY, **ALL).json()
    newest = meetings["meeting_activity_logs"][0]
    assert newest["activity_time"] == "2026-03-30 15:30:00:000"
    assert newest == emu.entries("meeting_activity_logs")[-1]


def test_arrive_is_only_for_report_endpoints(emu: ZoomEmulator) -> None:
    with pytest.raises(ValueError, match="token"):
        emu.inject("arrive", endpoint="token")


# --------------------------------------------------------------------------- broken Zoom


@pytest.mark.parametrize(
    ("location", "expected"),
    [
        ("same", None),
        ("http", "http://api.zoom.example"),
        ("other", "https://other.example"),
        ("https://evil.example/steal", "https://evil.example/steal"),
    ],
)
def test_fault_redirect(emu: ZoomEmulator, location: str, expected: str | None) -> None:
    token = fetch_token(emu)
    emu.inject("redirect", location=location, times=2)
    response = report(emu, "activities", token, **WINDOW)
    assert response.status_code == 302
    path = response.request.path_url
    if expected is None:
        assert response.headers["Location"] == emu.base_url + path
    elif expected.endswith("/steal"):
        assert response.headers["Location"] == expected
    else:
        assert response.headers["Location"] == expected + path
    assert report(emu, "activities", token, **WINDOW).status_code == 302
    assert report(emu, "activities", token, **WINDOW).status_code == 200
    assert emu.stats.requests["activities"] == 3
    assert emu.stats.statuses[("activities", 302)] == 2


def test_fault_redirect_on_the_token_endpoint_with_a_status(emu: ZoomEmulator) -> None:
    emu.inject("redirect", endpoint="token", status=307)
    response = requests.post(emu.oauth_url, timeout=5, allow_redirects=False)
    assert response.status_code == 307
    assert response.headers["Location"] == emu.oauth_url
    assert emu.stats.statuses[("token", 307)] == 1
    with pytest.raises(ValueError, match="redirect location"):
        emu.inject("redirect", location="elsewhere")
    with pytest.raises(ValueError, match="3xx"):
        emu.inject("redirect", status=200)
    with pytest.raises(ValueError, match="entries"):
        emu.inject("repeat_page_token", entries="some")


def test_fault_repeat_page_token_with_a_given_token(emu: ZoomEmulator) -> None:
    token = fetch_token(emu)
    window = {**WINDOW, "page_size": 5}
    expected = newest_first(emu, "activity_logs", WINDOW["from"], WINDOW["to"])
    given = report(emu, "activities", token, **window).json()["next_page_token"]
    emu.inject("repeat_page_token", times=3)
    for _ in range(3):
        body = report(emu, "activities", token, next_page_token=given, **window).json()
        assert body["next_page_token"] == given
        assert body["activity_logs"] == expected[5:10]
    after = report(emu, "activities", token, next_page_token=given, **window).json()
    assert after["next_page_token"] not in ("", given)


def test_fault_repeat_page_token_on_a_first_page(emu: ZoomEmulator) -> None:
    token = fetch_token(emu)
    window = {**WINDOW, "page_size": 5}
    expected = newest_first(emu, "activity_logs", WINDOW["from"], WINDOW["to"])
    emu.inject("repeat_page_token", times=3, entries="empty")
    first = report(emu, "activities", token, **window).json()
    assert first["activity_logs"] == []
    fixed = first["next_page_token"]
    again = report(emu, "activities", token, next_page_token=fixed, **window).json()
    assert again["next_page_token"] == fixed
    assert report(emu, "activities", token, **window).json()["next_page_token"] == fixed
    # Once the fault is spent, the fixed token leads to the first page, paging as usual.
    after = report(emu, "activities", token, next_page_token=fixed, **window).json()
    assert after["activity_logs"] == expected[:5]
    assert after["next_page_token"] != fixed


def test_fault_empty_pages(emu: ZoomEmulator) -> None:
    emu.inject("empty_pages", times=4, after=1)
    records, envelopes = read_window(emu, "activities", page_size=20, **WINDOW)
    assert records == newest_first(emu, "activity_logs", WINDOW["from"], WINDOW["to"])
    assert [len(e["activity_logs"]) for e in envelopes][1:5] == [0, 0, 0, 0]
    tokens = [e["next_page_token"] for e in envelopes[1:5]]
    assert len(set(tokens)) == 4, "each empty page has a fresh token"


def test_fault_echo_credentials_on_the_token_endpoint(emu: ZoomEmulator) -> None:
    emu.inject("echo_credentials", endpoint="token")
    response = token_request(emu)
    basic = base64.b64encode(f"{emu.client_id}:{emu.client_secret}".encode()).decode()
    assert response.status_code == 400
    assert response.json() == {
        "code": 300,
        "message": f"Invalid request: Authorization Basic {basic} for client secret "
        f"{emu.client_secret}",
    }
    assert token_request(emu).status_code == 200


def test_fault_echo_credentials_on_a_report(emu: ZoomEmulator) -> None:
    token = fetch_token(emu)
    emu.inject("echo_credentials", endpoint="phone_operationlogs", status=401)
    assert report(emu, "activities", token, **WINDOW).status_code == 200
    response = report(emu, "phone_operationlogs", token)
    assert error_code(response) == (401, 300)
    assert response.json()["message"] == f"Invalid request: Authorization Bearer {token}"


@pytest.mark.parametrize(
    ("endpoint", "value", "index"),
    [
        ("meeting_activities", "2026-03-21 7:9", 0),
        ("activities", "", 2),
        ("operationlogs", None, 0),
    ],
)
def test_fault_bad_time(emu: ZoomEmulator, endpoint: str, value, index: int) -> None:
    token = fetch_token(emu)
    params = {**WINDOW, **(ALL if endpoint == "meeting_activities" else {})}
    normal = report(emu, endpoint, token, **params).json()[KEYS[endpoint]]
    emu.inject("bad_time", endpoint=endpoint, value=value, index=index)
    spoiled = report(emu, endpoint, token, **params).json()[KEYS[endpoint]]
    field = "activity_time" if endpoint == "meeting_activities" else "time"
    expected = dict(normal[index])
    if value is None:
        del expected[field]
    else:
        expected[field] = value
    assert spoiled[index] == expected
    assert spoiled[:index] + spoiled[index + 1 :] == normal[:index] + normal[index + 1 :]
    assert report(emu, endpoint, token, **params).json()[KEYS[endpoint]] == normal


# --------------------------------------------------------------------------- meeting audit trail


def test_meeting_activities_shape_and_paging(shared: ZoomEmulator) -> None:
    window = {"from": "2026-03-10", "to": "2026-03-20", "page_size": 37, **ALL}
    records, envelopes = read_window(shared, "meeting_activities", **window)
    assert len(envelopes) > 3
    assert records == newest_first(shared, "meeting_activity_logs", "2026-03-10", "2026-03-20")
    for envelope in envelopes:
        assert set(envelope) <= {"next_page_token", "page_size", "meeting_activity_logs"}
        assert envelope["page_size"] == 37
    assert all(set(row) <= set(FIELDS["meeting_activity_logs"]) for row in records)
    assert all(MEETING_TIME_RE.fullmatch(row["activity_time"]) for row in records)
    assert all(
        re.fullmatch(r"\d{3} \d{3,4} \d{4}", row["meeting_number"])
        for row in records
        if "meeting_number" in row
    )
    categories = {row.get("activity_category") for row in records} - {None}
    assert categories == set(MEETING_ACTIVITY_TYPES) - {"All Activities"}


def test_meeting_data_is_as_messy_as_the_rest(shared: ZoomEmulator) -> None:
    rows = shared.entries("meeting_activity_logs")
    copies = collections.Counter(json.dumps(row, sort_keys=True) for row in rows)
    assert any(n >= 2 for n in copies.values()), "exact duplicates"
    distinct = collections.defaultdict(set)
    for row in rows:
        distinct[row["activity_time"]].add(json.dumps(row, sort_keys=True))
    assert any(len(v) >= 2 for v in distinct.values()), "different entries, same millisecond"
    seconds = collections.Counter(row["activity_time"][:19] for row in rows)
    assert max(seconds.values()) >= 3, "same-second bursts"
    assert all("activity_time" in row for row in rows)
    assert len({len(row) for row in rows}) >= 2, "some entries miss a field"
    assert any(not row.get("operator_email", "").isascii() for row in rows)
    times = [row["activity_time"] for row in rows]
    assert times == sorted(times)


@pytest.mark.parametrize("kind", ["User Join", "In-Meeting Chat", "Meeting Ended"])
def test_meeting_activity_type_filters_by_category(shared: ZoomEmulator, kind: str) -> None:
    window = {"from": "2026-03-01", "to": "2026-03-30", "page_size": 300}
    records, _ = read_window(shared, "meeting_activities", activity_type=kind, **window)
    expected = [
        row
        for row in newest_first(shared, "meeting_activity_logs", "2026-03-01", "2026-03-30")
        if row.get("activity_category") == kind
    ]
    assert records
    assert records == expected


def test_meeting_number_and_search_key_filters(shared: ZoomEmulator) -> None:
    window = {"from": "2026-03-01", "to": "2026-03-30", "page_size": 300, **ALL}
    everything = newest_first(shared, "meeting_activity_logs", "2026-03-01", "2026-03-30")
    number = next(row["meeting_number"] for row in everything if "meeting_number" in row)
    by_number, _ = read_window(shared, "meeting_activities", meeting_number=number, **window)
    assert by_number
    assert by_number == [row for row in everything if row.get("meeting_number") == number]
    unspaced, _ = read_window(
        shared, "meeting_activities", meeting_number=number.replace(" ", ""), **window
    )
    assert unspaced == by_number
    by_key, _ = read_window(shared, "meeting_activities", search_key="ZOË", **window)
    assert by_key
    assert by_key == [
        row
        for row in everything
        if "zoë" in row.get("operator", "").lower() or "zoë" in row.get("operator_email", "")
    ]


@pytest.mark.parametrize(
    "params",
    [
        {"from": "2026-03-01", "to": "2026-03-02"},  # activity_type is required
        {"from": "2026-03-01", "to": "2026-03-02", "activity_type": "Sign in"},
        {"from": "2026-03-01", "to": "2026-03-02", "activity_type": "all activities"},
        {"activity_type": "All Activities"},  # from/to are required
        {"from": "2026-02-01", "to": "2026-03-02", "activity_type": "All Activities"},
        {"from": "2026-03-01", "to": "2026-03-02", "page_size": 301, **ALL},
        {"from": "2026-03-01", "to": "2026-03-02", "category_type": "all", **ALL},
    ],
)
def test_meeting_activities_validation(shared: ZoomEmulator, params: dict) -> None:
    assert error_code(report(shared, "meeting_activities", **params)) == (400, 300)


def test_meeting_activities_scope() -> None:
    with ZoomEmulator(seed=SEED, now=NOW, scopes=(ACTIVITY_SCOPE,)) as emu:
        response = report(emu, "meeting_activities", **TODAY, **ALL)
        assert error_code(response) == (400, 4711)
        assert MEETING_ACTIVITY_SCOPE in response.json()["message"]
    with ZoomEmulator(seed=SEED, now=NOW, scopes=(CLASSIC_SCOPE,)) as emu:
        assert report(emu, "meeting_activities", **TODAY, **ALL).status_code == 200
        assert error_code(report(emu, "phone_operationlogs")) == (400, 4711)


def test_meeting_audit_trail_not_enabled() -> None:
    with ZoomEmulator(seed=SEED, now=NOW, meeting_audit_trail=False) as emu:
        token = fetch_token(emu)
        response = report(emu, "meeting_activities", token, **TODAY, **ALL)
        assert response.status_code == 400
        assert response.json() == {
            "code": 200,
            "message": "Meeting audit trail is not enabled for this account.",
        }
        assert report(emu, "activities", token, **TODAY).status_code == 200


def test_meeting_add_entry_needs_its_own_time_format(emu: ZoomEmulator) -> None:
    with pytest.raises(ValueError, match="activity_time"):
        emu.add_entry("meeting_activity_logs", {"activity_time": "2026-03-25T10:00:00Z"})
    late = {"activity_time": "2026-03-25 10:00:00:500", "operator": "Late Comer"}
    emu.add_entry("meeting_activity_logs", late)
    assert emu.truth("meeting_activity_logs", "2026-03-25T10:00:00Z", "2026-03-25T10:00:00Z") == [
        late
    ]


# --------------------------------------------------------------------------- Zoom Phone


def test_phone_operation_logs_shape_and_paging(shared: ZoomEmulator) -> None:
    window = {"from": "2026-03-10", "to": "2026-03-20", "page_size": 41}
    records, envelopes = read_window(shared, "phone_operationlogs", **window)
    expected = newest_first(shared, "phone_operation_logs", "2026-03-10", "2026-03-20")
    assert len(envelopes) > 3
    assert records == expected
    for envelope in envelopes:
        assert envelope["from"] == "2026-03-10"
        assert envelope["to"] == "2026-03-20"
        assert envelope["total_records"] == len(expected)
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", row["time"]) for row in records)
    fields = {"time", "operator", "category_type", "action", "operation_detail"}
    assert all(set(row) <= fields for row in records)
    labels = {row.get("category_type") for row in records}
    assert {"Phone Number", "Call Queue", "Auto Receptionist", "Recording", "Device"} <= labels


def test_phone_operation_logs_default_to_the_last_24_hours(shared: ZoomEmulator) -> None:
    records, envelopes = read_window(shared, "phone_operationlogs", page_size=300)
    expected = newest_first(shared, "phone_operation_logs", NOW - timedelta(hours=24), NOW)
    assert records
    assert records == expected
    assert (envelopes[0]["from"], envelopes[0]["to"]) == ("2026-03-29", "2026-03-30")


@pytest.mark.parametrize("value", ["Call Queue", "call queue", "CALL QUEUE"])
def test_phone_category_type_is_free_text_any_case(shared: ZoomEmulator, value: str) -> None:
    window = {"from": "2026-03-01", "to": "2026-03-30", "page_size": 300}
    records, envelopes = read_window(shared, "phone_operationlogs", category_type=value, **window)
    expected = [
        row
        for row in newest_first(shared, "phone_operation_logs", "2026-03-01", "2026-03-30")
        if row.get("category_type") == "Call Queue"
    ]
    assert records
    assert records == expected
    assert envelopes[0]["total_records"] == len(expected)
    nothing, _ = read_window(shared, "phone_operationlogs", category_type="Fax", **window)
    assert nothing == []
    everything, _ = read_window(shared, "phone_operationlogs", category_type="all", **window)
    assert len(everything) > len(records)


def test_phone_scopes() -> None:
    with ZoomEmulator(seed=SEED, now=NOW, scopes=(PHONE_CLASSIC_SCOPE,)) as emu:
        assert report(emu, "phone_operationlogs").status_code == 200
        assert error_code(report(emu, "activities", **TODAY)) == (400, 4711)
    with ZoomEmulator(seed=SEED, now=NOW, scopes=(ACTIVITY_SCOPE,)) as emu:
        response = report(emu, "phone_operationlogs")
        assert error_code(response) == (400, 4711)
        assert PHONE_OPERATION_SCOPE in response.json()["message"]


def test_phone_has_its_own_per_second_limit() -> None:
    with ZoomEmulator(
        seed=SEED, now=NOW, rate_limit_per_second=2, phone_rate_limit_per_second=3
    ) as emu:
        token = fetch_token(emu)
        reports = [report(emu, "activities", token, **TODAY).status_code for _ in range(3)]
        phones = [report(emu, "phone_operationlogs", token) for _ in range(4)]
        assert reports == [200, 200, 429]
        assert [r.status_code for r in phones] == [200, 200, 200, 429]
        assert phones[-1].headers["X-RateLimit-Limit"] == "3"
        assert phones[0].headers["X-RateLimit-Limit"] == "3"


def test_phone_daily_limit_is_its_own(emu: ZoomEmulator) -> None:
    token = fetch_token(emu)
    emu.inject("daily_limit", endpoint="phone_operationlogs")
    for _ in range(2):
        response = report(emu, "phone_operationlogs", token)
        assert response.status_code == 429
        assert response.headers["X-RateLimit-Type"] == "Daily-limit"
    assert report(emu, "activities", token, **TODAY).status_code == 200
    assert report(emu, "meeting_activities", token, **TODAY, **ALL).status_code == 200
    emu.clear_faults()
    emu.inject("daily_limit")  # "report": every report endpoint, Zoom Phone's too
    for endpoint in REPORT_ENDPOINTS:
        extra = ALL if endpoint == "meeting_activities" else {}
        assert report(emu, endpoint, token, **TODAY, **extra).status_code == 429


# --------------------------------------------------------------------------- Contact Center

CONTACT_CENTER = "contact_center_operation_logs"
CONTACT_CENTER_FIELDS = set(FIELDS[CONTACT_CENTER])


def test_contact_center_shape_and_paging(shared: ZoomEmulator) -> None:
    window = {"from": "2026-03-10", "to": "2026-03-20", "page_size": 41}
    records, envelopes = read_window(shared, CONTACT_CENTER, **window)
    expected = newest_first(shared, CONTACT_CENTER, "2026-03-10", "2026-03-20")
    assert len(envelopes) > 3
    assert records == expected
    for envelope in envelopes:
        assert "from" not in envelope and "to" not in envelope
        assert envelope["total_records"] == len(expected)
        assert envelope["page_size"] == 41
    assert all(set(row) <= CONTACT_CENTER_FIELDS for row in records)
    everything = shared.entries(CONTACT_CENTER)
    assert all(re.fullmatch(r"[0-9a-f]{32}", e["operation_log_id"]) for e in everything if
               "operation_log_id" in e)  # fmt: skip
    assert [e for e in everything if "operation_log_id" not in e], "an entry without its id"
    assert len({e.get("category") for e in everything}) > 30, "Zoom lists about 40 categories"


@pytest.mark.parametrize(
    ("params", "field", "value"),
    [
        ({"category": "flows"}, "category", "Flows"),
        ({"action": "Delete"}, "action", "Delete"),
    ],
)
def test_contact_center_filters(shared: ZoomEmulator, params, field, value) -> None:
    window = {"from": "2026-03-01", "to": "2026-03-30", "page_size": 300}
    records, envelopes = read_window(shared, CONTACT_CENTER, **params, **window)
    expected = [
        row
        for row in newest_first(shared, CONTACT_CENTER, "2026-03-01", "2026-03-30")
        if row.get(field) == value
    ]
    assert records
    assert records == expected
    assert envelopes[0]["total_records"] == len(expected)
    unused, _ = read_window(shared, CONTACT_CENTER, team_name="Tier 1", keyword="x", **window)
    assert len(unused) > len(records), "accepted, not applied"


def test_contact_center_scopes_limits_and_quota() -> None:
    scopes = ("contact_center_operation_logs:read:admin",)
    with ZoomEmulator(seed=SEED, now=NOW, scopes=scopes) as emu:
        assert report(emu, CONTACT_CENTER, **TODAY).status_code == 200
        assert error_code(report(emu, "phone_operationlogs")) == (400, 4711)
    with ZoomEmulator(seed=SEED, now=NOW, scopes=(ACTIVITY_SCOPE,)) as emu:
        response = report(emu, CONTACT_CENTER, **TODAY)
        assert error_code(response) == (400, 4711)
        assert CONTACT_CENTER_SCOPE in response.json()["message"]
    with ZoomEmulator(
        seed=SEED, now=NOW, contact_center_rate_limit_per_second=2, contact_center_daily_quota=3
    ) as emu:
        token = fetch_token(emu)
        answers = [report(emu, CONTACT_CENTER, token, **TODAY) for _ in range(3)]
        assert [a.status_code for a in answers] == [200, 200, 429]
        assert "X-RateLimit-Type" not in answers[2].headers, "the per-second limit first"
        assert answers[1].headers["X-RateLimit-Remaining"] == "1"
        assert report(emu, "phone_operationlogs", token).status_code == 200
        time.sleep(1.1)
        report(emu, CONTACT_CENTER, token, **TODAY)
        spent = report(emu, CONTACT_CENTER, token, **TODAY)
        assert spent.headers["X-RateLimit-Type"] == "Daily-limit"


def test_a_zoom_that_refuses_page_size_serves_its_default() -> None:
    with ZoomEmulator(seed=SEED, now=NOW, refuse_page_size=(CONTACT_CENTER,)) as emu:
        token = fetch_token(emu)
        refused = report(emu, CONTACT_CENTER, token, page_size=300, **WINDOW)
        assert error_code(refused) == (400, 300)
        assert "page_size" in refused.json()["message"]
        served = report(emu, CONTACT_CENTER, token, **WINDOW)
        assert len(served.json()["operation_logs"]) == 30
        assert report(emu, "activities", token, page_size=300, **WINDOW).status_code == 200


# --------------------------------------------------------------------------- stats, CLI


def test_stats_cover_the_new_endpoints(emu: ZoomEmulator) -> None:
    token = fetch_token(emu)
    report(emu, "meeting_activities", token, **TODAY, **ALL)
    report(emu, "meeting_activities", token, **TODAY)  # no activity_type: 400
    report(emu, "phone_operationlogs", token)
    assert emu.stats.requests == {"token": 1, "meeting_activities": 2, "phone_operationlogs": 1}
    assert emu.stats.pages("meeting_activities") == 1
    assert emu.stats.statuses[("meeting_activities", 400)] == 1
    assert emu.stats.pages("phone_operationlogs") == 1
    remote = requests.get(emu.base_url + "/_emulator/stats", timeout=5).json()
    assert remote["pages"] == {
        "activities": 0,
        "operationlogs": 0,
        "meeting_activities": 1,
        "phone_operationlogs": 1,
        "contact_center_operation_logs": 0,
    }
    assert remote["statuses"]["meeting_activities:400"] == 1


def test_default_scopes_are_the_five_granular_ones() -> None:
    assert DEFAULT_SCOPES == (
        ACTIVITY_SCOPE,
        "report:read:operation_logs:admin",
        MEETING_ACTIVITY_SCOPE,
        PHONE_OPERATION_SCOPE,
        CONTACT_CENTER_SCOPE,
    )


def test_new_streams_are_deterministic_per_seed() -> None:
    first = ZoomEmulator(seed=3, now=NOW, history_days=5)
    again = ZoomEmulator(seed=3, now=NOW, history_days=5)
    other = ZoomEmulator(seed=4, now=NOW, history_days=5)
    later = ZoomEmulator(seed=3, now=NOW + timedelta(hours=2), history_days=6)
    for stream in ("meeting_activity_logs", "phone_operation_logs"):
        assert first.entries(stream) == again.entries(stream)
        assert first.entries(stream) != other.entries(stream)
        # (the oldest day always has data, so 03-26 may differ: it is not "later"'s oldest)
        assert later.truth(stream, "2026-03-27", NOW) == first.truth(stream, "2026-03-27", NOW)


def test_cli_options(tmp_path: Path) -> None:
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "zoom_emulator",
            "--port=0",
            "--history-days=3",
            "--entries-per-day=0",
            "--entries-per-day=activity_logs=50",
            "--day-cut-utc-offset=9",
            "--paging=snapshot",
            "--no-meeting-audit-trail",
            "--phone-rate-limit=1",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        config = json.loads(proc.stdout.readline())
        session = requests.Session()
        token = session.post(
            config["oauth_url"],
            auth=(config["client_id"], config["client_secret"]),
            data={"grant_type": "account_credentials", "account_id": config["account_id"]},
            timeout=5,
        ).json()["access_token"]
        day = config["end_date"][:10]

        def fetch(path: str, **params):
            headers = {"Authorization": f"Bearer {token}"}
            return session.get(config["api_url"] + path, headers=headers, params=params, timeout=5)

        window = {"from": day, "to": day}
        assert fetch(PATHS["activities"], **window).json()["activity_logs"]
        assert fetch(PATHS["operationlogs"], **window).json()["operation_logs"] == []
        assert fetch(PATHS["meeting_activities"], **window, **ALL).json()["code"] == 200
        phone = [fetch(PATHS["phone_operationlogs"]).status_code for _ in range(2)]
        assert phone == [200, 429]
    finally:
        proc.terminate()
        assert proc.wait(timeout=10) == 0


def test_cli_rejects_an_unknown_stream() -> None:
    run = subprocess.run(
        [sys.executable, "-m", "zoom_emulator", "--entries-per-day=sign_ins=5"],
        capture_output=True,
        text=True,
        check=False,
        timeout=30,
    )
    assert run.returncode == 2
    assert "unknown stream" in run.stderr
