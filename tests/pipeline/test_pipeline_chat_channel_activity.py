"""`meltano run tap-zoom-logs target-postgres` with Team Chat's channel activity log
selected: every entry once, its nested operator/members as JSON objects, its epoch-ms
activity_timestamp as a number, `time` the UTC moment it says (to the millisecond), and a
second run that adds nothing."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.pipeline import EMULATOR_KW, MeltanoProject, Pipeline, describe
from tests.support.postgres import PostgresServer
from tests.support.tap import FIELDS
from zoom_emulator import CHAT_CHANNEL_ACTIVITY_SCOPE, DEFAULT_SCOPES, ZoomEmulator

pytestmark = pytest.mark.pipeline

LOADER = "target-postgres"
STREAM = "chat_channel_activity_logs"
#: Meltano's select, as an environment variable: this log only.
SELECT = {"TAP_ZOOM_LOGS__SELECT": json.dumps([f"{STREAM}.*"])}


@pytest.fixture
def chat_pipeline(
    meltano_project: MeltanoProject,
    postgres_server: PostgresServer,
    pg_schema: str,
    tmp_path: Path,
) -> Iterator[Pipeline]:
    scopes = (*DEFAULT_SCOPES, CHAT_CHANNEL_ACTIVITY_SCOPE)
    with ZoomEmulator(**{**EMULATOR_KW, "scopes": scopes}) as emu:
        yield Pipeline(emu, meltano_project, postgres_server, pg_schema, tmp_path)


def canonical(entry: dict[str, Any]) -> str:
    return json.dumps([entry.get(name) for name in FIELDS[STREAM]], sort_keys=True)


def rows(pipeline: Pipeline) -> list[dict[str, Any]]:
    assert pipeline.pg is not None
    columns = ("lw_id", "time", *FIELDS[STREAM])
    with pipeline.pg.connect() as conn:
        cursor = conn.execute(
            f'SELECT {", ".join(columns)} FROM "{pipeline.schema}"."{STREAM}" ORDER BY lw_id'
        )
        return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def test_the_chat_log_lands_in_postgres_once_typed_and_nested(chat_pipeline: Pipeline) -> None:
    config = chat_pipeline.config()
    result = chat_pipeline.run(LOADER, config, extra_env=SELECT)
    assert result.returncode == 0, describe(result)

    truth = chat_pipeline.emu.truth(STREAM, config["start_date"], config["end_date"])
    assert truth, "the emulator served no data: the test would be vacuous"
    loaded = rows(chat_pipeline)
    assert len({row["lw_id"] for row in loaded}) == len(loaded)
    assert Counter(canonical(row) for row in loaded) == Counter(map(canonical, truth))
    assert any(isinstance(row["operator"], dict) for row in loaded), "JSONB, not text"
    for row in loaded:
        assert type(row["activity_timestamp"]) is int
        moment = dt.datetime.fromtimestamp(row["activity_timestamp"] / 1000, dt.timezone.utc)
        assert row["time"] == moment.replace(tzinfo=None), "time is UTC, to the millisecond"
    assert chat_pipeline.emu.stats.requests["activities"] == 0, "only the selected log"

    again = chat_pipeline.run(LOADER, config, extra_env=SELECT)
    assert again.returncode == 0, describe(again)
    assert rows(chat_pipeline) == loaded, "the second run changed the table"
