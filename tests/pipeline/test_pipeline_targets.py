"""The targets users pick, beside meltanolabs target-postgres (test_pipeline_postgres.py).

* PipelineWise's target-postgres 2.1.2 (transferwise variant) into the same PostgreSQL
  server (TimeZone Asia/Kolkata): every entry once, `time` the UTC wall clock, and a
  second run (the lookback re-read) upserts on lw_id instead of adding rows.
* target-duckdb 0.8.0, the demo's destination, with duckdb pinned to 1.2.2: every row
  lands. With duckdb 1.3 or newer this target version loses the first row of each batch,
  so the test loads in batches of 25 and counts every row against the emulator.
"""

from __future__ import annotations

from collections import Counter

import pytest

from tests.support.pipeline import (
    STREAM_FIELDS,
    Pipeline,
    assert_table_equals_truth,
    describe,
    duckdb_rows,
    table_snapshot,
    to_utc_z,
    truth,
)
from tests.support.tap import STREAMS

pytestmark = pytest.mark.pipeline

PIPELINEWISE = "target-postgres-pipelinewise"
DUCKDB = "target-duckdb"


def test_pipelinewise_target_postgres_loads_every_entry_once_in_utc(pipeline: Pipeline) -> None:
    cfg = pipeline.config()
    first = pipeline.run(PIPELINEWISE, cfg)
    assert first.returncode == 0, describe(first)
    expected = truth(pipeline.emu, cfg)
    assert all(expected[s] for s in STREAMS)
    assert_table_equals_truth(pipeline, expected)

    assert pipeline.pg is not None
    with pipeline.pg.connect() as conn:
        tz = conn.execute("SELECT current_setting('TimeZone')").fetchone()[0]
        assert tz != "UTC", "the server must not be in UTC for the time check to mean much"
        for stream in STREAMS:
            kind = conn.execute(
                "SELECT data_type FROM information_schema.columns"
                " WHERE table_schema = %s AND table_name = %s AND column_name = 'time'",
                (pipeline.schema, stream),
            ).fetchone()
            assert kind == ("timestamp without time zone",), kind
            first_time = to_utc_z(expected[stream][0]["time"]).replace("T", " ").rstrip("Z")
            found = conn.execute(
                f'SELECT count(*) FROM "{pipeline.schema}"."{stream}" WHERE time = %s::timestamp',
                (first_time,),
            ).fetchone()[0]
            assert found >= 1, f"{stream}: {first_time} (UTC) is not in the table as UTC"

    # The next run re-reads the lookback: upserted on lw_id, the table does not change.
    before = table_snapshot(pipeline)
    second = pipeline.run(PIPELINEWISE, cfg)
    assert second.returncode == 0, describe(second)
    assert sum(pipeline.emu.stats.requests[e] for e in ("activities", "operationlogs")) > 0
    assert table_snapshot(pipeline) == before
    assert_table_equals_truth(pipeline, expected)


def test_target_duckdb_with_pinned_duckdb_loads_every_row(pipeline: Pipeline) -> None:
    cfg = pipeline.config()
    result = pipeline.run(DUCKDB, cfg, extra_env={"TARGET_DUCKDB_BATCH_SIZE_ROWS": "25"})
    assert result.returncode == 0, describe(result)

    landed = duckdb_rows(pipeline.duckdb_path, "zoom_logs")
    assert landed["version"] == "1.2.2", "meltano.yml pins duckdb 1.2.2 for target-duckdb"
    expected = truth(pipeline.emu, cfg)
    for stream in STREAMS:
        rows = landed["tables"][stream]
        assert len(expected[stream]) > 25, "fewer rows than one batch: nothing to lose"
        assert len(rows) == len(expected[stream]), f"{stream}: {len(rows)} rows"
        assert len({r["lw_id"] for r in rows}) == len(rows)
        # values as served ("None" is how a missing field reads back here)
        got = Counter(
            tuple(None if r[f] == "None" else r[f] for f in STREAM_FIELDS[stream]) for r in rows
        )
        want = Counter(
            tuple(
                to_utc_z(e["time"]).replace("T", " ").rstrip("Z")
                if f == "time"
                else (None if e.get(f) is None else str(e[f]))
                for f in STREAM_FIELDS[stream]
            )
            for e in expected[stream]
        )
        assert got == want, f"{stream}: missing {list((want - got).elements())[:2]}"
