"""meltano.yml declares the tap and both loaders fully (no Meltano Hub), in step with the tap."""

from __future__ import annotations

import json
import subprocess
from typing import Any

import pytest
import yaml

from tests.support.pipeline import REPO
from tests.support.tap import ALL_STREAMS, STREAMS, TAP, leaf_settings


@pytest.fixture(scope="module")
def project() -> dict[str, Any]:
    return yaml.safe_load((REPO / "meltano.yml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def about() -> dict[str, Any]:
    done = subprocess.run(
        [TAP, "--about", "--format=json"], capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout)


# The Meltano kind each JSON-schema type may be declared as. Meltano 4.4 converts an
# environment variable or `meltano config set` value by the kind; `decimal` fails there
# ("Decimal is not JSON serializable"), so a number is declared `integer` (a fraction can
# still be written in meltano.yml's config).
KINDS = {
    "string": {"string", "date_iso8601", "options"},
    "integer": {"integer"},
    "number": {"integer"},
    "boolean": {"boolean"},
    "object": {"object"},
    "array": {"array"},
}


def json_type(spec: dict[str, Any]) -> str:
    kinds = spec.get("type", [])
    kinds = [kinds] if isinstance(kinds, str) else kinds
    (kind,) = (k for k in kinds if k != "null")
    return kind


def plugin(project: dict[str, Any], kind: str, name: str) -> dict[str, Any]:
    found = [p for p in project["plugins"][kind] if p["name"] == name]
    assert len(found) == 1, f"{kind} {name} declared {len(found)} times"
    return found[0]


def test_default_environment_keeps_state(project: dict[str, Any]) -> None:
    assert project["default_environment"] == "dev"
    assert "dev" in {e["name"] for e in project["environments"]}


def test_extractor_declares_every_tap_setting(
    project: dict[str, Any], about: dict[str, Any]
) -> None:
    """Every setting --about reports, the SDK's built-in ones included, with a kind Meltano
    converts environment variables to; the capabilities are --about's."""
    tap = plugin(project, "extractors", "tap-zoom-logs")
    assert tap["namespace"] == "tap_zoom_logs"
    assert tap["pip_url"] == "-e ."
    assert tap["executable"] == "tap-zoom-logs"
    assert sorted(tap["capabilities"]) == sorted(about["capabilities"])
    assert {"stream-maps", "schema-flattening"} <= set(tap["capabilities"])

    schema = leaf_settings(about["settings"]["properties"])
    declared = {s["name"]: s for s in tap["settings"]}
    assert set(declared) == set(schema), (
        f"only in the tap: {set(schema) - set(declared)};"
        f" only in meltano.yml: {set(declared) - set(schema)}"
    )
    for name, setting in declared.items():
        assert setting.get("label"), name
        assert setting.get("description"), name
        assert setting.get("kind") in KINDS[json_type(schema[name])], (name, setting["kind"])
        default = schema[name].get("default")
        if default is not None:
            assert str(setting.get("value")) == str(default), (name, setting.get("value"))
        if schema[name].get("secret") or schema[name].get("writeOnly"):
            assert setting.get("sensitive") is True, name
    secrets = {"client_secret", "videosdk_api_secret"}
    for name in secrets:
        assert declared[name].get("sensitive") is True, name
    assert not any(declared[n].get("sensitive") for n in declared if n not in secrets), (
        "only the secrets are sensitive"
    )
    for name, setting in declared.items():
        if "enum" in schema[name]:
            assert {o["value"] for o in setting["options"]} == set(schema[name]["enum"]), name

    selected = set(tap["select"])
    assert {f"{s}.*" for s in STREAMS} <= selected
    # The meeting audit trail and Zoom Phone's logs need scopes an existing app may lack:
    # selecting one is a line a user adds, never a default.
    assert not {f"{s}.*" for s in ALL_STREAMS if s not in STREAMS} & selected


def test_loaders_are_declared_in_full(project: dict[str, Any]) -> None:
    jsonl = plugin(project, "loaders", "target-jsonl")
    assert jsonl["pip_url"] == "target-jsonl==0.1.4"
    assert "destination_path" in {s["name"] for s in jsonl["settings"]}

    pg = plugin(project, "loaders", "target-postgres")
    assert pg["variant"] == "meltanolabs"
    assert pg["namespace"] == "target_postgres"
    assert pg["pip_url"].startswith("meltanolabs-target-postgres~=0.8")
    names = {s["name"] for s in pg["settings"]}
    assert {"host", "port", "user", "password", "database", "default_target_schema"} <= names
    assert {s["name"] for s in pg["settings"] if s.get("sensitive")} >= {"password"}
    # time stays UTC in `timestamp without time zone` columns (test_pipeline_postgres.py)
    assert pg["env"]["PGTZ"] == "UTC"


def test_the_other_targets_are_declared_and_pinned(project: dict[str, Any]) -> None:
    """The versions the README's table of targets says were verified."""
    pw = plugin(project, "loaders", "target-postgres-pipelinewise")
    assert pw["pip_url"] == "pipelinewise-target-postgres==2.1.2"
    assert pw["executable"] == "target-postgres"
    names = {s["name"] for s in pw["settings"]}
    assert {"host", "port", "user", "password", "dbname", "default_target_schema"} <= names
    assert {s["name"] for s in pw["settings"] if s.get("sensitive")} == {"password"}
    # its own schema: on MeltanoLabs target-postgres's tables it fails (README, Targets)
    schemas = {
        name: next(
            s["value"]
            for s in plugin(project, "loaders", name)["settings"]
            if s["name"] == "default_target_schema"
        )
        for name in ("target-postgres", "target-postgres-pipelinewise")
    }
    assert len(set(schemas.values())) == 2, schemas

    duck = plugin(project, "loaders", "target-duckdb")
    # target-duckdb 0.8.0 drops the first row of each batch with duckdb >= 1.3
    assert duck["pip_url"].split() == ["target-duckdb==0.8.0", "duckdb==1.2.2"]
    assert {"filepath", "default_target_schema"} <= {s["name"] for s in duck["settings"]}
