"""The security layer in the tests: run the jobs and dbt through Meltano, read the OCSF models
and dbt's results, and validate events against the OCSF JSON schema.

The models (transform/models/ocsf/) are built by the utility dbt-postgres in the schema
`<schema>_ocsf` beside the tap's tables (`DBT_POSTGRES_SCHEMA`, which PostgresServer.target_env
sets to the test's schema), or by dbt-duckdb in the DuckDB file target-duckdb loads. dbt's run
files go to each test's own directory (meltano_env: DBT_TARGET_PATH).

Validation uses the OCSF release the models write (transform/dbt_project.yml, var
`ocsf_version`), as the PyPI package ocsf-json-schema gives each class: a JSON Schema that
Draft 2020-12 applies, strict about unknown attributes and object requirements.
"""

from __future__ import annotations

import functools
import json
import subprocess
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import jsonschema
import yaml
from ocsf_json_schema import OcsfJsonSchemaEmbedded, get_ocsf_schema

from tests.support.pipeline import DUCKDB_PYTHON, REPO, Pipeline, tap_env
from tests.support.tap import ALL_STREAMS

#: Each log the layer maps to OCSF, and its model (the meeting audit trail has none).
OCSF_MODELS = {
    "activity_logs": "ocsf_activity_logs",
    "operation_logs": "ocsf_operation_logs",
    "phone_operation_logs": "ocsf_phone_operation_logs",
    "contact_center_operation_logs": "ocsf_contact_center_operation_logs",
}
#: The class each model may produce.
MODEL_CLASSES = {
    "ocsf_activity_logs": {3002},
    "ocsf_operation_logs": {3001, 3004},
    "ocsf_phone_operation_logs": {3001, 3004},
    "ocsf_contact_center_operation_logs": {3001, 3004},
}
POSTGRES_JOB = "zoom-logs-to-postgres"
DUCKDB_JOB = "zoom-logs-to-duckdb"


def ocsf_version() -> str:
    """The OCSF release the models write (dbt_project.yml's var ocsf_version)."""
    project = yaml.safe_load((REPO / "transform" / "dbt_project.yml").read_text())
    return str(project["vars"]["ocsf_version"])


@functools.cache
def ocsf_schema(version: str) -> dict[str, Any]:
    return get_ocsf_schema(version=version)


@functools.cache
def class_validator(version: str, class_uid: int) -> jsonschema.Draft202012Validator:
    """The JSON Schema validator of OCSF class `class_uid` in release `version`."""
    embedded = OcsfJsonSchemaEmbedded(ocsf_schema(version))
    schema = embedded.get_class_schema(embedded.lookup_class_name_from_uid(class_uid))
    return jsonschema.Draft202012Validator(schema)


def activity_caption(version: str, class_uid: int, activity_id: int) -> str:
    """What OCSF calls activity `activity_id` of class `class_uid`."""
    embedded = OcsfJsonSchemaEmbedded(ocsf_schema(version))
    name = embedded.lookup_class_name_from_uid(class_uid)
    enum = ocsf_schema(version)["classes"][name]["attributes"]["activity_id"]["enum"]
    return str(enum[str(activity_id)]["caption"])


def schema_errors(event: Mapping[str, Any], version: str) -> list[str]:
    """Why `event` is not a valid event of its class (empty when it is)."""
    validator = class_validator(version, int(event["class_uid"]))
    return [f"{e.json_path}: {e.message[:300]}" for e in validator.iter_errors(event)]


def invalid_events(events: Iterable[Mapping[str, Any]], version: str) -> list[str]:
    """One line per event that does not validate: its metadata.uid and the first error."""
    out = []
    for event in events:
        errors = schema_errors(event, version)
        if errors:
            out.append(f"{event.get('metadata', {}).get('uid')}: {errors[0]}")
    return out


# --------------------------------------------------------------------------- running


def job_env(
    pipeline: Pipeline, config: Mapping[str, Any], streams: tuple[str, ...]
) -> dict[str, str]:
    """The environment of `meltano run zoom-logs-to-postgres` for this test: the tap's
    settings, target-postgres's (the test's schema, which dbt-postgres follows), and the
    streams selected."""
    assert pipeline.pg is not None
    env = {**tap_env(config), **pipeline.pg.target_env(pipeline.schema)}
    env["TAP_ZOOM_LOGS__SELECT"] = json.dumps([f"{s}.*" for s in streams])
    return env


def run_job(
    pipeline: Pipeline,
    config: Mapping[str, Any],
    *,
    job: str = POSTGRES_JOB,
    streams: tuple[str, ...] = ALL_STREAMS,
    extra_env: Mapping[str, str] | None = None,
) -> str:
    """`meltano run <job>`; asserts it succeeded and returns what it printed."""
    env = {**job_env(pipeline, config, streams), **(extra_env or {})}
    done = pipeline.meltano("run", job, env=env)
    output = done.stdout + done.stderr
    assert done.returncode == 0, output[-6000:]
    return output


def invoke_dbt(pipeline: Pipeline, *args: str) -> str:
    """`meltano invoke dbt-postgres:<args>` against the test's schema; asserts success."""
    assert pipeline.pg is not None
    done = pipeline.meltano("invoke", *args, env=pipeline.pg.target_env(pipeline.schema))
    output = done.stdout + done.stderr
    assert done.returncode == 0, output[-6000:]
    return output


def dbt_results(pipeline: Pipeline) -> list[dict[str, Any]]:
    """The results of the last dbt command of this test (run_results.json)."""
    path = pipeline.sysdb.parent / "dbt-target" / "run_results.json"
    return list(json.loads(path.read_text())["results"])


# --------------------------------------------------------------------------- reading


def ocsf_schema_name(pipeline: Pipeline) -> str:
    return f"{pipeline.schema}_ocsf"


def model_rows(pipeline: Pipeline, model: str) -> list[dict[str, Any]]:
    """Every row of an OCSF model in PostgreSQL, by lw_id, with its PostgreSQL row version
    (`xmin`: a row rewritten by a later build gets a new one)."""
    assert pipeline.pg is not None
    with pipeline.pg.connect() as conn:
        cur = conn.execute(
            f'SELECT xmin::text AS row_version, * FROM "{ocsf_schema_name(pipeline)}"."{model}"'
            " ORDER BY lw_id"
        )
        names = [column.name for column in cur.description]
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def source_ids(pipeline: Pipeline, stream: str) -> set[str]:
    """The lw_id of every row of the tap's table `stream`."""
    return {row["lw_id"] for row in pipeline.pg_rows(stream)}


def duckdb_models(path: Path, schema: str = "zoom_security_ocsf") -> dict[str, Any]:
    """Each OCSF model's rows in the DuckDB file (ocsf parsed), and each source table's
    lw_ids (None when the table does not exist), read with target-duckdb's own duckdb."""
    program = """
import json, sys, duckdb
con = duckdb.connect(sys.argv[1], read_only=True)
out = {"models": {}, "sources": {}}
for stream, model in json.loads(sys.argv[3]).items():
    cur = con.execute(f'SELECT * FROM {sys.argv[2]}.{model} ORDER BY lw_id')
    names = [d[0] for d in cur.description]
    out["models"][model] = [dict(zip(names, map(str, row))) for row in cur.fetchall()]
    try:
        rows = con.execute(f'SELECT lw_id FROM zoom_logs.{stream}').fetchall()
        out["sources"][stream] = [r[0] for r in rows]
    except duckdb.CatalogException:
        out["sources"][stream] = None
print(json.dumps(out))
"""
    done = subprocess.run(
        [str(DUCKDB_PYTHON), "-c", program, str(path), schema, json.dumps(OCSF_MODELS)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return dict(json.loads(done.stdout))
