"""Fixtures of the emulator's own tests: a read-only emulator per module, and fresh ones
per test, for tests that inject faults, add entries or count requests (the helpers are in
tests/support/emulator.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.emulator import NOW, SEED
from zoom_emulator import ZoomEmulator


@pytest.fixture(scope="module")
def shared() -> Iterator[ZoomEmulator]:
    """A read-only emulator for tests that inject nothing (one per module)."""
    with ZoomEmulator(seed=SEED, now=NOW) as emu:
        yield emu


@pytest.fixture
def emu() -> Iterator[ZoomEmulator]:
    """A fresh emulator per test, for faults and counters (20 entries a day)."""
    with ZoomEmulator(seed=SEED, now=NOW, history_days=10, entries_per_day=20) as emu:
        yield emu


@pytest.fixture
def busy_emu() -> Iterator[ZoomEmulator]:
    """A fresh emulator per test with twice `emu`'s entries a day (40): the tests of the
    later features (redirects, repeated page tokens, empty pages, echoed credentials, bad
    times, arrivals, the meeting audit trail's and Zoom Phone's quotas) were written
    against it."""
    with ZoomEmulator(seed=SEED, now=NOW, history_days=10, entries_per_day=40) as emu:
        yield emu
