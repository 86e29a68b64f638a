"""Team Chat's channel activity entries: who added or removed whom from which channel, at
epoch milliseconds, with the operator and the members nested as Zoom's definition has them."""

from __future__ import annotations

import hashlib
import random
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .data import People


def epoch_text(milliseconds: int) -> str:
    """Epoch milliseconds as "2026-03-21T07:09:03.216" (UTC): Team Chat's times as they sort."""
    second = datetime.fromtimestamp(milliseconds // 1000, timezone.utc)
    return f"{second:%Y-%m-%dT%H:%M:%S}.{milliseconds % 1000:03d}"


#: Team Chat channels (32 hex digits, as Zoom's channel ids look).
_CHANNELS = tuple(hashlib.md5(f"channel {n}".encode()).hexdigest() for n in range(12))  # noqa: S324
_EXTERNAL_RATE = 0.15  # members of another account: their user_id is ""
_GUESTS = ("Zoë Partner", "Ünal Vendor", "李 Consultant", "Sam Contractor")


def _chat_user(rng: random.Random, people: People, *, external: bool = False) -> dict[str, Any]:
    """A Team Chat user as the log names one; an external one has user_id ""."""
    if external:
        name = rng.choice(_GUESTS)
        return {"display_name": name, "user_id": "", "member_id": _member_id(name)}
    user = rng.choice(people.users)
    user_id = hashlib.blake2b(user.encode(), digest_size=11).hexdigest()
    return {"display_name": people.names[user], "user_id": user_id, "member_id": _member_id(user)}


def _member_id(who: str) -> str:
    return hashlib.blake2b(f"member {who}".encode(), digest_size=24).hexdigest()


def chat_entry(rng: random.Random, stamp: Any, people: People) -> dict[str, Any]:
    """Who added or removed whom from which channel, at epoch milliseconds ``stamp``."""
    members = [
        _chat_user(rng, people, external=rng.random() < _EXTERNAL_RATE)
        for _ in range(rng.randint(1, 4))
    ]
    return {
        "channel_id": rng.choice(_CHANNELS),
        "activity_type": "membership",
        "activity_timestamp": stamp,
        "operator": _chat_user(rng, people),
        "members": {
            "member_status": "joined" if rng.random() < 0.6 else "left",
            "member_list": members,
        },
    }
