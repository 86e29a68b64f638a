"""meltano.yml declares the tap and both loaders fully (no Meltano Hub), in step with the tap."""

from __future__ import annotations

from typing import Any

import pytest
import singer_sdk.helpers.capabilities as sdk_capabilities
import yaml
from pipeline_harness import REPO, STREAMS

from tap_zoom_logs.tap import TapZoomLogs


@pytest.fixture(scope="module")
def project() -> dict[str, Any]:
    return yaml.safe_load((REPO / "meltano.yml").read_text(encoding="utf-8"))


# Settings the SDK adds to every tap's schema (stream maps, flattening, batch): not the
# tap's own. Once any tap instance exists, they are in TapZoomLogs.config_jsonschema too.
SDK_BUILTIN_SETTINGS = {
    name
    for value in vars(sdk_capabilities).values()
    if isinstance(value, dict) and isinstance(value.get("properties"), dict)
    for name in value["properties"]
}


def plugin(project: dict[str, Any], kind: str, name: str) -> dict[str, Any]:
    found = [p for p in project["plugins"][kind] if p["name"] == name]
    assert len(found) == 1, f"{kind} {name} declared {len(found)} times"
    return found[0]


def test_default_environment_keeps_state(project: dict[str, Any]) -> None:
    assert project["default_environment"] == "dev"
    assert "dev" in {e["name"] for e in project["environments"]}


def test_extractor_declares_every_tap_setting(project: dict[str, Any]) -> None:
    tap = plugin(project, "extractors", "tap-zoom-logs")
    assert tap["namespace"] == "tap_zoom_logs"
    assert tap["pip_url"] == "-e ."
    assert tap["executable"] == "tap-zoom-logs"
    assert {"catalog", "discover", "state", "about"} <= set(tap["capabilities"])

    schema = {
        name: prop
        for name, prop in TapZoomLogs.config_jsonschema["properties"].items()
        if name not in SDK_BUILTIN_SETTINGS
    }
    declared = {s["name"]: s for s in tap["settings"]}
    assert set(declared) == set(schema), (
        f"only in the tap: {set(schema) - set(declared)};"
        f" only in meltano.yml: {set(declared) - set(schema)}"
    )
    for name, setting in declared.items():
        assert setting.get("label"), name
        assert setting.get("description"), name
        assert setting.get("kind"), name
        default = schema[name].get("default")
        if default is not None:
            assert str(setting.get("value")) == str(default), (name, setting.get("value"))
        if schema[name].get("secret") or schema[name].get("writeOnly"):
            assert setting.get("sensitive") is True, name
    assert declared["client_secret"].get("sensitive") is True
    assert not any(declared[n].get("sensitive") for n in declared if n != "client_secret"), (
        "only the secret is sensitive"
    )
    options = {o["value"] for o in declared["operation_logs_category_type"]["options"]}
    allowed = schema["operation_logs_category_type"].get("enum")
    if allowed:
        assert options == set(allowed)

    selected = set(tap["select"])
    assert {f"{s}.*" for s in STREAMS} <= selected


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
