"""The seeded data: its messiness (times, duplicates, bursts, missing fields, quirks, empty
days), determinism per seed, seeding by each day's age (the same on every date), pinned
hashes, volumes (entries_per_day, per stream), late entries (add_entry, the `arrive`
fault) and truth(); and that every module of the emulator's package stays small."""

from __future__ import annotations

import collections
import hashlib
import json
from datetime import date, datetime, timedelta
from typing import Any

import pytest

from tests.support.emulator import (
    ALL,
    NOW,
    RECORDS,
    ROOT,
    SEED,
    TIME_RE,
    TODAY,
    fetch_token,
    read_window,
    report,
)
from zoom_emulator import STREAMS, ZoomEmulator

# --------------------------------------------------------------------------- the data's messiness


@pytest.fixture(scope="module")
def data(shared: ZoomEmulator) -> dict[str, list[dict[str, Any]]]:
    return {stream: shared.entries(stream) for stream in RECORDS.values()}


def test_every_entry_has_a_zoom_time(data: dict[str, list[dict[str, Any]]]) -> None:
    for rows in data.values():
        assert all(TIME_RE.fullmatch(row["time"]) for row in rows)
        times = [row["time"] for row in rows]
        assert times == sorted(times)


@pytest.mark.parametrize("stream", ["activity_logs", "operation_logs"])
def test_data_has_duplicates_bursts_and_missing_fields(
    data: dict[str, list[dict[str, Any]]], stream: str
) -> None:
    rows = data[stream]
    copies = collections.Counter(json.dumps(row, sort_keys=True) for row in rows)
    assert any(n >= 2 for n in copies.values()), "exact duplicates"
    per_second = collections.Counter(row["time"] for row in rows)
    distinct_per_second = collections.defaultdict(set)
    for row in rows:
        distinct_per_second[row["time"]].add(json.dumps(row, sort_keys=True))
    assert any(len(v) >= 3 for v in distinct_per_second.values()), "same-second bursts"
    assert max(per_second.values()) >= 3
    widths = collections.Counter(len(row) for row in rows)
    assert len(widths) >= 2, "some entries miss a field"


def test_data_quirks(data: dict[str, list[dict[str, Any]]]) -> None:
    activity, operations = data["activity_logs"], data["operation_logs"]
    assert any(row.get("version") == "-" for row in activity)
    assert any(not row.get("email", "").isascii() for row in activity)
    details = [row.get("operation_detail", "") for row in operations]
    assert any(detail.endswith(" ") for detail in details)
    assert any("🚀" in detail for detail in details)
    labels = {row.get("category_type") for row in operations} - {None}
    assert {"User", "User Settings", "Zoom Rooms"} <= labels


def test_meeting_data_is_as_messy_as_the_rest(shared: ZoomEmulator) -> None:
    rows = shared.entries("meeting_activity_logs")
    copies = collections.Counter(json.dumps(row, sort_keys=True) for row in rows)
    assert any(n >= 2 for n in copies.values()), "exact duplicates"
    distinct = collections.defaultdict(set)
    for row in rows:
        distinct[row["activity_time"]].add(json.dumps(row, sort_keys=True))
    assert any(len(v) >= 2 for v in distinct.values()), "different entries, same millisecond"
    seconds = collections.Counter(row["activity_time"][:19] for row in rows)
    assert max(seconds.values()) >= 3, "same-second bursts"
    assert all("activity_time" in row for row in rows)
    assert len({len(row) for row in rows}) >= 2, "some entries miss a field"
    assert any(not row.get("operator_email", "").isascii() for row in rows)
    times = [row["activity_time"] for row in rows]
    assert times == sorted(times)


@pytest.mark.parametrize("stream", ["activity_logs", "operation_logs"])
def test_data_has_empty_days_but_not_everywhere(shared: ZoomEmulator, stream: str) -> None:
    days = collections.Counter(row["time"][:10] for row in shared.entries(stream))
    history = [(NOW - timedelta(days=i)).date().isoformat() for i in range(40)]
    empty = [day for day in history if not days[day]]
    assert 1 <= len(empty) <= 10
    assert days[history[-1]], "the oldest day has data"
    assert shared.tap_config()["start_date"] == f"{history[-1]}T00:00:00Z"


# --------------------------------------------------------------------------- determinism


def test_same_seed_same_data_and_later_runs_see_a_superset() -> None:
    first = ZoomEmulator(seed=3, now=NOW, history_days=5)
    again = ZoomEmulator(seed=3, now=NOW, history_days=5)
    later = ZoomEmulator(seed=3, now=NOW + timedelta(hours=2), history_days=5)
    other = ZoomEmulator(seed=4, now=NOW, history_days=5)
    for stream in RECORDS.values():
        assert first.entries(stream) == again.entries(stream)
        assert first.entries(stream) != other.entries(stream)
        assert later.truth(stream, "2026-03-26", NOW) == first.entries(stream)


def test_new_streams_are_deterministic_per_seed() -> None:
    first = ZoomEmulator(seed=3, now=NOW, history_days=5)
    again = ZoomEmulator(seed=3, now=NOW, history_days=5)
    other = ZoomEmulator(seed=4, now=NOW, history_days=5)
    later = ZoomEmulator(seed=3, now=NOW + timedelta(hours=2), history_days=6)
    for stream in ("meeting_activity_logs", "phone_operation_logs"):
        assert first.entries(stream) == again.entries(stream)
        assert first.entries(stream) != other.entries(stream)
        # (the oldest day always has data, so 03-26 may differ: it is not "later"'s oldest)
        assert later.truth(stream, "2026-03-27", NOW) == first.truth(stream, "2026-03-27", NOW)


def _age_of(stream: str, entry: dict[str, Any], now: datetime) -> dict[str, Any]:
    """`entry` with the date of its time replaced by that day's age before `now`."""
    field = "activity_time" if stream == "meeting_activity_logs" else "time"
    age = (now.date() - date.fromisoformat(entry[field][:10])).days
    return {**entry, field: f"{age} days ago{entry[field][10:]}"}


@pytest.mark.parametrize("days_later", [1, 37, 366])
def test_the_data_is_the_same_on_every_date(days_later: int) -> None:
    # Seeded by a day's age, not its date: a test's data cannot pass on one date and fail
    # on another. Only the date in each time moves (and today's cut, with the hour).
    first = ZoomEmulator(seed=3, now=NOW, history_days=6)
    moved = ZoomEmulator(seed=3, now=NOW + timedelta(days=days_later), history_days=6)
    for stream in STREAMS:
        before, after = first.entries(stream), moved.entries(stream)
        assert before, stream
        assert [_age_of(stream, e, NOW) for e in before] == [
            _age_of(stream, e, moved.now) for e in after
        ]


def test_seeded_data_of_the_first_two_streams_never_changes() -> None:
    """Pinned hashes, taken when the data came to be seeded by each day's age rather than
    its date (so that they hold on any date): tests written against a seed keep meaning the
    same whatever is added to the emulator. Re-pinned once, when each person got one device
    (client and address) and account settings moved to working hours (the detections'
    ordinary traffic): the counts, times and draws stayed the same."""
    emu = ZoomEmulator(seed=7, now=NOW, history_days=10, entries_per_day=20)
    pinned = {
        "activity_logs": (147, "75f645416df3b042e26e417107a7feef2aaca8f8b85a0ef3d59e506988f7b559"),
        "operation_logs": (188, "0edea6990f66bc6ded3155f374663f98bf3cea4a40bb5310931498cf1c48e126"),
    }
    for stream, (count, digest) in pinned.items():
        rows = emu.entries(stream)
        text = json.dumps(rows, ensure_ascii=False, sort_keys=True)
        assert (len(rows), hashlib.sha256(text.encode()).hexdigest()) == (count, digest)


# --------------------------------------------------------------------------- volumes


def test_entries_per_day_per_stream() -> None:
    emu = ZoomEmulator(
        seed=SEED,
        now=NOW,
        history_days=5,
        entries_per_day={"activity_logs": 400, "operation_logs": 0},
    )
    assert emu.entries("operation_logs") == []
    per_day = collections.Counter(row["time"][:10] for row in emu.entries("activity_logs"))
    full_days = [n for day, n in per_day.items() if day != "2026-03-30"]
    assert full_days
    assert all(200 <= n <= 700 for n in full_days)  # 0.5x..1.5x, plus a few duplicates
    default = ZoomEmulator(seed=SEED, now=NOW, history_days=5, entries_per_day=40)
    for stream in ("meeting_activity_logs", "phone_operation_logs"):  # not named: 40
        assert emu.entries(stream) == default.entries(stream)
        assert emu.entries(stream)


def test_a_stream_volume_leaves_the_other_streams_data_alone() -> None:
    base = ZoomEmulator(seed=SEED, now=NOW, history_days=5, entries_per_day=40)
    louder = ZoomEmulator(
        seed=SEED, now=NOW, history_days=5, entries_per_day={"activity_logs": 300}
    )
    for stream in STREAMS:
        if stream != "activity_logs":
            assert louder.entries(stream) == base.entries(stream)
    assert louder.entries("activity_logs") != base.entries("activity_logs")


@pytest.mark.parametrize("volume", [{"sign_ins": 5}, {"activity_logs": -1}, -3])
def test_entries_per_day_rejects_nonsense(volume) -> None:
    with pytest.raises(ValueError, match=r"unknown stream|negative"):
        ZoomEmulator(seed=SEED, now=NOW, entries_per_day=volume)


def test_a_huge_volume_is_not_drawn_until_asked() -> None:
    emu = ZoomEmulator(seed=SEED, now=NOW, entries_per_day={"activity_logs": 1_000_000})
    config = emu.tap_config()
    assert config["start_date"] == "2026-02-19T00:00:00Z"  # the oldest of 40 days
    assert emu.data._ascending == {}, "tap_config() drew a day to know it has data"


# --------------------------------------------------------------------------- late entries


def test_late_entry_is_served_and_in_truth(emu: ZoomEmulator) -> None:
    late = {"time": "2026-03-25T10:00:00Z", "operator": "late@example.com", "action": "Add"}
    emu.add_entry("operation_logs", late)
    records, _ = read_window(emu, "operationlogs", **{"from": "2026-03-25", "to": "2026-03-25"})
    assert late in records
    assert late in emu.truth("operation_logs", "2026-03-25T10:00:00Z", "2026-03-25T10:00:00Z")


def test_meeting_add_entry_needs_its_own_time_format(busy_emu: ZoomEmulator) -> None:
    with pytest.raises(ValueError, match="activity_time"):
        busy_emu.add_entry("meeting_activity_logs", {"activity_time": "2026-03-25T10:00:00Z"})
    late = {"activity_time": "2026-03-25 10:00:00:500", "operator": "Late Comer"}
    busy_emu.add_entry("meeting_activity_logs", late)
    assert busy_emu.truth(
        "meeting_activity_logs", "2026-03-25T10:00:00Z", "2026-03-25T10:00:00Z"
    ) == [late]


def test_arrive_with_a_given_entry_and_on_the_audit_trail(busy_emu: ZoomEmulator) -> None:
    busy_emu.inject("arrive", endpoint="operationlogs", entry={"operator": "late@example.com"})
    busy_emu.inject("arrive", endpoint="meeting_activities")
    token = fetch_token(busy_emu)
    assert report(busy_emu, "operationlogs", token, **TODAY).status_code == 200
    assert report(busy_emu, "meeting_activities", token, **TODAY, **ALL).status_code == 200
    operations = report(busy_emu, "operationlogs", token, **TODAY).json()["operation_logs"]
    assert operations[0] == {"time": "2026-03-30T15:30:00Z", "operator": "late@example.com"}
    meetings = report(busy_emu, "meeting_activities", token, **TODAY, **ALL).json()
    newest = meetings["meeting_activity_logs"][0]
    assert newest["activity_time"] == "2026-03-30 15:30:00:000"
    assert newest == busy_emu.entries("meeting_activity_logs")[-1]


def test_arrive_is_only_for_report_endpoints(busy_emu: ZoomEmulator) -> None:
    with pytest.raises(ValueError, match="token"):
        busy_emu.inject("arrive", endpoint="token")


# --------------------------------------------------------------------------- the package


def test_every_module_of_the_package_is_small() -> None:
    package = ROOT / "zoom_emulator"
    sizes = {
        str(path.relative_to(package)): len(path.read_text().splitlines())
        for path in package.rglob("*.py")
    }
    assert len(sizes) >= 8
    assert max(sizes.values()) <= 400, sizes
