"""`meltano run tap-zoom-logs target-jsonl` against the Zoom emulator, end to end.

target-jsonl appends every record to a file per stream and run; it has no keys, so a
re-read (the lookback of an incremental run, or a rerun after a crash) writes a record
again. What must hold: the union of every line written, de-duplicated by `lw_id`, is the
emulator's truth; and a record written twice is the same record (same `lw_id`, same values).
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import pytest

from tests.support.pipeline import Pipeline, describe, entry_key, report_requests, truth
from tests.support.tap import STREAMS

pytestmark = pytest.mark.pipeline

LOADER = "target-jsonl"


def test_jsonl_union_of_runs_deduplicated_by_lw_id_equals_truth(pipeline: Pipeline) -> None:
    cfg = pipeline.config()

    # 1. a backfill killed part-way, 2. its rerun, 3. an incremental run (lookback re-read).
    probe_total = 60  # report requests of this backfill are well above this (asserted below)
    killed = pipeline.run(LOADER, cfg, kill_after_requests=probe_total // 2)
    assert killed.returncode == -9, describe(killed)
    rerun = pipeline.run(LOADER, cfg, force=True)
    assert rerun.returncode == 0, describe(rerun)
    assert report_requests(pipeline.emu) > probe_total
    # --force again: the SIGKILLed job stays "running" in Meltano's system database until
    # its heartbeat expires (5 minutes), a forced run in between does not clear it.
    again = pipeline.run(LOADER, cfg, force=True)
    assert again.returncode == 0, describe(again)

    expected = truth(pipeline.emu, cfg)
    files = sorted(p.name for p in pipeline.jsonl_dir.glob("*.jsonl"))
    assert files, "target-jsonl wrote nothing"
    for stream in STREAMS:
        records = pipeline.jsonl_records(stream)
        by_id: dict[str, dict[str, Any]] = {}
        for rec in records:
            lw_id = rec["lw_id"]
            assert isinstance(lw_id, str)
            assert lw_id
            if lw_id in by_id:
                # the same entry read again: same id, same values
                assert json.dumps(by_id[lw_id], sort_keys=True) == json.dumps(
                    rec, sort_keys=True
                ), lw_id
            by_id[lw_id] = rec
        # the lookback re-read really wrote some records twice: de-duplication is needed
        assert len(records) > len(by_id), f"{stream}: no record written twice"
        got = Counter(entry_key(stream, r) for r in by_id.values())
        want = Counter(entry_key(stream, e) for e in expected[stream])
        assert got == want, (
            f"{stream}: missing {list((want - got).elements())[:3]},"
            f" extra {list((got - want).elements())[:3]}"
        )
