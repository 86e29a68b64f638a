"""The deterministic entries: name pools and one maker per stream, all from seeded RNGs."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

from .common import (
    BURST_RATE,
    SECONDS_PER_DAY,
    STREAMS,
)

# --------------------------------------------------------------------------- data


_FIRST_NAMES = (
    "alice", "bob", "carol", "dmitri", "erin", "farah", "gustavo", "hana", "ivan", "jia",
    "kwame", "lena", "mateo", "noor", "olivia", "pavel", "quinn", "rosa", "sven", "tariq",
)  # fmt: skip
_LAST_NAMES = ("martin", "nguyen", "okafor", "schmidt", "tanaka", "rossi", "haddad", "silva")
# Real directories hold non-ASCII addresses; the tap must keep them intact.
_UNICODE_EMAILS = (
    "zoë.ünal@example.com",
    "jürgen.groß@example.de",
    "søren.ødegård@exämple.dk",
    "maría.garcía@example.es",
    "李伟@example.cn",
)
_OPERATORS = (
    "admin@example.com",
    "ops@example.com",
    "it-support@example.com",
    "zoë.ünal@example.com",
    "security@example.org",
)
_CLIENT_TYPES = ("Browser", "Browser", "Windows", "Mac", "win", "iOS", "Android")
_VERSIONS = ("6.0.2.4680", "5.17.11.34827", "6.1.0.198", "5.16.10.26186", "6.0.11.39959")
_IP_PREFIXES = ("192.0.2.", "198.51.100.", "203.0.113.")
# (category label, action, detail template). Some details end with a space on purpose:
# Zoom writes them so, and the tap must keep them byte for byte.
_OPERATIONS = (
    ("User", "Add", "Add User {user}"),
    ("User", "Update", "Activate User {user} "),
    ("User", "Update", "Deactivate User {user} "),
    ("User", "Delete", "Delete User {user}"),
    ("User Settings", "Update", "Update user {user} setting: Waiting Room: false -> true"),
    ("Account", "Update", "Account settings: Allow cloud recording sharing: true -> false"),
    ("Account", "Update", "Account name changed to Zoë Ünal 日本語 🚀"),
    ("Billing", "Update", "Billing contact changed to {user}"),
    ("Billing", "Add", "Add plan: Large Meetings 500 "),
    ("IM", "Add", "Create channel Équipe 日本語 🚀"),
    ("IM", "Delete", "Delete channel #random"),
    ("Recording", "Delete", "Delete cloud recording for meeting {meeting}"),
    ("Recording", "Update", "Recover cloud recording for meeting {meeting} "),
    ("Phone Contacts", "Add", "Add external contact Zoë Ünal (+81 3-1234-5678)"),
    ("Webinar", "Update", "Update webinar {meeting}: topic 'Quarterly 🚀 launch'"),
    ("Webinar", "Delete", "Delete webinar {meeting}"),
    ("Sub Account", "Add", "Create sub account Ünal Consulting 日本語"),
    ("Role", "Update", "Assign role Admin to {user} "),
    ("Role", "Add", "Add role Auditor"),
    ("Zoom Rooms", "Update", "Update Zoom Room Salle Éiffel 3F"),
)


def _ip_address(rng: random.Random) -> str:
    if rng.random() < 0.1:
        return f"2001:db8::{rng.randrange(1, 0xFFFF):x}"
    return f"{rng.choice(_IP_PREFIXES)}{rng.randrange(1, 255)}"


def _activity_entry(rng: random.Random, stamp: str, users: tuple[str, ...]) -> dict[str, Any]:
    client = rng.choice(_CLIENT_TYPES)
    version = "-" if client == "Browser" or rng.random() < 0.1 else rng.choice(_VERSIONS)
    return {
        "email": rng.choice(users),
        "time": stamp,
        "type": "Sign in" if rng.random() < 0.6 else "Sign out",
        "ip_address": _ip_address(rng),
        "client_type": client,
        "version": version,
    }


def _operation_entry(rng: random.Random, stamp: str, users: tuple[str, ...]) -> dict[str, Any]:
    label, action, template = rng.choice(_OPERATIONS)
    detail = template.format(user=rng.choice(users), meeting=rng.randrange(10**10, 10**11))
    return {
        "time": stamp,
        "operator": rng.choice(_OPERATORS),
        "category_type": label,
        "action": action,
        "operation_detail": detail,
    }


_MAKERS: dict[str, Callable[[random.Random, str, tuple[str, ...]], dict[str, Any]]] = {
    "activity_logs": _activity_entry,
    "operation_logs": _operation_entry,
}


def _burst_seconds(rng: random.Random, count: int) -> list[int]:
    """Seconds of the day for ``count`` entries, some in bursts of 3-8 sharing one second."""
    seconds: list[int] = []
    while len(seconds) < count:
        second = rng.randrange(SECONDS_PER_DAY)
        seconds.extend([second] * (rng.randint(3, 8) if rng.random() < BURST_RATE else 1))
    del seconds[count:]
    seconds.sort()
    return seconds


def _drop_a_field(rng: random.Random, entry: dict[str, Any]) -> None:
    """Zoom omits fields now and then, but never ``time``."""
    del entry[rng.choice([key for key in entry if key != "time"])]


def _check_stream(stream: str) -> None:
    if stream not in STREAMS:
        raise ValueError(f"unknown stream {stream!r}; expected one of {STREAMS}")
