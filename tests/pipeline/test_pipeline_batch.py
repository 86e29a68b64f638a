"""`meltano run tap-zoom-logs target-postgres` with BATCH messages (`batch_config`).

The tap writes its records to gzipped JSONL files and tells target-postgres of each file
in a BATCH message; the target loads the files. Set as a user of meltano.yml would: the
leaf settings `batch_config.encoding.format` and `batch_config.storage.root`, through
their environment variables. Every entry lands exactly once, a rerun adds nothing, a run
killed half-way resumes without a loss, and Meltano keeps the bookmarks a RECORD run
keeps.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.support.pipeline import Pipeline, assert_table_equals_truth, describe, truth
from tests.support.tap import ALL_STREAMS

pytestmark = pytest.mark.pipeline

LOADER = "target-postgres"


def batch_env(folder: Path) -> dict[str, str]:
    """batch_config as Meltano's leaf settings, through their environment variables."""
    return {
        "TAP_ZOOM_LOGS_BATCH_CONFIG_ENCODING_FORMAT": "jsonl",
        "TAP_ZOOM_LOGS_BATCH_CONFIG_STORAGE_ROOT": folder.as_uri(),
    }


def batch_files(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*.json.gz"))


def bookmarks(state: dict[str, Any]) -> dict[str, str]:
    marks = state.get("singer_state", state).get("bookmarks", {})
    return {stream: mark["replication_key_value"] for stream, mark in marks.items()}


def test_a_batch_pipeline_lands_every_entry_once(pipeline: Pipeline, tmp_path: Path) -> None:
    cfg = pipeline.config()
    folder = tmp_path / "batches"
    result = pipeline.run(LOADER, cfg, extra_env=batch_env(folder))
    assert result.returncode == 0, describe(result)

    assert len(batch_files(folder)) >= len(ALL_STREAMS), "the records did not go to files"
    expected = truth(pipeline.emu, cfg, ALL_STREAMS)
    assert all(expected.values()), "emulator served no data: test would be vacuous"
    assert_table_equals_truth(pipeline, expected)
    state = bookmarks(pipeline.state(LOADER))
    assert set(state) == set(ALL_STREAMS)

    again = pipeline.run(LOADER, cfg, extra_env=batch_env(folder))
    assert again.returncode == 0, describe(again)
    assert_table_equals_truth(pipeline, expected)
    assert bookmarks(pipeline.state(LOADER)) == state


def test_a_killed_batch_pipeline_resumes_without_a_loss(pipeline: Pipeline, tmp_path: Path) -> None:
    cfg = pipeline.config()
    folder = tmp_path / "batches"
    killed = pipeline.run(LOADER, cfg, extra_env=batch_env(folder), kill_after_requests=40)
    assert killed.killed_at_requests is not None, "the run ended before the kill"

    resumed = pipeline.run(LOADER, cfg, extra_env=batch_env(folder), force=True)
    assert resumed.returncode == 0, describe(resumed)
    assert_table_equals_truth(pipeline, truth(pipeline.emu, cfg, ALL_STREAMS))
