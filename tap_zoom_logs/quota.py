"""What a report answer's X-RateLimit headers say of its API family's daily quota: read as
Zoom or a proxy may write them, and never guessed at.

Zoom does not document the headers' form: its own answers carry plain integers, but a proxy
may regroup them (`2,999`), write them as decimals (`2999.0`), join a duplicate (`2999,
2999`) or strip one. `daily_remaining` reads a figure where its meaning is unambiguous, and
otherwise says why the reserve cannot be applied (api.py warns once per family), so that a
header never ends a run and a changed form never silently turns the reserve off.
"""

from __future__ import annotations

import re
import typing as t

if t.TYPE_CHECKING:
    from collections.abc import Mapping

#: An X-RateLimit-Limit this large is a daily quota: Zoom's daily quotas start at 1,000
#: (Free) and its per-second limits stay under 100.
DAILY_LIMIT_FLOOR = 1000
#: Zoom's per-second limits stay under this: an X-RateLimit-Remaining this large counts
#: what is left of the day, whatever X-RateLimit-Limit says or leaves out.
PER_SECOND_CEILING = 100
#: A header quoted in a warning is cut to this (a proxy may send anything).
QUOTED_CHARS = 40

LIMIT = "X-RateLimit-Limit"
REMAINING = "X-RateLimit-Remaining"

# ASCII digits only: `str.isdigit()` and `int()` take `²` or Arabic-Indic digits.
_DIGITS = re.compile(r"[0-9]+")
_THOUSANDS = re.compile(r"[0-9]{1,3}(?:,[0-9]{3})+")
_WHOLE_DECIMAL = re.compile(r"([0-9]+)\.0*")
#: How a client joins a header sent twice (", "), unlike a thousands separator (",").
_JOINED = re.compile(r",\s+")


class QuotaReading(t.NamedTuple):
    """What one answer says of its family's day: `left` (None: nothing readable), and
    `unreadable`, the headers quoted when they speak of a quota that cannot be read."""

    left: int | None
    unreadable: str = ""


def is_daily_limit(headers: Mapping[str, str]) -> bool:
    """Zoom's daily 429: the day's quota is spent."""
    return headers.get("X-RateLimit-Type", "").lower() == "daily-limit"


def header_count(value: str) -> int | None:
    """A count as Zoom or a proxy may write it (`2999`, `2,999`, `2999.0`, white space
    around, the same figure twice joined by ", "); None for anything else (`2²`, `-1`,
    `2999.5`, two different figures)."""
    counts = {_one_count(part) for part in _JOINED.split(value.strip())}
    return counts.pop() if len(counts) == 1 else None


def _one_count(text: str) -> int | None:
    text = text.strip()
    if _DIGITS.fullmatch(text):
        return int(text)
    if _THOUSANDS.fullmatch(text):
        return int(text.replace(",", ""))
    decimal = _WHOLE_DECIMAL.fullmatch(text)
    return int(decimal.group(1)) if decimal else None


def daily_remaining(headers: Mapping[str, str]) -> QuotaReading:
    """What is left of the day's quota, where the headers say so unambiguously.

    Zoom does not say which limit X-RateLimit-Remaining counts: it is the day's when
    X-RateLimit-Limit is a daily figure, or when it is larger than any second's. A
    per-second Limit says nothing of the day (ignored), and so do no headers at all.
    """
    if is_daily_limit(headers):
        return QuotaReading(0)
    limit_text, remaining_text = headers.get(LIMIT), headers.get(REMAINING)
    if limit_text is None and remaining_text is None:
        return QuotaReading(None)
    limit = None if limit_text is None else header_count(limit_text)
    remaining = None if remaining_text is None else header_count(remaining_text)
    if limit is not None and limit < DAILY_LIMIT_FLOOR:
        return QuotaReading(None)  # a per-second limit: its remaining is of this second
    if remaining is not None and (limit is not None or remaining >= PER_SECOND_CEILING):
        return QuotaReading(remaining)
    quoted = f"{LIMIT} {_quoted(limit_text)} and {REMAINING} {_quoted(remaining_text)}"
    return QuotaReading(None, quoted)


def _quoted(text: str | None) -> str:
    if text is None:
        return "(none)"
    if len(text) > QUOTED_CHARS:
        text = text[:QUOTED_CHARS] + "..."
    return repr(text)
