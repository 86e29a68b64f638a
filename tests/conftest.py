"""Fixtures: a Zoom emulator per test, and the real `tap-zoom-logs` command run against it
(tests/support/tap.py holds the helpers); and how the tests share two processes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from typing_extensions import override
from xdist.scheduler import LoadScopeScheduling

from tests.support.tap import Tap
from zoom_emulator import ZoomEmulator


@pytest.fixture
def emulator() -> Any:
    with ZoomEmulator(seed=7, history_days=8, entries_per_day=40) as zoom:
        yield zoom


@pytest.fixture
def tap(emulator: ZoomEmulator, tmp_path: Path) -> Tap:
    return Tap(emulator, tmp_path)


# --------------------------------------------------------------------------- two processes


class PipelineTestsTogether(LoadScopeScheduling):
    """scripts/test.sh runs the tests in two processes (pytest-xdist): the pipeline tests
    share one PostgreSQL server and Meltano's `.meltano/` (its run files too), so they are
    one unit of work, run one after another in one process, while the other tests, each a
    unit of its own, run in the other. (xdist's `--dist loadgroup` would say this with a
    marker, but its groups do not hold under pytest 9.) `_split_scope` is private: it is
    what xdist's own file-by-file scheduler overrides. Were it renamed, the pipeline tests
    would meet in `.meltano/run/` and fail, not pass unseen."""

    @override
    def _split_scope(self, nodeid: str) -> str:
        return "tests/pipeline" if nodeid.startswith("tests/pipeline/") else nodeid


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> PipelineTestsTogether:
    return PipelineTestsTogether(config, log)
