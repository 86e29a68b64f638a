"""The security-incident scenario: entries planted for each detection of transform/models/
detections/, the ones that must fire it and near misses that must not.

``plant_security_incidents(emu)`` adds them to an emulator (as late entries, add_entry) on
the day before its ``now`` (so they are whole and in the past at any hour), with the
history they need in the days before. It returns the Scenario: per detection, the planted
entries that must fire it (``fires``), and per detection the near misses (``spares``) that
look alike and must not. The emulator's ordinary traffic is built to fire none of them.

The operation-log texts are Zoom's own, byte for byte, as Panther's public test cases
record them (panther-labs/pypanther, pypanther/rules/zoom_operation/, Apache-2.0): note the
two spaces before each " - ". Texts marked "no public sample" are this emulator's guess.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from typing import Any

from .common import PHONE_STREAM

#: Who acts in the scenario: addresses no ordinary entry uses.
INTRUDER = "mallory@example.net"
CLEANER = "cleanup-bot@example.net"
ARCHIVIST = "archivist@example.net"
PHONE_ADMIN = "phone-admin@example.net"
NIGHT_OWL = "night-owl@example.net"
TRAVELLER = "pat.traveller@example.net"
NEWCOMER = "nina.newcomer@example.net"
SPRAYER = "sam.spray@example.net"
ROAMER = "rita.roam@example.net"
VICTIM = "homer.simpson@example.net"

#: Each detection's name (the view and its `detection` column).
DETECTIONS = (
    "two_factor_sign_in_disabled",
    "meeting_passcode_disabled",
    "new_meeting_passcode_requirement_disabled",
    "all_meetings_secured_option_disabled",
    "automatic_sign_out_disabled",
    "sign_in_method_modified",
    "sign_in_requirements_changed",
    "user_promoted_to_privileged_role",
    "admin_rights_granted",
    "bulk_deletions",
    "account_setting_change_off_hours",
    "sign_in_from_new_ip_address",
    "sign_in_from_new_client_type",
    "sign_ins_from_many_ip_addresses",
)

Planted = tuple[str, dict[str, Any]]  # (stream, entry)


@dataclass
class Scenario:
    """What was planted: per detection the entries that must fire it, and near misses."""

    fires: dict[str, list[Planted]] = field(default_factory=lambda: {d: [] for d in DETECTIONS})
    spares: dict[str, list[Planted]] = field(default_factory=lambda: {d: [] for d in DETECTIONS})
    planted: list[Planted] = field(default_factory=list)

    def entries(self) -> Iterator[Planted]:
        yield from self.planted


def _stamp(day: date, hour: int, minute: int = 0, second: int = 0) -> str:
    moment = datetime.combine(day, time(hour, minute, second), timezone.utc)
    return f"{moment:%Y-%m-%dT%H:%M:%SZ}"


def _operation(stamp: str, operator: str, label: str, action: str, detail: str) -> dict[str, Any]:
    return {
        "time": stamp,
        "operator": operator,
        "category_type": label,
        "action": action,
        "operation_detail": detail,
    }


def _sign_in(stamp: str, email: str, address: str, client: str) -> dict[str, Any]:
    return {
        "email": email,
        "time": stamp,
        "type": "Sign in",
        "ip_address": address,
        "client_type": client,
        "version": "-" if client == "Browser" else "6.0.2.4680",
    }


# Panther's rule texts: (detection, the text that fires it, a near miss), Account / Update.
_ACCOUNT_FLAGS = (
    (
        "two_factor_sign_in_disabled",
        "Security  - Sign in with Two-Factor Authentication: from On to Off",
        "Security  - Sign in with Two-Factor Authentication: from Off to On",
    ),
    (
        "new_meeting_passcode_requirement_disabled",
        "Security  - Require a passcode when scheduling new meetings: from On to Off",
        "Security  - Require a passcode when scheduling new meetings: from Off to On",
    ),
    (
        "all_meetings_secured_option_disabled",
        "Security  - Require that all meetings are secured with one security option:"
        " from On to Off",
        "Security  - Require that all meetings are secured with one security option:"
        " from Off to On",
    ),
    (
        "automatic_sign_out_disabled",
        "Security  - Automatically sign users out after a specified time: from On to Off",
        "Security  - Automatically sign users out after a specified time: from Off to On",
    ),
    (
        "sign_in_method_modified",
        "Sign-in Methods  - Allow users to sign in with Google: from Off to On",
        "Sign-in Methods  - Allow users to sign in with Apple ID: from On to Off",
    ),
    (
        "sign_in_requirements_changed",
        "Sign-In Password Requirement  - Include at least 1 letter: from On to Off"
        " - Include at least 1 number: from On to Off"
        " - Include both uppercase and lowercase characters: from On to Off",
        "Sign-In Password Requirement  - Have at least specified length of characters:"
        " from 8 to 14 - Include at least 1 letter: from Off to On",
    ),
)
# An account setting as Zoom words one (no public sample of this one; the form is Panther's).
_ORDINARY_SETTING = "Meeting  - Allow participants to join before host: from {0} to {1}"


class _Planter:
    def __init__(self, emu: Any, scenario: Scenario) -> None:
        self.emu, self.scenario = emu, scenario

    def add(
        self,
        stream: str,
        entry: dict[str, Any],
        fires: tuple[str, ...] = (),
        spares: tuple[str, ...] = (),
    ) -> None:
        self.emu.add_entry(stream, entry)
        planted = (stream, entry)
        self.scenario.planted.append(planted)
        for name in fires:
            self.scenario.fires[name].append(planted)
        for name in spares:
            self.scenario.spares[name].append(planted)


def plant_security_incidents(emu: Any, day: date | None = None) -> Scenario:
    """Plant the scenario on ``day`` (default: the day before the emulator's now) and the
    30 days before it; return what must fire which detection."""
    day = day or (emu.now - timedelta(days=1)).date()
    scenario = Scenario()
    plant = _Planter(emu, scenario)
    _plant_operations(plant, day)
    _plant_deletions(plant, day)
    _plant_account_hours(plant, day)
    _plant_sign_ins(plant, day)
    return scenario


def _plant_operations(plant: _Planter, day: date) -> None:
    op = "operation_logs"
    for minute, (name, fire, miss) in enumerate(_ACCOUNT_FLAGS):
        plant.add(
            op, _operation(_stamp(day, 10, minute), INTRUDER, "Account", "Update", fire), (name,)
        )
        plant.add(
            op,
            _operation(_stamp(day, 10, minute, 30), INTRUDER, "Account", "Update", miss),
            spares=(name,),
        )
    group = "Edit Group Springfield  - Personal Meeting ID (PMI) Passcode: from {0} to {1}"
    plant.add(
        op,
        _operation(
            _stamp(day, 10, 20), INTRUDER, "User Group", "Update", group.format("On", "Off")
        ),
        ("meeting_passcode_disabled",),
    )
    plant.add(
        op,
        _operation(
            _stamp(day, 10, 21), INTRUDER, "User Group", "Update", group.format("Off", "On")
        ),
        spares=("meeting_passcode_disabled",),
    )
    role = "Change Role  - " + VICTIM + ": from {0} to {1}"
    promoted = ("user_promoted_to_privileged_role", "admin_rights_granted")
    plant.add(
        op,
        _operation(
            _stamp(day, 10, 30), INTRUDER, "User", "Batch Update", role.format("User", "Co-Owner")
        ),
        promoted,
    )
    plant.add(
        op,
        _operation(
            _stamp(day, 10, 31),
            INTRUDER,
            "User",
            "Batch Update",
            role.format("Member", "Billing Admin"),
        ),
        promoted,
    )
    # Already privileged: not a promotion (Panther), but admin rights all the same.
    plant.add(
        op,
        _operation(
            _stamp(day, 10, 32), INTRUDER, "User", "Batch Update", role.format("Admin", "Co-Owner")
        ),
        ("admin_rights_granted",),
        ("user_promoted_to_privileged_role",),
    )
    plant.add(
        op,
        _operation(
            _stamp(day, 10, 33), INTRUDER, "User", "Batch Update", role.format("Co-Owner", "User")
        ),
        spares=promoted,
    )
    # A role handed to a user (no public sample of the Role category: the emulator's words).
    plant.add(
        op,
        _operation(
            _stamp(day, 10, 34), INTRUDER, "Role", "Update", f"Assign role Admin to {VICTIM} "
        ),
        ("admin_rights_granted",),
    )
    plant.add(
        op,
        _operation(
            _stamp(day, 10, 35), INTRUDER, "Role", "Update", f"Assign role Auditor to {VICTIM} "
        ),
        spares=("admin_rights_granted",),
    )
    plant.add(
        op,
        _operation(
            _stamp(day, 10, 36),
            INTRUDER,
            "User",
            "SCIM API - Update",
            f"Edit User {VICTIM}  - Change Type: from Basic to Licensed",
        ),
        spares=promoted,
    )


def _plant_deletions(plant: _Planter, day: date) -> None:
    name = ("bulk_deletions",)
    for n in range(10):  # ten users in 9 minutes, by one operator: fires
        who = f"leaver{n}@example.net"
        plant.add(
            "operation_logs",
            _operation(_stamp(day, 14, n), CLEANER, "User", "Delete", f"Delete User {who}"),
            name,
        )
    for n in range(9):  # nine recordings: one short of the threshold
        detail = f"Delete cloud recording for meeting 8{n:010d}"
        plant.add(
            "operation_logs",
            _operation(_stamp(day, 14, n), ARCHIVIST, "Recording", "Delete", detail),
            spares=name,
        )
    # Ten deletions by one operator, but an hour apart: never ten in ten minutes.
    for n in range(10):
        detail = f"Delete cloud recording for meeting 9{n:010d}"
        plant.add(
            "operation_logs",
            _operation(
                _stamp(day - timedelta(days=2), 8 + n, 0), ARCHIVIST, "Recording", "Delete", detail
            ),
            spares=name,
        )
    for n in range(10):  # Zoom Phone's call recordings (only where that log is loaded)
        detail = f"Delete call recording {7000 + n} of {VICTIM}"
        plant.add(
            PHONE_STREAM,
            _operation(
                _stamp(day, 16, n // 2, n % 2 * 30), PHONE_ADMIN, "Recording", "Delete", detail
            ),
            name,
        )


def _plant_account_hours(plant: _Planter, day: date) -> None:
    name = ("account_setting_change_off_hours",)
    # The account's history: a setting changed every working day at 09:00..16:00.
    for age in range(2, 28):
        values = ("Off", "On") if age % 2 else ("On", "Off")
        stamp = _stamp(day - timedelta(days=age), 9 + age % 8, 15)
        plant.add(
            "operation_logs",
            _operation(stamp, NIGHT_OWL, "Account", "Update", _ORDINARY_SETTING.format(*values)),
        )
    plant.add(
        "operation_logs",
        _operation(
            _stamp(day, 2, 40),
            NIGHT_OWL,
            "Account",
            "Update",
            _ORDINARY_SETTING.format("Off", "On"),
        ),
        name,
    )
    plant.add(
        "operation_logs",
        _operation(
            _stamp(day, 11, 40),
            NIGHT_OWL,
            "Account",
            "Update",
            _ORDINARY_SETTING.format("On", "Off"),
        ),
        spares=name,
    )


def _plant_sign_ins(plant: _Planter, day: date) -> None:
    logs = "activity_logs"
    new_ip, new_client = ("sign_in_from_new_ip_address",), ("sign_in_from_new_client_type",)
    many = ("sign_ins_from_many_ip_addresses",)
    home = "192.0.2.44"
    for age in (12, 6, 3):  # Pat's usual: this address, this client
        plant.add(
            logs,
            _sign_in(_stamp(day - timedelta(days=age), 9), TRAVELLER, home, "Mac"),
            spares=new_ip + new_client,
        )
    plant.add(
        logs, _sign_in(_stamp(day, 12), TRAVELLER, "203.0.113.250", "Mac"), new_ip, new_client
    )
    plant.add(
        logs, _sign_in(_stamp(day, 12, 30), TRAVELLER, home, "Mac"), spares=new_ip + new_client
    )
    plant.add(logs, _sign_in(_stamp(day, 18), TRAVELLER, home, "Android"), new_client, new_ip)
    sign_out = {
        **_sign_in(_stamp(day, 18, 30), TRAVELLER, "198.51.100.201", "iOS"),
        "type": "Sign out",
    }
    plant.add(logs, sign_out, spares=new_ip + new_client)
    # Long ago (more than 30 days before any of the sign-ins below): not a known address.
    plant.add(
        logs, _sign_in(_stamp(day - timedelta(days=45), 9), TRAVELLER, "203.0.113.251", "Mac")
    )
    plant.add(logs, _sign_in(_stamp(day, 19), TRAVELLER, "203.0.113.251", "Mac"), new_ip)
    # A first sign-in ever: nothing to compare with, so nothing fires.
    plant.add(
        logs,
        _sign_in(_stamp(day, 12), NEWCOMER, "198.51.100.77", "win"),
        spares=new_ip + new_client,
    )
    # Four addresses within 40 minutes: more than a person uses in an hour. Each after the
    # first is also an address Sam had not used.
    for n in range(4):
        fires = many + (new_ip if n else ())
        plant.add(
            logs,
            _sign_in(_stamp(day, 15, 13 * n), SPRAYER, f"203.0.113.{100 + n}", "Windows"),
            fires,
        )
    # Three addresses in the hour, a fourth two hours later: not many at once.
    for n, hour in enumerate((15, 15, 15, 17)):
        fires = new_ip if n else ()
        entry = _sign_in(_stamp(day, hour, 10 * n), ROAMER, f"198.51.100.{150 + n}", "iOS")
        plant.add(logs, entry, fires, spares=many)
