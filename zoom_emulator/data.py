"""The deterministic entries: name pools and one maker per stream, all from seeded RNGs.

Each (stream, day) draws from its own ``random.Random(f"{seed}:{stream}:{age}d")`` (``age``: days
before the emulator's today, so the data looks the same whatever the date), so adding
a stream, or changing one stream's volume, never changes another stream's entries.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from .common import (
    BURST_RATE,
    DUPLICATE_RATE,
    MEETING_STREAM,
    MISSING_FIELD_RATE,
    SECONDS_PER_DAY,
    STREAMS,
)

# --------------------------------------------------------------------------- pools


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
# The offices' egress addresses (many people share one behind its NAT); the others sign in
# from home, each from an address of their own.
_OFFICE_ADDRESSES = ("192.0.2.10", "198.51.100.20", "203.0.113.30")
#: The hours (UTC) in which people change account settings in the ordinary traffic; the
#: rest (provisioning, recordings...) happens at any hour.
WORKING_HOURS = range(8, 18)
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
    # Ordinary traffic grants no admin rights: that is a planted incident (incidents.py).
    ("Role", "Update", "Assign role Auditor to {user} "),
    ("Role", "Add", "Add role Auditor"),
    ("Zoom Rooms", "Update", "Update Zoom Room Salle Éiffel 3F"),
)

# Zoom Phone's admin operation logs: labels as the phone report shows them.
_PHONE_OPERATIONS = (
    ("Phone Number", "Assign", "Assign phone number +1 650-555-{n:04d} to {user}"),
    ("Phone Number", "Unassign", "Unassign phone number +81 3-1234-{n:04d} from {user} "),
    ("Call Queue", "Update", "Update call queue Support Équipe: add member {user}"),
    ("Call Queue", "Add", "Add call queue 日本語 Hotline "),
    ("Auto Receptionist", "Update", "Update auto receptionist Main: business hours 9-17"),
    ("Recording", "Delete", "Delete call recording {n} of {user}"),
    ("Device", "Add", "Add desk phone Poly VVX 450 (MAC 64:16:7f:{n:04x})"),
    ("Device", "Delete", "Delete device Yealink T54W  of {user}"),
    ("User", "Update", "Update calling plan of {user}: Unlimited 🚀"),
    ("Site", "Add", "Add site Zürich Office"),
)
# Zoom Contact Center's operation logs: categories as its report names them (Zoom lists
# about 40), and the actions of its published definition.
_CONTACT_CENTER_CATEGORIES = (
    "Engagement", "Flows", "Queues", "Roles", "API Key", "Logs", "Account Settings",
    "Address Book", "Agent Routing Profiles", "Asset Library", "Block List", "Business Hours",
    "Closures", "Consumer Routing Profiles", "Dispositions", "Email", "Inboxes", "Integrations",
    "Outbound Campaign", "Preferences", "Recordings", "Redaction", "Regions", "Reports",
    "Skills", "SMS", "Surveys", "Teams", "Users", "Variables", "Voicemail", "Wait Times",
    "Web Chat", "Widgets", "Workforce Management", "Quality Management", "Notes",
    "Routing", "Entry Points", "Data Retention",
)  # fmt: skip
_CONTACT_CENTER_ACTIONS = (
    "Add", "Delete", "Update", "Operate", "Move", "Download", "Recover", "Import", "Export",
    "Unmask", "Subscribe", "Agree", "Generate", "Enable", "Disable", "Publish", "Unpublish",
)  # fmt: skip
_CONTACT_CENTER_OBJECTS = (
    "Support Équipe queue", "Main IVR flow", "日本語 Hotline", "Recording retention 90 days",
    "PCI redaction rule", "Zapier API key", "VIP routing 🚀", "After-hours closure",
)  # fmt: skip
_REGIONS = (("rg_emea", "EMEA"), ("rg_amer", "Americas"), ("rg_apac", "APAC 日本"))
_TEAMS = (("tm_tier1", "Tier 1"), ("tm_tier2", "Tier 2 Équipe"), ("tm_vip", "VIP Desk"))
MEETING_CATEGORIES = (
    "Meeting Created",
    "Meeting Started",
    "User Join",
    "User Left",
    "Remote Control",
    "In-Meeting Chat",
    "Meeting Ended",
)
# What one person did, as the audit trail words it; {name} is the operator's display name.
_MEETING_DETAILS = {
    "Meeting Created": "{name} scheduled the meeting",
    "Meeting Started": "{name} started the meeting",
    "User Join": "{name} joined the meeting",
    "User Left": "{name} left the meeting",
    "Remote Control": "{name} gave remote control to {other}",
    "In-Meeting Chat": "{name} sent a message to Everyone: Bonjour 👋 日本語 ",
    "Meeting Ended": "{name} ended the meeting",
}
_MEETING_SHARE_SAME_MS = 0.3  # a same-second burst is sometimes the same millisecond too


@dataclass(frozen=True)
class People:
    """Who appears in a seed's data: user emails, their display names, meeting numbers."""

    users: tuple[str, ...]
    names: dict[str, str]
    meetings: tuple[str, ...]
    #: Each user's one device: (client_type, ip_address). A person signs in from the same
    #: place with the same client day after day, so the ordinary traffic fires no "new
    #: address / new client" detection (a second device would, the first time it appears).
    devices: dict[str, tuple[str, str]]

    @classmethod
    def of(cls, seed: int) -> People:
        rng = random.Random(f"{seed}:users")
        names = {f"{rng.choice(_FIRST_NAMES)}.{rng.choice(_LAST_NAMES)}" for _ in range(40)}
        users = (*(f"{name}@example.com" for name in sorted(names)), *_UNICODE_EMAILS)
        display = {user: _display_name(user) for user in users}
        # Meeting numbers get their own RNG: the users above must stay what they were.
        meeting_rng = random.Random(f"{seed}:meetings")
        meetings = tuple(_meeting_number(meeting_rng) for _ in range(12))
        device_rng = random.Random(f"{seed}:devices")
        devices = {user: _device(device_rng) for user in users}
        return cls(users, display, meetings, devices)


def _device(rng: random.Random) -> tuple[str, str]:
    """One person's client type and address: an office's shared one, or a home of theirs."""
    client = rng.choice(_CLIENT_TYPES)
    address = rng.choice(_OFFICE_ADDRESSES) if rng.random() < 0.5 else _ip_address(rng)
    return client, address


def _display_name(email: str) -> str:
    local = email.split("@", 1)[0]
    return " ".join(part.capitalize() for part in local.split("."))


def _meeting_number(rng: random.Random) -> str:
    """Zoom writes meeting numbers spaced: "982 610 0285" (10 digits) or 3-4-4 (11)."""
    if rng.random() < 0.25:
        return f"{rng.randrange(100, 1000)} {rng.randrange(10**4):04d} {rng.randrange(10**4):04d}"
    return f"{rng.randrange(100, 1000)} {rng.randrange(10**3):03d} {rng.randrange(10**4):04d}"


# --------------------------------------------------------------------------- time formats

TIME_FIELDS = {stream: "time" for stream in STREAMS} | {MEETING_STREAM: "activity_time"}
#: A free-text field of each stream's entries, for faults that spoil one.
TEXT_FIELDS = {
    "activity_logs": "email",
    "operation_logs": "operation_detail",
    MEETING_STREAM: "activity_detail",
    "phone_operation_logs": "operation_detail",
    "contact_center_operation_logs": "operation_detail",
}


def time_text(stream: str, moment: datetime) -> str:
    """``moment`` (UTC) as ``stream`` writes it: ISO to the second, or the audit trail's
    "2026-03-21 07:09:03:216" (milliseconds after a colon, no zone)."""
    if stream == MEETING_STREAM:
        return f"{moment:%Y-%m-%d %H:%M:%S}:{moment.microsecond // 1000:03d}"
    return f"{moment:%Y-%m-%dT%H:%M:%S}Z"


def second_bound(stream: str, iso_second: str, *, end: bool) -> str:
    """A "YYYY-MM-DDTHH:MM:SSZ" bound in ``stream``'s own text, covering that whole second."""
    if stream == MEETING_STREAM:
        return f"{iso_second[:10]} {iso_second[11:19]}:{'999' if end else '000'}"
    return iso_second


TIME_PATTERNS = {stream: r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ" for stream in STREAMS} | {
    MEETING_STREAM: r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d:\d{3}"
}


# --------------------------------------------------------------------------- makers


def _ip_address(rng: random.Random) -> str:
    if rng.random() < 0.1:
        return f"2001:db8::{rng.randrange(1, 0xFFFF):x}"
    return f"{rng.choice(_IP_PREFIXES)}{rng.randrange(1, 255)}"


def _activity_entry(rng: random.Random, stamp: str, people: People) -> dict[str, Any]:
    # The draws stay those of the days when client and address were drawn per entry (so a
    # seed's times, emails, types, gaps and duplicates stay what they were); the user's
    # own device replaces the drawn client and address.
    drawn_client = rng.choice(_CLIENT_TYPES)
    version = "-" if drawn_client == "Browser" or rng.random() < 0.1 else rng.choice(_VERSIONS)
    email = rng.choice(people.users)
    kind = "Sign in" if rng.random() < 0.6 else "Sign out"
    _ip_address(rng)
    client, address = people.devices[email]
    return {
        "email": email,
        "time": stamp,
        "type": kind,
        "ip_address": address,
        "client_type": client,
        "version": "-" if client == "Browser" else version,
    }


def _operation_entry(rng: random.Random, stamp: str, people: People) -> dict[str, Any]:
    index = rng.randrange(len(_OPERATIONS))
    while _OPERATIONS[index][0] == "Account" and int(stamp[11:13]) not in WORKING_HOURS:
        index = (index + 1) % len(_OPERATIONS)  # account settings change in working hours
    label, action, template = _OPERATIONS[index]
    users = people.users
    detail = template.format(user=rng.choice(users), meeting=rng.randrange(10**10, 10**11))
    return {
        "time": stamp,
        "operator": rng.choice(_OPERATORS),
        "category_type": label,
        "action": action,
        "operation_detail": detail,
    }


def _phone_entry(rng: random.Random, stamp: str, people: People) -> dict[str, Any]:
    label, action, template = rng.choice(_PHONE_OPERATIONS)
    users = people.users
    detail = template.format(user=rng.choice(users), n=rng.randrange(10**4))
    return {
        "time": stamp,
        "operator": rng.choice(_OPERATORS),
        "category_type": label,
        "action": action,
        "operation_detail": detail,
    }


def _contact_center_entry(rng: random.Random, stamp: str, people: People) -> dict[str, Any]:
    users = people.users
    category, action = rng.choice(_CONTACT_CENTER_CATEGORIES), rng.choice(_CONTACT_CENTER_ACTIONS)
    target = rng.choice(_CONTACT_CENTER_OBJECTS)
    region, team = rng.choice(_REGIONS), rng.choice(_TEAMS)
    return {
        "time": stamp,
        "operator": rng.choice(_OPERATORS),
        "category": category,
        "object_name": target,
        # Zoom's own id of the entry (its format is a guess: no public sample).
        "operation_log_id": f"{rng.getrandbits(128):032x}",
        "action": action,
        "operation_detail": f"{action} {category.lower()} {target} for {rng.choice(users)} ",
        "agent_region_id": region[0],
        "agent_region_name": region[1],
        "team_id": team[0],
        "team_name": team[1],
    }


def _meeting_entry(rng: random.Random, stamp: str, people: People) -> dict[str, Any]:
    category = rng.choice(MEETING_CATEGORIES)
    operator = rng.choice(people.users)
    name = people.names[operator]
    other = people.names[rng.choice(people.users)]
    return {
        "meeting_number": rng.choice(people.meetings),
        "activity_time": stamp,
        "operator": name,
        "operator_email": operator,
        "activity_category": category,
        "activity_detail": _MEETING_DETAILS[category].format(name=name, other=other),
    }


_MAKERS: dict[str, Callable[[random.Random, str, People], dict[str, Any]]] = {
    "activity_logs": _activity_entry,
    "operation_logs": _operation_entry,
    "phone_operation_logs": _phone_entry,
    "contact_center_operation_logs": _contact_center_entry,
}


def make_entry(stream: str, rng: random.Random, stamp: str, people: People) -> dict[str, Any]:
    """One entry of ``stream`` at time text ``stamp`` (an arrival, say)."""
    if stream == MEETING_STREAM:
        return _meeting_entry(rng, stamp, people)
    return _MAKERS[stream](rng, stamp, people)


def _burst_seconds(rng: random.Random, count: int) -> list[int]:
    """Seconds of the day for ``count`` entries, some in bursts of 3-8 sharing one second."""
    seconds: list[int] = []
    while len(seconds) < count:
        second = rng.randrange(SECONDS_PER_DAY)
        seconds.extend([second] * (rng.randint(3, 8) if rng.random() < BURST_RATE else 1))
    del seconds[count:]
    seconds.sort()
    return seconds


def _burst_milliseconds(rng: random.Random, count: int) -> list[int]:
    """Milliseconds of the day for ``count`` audit-trail entries: bursts of 3-8 share a
    second, and some of those bursts share one millisecond too."""
    moments: list[int] = []
    while len(moments) < count:
        moment = rng.randrange(SECONDS_PER_DAY * 1000)
        if rng.random() < BURST_RATE:
            second, same = moment - moment % 1000, rng.random() < _MEETING_SHARE_SAME_MS
            for _ in range(rng.randint(3, 8)):
                moments.append(moment if same else second + rng.randrange(1000))
        else:
            moments.append(moment)
    del moments[count:]
    moments.sort()
    return moments


def _drop_a_field(rng: random.Random, entry: dict[str, Any], keep: str = "time") -> None:
    """Zoom omits fields now and then, but never the entry's time."""
    del entry[rng.choice([key for key in entry if key != keep])]


def generate_day(
    stream: str, day: date, rng: random.Random, count: int, people: People
) -> list[dict[str, Any]]:
    """``count`` entries of ``stream`` on UTC ``day``, ascending time, drawn from ``rng``
    (plus exact duplicates): the same draws in the same order for a given seed, always."""
    if stream == MEETING_STREAM:
        return _meeting_day(day, rng, count, people)
    make, prefix = _MAKERS[stream], f"{day.isoformat()}T"
    entries: list[dict[str, Any]] = []
    append, draw = entries.append, rng.random
    last, stamp = -1, ""
    for second in _burst_seconds(rng, count):
        if second != last:  # a burst shares one string: less memory for large volumes
            hours, rest = divmod(second, 3600)
            stamp, last = f"{prefix}{hours:02d}:{rest // 60:02d}:{rest % 60:02d}Z", second
        entry = make(rng, stamp, people)
        if draw() < MISSING_FIELD_RATE:
            _drop_a_field(rng, entry)
        append(entry)
        if draw() < DUPLICATE_RATE:
            append(dict(entry))
    return entries


def _meeting_day(day: date, rng: random.Random, count: int, people: People) -> list[dict[str, Any]]:
    prefix = day.isoformat()
    entries: list[dict[str, Any]] = []
    for moment in _burst_milliseconds(rng, count):
        seconds, millis = divmod(moment, 1000)
        hours, rest = divmod(seconds, 3600)
        stamp = f"{prefix} {hours:02d}:{rest // 60:02d}:{rest % 60:02d}:{millis:03d}"
        entry = _meeting_entry(rng, stamp, people)
        if rng.random() < MISSING_FIELD_RATE:
            _drop_a_field(rng, entry, keep="activity_time")
        entries.append(entry)
        if rng.random() < DUPLICATE_RATE:
            entries.append(dict(entry))
    return entries
