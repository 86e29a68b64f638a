"""The security-incident scenario (zoom_emulator/incidents.py) and the ordinary traffic it
stands out from: each person signs in with one device, account settings change in working
hours, and nothing ordinary carries a text a detection looks for."""

from __future__ import annotations

import collections
from datetime import datetime, timedelta

import pytest

from tests.support.emulator import NOW, SEED
from zoom_emulator import ZoomEmulator
from zoom_emulator.data import WORKING_HOURS
from zoom_emulator.incidents import DETECTIONS, plant_security_incidents

# Panther's public test cases (panther-labs/pypanther, Apache-2.0), byte for byte.
TWO_FACTOR_OFF = "Security  - Sign in with Two-Factor Authentication: from On to Off"


@pytest.fixture(scope="module")
def ordinary() -> ZoomEmulator:
    return ZoomEmulator(seed=SEED, now=NOW, history_days=40)


def test_each_person_signs_in_with_one_device(ordinary: ZoomEmulator) -> None:
    # A missing field leaves an entry without its client or address; the rest is one device.
    clients: dict[str, set[str]] = collections.defaultdict(set)
    addresses: dict[str, set[str]] = collections.defaultdict(set)
    for row in ordinary.entries("activity_logs"):
        if "email" in row and "client_type" in row:
            clients[row["email"]].add(row["client_type"])
        if "email" in row and "ip_address" in row:
            addresses[row["email"]].add(row["ip_address"])
    assert len(addresses) > 30
    assert all(len(found) == 1 for found in clients.values()), clients
    assert all(len(found) == 1 for found in addresses.values()), addresses
    everywhere = set().union(*addresses.values())
    assert len(everywhere) > 10, "people still sign in from many places between them"
    assert any(":" in address for address in everywhere), "IPv6 homes remain"


def test_ordinary_account_settings_change_in_working_hours(ordinary: ZoomEmulator) -> None:
    rows = [r for r in ordinary.entries("operation_logs") if r.get("category_type") == "Account"]
    assert len(rows) > 30
    assert {int(row["time"][11:13]) for row in rows} <= set(WORKING_HOURS)
    other = [r for r in ordinary.entries("operation_logs") if r.get("category_type") == "User"]
    assert {int(row["time"][11:13]) for row in other} - set(WORKING_HOURS), "others any hour"


def test_ordinary_traffic_grants_and_disables_nothing(ordinary: ZoomEmulator) -> None:
    details = [r.get("operation_detail", "") for r in ordinary.entries("operation_logs")]
    assert not [d for d in details if "from On to Off" in d or "Admin" in d or "Owner" in d]


def test_the_scenario_plants_what_fires_each_detection_and_its_near_misses() -> None:
    emu = ZoomEmulator(seed=SEED, now=NOW, history_days=3)
    scenario = plant_security_incidents(emu)
    for name in DETECTIONS:
        assert scenario.fires[name], name
        assert scenario.spares[name], name
        assert not set(map(id, scenario.fires[name])) & set(map(id, scenario.spares[name]))
    served = collections.Counter(
        (stream, tuple(sorted(entry.items())))
        for stream in ("activity_logs", "operation_logs", "phone_operation_logs")
        for entry in emu.entries(stream)
    )
    for stream, entry in scenario.planted:
        assert served[stream, tuple(sorted(entry.items()))] >= 1, entry
    fired = [entry for _, entry in scenario.fires["two_factor_sign_in_disabled"]]
    assert [e["operation_detail"] for e in fired] == [TWO_FACTOR_OFF]
    near = [e["operation_detail"] for _, e in scenario.spares["two_factor_sign_in_disabled"]]
    assert near == [TWO_FACTOR_OFF.replace("On to Off", "Off to On")]
    # Everything lies before now, the incidents on the day before it, whole.
    yesterday = (NOW - timedelta(days=1)).date().isoformat()
    assert all(e["time"] < f"{NOW:%Y-%m-%dT%H:%M:%SZ}" for _, e in scenario.planted)
    assert all(e["time"][:10] == yesterday for _, e in scenario.fires["bulk_deletions"])
    assert emu.tap_config()["start_date"] <= min(e["time"] for _, e in scenario.planted)


def test_the_scenario_is_the_same_on_every_date() -> None:
    def shape(now: datetime) -> list[tuple[str, str, int]]:
        emu = ZoomEmulator(seed=SEED, now=now, history_days=2)
        scenario = plant_security_incidents(emu)
        day = (now - timedelta(days=1)).date()
        return [
            (
                stream,
                entry["time"][10:],
                (datetime.fromisoformat(entry["time"][:10]).date() - day).days,
            )
            for stream, entry in scenario.planted
        ]

    assert shape(NOW) == shape(NOW + timedelta(days=45, hours=7))
