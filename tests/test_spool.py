"""A window's entries on their way out: numbered and identified the same whatever order
Zoom serves them in, held in bounded memory, and gone from disk once emitted."""

from __future__ import annotations

import errno
import os
import random
import tempfile
from typing import Any

import pytest

from tap_zoom_logs import spool as spool_module
from tap_zoom_logs.errors import TapZoomLogsError
from tap_zoom_logs.records import Occurrences, lw_id
from tap_zoom_logs.reports import Report
from tap_zoom_logs.run_stats import RunStats
from tap_zoom_logs.spool import SpoolBudget, SpoolError, WindowSpool
from tap_zoom_logs.streams import ActivityLogsStream, OperationLogsStream
from tests.support.tap import spooled_rows

ACTIVITY = ActivityLogsStream.report_for({})
OPERATION = OperationLogsStream.report_for({})

SIGN_IN = {
    "email": "admin@example.com",
    "time": "2026-03-29T11:38:50Z",
    "type": "Sign in",
    "ip_address": "192.0.2.8",
    "client_type": "Browser",
    "version": "-",
}
SIGN_OUT = {  # no ip_address: Zoom leaves fields out now and then
    "email": "zoë.ünal@example.com",
    "time": "2026-03-29T11:38:50Z",
    "type": "Sign out",
    "client_type": "win",
    "version": "6.0.2.4680",
}
ACTIVATE = {
    "time": "2026-03-29T08:22:09Z",
    "operator": "ops@example.com",
    "category_type": "User",
    "action": "Update",
    "operation_detail": "Activate User someone@example.com ",
}
DELETE = {
    "time": "2026-03-29T16:37:58Z",
    "operator": "admin@example.com",
    "category_type": "Recording",
    "action": "Delete",
    "operation_detail": "Delete cloud recording for meeting 11122223333",
}

#: What the tap emitted for these entries before the window pipeline was rewritten (the
#: ids users' tables hold): they must never change.
PINNED = {
    "activity_logs": [
        "63dea7cba7a6bd1746d368fd0a17bd52",  # the sign-out
        "b082ee4afe5ee95990032eb3ae05b07b",  # the sign-in's second occurrence
        "f3c676266ed269140583f8179340b25a",  # the sign-in's first occurrence
    ],
    "operation_logs": ["3d8a2d17e402b56874a6d069a6ae6de6", "c7e76888ea82c8b9fc2ff027b4aafb28"],
}


def ids(
    report: Report, pages: list[list[dict[str, Any]]], budget: SpoolBudget | None = None
) -> list[str]:
    spool = WindowSpool(budget or SpoolBudget(RunStats()))
    for page in pages:
        spool.add([report.row(entry) for entry in page])
    try:
        count = Occurrences()
        return [lw_id(report.name, row, count(key, row)) for key, row in spooled_rows(spool)]
    finally:
        spool.close()


@pytest.mark.parametrize(
    "pages",
    [
        [[SIGN_IN, SIGN_IN, SIGN_OUT]],
        [[SIGN_OUT], [SIGN_IN], [SIGN_IN]],
        [[SIGN_IN, SIGN_OUT, SIGN_IN]],
    ],
    ids=["one page", "a page each", "duplicates apart"],
)
def test_lw_ids_are_the_ones_users_already_have(pages):
    assert sorted(ids(ACTIVITY, pages)) == PINNED["activity_logs"]
    assert sorted(ids(OPERATION, [[DELETE], [ACTIVATE]])) == PINNED["operation_logs"]


def test_identical_entries_are_numbered_within_their_second():
    count = Occurrences()
    same, other = '["a"]', '["b"]'

    assert [count("10:00:00", same), count("10:00:00", other), count("10:00:00", same)] == [0, 0, 1]
    assert count("10:00:01", same) == 0, "a new second starts the count again"
    assert [count("k", same) for _ in range(3)] == [0, 1, 2]


def test_an_id_is_the_stream_the_row_and_the_occurrence():
    row = ACTIVITY.row(SIGN_IN)[1]
    ids = {lw_id("activity_logs", row, 0), lw_id("activity_logs", row, 1)}
    ids.add(lw_id("operation_logs", row, 0))

    assert len(ids) == 3
    assert lw_id("activity_logs", row, 0) == lw_id("activity_logs", row, 0)
    assert len(lw_id("activity_logs", row, 0)) == 32


def entries_of_a_busy_day(count: int, seed: int) -> list[dict[str, Any]]:
    """Sign-ins newest first, many sharing a second, with exact duplicates."""
    rng = random.Random(seed)
    entries = []
    for n in range(count):
        second = 86_399 - n // 3  # three entries a second
        entry = {
            "email": f"user{rng.randrange(5)}@example.com",
            "time": f"2026-03-29T{second // 3600:02d}:{second // 60 % 60:02d}:{second % 60:02d}Z",
            "type": rng.choice(["Sign in", "Sign out"]),
            "ip_address": "192.0.2.8",
            "client_type": "Browser",
            "version": "-",
        }
        entries.append(entry)
        if n % 50 == 0:
            entries.append(dict(entry))
    return entries


def pages_of(entries: list[dict[str, Any]], size: int = 300) -> list[list[dict[str, Any]]]:
    return [entries[i : i + size] for i in range(0, len(entries), size)]


def test_the_order_zoom_serves_in_changes_no_id(monkeypatch):
    monkeypatch.setattr(spool_module, "SORT_LINES", 500)  # several sorted runs on disk
    newest_first = entries_of_a_busy_day(3000, seed=1)
    shuffled = newest_first[:]
    random.Random(2).shuffle(shuffled)

    expected = ids(ACTIVITY, pages_of(newest_first))
    assert len(set(expected)) == len(expected) == len(newest_first)
    assert sorted(ids(ACTIVITY, pages_of(newest_first[::-1]))) == sorted(expected)
    assert sorted(ids(ACTIVITY, pages_of(shuffled))) == sorted(expected)


@pytest.mark.parametrize("order", ["newest first", "oldest first", "shuffled"])
def test_rows_come_out_in_ascending_time(monkeypatch, order):
    monkeypatch.setattr(spool_module, "SORT_LINES", 400)
    entries = entries_of_a_busy_day(2000, seed=3)
    if order == "oldest first":
        entries.reverse()
    elif order == "shuffled":
        random.Random(4).shuffle(entries)
    spool = WindowSpool(SpoolBudget(RunStats()))
    for page in pages_of(entries):
        spool.add([ACTIVITY.row(entry) for entry in page])
    keys = [key for key, _ in spooled_rows(spool)]
    spool.close()

    assert keys == sorted(keys)
    assert len(keys) == len(entries)


def test_an_entry_without_a_usable_time_is_kept():
    odd = {**SIGN_IN, "time": "soon"}
    spool = WindowSpool(SpoolBudget(RunStats()))
    spool.add([ACTIVITY.row(entry) for entry in (SIGN_IN, odd, SIGN_OUT)])
    keys = [key for key, _ in spooled_rows(spool)]
    spool.close()

    assert sorted(keys) == ["", SIGN_IN["time"], SIGN_IN["time"]]


def unnamed_files() -> set[str]:
    return set(os.listdir(tempfile.gettempdir()))


def test_a_big_window_goes_to_disk_and_leaves_nothing_behind(tmp_path, monkeypatch):
    # The spool's files go to this test's own folder: the shared temporary folder changes
    # whenever another test process makes a file there.
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    before = unnamed_files()
    stats = RunStats()
    budget = SpoolBudget(stats)
    spool = WindowSpool(budget)
    for page in pages_of(entries_of_a_busy_day(6000, seed=5)):
        spool.add([ACTIVITY.row(entry) for entry in page])

    assert budget.on_disk == spool.size > spool_module.SPOOL_MEMORY_BYTES
    assert budget.in_memory == 0
    assert unnamed_files() == before, "the spool's file has no name, even while open"
    spool.close()
    assert budget.on_disk == 0
    assert stats.spool_peak_disk > spool_module.SPOOL_MEMORY_BYTES


def test_spools_go_to_disk_once_all_of_them_fill_the_memory_budget():
    budget = SpoolBudget(RunStats(), memory_bytes=50_000)
    spools = []
    for n in range(20):
        spool = WindowSpool(budget)
        spool.add([ACTIVITY.row(entry) for entry in entries_of_a_busy_day(100, seed=n)])
        spools.append(spool)

    assert budget.in_memory <= 50_000 + max(s.size for s in spools)
    assert budget.on_disk > 0
    for spool in spools:
        spool.close()
    assert budget.held == 0


def test_a_full_temporary_folder_is_one_line_naming_it_and_tmpdir(monkeypatch):
    def no_space(self, *args):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(tempfile.SpooledTemporaryFile, "write", no_space)
    spool = WindowSpool(SpoolBudget(RunStats()))
    with pytest.raises(SpoolError) as full:
        spool.add([ACTIVITY.row(SIGN_IN)])
    spool.close()
    assert "No space left on device" in str(full.value)
    assert "TMPDIR" in str(full.value)
    assert isinstance(full.value, TapZoomLogsError), "the command makes it one line"
