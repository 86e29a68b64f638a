"""The Meltano Hub definition (hub/extractors/tap-zoom-logs.yml) is the tap's, and Hub-shaped.

Equal to `tap-zoom-logs --about` (settings, descriptions, capabilities) and to the
extractor of meltano.yml, which the pipeline tests run with Meltano 4.4 (kinds, labels,
defaults, options, selection, settings group); in the Hub's format (its required and
allowed fields, setting kinds and maintenance statuses).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import about, one_line

REPO = Path(__file__).resolve().parents[1]
HUB_FILE = REPO / "hub" / "extractors" / "tap-zoom-logs.yml"

# The Hub's extractor definition: required fields, the fields it allows, and per setting.
HUB_REQUIRED = {"name", "namespace", "variant", "label"}
HUB_FIELDS = HUB_REQUIRED | {
    "pip_url",
    "description",
    "executable",
    "settings",
    "docs",
    "repo",
    "logo_url",
    "hidden",
    "settings_group_validation",
    "commands",
    "capabilities",
    "metadata",
    "schema",
    "select",
    "maintenance_status",
    "domain_url",
    "keywords",
    "requires",
    "definition",
    "next_steps",
    "settings_preamble",
    "usage",
    "prereq",
    "quality",
}
HUB_SETTING_FIELDS = {
    "name",
    "aliases",
    "label",
    "value",
    "placeholder",
    "kind",
    "description",
    "tooltip",
    "documentation",
    "env",
    "value_processor",
    "value_post_processor",
    "oauth",
    "options",
    "docs",
    "hidden",
    "sensitive",
}
HUB_CAPABILITIES = {
    "properties",
    "catalog",
    "discover",
    "state",
    "about",
    "stream-maps",
    "schema-flattening",
    "activate-version",
    "batch",
    "test",
    "log-based",
    "structured-logging",
}
HUB_STATUSES = {"active", "beta", "development", "inactive", "unknown"}
# Kinds Meltano 4.4 reads from environment variables and `meltano config set`: not
# `decimal` (it fails: "Decimal is not JSON serializable"), not the deprecated `password`.
KINDS = {"string", "integer", "boolean", "object", "array", "date_iso8601", "options"}


@pytest.fixture(scope="module")
def hub() -> dict[str, Any]:
    return yaml.safe_load(HUB_FILE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module", name="about")
def about_fixture() -> dict[str, Any]:
    return about()


@pytest.fixture(scope="module")
def extractor() -> dict[str, Any]:
    project = yaml.safe_load((REPO / "meltano.yml").read_text(encoding="utf-8"))
    (tap,) = (p for p in project["plugins"]["extractors"] if p["name"] == "tap-zoom-logs")
    return tap


def test_the_hub_definition_has_the_hubs_shape(hub):
    assert set(hub) >= HUB_REQUIRED, HUB_REQUIRED - set(hub)
    assert set(hub) <= HUB_FIELDS, set(hub) - HUB_FIELDS
    for field in ("description", "logo_url", "domain_url", "maintenance_status", "keywords"):
        assert hub.get(field), field
    assert hub["maintenance_status"] in HUB_STATUSES
    assert hub["domain_url"].startswith("https://")
    assert all(isinstance(k, str) and k for k in hub["keywords"])
    assert set(hub["capabilities"]) <= HUB_CAPABILITIES
    for setting in hub["settings"]:
        assert set(setting) <= HUB_SETTING_FIELDS, (setting["name"], set(setting))
        assert setting["kind"] in KINDS, (setting["name"], setting["kind"])
        assert setting.get("label") and setting.get("description"), setting["name"]
    names = [s["name"] for s in hub["settings"]]
    assert len(names) == len(set(names))
    for group in hub["settings_group_validation"]:
        assert set(group) <= set(names)


def test_the_hub_definition_is_the_taps_about(hub, about):
    assert hub["name"] == about["name"]
    assert sorted(hub["capabilities"]) == sorted(about["capabilities"])
    reported = about["settings"]["properties"]
    assert [s["name"] for s in hub["settings"]] == list(reported)
    for setting in hub["settings"]:
        spec = reported[setting["name"]]
        assert one_line(setting["description"]) == one_line(spec["description"]), setting
        if "default" in spec:
            assert str(setting["value"]) == str(spec["default"]), setting["name"]
        secret = bool(spec.get("secret") or spec.get("writeOnly"))
        assert bool(setting.get("sensitive")) == secret, setting["name"]
    required = {n for n, spec in reported.items() if "null" not in spec.get("type", [])}
    assert {"account_id", "client_id", "client_secret"} <= required
    assert set(hub["settings_group_validation"][0]) == required


def test_the_hub_definition_is_meltano_ymls_extractor(hub, extractor):
    for field in ("namespace", "executable", "capabilities", "select"):
        assert hub[field] == extractor[field], field
    assert hub["settings_group_validation"] == extractor["settings_group_validation"]
    declared = {s["name"]: s for s in extractor["settings"]}
    assert [s["name"] for s in hub["settings"]] == list(declared)
    for setting in hub["settings"]:
        mine = declared[setting["name"]]
        for field in ("label", "kind", "value", "options", "sensitive"):
            assert setting.get(field) == mine.get(field), (setting["name"], field)
        assert one_line(setting["description"]) == one_line(mine["description"])
    assert {"account_id", "client_id"}.isdisjoint(
        s["name"] for s in hub["settings"] if s.get("sensitive")
    ), "account and client ids are not secrets"
