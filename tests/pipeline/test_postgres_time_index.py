"""The job zoom-logs-to-postgres loads, then indexes each log table on `time`.

`meltano run zoom-logs-to-postgres` (meltano.yml) is the tap, target-postgres and the
utility postgres-time-index (scripts/postgres_time_index.py), which reads
target-postgres's own TARGET_POSTGRES_* settings. A time-range query then uses the index.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.support.pipeline import Pipeline, assert_table_equals_truth, tap_env, truth
from tests.support.tap import ALL_STREAMS

pytestmark = pytest.mark.pipeline

JOB = "zoom-logs-to-postgres"


def time_indexes(pipeline: Pipeline) -> dict[str, str]:
    """table -> the definition of its valid index on time alone, in the test's schema."""
    assert pipeline.pg is not None
    with pipeline.pg.connect() as conn:
        rows = conn.execute(
            "SELECT t.relname, pg_get_indexdef(i.indexrelid)"
            " FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid"
            " JOIN pg_namespace n ON n.oid = t.relnamespace"
            " JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = i.indkey[0]"
            " WHERE n.nspname = %s AND i.indnatts = 1 AND a.attname = 'time' AND i.indisvalid",
            (pipeline.schema,),
        ).fetchall()
    return dict(rows)


def run_job(pipeline: Pipeline, config: dict[str, Any]) -> str:
    assert pipeline.pg is not None
    env = {**tap_env(config), **pipeline.pg.target_env(pipeline.schema)}
    # The job's dbt build reads the tables in the test's schema, builds its own beside it.
    env["DBT_POSTGRES_SOURCE_SCHEMA"] = pipeline.schema
    env["DBT_POSTGRES_SCHEMA"] = f"{pipeline.schema}_security"
    env["TAP_ZOOM_LOGS__SELECT"] = json.dumps([f"{s}.*" for s in ALL_STREAMS])
    done = pipeline.meltano("run", JOB, env=env)
    output = done.stdout + done.stderr
    assert done.returncode == 0, output[-4000:]
    return output


def test_the_job_indexes_every_log_table_on_time(pipeline: Pipeline) -> None:
    config = pipeline.config()
    output = run_job(pipeline, config)

    assert_table_equals_truth(pipeline, truth(pipeline.emu, config, ALL_STREAMS))
    indexes = time_indexes(pipeline)
    assert set(indexes) == set(ALL_STREAMS), output[-3000:]
    assert "time indexed and analyzed" in output

    # The next run finds the indexes there: nothing is built twice, nothing fails.
    run_job(pipeline, config)
    assert time_indexes(pipeline) == indexes


def test_a_time_range_query_uses_the_index(pipeline: Pipeline) -> None:
    config = pipeline.config()
    run_job(pipeline, config)

    assert pipeline.pg is not None
    with pipeline.pg.connect() as conn:
        # Few rows here: the planner is told a scan costs more, as it would find with
        # tens of millions; the question is whether the index can serve the range.
        conn.execute("SET enable_seqscan = off")
        plan = conn.execute(
            f'EXPLAIN SELECT * FROM "{pipeline.schema}"."activity_logs"'
            " WHERE time >= now() - interval '1 day' AND time < now()"
        ).fetchall()
    text = "\n".join(row[0] for row in plan)
    assert "activity_logs_time_idx" in text, text
