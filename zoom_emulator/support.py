"""Remote support sessions' entries (who took control of whose computer in which meeting),
and the display names Zoom derives from an email address."""

from __future__ import annotations

import base64
import random
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from .common import hms

if TYPE_CHECKING:
    from .data import People


def display_name(email: str) -> str:
    """A user's display name as Zoom shows it: "Alice Martin" for alice.martin@..."""
    local = email.split("@", 1)[0]
    return " ".join(part.capitalize() for part in local.split("."))


def support_entry(rng: random.Random, stamp: str, people: People) -> dict[str, Any]:
    """A remote support session that started at ``stamp``, as Zoom's definition lists its
    fields: the meeting number an integer, the waiting and support times hh:mm:ss."""
    start = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    wait, duration = rng.randrange(2, 180), rng.randrange(30, 5400)
    supporter, supportee = rng.sample(people.users, 2)
    return {
        "meeting_uuid": base64.b64encode(rng.randbytes(16)).decode(),
        "meeting_number": rng.randrange(10**9, 10**11),
        "topic": rng.choice(("Laptop setup", "VPN 日本語 help", "Printer driver", "Weekly sync")),
        "meeting_host_id": f"{rng.getrandbits(96):024x}",
        "meeting_start_time": f"{start - timedelta(seconds=wait + 3600):%Y-%m-%dT%H:%M:%S}Z",
        "supporter_name": display_name(supporter),
        "supporter_email": supporter,
        "supportee_name": display_name(supportee),
        "supportee_email": supportee,
        "request_time": f"{start - timedelta(seconds=wait):%Y-%m-%dT%H:%M:%S}Z",
        "wait_time": hms(wait),
        "start_time": stamp,
        "end_time": f"{start + timedelta(seconds=duration):%Y-%m-%dT%H:%M:%S}Z",
        "duration": hms(duration),
    }
