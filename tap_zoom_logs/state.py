"""The state the tap resumes from: refused in one line when it is not one it can use.

What a usable bookmark means for the range (in the future, or older than Zoom keeps) is
decided with the rest of the range, in windows.plan_stream.
"""

from __future__ import annotations

import typing as t

from tap_zoom_logs.errors import SettingError
from tap_zoom_logs.times import parse_moment

SHAPE = 'a JSON object like {"bookmarks": {"activity_logs": {...}}}'


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
        value = bookmark.get("replication_key_value")
        key = bookmark.get("replication_key", "time")
        if value is not None and key != "time":
            raise SettingError(
                f"state: bookmarks.{stream} is kept by replication_key {key!r}, but this"
                " tap's is 'time': write the bookmark as time, or remove it to start over"
            )
        if value is not None:
            parse_moment(f"state: bookmarks.{stream}.replication_key_value", value)
