"""The security layer's OCSF events, built through Meltano after each load.

`meltano run zoom-logs-to-postgres` (tap, target-postgres, postgres-time-index, then the
utility dbt-postgres's `build`) turns the tables the emulator's entries land in into OCSF
models: dbt's own tests pass, every `ocsf` object validates against its class's JSON schema
(the release the models name, from the package ocsf-json-schema), each model holds exactly
its source table's entries, and the mapping says what Zoom said. A later run's build adds
the news only, including an entry Zoom wrote late with a time older than any built before.
The DuckDB job builds the same events from the same entries.
"""

from __future__ import annotations

import calendar
import datetime as dt
import json
from typing import Any

import pytest

from tests.support.pipeline import Pipeline, to_utc_z
from tests.support.tap import ALL_STREAMS, STREAMS
from tests.support.warehouse import (
    DUCKDB_JOB,
    MODEL_CLASSES,
    OCSF_MODELS,
    activity_caption,
    dbt_results,
    duckdb_models,
    invalid_events,
    invoke_dbt,
    model_rows,
    ocsf_version,
    run_job,
    source_ids,
)

pytestmark = pytest.mark.pipeline


def epoch_ms(moment: dt.datetime) -> int:
    """A naive UTC timestamp (as target-postgres stores `time`) in epoch milliseconds."""
    return calendar.timegm(moment.utctimetuple()) * 1000 + moment.microsecond // 1000


def assert_dbt_succeeded(pipeline: Pipeline) -> dict[str, dict[str, Any]]:
    """Every model built and every dbt test passed; the results by model name."""
    results = dbt_results(pipeline)
    models = {
        r["unique_id"].split(".")[-1]: r for r in results if r["unique_id"].startswith("model.")
    }
    tests = [r for r in results if r["unique_id"].startswith("test.")]
    assert set(OCSF_MODELS.values()) <= set(models), sorted(models)
    assert {r["status"] for r in models.values()} == {"success"}, models
    failed = [(r["unique_id"], r["status"]) for r in tests if r["status"] != "pass"]
    assert not failed, failed
    # unique + not_null on lw_id, time not null, accepted ids... on every OCSF model
    assert len(tests) >= 10 * len(OCSF_MODELS), len(tests)
    return models


def assert_events_are_the_entries(pipeline: Pipeline, streams: tuple[str, ...]) -> None:
    """Each model holds its source table's entries, once each, as valid OCSF events whose
    flat columns say what the event says."""
    version = ocsf_version()
    for stream in streams:
        model = OCSF_MODELS[stream]
        rows = model_rows(pipeline, model)
        assert [r["lw_id"] for r in rows] == sorted(source_ids(pipeline, stream)), model
        events = [r["ocsf"] for r in rows]
        invalid = invalid_events(events, version)
        assert not invalid, f"{model}: {len(invalid)} of {len(events)} invalid: {invalid[:3]}"
        assert {r["class_uid"] for r in rows} <= MODEL_CLASSES[model]
        for row, event in zip(rows, events, strict=True):
            assert event["metadata"]["uid"] == row["lw_id"]
            assert event["metadata"]["version"] == version
            assert event["metadata"]["product"]["name"] == "Zoom"
            assert event["metadata"]["log_name"] == stream
            assert event["time"] == epoch_ms(row["time"])
            for column in ("class_uid", "category_uid", "activity_id", "type_uid", "severity_id"):
                assert event[column] == row[column], (column, row["lw_id"])
            assert event["activity_name"] == row["activity_name"]
            if row["activity_id"] != 99:
                assert row["activity_name"] == activity_caption(
                    version, row["class_uid"], row["activity_id"]
                ), row["lw_id"]


def test_the_job_loads_then_builds_ocsf_events_that_validate(pipeline: Pipeline) -> None:
    config = pipeline.config()
    run_job(pipeline, config)

    assert_dbt_succeeded(pipeline)
    assert_events_are_the_entries(pipeline, tuple(OCSF_MODELS))
    # Each admin log has both kinds of change in the emulator's traffic.
    for stream in ("operation_logs", "phone_operation_logs", "contact_center_operation_logs"):
        classes = {r["class_uid"] for r in model_rows(pipeline, OCSF_MODELS[stream])}
        assert classes == {3001, 3004}, (stream, classes)

    # Sign-ins: Logon/Logoff from Zoom's type, the user and address as Zoom gave them.
    entries = {r["lw_id"]: r for r in pipeline.pg_rows("activity_logs")}
    for row in model_rows(pipeline, "ocsf_activity_logs"):
        entry, event = entries[row["lw_id"]], row["ocsf"]
        expected = {"Sign in": 1, "Sign out": 2, None: 0}.get(entry["type"], 99)
        assert row["activity_id"] == expected, entry
        assert row["user_email"] == entry["email"]
        assert row["src_ip"] == entry["ip_address"]
        assert event["status_id"] == 1 and event["service"] == {"name": "Zoom"}
        if entry["email"] is not None:
            assert event["user"]["name"] == entry["email"]
        if entry["ip_address"] is not None:
            assert event["src_endpoint"] == {"ip": entry["ip_address"]}
        assert event["unmapped"] == {
            k: v for k, v in (("type", entry["type"]), ("client_type", entry["client_type"]),
                              ("version", entry["version"])) if v is not None
        }  # fmt: skip

    # Admin operations: the detail byte for byte; users created, deleted, activated are
    # Account Changes of the account the detail names; a recording deleted is an entity's.
    entries = {r["lw_id"]: r for r in pipeline.pg_rows("operation_logs")}
    seen: set[str] = set()
    for row in model_rows(pipeline, "ocsf_operation_logs"):
        entry, event = entries[row["lw_id"]], row["ocsf"]
        assert row["message"] == entry["operation_detail"]
        assert event.get("message") == entry["operation_detail"]
        assert row["actor_user_name"] == entry["operator"]
        detail, category = entry["operation_detail"] or "", entry["category_type"]
        for prefix, activity in (("Add User ", 1), ("Delete User ", 6), ("Activate User ", 2),
                                 ("Deactivate User ", 5)):  # fmt: skip
            if category == "User" and detail.startswith(prefix) and entry["action"]:
                assert (row["class_uid"], row["activity_id"]) == (3001, activity), entry
                assert row["user_email"] == detail[len(prefix) :].strip()
                assert event["user"]["name"] == row["user_email"]
                seen.add(prefix)
        if category == "Recording" and entry["action"] == "Delete":
            assert (row["class_uid"], row["activity_id"]) == (3004, 4), entry
            assert event["entity"]["type"] == "Recording"
            seen.add("Recording")
    assert len(seen) == 5, seen


def test_an_incremental_build_adds_only_the_news_and_a_late_entry(pipeline: Pipeline) -> None:
    full = pipeline.config()
    start = dt.datetime.fromisoformat(full["start_date"].replace("Z", "+00:00"))
    end = dt.datetime.fromisoformat(full["end_date"].replace("Z", "+00:00"))
    mid = start + (end - start) * 2 / 3
    # First run: the streams selected by default, up to two thirds of the history. The
    # logs not selected have no table: their models build, empty.
    run_job(pipeline, {**full, "end_date": to_utc_z(mid)}, streams=STREAMS)
    assert_dbt_succeeded(pipeline)
    before = {
        m: {r["lw_id"]: r["row_version"] for r in model_rows(pipeline, m)}
        for m in OCSF_MODELS.values()
    }
    for stream in set(OCSF_MODELS) - set(STREAMS):
        assert not pipeline.pg_table_exists(stream)
        assert before[OCSF_MODELS[stream]] == {}
    built_until = max(r["time"] for r in model_rows(pipeline, "ocsf_operation_logs"))

    # Zoom writes an entry late, hours older than the newest event already built (within
    # the tap's look-back, so the next run reads it): a build that took `time > max(time)`
    # would never see it. And news after the first run's end.
    late = {
        "time": to_utc_z(built_until - dt.timedelta(hours=3)),
        "operator": "late.admin@example.com",
        "category_type": "User",
        "action": "Delete",
        "operation_detail": "Delete User gone.late@example.com",
    }
    news = {
        "time": to_utc_z(mid + dt.timedelta(hours=5)),
        "type": "Sign in",
        "email": "news@example.com",
        "ip_address": "192.0.2.79",
        "client_type": "Mac",
        "version": "6.1.0.198",
    }
    pipeline.emu.add_entry("operation_logs", late)
    pipeline.emu.add_entry("activity_logs", news)

    # Second run: every log, up to now.
    run_job(pipeline, full, streams=ALL_STREAMS)
    built = assert_dbt_succeeded(pipeline)
    assert_events_are_the_entries(pipeline, tuple(OCSF_MODELS))
    for model in OCSF_MODELS.values():
        rows = {r["lw_id"]: r["row_version"] for r in model_rows(pipeline, model)}
        added = set(rows) - set(before[model])
        assert set(before[model]) <= set(rows), model
        # Rows built before are not rewritten: only the news is inserted.
        assert {i: rows[i] for i in before[model]} == before[model], model
        assert built[model]["adapter_response"]["rows_affected"] == len(added), model
        assert added, model
    late_rows = [
        r for r in model_rows(pipeline, "ocsf_operation_logs")
        if r["actor_user_name"] == "late.admin@example.com"
    ]  # fmt: skip
    assert len(late_rows) == 1, late_rows
    assert late_rows[0]["time"] < built_until
    assert (late_rows[0]["class_uid"], late_rows[0]["activity_id"]) == (3001, 6)
    assert late_rows[0]["user_email"] == "gone.late@example.com"
    signed_in = [
        r
        for r in model_rows(pipeline, "ocsf_activity_logs")
        if r["user_email"] == "news@example.com"
    ]
    assert [r["src_ip"] for r in signed_in] == ["192.0.2.79"]

    # A build with nothing new (the README's `meltano invoke dbt-postgres:build`, which
    # finds the tables through target-postgres's settings alone) changes nothing.
    models = tuple(OCSF_MODELS.values())
    after = {m: {r["lw_id"]: r["row_version"] for r in model_rows(pipeline, m)} for m in models}
    invoke_dbt(pipeline, "dbt-postgres:build")
    rebuilt = assert_dbt_succeeded(pipeline)
    assert [rebuilt[m]["adapter_response"]["rows_affected"] for m in models] == [0] * len(models)
    again = {m: {r["lw_id"]: r["row_version"] for r in model_rows(pipeline, m)} for m in models}
    assert again == after


def test_the_duckdb_job_builds_the_events_postgresql_builds(pipeline: Pipeline) -> None:
    config = pipeline.config()
    run_job(
        pipeline,
        config,
        job=DUCKDB_JOB,
        streams=STREAMS,
        extra_env={"TARGET_DUCKDB_FILEPATH": str(pipeline.duckdb_path)},
    )
    found = duckdb_models(pipeline.duckdb_path)
    version = ocsf_version()
    for stream, model in OCSF_MODELS.items():
        rows, ids = found["models"][model], found["sources"][stream]
        if stream not in STREAMS:
            # Not selected: no table, an empty model.
            assert ids is None and rows == [], (stream, ids, len(rows))
            continue
        assert [r["lw_id"] for r in rows] == sorted(ids), model
        events = [json.loads(r["ocsf"]) for r in rows]
        invalid = invalid_events(events, version)
        assert not invalid, f"{model}: {invalid[:3]}"

    # The same entries through PostgreSQL give the same events, member for member.
    run_job(pipeline, config, streams=STREAMS)
    for stream in STREAMS:
        model = OCSF_MODELS[stream]
        in_postgres = {r["lw_id"]: r["ocsf"] for r in model_rows(pipeline, model)}
        in_duckdb = {r["lw_id"]: json.loads(r["ocsf"]) for r in found["models"][model]}
        assert in_duckdb == in_postgres, model
