"""The emulator's pages in another order than newest first (oldest page first, a pair of
pages swapped) and entries written into a page just served, as a client meets them."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.support.emulator import NOW, SEED, TODAY, newest_first, read_window
from zoom_emulator import ZoomEmulator

DAY = {"from": "2026-03-29", "to": "2026-03-29"}


def pages_of(records: list[dict[str, Any]], size: int) -> list[list[dict[str, Any]]]:
    return [records[i : i + size] for i in range(0, len(records), size)]


@pytest.fixture
def emu() -> Iterator[ZoomEmulator]:
    with ZoomEmulator(seed=SEED, now=NOW, history_days=3, entries_per_day=100) as emulator:
        yield emulator


def test_oldest_page_first_serves_the_pages_in_reverse_each_newest_first(emu) -> None:
    listed = newest_first(emu, "activity_logs", DAY["from"], DAY["to"])
    assert len(listed) % 7, "a last page that is not full"
    emu.inject("oldest_page_first", endpoint="activities")

    _, envelopes = read_window(emu, "activities", page_size=7, **DAY)

    served = [envelope["activity_logs"] for envelope in envelopes]
    assert served == pages_of(listed, 7)[::-1]
    assert served[0][0]["time"] < listed[0]["time"], "the first page is the oldest"


@pytest.mark.parametrize("page", [2, 4])
def test_swap_pages_serves_a_page_before_the_one_that_should_precede_it(emu, page) -> None:
    listed = newest_first(emu, "activity_logs", DAY["from"], DAY["to"])
    emu.inject("swap_pages", endpoint="activities", page=page)

    _, envelopes = read_window(emu, "activities", page_size=7, **DAY)

    expected = pages_of(listed, 7)
    expected[page - 2], expected[page - 1] = expected[page - 1], expected[page - 2]
    assert [envelope["activity_logs"] for envelope in envelopes] == expected


def test_order_faults_last_until_cleared(emu) -> None:
    listed = newest_first(emu, "activity_logs", DAY["from"], DAY["to"])
    emu.inject("oldest_page_first", endpoint="activities")
    for _ in range(2):
        records, _ = read_window(emu, "activities", page_size=7, **DAY)
        assert records != listed
    emu.clear_faults()
    assert read_window(emu, "activities", page_size=7, **DAY)[0] == listed


def test_swap_pages_refuses_a_first_page(emu) -> None:
    with pytest.raises(ValueError, match="at least 2"):
        emu.inject("swap_pages", page=1)


@pytest.mark.parametrize("paging", ["offset", "snapshot"])
def test_write_into_page_lands_in_the_page_just_served(paging) -> None:
    with ZoomEmulator(
        seed=SEED, now=NOW, history_days=3, entries_per_day=100, paging=paging
    ) as emu:
        before = newest_first(emu, "activity_logs", TODAY["from"], TODAY["to"])
        late = {"email": "late@example.com", "type": "Sign in"}
        emu.inject("write_into_page", endpoint="activities", index=2, entry=late)

        records, envelopes = read_window(emu, "activities", page_size=5, **TODAY)

        after = newest_first(emu, "activity_logs", TODAY["from"], TODAY["to"])
        written = next(r for r in after if r.get("email") == "late@example.com")
        assert written["time"] == before[2]["time"], "at the time of the page's third row"
        assert after.index(written) <= 2, "inside the first page, already read"
        assert written not in records, "written above the read position: not in this reading"
        if paging == "offset":
            assert envelopes[1]["activity_logs"][0] == envelopes[0]["activity_logs"][-1]
            assert records == before[:5] + before[4:]  # every later page shifted by one
        else:
            assert records == before


def test_write_into_page_draws_an_entry_when_none_is_given(emu) -> None:
    before = newest_first(emu, "activity_logs", DAY["from"], DAY["to"])
    emu.inject("write_into_page", endpoint="activities")

    read_window(emu, "activities", page_size=10, **DAY)

    after = newest_first(emu, "activity_logs", DAY["from"], DAY["to"])
    assert len(after) == len(before) + 1
    (new,) = [r for r in after if r not in before]
    assert new["time"] == before[5]["time"] and set(new) > {"time", "email"}
