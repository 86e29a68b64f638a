"""The emulator's clock: a skew between it and the machine (its Date header), a now that
runs, entries Zoom writes some time after their time, and a `to` after its today refused
by its own day, wherever it cuts days."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from typing import Any

import pytest
import time_machine

from tests.support.emulator import NOW, SEED, error_code, read_window, report, token_request
from zoom_emulator import ZoomEmulator


def zoom_date(response: object) -> datetime:
    """The Date header of an answer, as a moment."""
    return parsedate_to_datetime(response.headers["Date"])  # type: ignore[attr-defined]


@pytest.mark.parametrize("skew", [-300, 0, 300])
def test_every_answer_carries_its_clock_in_the_date_header(skew):
    with (
        time_machine.travel(NOW, tick=False),
        ZoomEmulator(seed=SEED, now=NOW, clock_skew_seconds=skew) as emu,
    ):
        token = token_request(emu)
        page = report(emu, "activities", **{"from": "2026-03-30", "to": "2026-03-30"})
        refused = report(emu, "activities", **{"from": "2026-03-31", "to": "2026-03-30"})

    for answer in (token, page, refused):
        assert zoom_date(answer) == NOW + timedelta(seconds=skew)
    assert error_code(refused) == (400, 300)


def test_without_a_date_header_an_answer_has_none():
    with ZoomEmulator(seed=SEED, now=NOW, date_header=False) as emu:
        answer = report(emu, "activities", **{"from": "2026-03-30", "to": "2026-03-30"})

    assert answer.status_code == 200
    assert "Date" not in answer.headers


def test_a_live_clock_serves_an_entry_once_its_time_has_come():
    horizon = NOW + timedelta(hours=6)
    day = {"from": "2026-03-30", "to": "2026-03-30", "page_size": 300}
    with ZoomEmulator(
        seed=SEED, now=horizon, entries_per_day=200, live_clock=True, clock_skew_seconds=-600
    ) as emu:
        with time_machine.travel(NOW, tick=False):
            seen_then, _ = read_window(emu, "activities", **day)
            now_then = emu.now
        with time_machine.travel(horizon, tick=False):
            seen_later, _ = read_window(emu, "activities", **day)

    assert now_then == NOW - timedelta(minutes=10), "its clock, skew included"
    expected = list(reversed(emu.truth("activity_logs", "2026-03-30", now_then)))
    assert seen_then == expected
    assert len(seen_later) > len(seen_then), "the hours since have been written"
    assert seen_later[-len(seen_then) :] == seen_then


def test_entries_are_written_their_own_delay_after_their_time():
    """Up to 48 hours late: the last two days are partly there, each entry once its delay
    has passed; truth() has them all."""
    with ZoomEmulator(seed=SEED, now=NOW, history_days=6, write_delay_hours=48) as emu:
        window = {"from": "2026-03-26", "to": "2026-03-30", "page_size": 300}
        served, _ = read_window(emu, "activities", **window)
        truth = emu.truth("activity_logs", "2026-03-26", NOW)
        emu.now = NOW + timedelta(hours=48)
        all_in, _ = read_window(emu, "activities", **window)

    def served_between(rows: list[dict[str, Any]], start: datetime, end: datetime) -> int:
        return sum(start <= parse(row["time"]) < end for row in rows)

    old = NOW - timedelta(hours=48)
    first = datetime(2026, 3, 26, tzinfo=timezone.utc)
    assert served_between(served, first, old) == served_between(truth, first, old)
    recent = served_between(truth, old, NOW)
    assert 0 < served_between(served, old, NOW) < recent, "some written, some not yet"
    last_hours = NOW - timedelta(hours=6)
    assert served_between(served, last_hours, NOW) < served_between(truth, last_hours, NOW) / 2
    assert sorted(map(repr, all_in)) == sorted(map(repr, truth)), "48 hours on: every one"


def test_an_entry_given_the_moment_it_is_written_appears_then():
    entry = {"time": "2026-03-29T12:00:00Z", "email": "late@example.com", "type": "Sign in"}
    window = {"from": "2026-03-29", "to": "2026-03-29", "page_size": 300}
    with ZoomEmulator(seed=SEED, now=NOW) as emu:
        emu.add_entry("activity_logs", entry, written_at=NOW + timedelta(hours=30))
        before, _ = read_window(emu, "activities", **window)
        emu.now = NOW + timedelta(hours=30)
        after, _ = read_window(emu, "activities", **window)

    assert entry not in before
    assert after.count(entry) == 1
    assert len(after) == len(before) + 1


@pytest.mark.parametrize(
    ("offset", "moment", "today"),
    [
        (-8, datetime(2026, 3, 30, 0, 5, tzinfo=timezone.utc), "2026-03-29"),
        (-12, datetime(2026, 3, 30, 11, 59, tzinfo=timezone.utc), "2026-03-29"),
        (0, datetime(2026, 3, 30, 0, 5, tzinfo=timezone.utc), "2026-03-30"),
        (14, datetime(2026, 3, 30, 10, 0, tzinfo=timezone.utc), "2026-03-31"),
    ],
)
def test_a_to_after_its_today_is_refused_by_its_own_day(offset, moment, today):
    with ZoomEmulator(
        seed=SEED, now=moment, refuse_future_to=True, day_cut_utc_offset=offset
    ) as emu:
        taken = report(emu, "activities", **{"from": "2026-03-28", "to": today})
        after = (datetime.fromisoformat(today) + timedelta(days=1)).date().isoformat()
        refused = report(emu, "activities", **{"from": "2026-03-28", "to": after})

    assert taken.status_code == 200, taken.text
    assert error_code(refused) == (400, 300)
    assert "The to date cannot be later than today" in refused.json()["message"]


def test_a_live_clock_refuses_by_the_day_of_its_clock_not_the_machines():
    """Its clock 10 minutes behind the machine's at 00:05 UTC: still yesterday for it."""
    midnight = datetime(2026, 3, 30, 0, 5, tzinfo=timezone.utc)
    with (
        time_machine.travel(midnight, tick=False),
        ZoomEmulator(
            seed=SEED, now=NOW, live_clock=True, clock_skew_seconds=-600, refuse_future_to=True
        ) as emu,
    ):
        refused = report(emu, "activities", **{"from": "2026-03-29", "to": "2026-03-30"})
        taken = report(emu, "activities", **{"from": "2026-03-29", "to": "2026-03-29"})

    assert error_code(refused) == (400, 300)
    assert taken.status_code == 200


def test_a_negative_write_delay_is_refused():
    with pytest.raises(ValueError, match="write_delay_hours"):
        ZoomEmulator(write_delay_hours=-1)


def parse(stamp: str) -> datetime:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00"))
