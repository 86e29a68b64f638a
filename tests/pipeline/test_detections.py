"""The detection views (transform/models/detections/) fire on exactly the entries planted for
them (zoom_emulator/incidents.py) and on nothing else, built by Meltano's jobs.

`meltano run zoom-logs-to-duckdb` (tap, target-duckdb, dbt-duckdb:build) and
`meltano run zoom-logs-to-postgres` (tap, target-postgres, postgres-time-index,
dbt-postgres:build) load an emulator holding the security-incident scenario; each view must
then list the lw_ids of its planted entries, no near miss and no ordinary entry. dbt's own
tests (detections.yml, transform/tests/) run inside the build: a failing one fails the job.
A run on the ordinary traffic alone, with a history long enough to arm every baseline,
fires nothing. The detections kept as incremental tables judge each entry once, when it
arrives: a second run's build, judging only the news, finds what a full refresh finds.
Dates are the session's (`SESSION_NOW`): the scenario is planted on the day before it, its
history in the days before that.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest

from tests.support.pipeline import (
    DUCKDB_PYTHON,
    EMULATOR_KW,
    PIPELINE_TIMEOUT,
    REPO,
    MeltanoProject,
    Pipeline,
    entry_key,
    meltano_env,
    tap_env,
    to_utc_z,
)
from tests.support.tap import ALL_STREAMS
from zoom_emulator import ZoomEmulator
from zoom_emulator.incidents import DETECTIONS, Planted, Scenario, plant_security_incidents

pytestmark = pytest.mark.pipeline

#: The two views that report bursts (a list of lw_ids a row) and what makes one burst.
BURSTS = {"bulk_deletions": "operator", "sign_ins_from_many_ip_addresses": "email"}
SOURCES = ("activity_logs", "operation_logs", "phone_operation_logs")
DETECTIONS_SCHEMA = "zoom_security_detections"

_READ_DUCKDB = """
import json, sys, duckdb
con = duckdb.connect(sys.argv[1], read_only=True)
def rows(sql):
    cur = con.execute(sql)
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row)) for row in cur.fetchall()]
tables = {name: schema for schema, name in con.execute(
    "select table_schema, table_name from information_schema.tables").fetchall()}
out = {"sources": {}, "views": {}}
for stream in json.loads(sys.argv[2]):
    if tables.get(stream) == "zoom_logs":
        out["sources"][stream] = rows(f"select * from zoom_logs.{stream}")
for view in json.loads(sys.argv[3]):
    out["views"][view] = rows(f"select * from zoom_security_detections.{view}")
print(json.dumps(out, default=str))
"""


@pytest.fixture
def scenario(emulator: ZoomEmulator) -> Scenario:
    """The security-incident scenario, planted in the pipeline's emulator."""
    return plant_security_incidents(emulator)


def run_job(pipeline: Pipeline, job: str, env: Mapping[str, str]) -> str:
    done = subprocess.run(
        [str(pipeline.project.executable), "run", job],
        cwd=REPO,
        env={**meltano_env(pipeline.sysdb), **env},
        capture_output=True,
        text=True,
        timeout=PIPELINE_TIMEOUT,
        check=False,
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, output[-6000:]
    return output


def load_duckdb(pipeline: Pipeline, config: Mapping[str, Any]) -> dict[str, Any]:
    """`meltano run zoom-logs-to-duckdb`, then the source tables and the views."""
    path = pipeline.duckdb_path
    env = {**tap_env(config), "TARGET_DUCKDB_FILEPATH": str(path), "DBT_DUCKDB_PATH": str(path)}
    output = run_job(pipeline, "zoom-logs-to-duckdb", env)
    assert "Completed successfully" in output, output[-4000:]
    return read_duckdb(path)


def read_duckdb(path: Path) -> dict[str, Any]:
    """The source tables and the detections in the DuckDB file."""
    done = subprocess.run(
        [
            str(DUCKDB_PYTHON),
            "-c",
            _READ_DUCKDB,
            str(path),
            json.dumps(SOURCES),
            json.dumps(DETECTIONS),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def postgres_dbt_env(pipeline: Pipeline) -> dict[str, str]:
    """dbt-postgres on the test's schema: the tables in it, the views in
    <schema>_security_detections."""
    assert pipeline.pg is not None
    return {
        **pipeline.pg.target_env(pipeline.schema),
        "DBT_POSTGRES_SOURCE_SCHEMA": pipeline.schema,
        "DBT_POSTGRES_SCHEMA": f"{pipeline.schema}_security",
    }


def load_postgres(pipeline: Pipeline, config: Mapping[str, Any]) -> dict[str, Any]:
    """`meltano run zoom-logs-to-postgres` (every log selected), then tables and views."""
    env = {
        **tap_env(config),
        **postgres_dbt_env(pipeline),
        "TAP_ZOOM_LOGS__SELECT": json.dumps([f"{s}.*" for s in ALL_STREAMS]),
    }
    output = run_job(pipeline, "zoom-logs-to-postgres", env)
    assert "Completed successfully" in output, output[-4000:]
    return read_postgres(pipeline)


def read_postgres(pipeline: Pipeline) -> dict[str, Any]:
    """The source tables and the detections of the test's schema in PostgreSQL."""
    assert pipeline.pg is not None
    out: dict[str, Any] = {"sources": {}, "views": {}}
    with pipeline.pg.connect() as conn:
        for name, schema, key in [
            *((s, pipeline.schema, "sources") for s in SOURCES),
            *((v, f"{pipeline.schema}_security_detections", "views") for v in DETECTIONS),
        ]:
            cur = conn.execute(f'SELECT * FROM "{schema}"."{name}"')
            names = [d.name for d in cur.description]
            out[key][name] = [dict(zip(names, row, strict=True)) for row in cur.fetchall()]
    return out


def lw_ids_of(loaded: dict[str, Any], planted: list[Planted]) -> set[str]:
    """The lw_ids the loaded tables gave the planted entries (of the logs loaded)."""
    index = {
        (stream, entry_key(stream, row)): row["lw_id"]
        for stream, rows in loaded["sources"].items()
        for row in rows
    }
    return {
        index[stream, entry_key(stream, entry)]
        for stream, entry in planted
        if stream in loaded["sources"]
    }


def fired(rows: list[dict[str, Any]], name: str) -> list[str]:
    """Every lw_id a view lists, once per time it lists it."""
    if name in BURSTS:
        return [lw_id for row in rows for lw_id in row["lw_ids"]]
    return [row["lw_id"] for row in rows]


def assert_fires_on_planted_only(loaded: dict[str, Any], scenario: Scenario) -> None:
    planted_ids = lw_ids_of(loaded, scenario.planted)
    assert len(planted_ids) == len([p for p in scenario.planted if p[0] in loaded["sources"]]), (
        "every planted entry landed, each with its own lw_id"
    )
    for name in DETECTIONS:
        rows = loaded["views"][name]
        got, want = fired(rows, name), lw_ids_of(loaded, scenario.fires[name])
        spared = lw_ids_of(loaded, scenario.spares[name])
        assert not set(got) & spared, f"{name} fired on a near miss"
        assert len(got) == len(set(got)), f"{name} lists an entry twice"
        assert set(got) == want, f"{name}: {len(got)} entries fired, {len(want)} planted"
        assert {row["detection"] for row in rows} == {name}
        if name in BURSTS:  # one row per burst: here, one per actor
            actors = {
                entry[BURSTS[name]]
                for stream, entry in scenario.fires[name]
                if stream in loaded["sources"]
            }
            assert len(rows) == len(actors), name


def assert_evidence(loaded: dict[str, Any]) -> None:
    """The evidence columns say who, what and what changed, as the source entry does."""
    views = loaded["views"]
    (two_factor,) = views["two_factor_sign_in_disabled"]
    assert (two_factor["setting"], two_factor["from_value"], two_factor["to_value"]) == (
        "Sign in with Two-Factor Authentication",
        "On",
        "Off",
    )
    assert two_factor["operator"] == "mallory@example.net"
    assert two_factor["operation_detail"] == (
        "Security  - Sign in with Two-Factor Authentication: from On to Off"
    )
    promoted = {(r["from_value"], r["to_value"]) for r in views["user_promoted_to_privileged_role"]}
    assert promoted == {("User", "Co-Owner"), ("Member", "Billing Admin")}
    (method,) = views["sign_in_method_modified"]
    assert method["sign_in_service"] == "Google"
    (night,) = views["account_setting_change_off_hours"]
    assert night["hour_of_day"] == 2 and night["changes_near_this_hour"] == 0
    assert night["changes_in_30_days"] >= 20
    (spray,) = views["sign_ins_from_many_ip_addresses"]
    assert spray["ip_addresses"] == 4 and spray["email"] == "sam.spray@example.net"
    deletions = {row["operator"]: row["deletions"] for row in views["bulk_deletions"]}
    assert deletions["cleanup-bot@example.net"] == 10


def test_duckdb_job_builds_detections_that_fire_on_their_planted_entries_only(
    pipeline: Pipeline, scenario: Scenario
) -> None:
    loaded = load_duckdb(pipeline, pipeline.config())
    # The DuckDB job loads the default streams: no Zoom Phone table, and the views that
    # read it when present still build.
    assert "phone_operation_logs" not in loaded["sources"]
    assert_fires_on_planted_only(loaded, scenario)
    assert_evidence(loaded)


def test_postgres_job_builds_detections_that_fire_on_their_planted_entries_only(
    pipeline: Pipeline, scenario: Scenario
) -> None:
    loaded = load_postgres(pipeline, pipeline.config())
    assert loaded["sources"]["phone_operation_logs"], "the Zoom Phone log is loaded"
    assert_fires_on_planted_only(loaded, scenario)
    assert_evidence(loaded)
    logs = {row["operator"]: row["logs"] for row in loaded["views"]["bulk_deletions"]}
    assert logs == {"cleanup-bot@example.net": 1, "phone-admin@example.net": 1}


def test_ordinary_traffic_fires_no_detection(
    meltano_project: MeltanoProject, tmp_path: Path
) -> None:
    # 35 days: past the 30 days of history every baseline learns from, so the sign-in and
    # usual-hours detections judge the later days instead of staying silent.
    kw = {**EMULATOR_KW, "history_days": 35}
    with ZoomEmulator(**kw) as emu:
        pipeline = Pipeline(emu, meltano_project, None, "unused", tmp_path)
        loaded = load_duckdb(pipeline, pipeline.config())
    assert len(loaded["sources"]["activity_logs"]) > 300
    # The baselines were armed, so silence means the traffic looked usual, not unjudged:
    # account-setting changes with 20 others in the 30 days before them, sign-ins with a
    # sign-in of the same user in the 30 days before them.
    changes = sorted(
        dt.datetime.fromisoformat(row["time"])
        for row in loaded["sources"]["operation_logs"]
        if (row["category_type"], row["action"]) == ("Account", "Update")
    )
    month = dt.timedelta(days=30)
    assert any(sum(t - month <= o < t for o in changes) >= 20 for t in changes)
    sign_ins: dict[str, list[dt.datetime]] = {}
    for row in loaded["sources"]["activity_logs"]:
        if row["type"] == "Sign in" and row["email"] and row["ip_address"]:
            sign_ins.setdefault(row["email"], []).append(dt.datetime.fromisoformat(row["time"]))
    judged = sum(
        any(t - month <= o < t for o in times) for times in sign_ins.values() for t in times
    )
    assert judged > 100
    assert {name: len(rows) for name, rows in loaded["views"].items()} == dict.fromkeys(
        DETECTIONS, 0
    )


def findings(loaded: dict[str, Any]) -> dict[str, list[str]]:
    """Each detection's rows, as comparable text, sorted."""
    return {
        name: sorted(json.dumps(row, default=str, sort_keys=True) for row in rows)
        for name, rows in loaded["views"].items()
    }


def test_an_incremental_build_finds_what_a_full_refresh_finds(
    pipeline: Pipeline, scenario: Scenario
) -> None:
    assert_incremental_finds_what_full_refresh_finds(
        pipeline,
        scenario,
        lambda config: load_postgres(pipeline, config),
        lambda: refresh(pipeline, "dbt-postgres:build", postgres_dbt_env(pipeline)),
        lambda: read_postgres(pipeline),
    )


def test_an_incremental_duckdb_build_finds_what_a_full_refresh_finds(
    pipeline: Pipeline, scenario: Scenario
) -> None:
    assert_incremental_finds_what_full_refresh_finds(
        pipeline,
        scenario,
        lambda config: load_duckdb(pipeline, config),
        lambda: refresh(
            pipeline, "dbt-duckdb:build", {"DBT_DUCKDB_PATH": str(pipeline.duckdb_path)}
        ),
        lambda: read_duckdb(pipeline.duckdb_path),
    )


def refresh(pipeline: Pipeline, command: str, env: Mapping[str, str]) -> None:
    """`meltano invoke <command> --full-refresh`: every model rebuilt from nothing."""
    done = pipeline.meltano("invoke", command, "--full-refresh", env=env)
    assert done.returncode == 0, (done.stdout + done.stderr)[-6000:]


def assert_incremental_finds_what_full_refresh_finds(
    pipeline: Pipeline,
    scenario: Scenario,
    load: Callable[[Mapping[str, Any]], dict[str, Any]],
    full_refresh: Callable[[], None],
    read: Callable[[], dict[str, Any]],
) -> None:
    full = pipeline.config()
    # First run: up to 11:00 of the scenario's day, before the traveller signs in from a new
    # address at 12:00 (and the day's sign-in incidents): those arrive with the second run.
    traveller = min(
        (
            entry
            for _, entry in scenario.fires["sign_in_from_new_ip_address"]
            if entry["email"] == "pat.traveller@example.net"
        ),
        key=lambda entry: str(entry["time"]),
    )
    cut = dt.datetime.fromisoformat(traveller["time"].replace("Z", "+00:00")) - dt.timedelta(
        hours=1
    )
    first = load({**full, "end_date": to_utc_z(cut)})
    loaded_first = {entry_key("activity_logs", row) for row in first["sources"]["activity_logs"]}
    assert entry_key("activity_logs", traveller) not in loaded_first, "the sign-in is news"
    before = findings(first)
    # The detections the first build already judged the day's earlier incidents for.
    assert before["account_setting_change_off_hours"], "the 02:40 change was judged at once"

    second = load(full)
    incremental = findings(second)
    (traveller_id,) = lw_ids_of(second, [("activity_logs", traveller)])
    assert traveller_id in {r["lw_id"] for r in second["views"]["sign_in_from_new_ip_address"]}
    # A finding once made stays: every row of the first build is in the second.
    for name, rows in before.items():
        assert set(rows) <= set(incremental[name]), name

    full_refresh()
    assert findings(read()) == incremental
    assert_fires_on_planted_only(second, scenario)
