"""The Zoom Phone operation logs (/phone/reports/operationlogs: envelope and paging, the
last 24 hours by default, a free-text category_type in any case) and the Contact Center
operation logs (/contact_center/reports/operation_logs: envelope without from/to, entry
ids and categories, the category and action filters, the filters accepted but not
applied). Their scopes are in test_token.py, their limits and quotas in test_limits.py."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from tests.support.emulator import CONTACT_CENTER, NOW, newest_first, read_window
from tests.support.tap import FIELDS
from zoom_emulator import ZoomEmulator

CONTACT_CENTER_FIELDS = set(FIELDS[CONTACT_CENTER])


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


# --------------------------------------------------------------------------- Contact Center


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
