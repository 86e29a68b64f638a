"""The meeting audit trail (/report/meeting_activities): its envelope, paging and time
format, the activity_type, meeting_number and search_key filters, its own validation
(activity_type and from/to required), and an account where it is not enabled. (Its scope
is in test_token.py, its data in test_data.py.)"""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.support.emulator import (
    ALL,
    NOW,
    SEED,
    TODAY,
    error_code,
    fetch_token,
    newest_first,
    read_window,
    report,
)
from tests.support.tap import FIELDS
from zoom_emulator import MEETING_ACTIVITY_TYPES, ZoomEmulator

MEETING_TIME_RE = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d:\d{3}")


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
def test_meeting_activities_validation(shared: ZoomEmulator, params: dict[str, Any]) -> None:
    assert error_code(report(shared, "meeting_activities", **params)) == (400, 300)


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
