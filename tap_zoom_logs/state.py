"""The state the tap resumes from: every field the tap writes in it is checked, and refused
in one line when it is not one the tap can use; a day it claims to have settled that has
not even closed is named and set back (`set_back_unsettled_days`).

A stream's entry holds the bookmark (`replication_key`, `replication_key_value`), the newest
day settled (`settled_through`) and the counts of days not yet final (settling.py).
What a usable bookmark means for the range (in the future, or older than Zoom keeps) is
decided with the rest of the range, in windows.plan_stream.
"""

from __future__ import annotations

import re
import typing as t

from tap_zoom_logs.errors import SettingError
from tap_zoom_logs.settling import FIRST_READ, SETTLE_READ, UNCOUNTED
from tap_zoom_logs.times import parse_day, parse_moment, zoom_second
from tap_zoom_logs.windows import last_closed_day

if t.TYPE_CHECKING:
    import pendulum

SHAPE = 'a JSON object like {"bookmarks": {"activity_logs": {...}}}'
SETTLED = "settled_through"
_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
#: What to do about each day field, said after what is wrong with it.
_DAY_FIX = {
    SETTLED: (
        "the newest day read whole after it closed; correct it, or remove it and the days"
        " closed since the bookmark are read whole once more"
    ),
    UNCOUNTED: "correct it, or remove it (the tap writes it; no late count is then withheld)",
}
_COUNTS_FIX = "correct it, or remove it and the days it counts report no late count"


def check_state(state: t.Any) -> None:
    """A state this tap can resume from, or one line that says what is wrong with it."""
    if not isinstance(state, dict):
        raise SettingError(f"state: must be {SHAPE}, not {type(state).__name__}")
    # Shapes a state file is often saved in by mistake: read as no bookmark at all, each
    # would start a full backfill without a word.
    if state.get("type") == "STATE" and "value" in state:
        raise SettingError(f"state: this is a whole STATE message; give its value, {SHAPE}")
    if "singer_state" in state:
        msg = f"state: this is Meltano's stored form; give what is under singer_state, {SHAPE}"
        raise SettingError(msg)
    bookmarks = state.get("bookmarks", {})
    if not isinstance(bookmarks, dict):
        raise SettingError(f"state: bookmarks must be an object ({SHAPE})")
    for stream, bookmark in bookmarks.items():
        if not isinstance(bookmark, dict):
            raise SettingError(f"state: bookmarks.{stream} must be an object")
        _check_bookmark(stream, bookmark)
        for key, fix in _DAY_FIX.items():
            if bookmark.get(key) is not None:
                _check_day(f"state: bookmarks.{stream}.{key}", bookmark[key], fix)
        for key in (FIRST_READ, SETTLE_READ):
            if bookmark.get(key) is not None:
                _check_counts(f"state: bookmarks.{stream}.{key}", bookmark[key])


def _check_bookmark(stream: str, bookmark: dict[str, t.Any]) -> None:
    value = bookmark.get("replication_key_value")
    key = bookmark.get("replication_key", "time")
    if value is not None and key != "time":
        raise SettingError(
            f"state: bookmarks.{stream} is kept by replication_key {key!r}, but this"
            " tap's is 'time': write the bookmark as time, or remove it to start over"
        )
    if value is not None:
        parse_moment(f"state: bookmarks.{stream}.replication_key_value", value)


def _check_day(label: str, value: t.Any, fix: str) -> None:
    if not _is_day(value):
        raise SettingError(f"{label}: {value!r} is not a day like 2026-05-01 ({fix})")


def _is_day(value: t.Any) -> bool:
    if not isinstance(value, str) or not _DAY.fullmatch(value):
        return False
    try:
        parse_day(value)
    except ValueError:  # 2026-02-30
        return False
    return True


def _check_counts(label: str, counts: t.Any) -> None:
    """Entries counted per UTC day: {"2026-05-01": 120, ...}."""
    if not isinstance(counts, dict):
        raise SettingError(
            f"{label} must be an object of days and entry counts like"
            f' {{"2026-05-01": 120}}, not {type(counts).__name__} ({_COUNTS_FIX})'
        )
    for day, count in counts.items():
        if not _is_day(day):
            raise SettingError(f"{label}: {day!r} is not a day like 2026-05-01 ({_COUNTS_FIX})")
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            raise SettingError(
                f"{label}[{day!r}]: {count!r} is not a count of entries (a whole number, 0"
                f" or more; {_COUNTS_FIX})"
            )


def set_back_unsettled_days(
    bookmarks: dict[str, dict[str, t.Any]], now: pendulum.DateTime
) -> list[str]:
    """Set back each `settled_through` (of a checked state's bookmarks) after the newest day
    closed now: it would turn settling off until then, and an entry Zoom writes late would
    be lost. It becomes the newest day closed when the bookmark was written, as for a
    state without one, so that the days closed since are read whole once. Returns a
    warning for each."""
    notes = []
    closed = last_closed_day(now)
    for stream, bookmark in bookmarks.items():
        settled = bookmark.get(SETTLED)
        if settled is None or parse_day(settled) <= closed:
            continue
        value = bookmark.get("replication_key_value")
        written = now if value is None else min(now, parse_moment("bookmark", value))
        bookmark[SETTLED] = last_closed_day(written).isoformat()
        notes.append(
            f"{stream}: the state's settled_through {settled} is after the newest day closed"
            f" now ({closed.isoformat()}; the clock is now {zoom_second(now)}), so it cannot"
            f" have been settled: set back to {bookmark[SETTLED]}, the newest day closed when"
            " the bookmark was written, so that the days closed since are read whole once"
        )
    return notes
