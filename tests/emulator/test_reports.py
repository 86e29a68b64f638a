"""The rules every report endpoint follows, checked on the activity and operation logs:
pages newest first that reassemble the truth, the last page's token, page tokens bound
to their query and expiring, the window rules (one calendar month, six months back,
dates), page_size (its default, its bounds, a Zoom that refuses it), the category filter,
the day cut in another time zone, and entries arriving while a window is paged (offset
vs snapshot paging). The meeting audit trail, Zoom Phone and Contact Center have their
own modules."""

from __future__ import annotations

import time
from typing import Any

import pytest

from tests.support.emulator import (
    ALL,
    CONTACT_CENTER,
    KEYS,
    NOW,
    RECORDS,
    SEED,
    TODAY,
    WINDOW,
    error_code,
    fetch_token,
    newest_first,
    read_window,
    report,
)
from zoom_emulator import ZoomEmulator

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
def test_window_rules(shared: ZoomEmulator, window: dict[str, Any], ok: bool) -> None:
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
def test_invalid_parameters_get_code_300(shared: ZoomEmulator, params: dict[str, Any]) -> None:
    endpoint = "operationlogs" if "category_type" in params else "activities"
    window = {"from": "2026-03-01", "to": "2026-03-02"}
    assert error_code(report(shared, endpoint, **window, **params)) == (400, 300)


def test_page_size_defaults_to_30_and_allows_300(shared: ZoomEmulator) -> None:
    window = {"from": "2026-03-01", "to": "2026-03-30"}
    assert report(shared, "activities", **window).json()["page_size"] == 30
    body = report(shared, "activities", page_size=300, **window).json()
    assert body["page_size"] == 300
    assert len(body["activity_logs"]) == 300


def test_a_zoom_that_refuses_page_size_serves_its_default() -> None:
    with ZoomEmulator(seed=SEED, now=NOW, refuse_page_size=(CONTACT_CENTER,)) as emu:
        token = fetch_token(emu)
        refused = report(emu, CONTACT_CENTER, token, page_size=300, **WINDOW)
        assert error_code(refused) == (400, 300)
        assert "page_size" in refused.json()["message"]
        served = report(emu, CONTACT_CENTER, token, **WINDOW)
        assert len(served.json()["operation_logs"]) == 30
        assert report(emu, "activities", token, page_size=300, **WINDOW).status_code == 200


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


# --------------------------------------------------------------------------- arrivals while paging


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
