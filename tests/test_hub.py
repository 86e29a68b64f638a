"""The Meltano Hub definition (hub/) passes the Hub's own checks, and it is the tap's.

The Hub's check scripts, JSON schemas and yamllint configuration are vendored in
tests/support/meltano_hub/ (its SOURCE.md says from which commit, under which licence).
They run here as the Hub's CI runs them: from the root of a Hub tree, here one made of
this project's two files (hub/extractors/tap-zoom-logs.yml, and hub/maintainers.yml, the
entry a Hub pull request adds for a new maintainer). MeltanoLabs' tap-github and
tap-stackexchange pass the same checks (the harness is sound), and files the Hub refuses
fail them (the checks can fail).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.support.tap import about, assert_script_check_passes, leaf_settings, one_line

REPO = Path(__file__).resolve().parents[1]
HUB = REPO / "hub"
OURS = HUB / "extractors" / "tap-zoom-logs.yml"
VENDORED = REPO / "tests" / "support" / "meltano_hub"
EXAMPLES = VENDORED / "examples"
SCRIPTS = VENDORED / "utility_scripts" / "plugin_definitions"
#: The Hub's CI (plugin_definition_validation.yml), in its order.
CHECKS = ("plugin_schema_validate.py", "yaml_check_names.py", "maintainers_validate.py")
#: tap-github's fields this definition leaves out until the project is published, as its
#: header says (scripts/hub_definition.py).
UNKNOWN_UNTIL_PUBLISHED = {"repo", "pip_url"}


def load(path: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return loaded


def hub_tree(
    root: Path, definition: Path, maintainers: dict[str, Any], folder: str | None = None
) -> Path:
    """A Hub checkout holding one extractor definition (in `folder`, by default its name's)
    and the maintainers it needs, with the Hub's schemas and lint configuration; returns
    the definition's path in it."""
    data = load(definition)
    folder = folder or data["name"]
    placed = root / "_data" / "meltano" / "extractors" / folder / f"{data['variant']}.yml"
    placed.parent.mkdir(parents=True)
    shutil.copy(definition, placed)
    (root / "_data" / "maintainers.yml").write_text(yaml.safe_dump(maintainers))
    shutil.copytree(VENDORED / "schemas", root / "schemas")
    shutil.copy(VENDORED / ".yamllint.yaml", root / ".yamllint.yaml")
    return placed


def hub_checks(root: Path, placed: Path) -> dict[str, subprocess.CompletedProcess[str]]:
    """Each of the Hub's checks, run as its CI runs it, from the tree's root."""
    runs = {
        script: subprocess.run(
            [sys.executable, str(SCRIPTS / script)],
            cwd=root,
            capture_output=True,
            text=True,
            check=False,
        )
        for script in CHECKS
    }
    runs["yamllint"] = subprocess.run(
        [sys.executable, "-m", "yamllint", str(placed.relative_to(root))],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )
    return runs


def failed(runs: dict[str, subprocess.CompletedProcess[str]]) -> dict[str, str]:
    return {name: run.stdout + run.stderr for name, run in runs.items() if run.returncode}


OUR_MAINTAINERS = load(HUB / "maintainers.yml")
MELTANOLABS = {"meltanolabs": {"label": "Meltano Labs", "name": "meltanolabs"}}


@pytest.mark.parametrize(
    ("definition", "maintainers"),
    [
        (OURS, OUR_MAINTAINERS),
        (EXAMPLES / "tap-github--meltanolabs.yml", MELTANOLABS),
        (EXAMPLES / "tap-stackexchange--meltanolabs.yml", MELTANOLABS),
    ],
    ids=["tap-zoom-logs", "tap-github", "tap-stackexchange"],
)
def test_the_hubs_own_checks_pass(tmp_path, definition, maintainers):
    placed = hub_tree(tmp_path, definition, maintainers)

    assert failed(hub_checks(tmp_path, placed)) == {}


def test_our_maintainers_entry_passes_the_hubs_lint(tmp_path):
    shutil.copy(VENDORED / ".yamllint.yaml", tmp_path / ".yamllint.yaml")
    shutil.copy(HUB / "maintainers.yml", tmp_path / "maintainers.yml")
    lint = subprocess.run(
        [sys.executable, "-m", "yamllint", "maintainers.yml"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert lint.returncode == 0, lint.stdout


@pytest.mark.parametrize(
    ("text", "spoiled_text", "refused_by"),
    [
        ("quality: unknown\n", "", "plugin_schema_validate.py"),
        ("name: tap-zoom-logs\n", "name: tap-zoom\n", "yaml_check_names.py"),
        ("variant: tap-zoom-logs", "variant: someone-else", "maintainers_validate.py"),
        ("  - label: GZIP\n    value: gzip", "  - {label: GZIP, value: gzip}", "yamllint"),
        ("domain_url: https://zoom.us\n", "", "yamllint"),  # moved to the end, below
    ],
    ids=["no quality", "name not its folder", "unknown maintainer", "flow mapping", "key order"],
)
def test_the_checks_refuse_what_the_hub_refuses(tmp_path, text, spoiled_text, refused_by):
    original = OURS.read_text(encoding="utf-8")
    changed = original.replace(text, spoiled_text)
    if not spoiled_text and refused_by == "yamllint":
        changed += text  # the same key, out of order
    assert changed != original and text in original, "the spoiling changed nothing"
    spoiled = tmp_path / "tap-zoom-logs.yml"
    spoiled.write_text(changed)
    root = tmp_path / "hub"
    placed = hub_tree(root, spoiled, OUR_MAINTAINERS, folder="tap-zoom-logs")

    assert set(failed(hub_checks(root, placed))) == {refused_by}


def test_the_definition_is_written_from_the_projects_files():
    assert_script_check_passes("hub_definition.py")


def test_the_definition_has_every_field_tap_githubs_has():
    """What tap-github declares, this declares, but for what cannot be known before the
    project is published (the file's header names them, and only there)."""
    ours, github = load(OURS), load(EXAMPLES / "tap-github--meltanolabs.yml")

    assert set(github) - set(ours) == UNKNOWN_UNTIL_PUBLISHED
    header = "".join(line for line in OURS.read_text().splitlines(True) if line.startswith("#"))
    for field in UNKNOWN_UNTIL_PUBLISHED:
        assert f"# - {field}:" in header, field
    assert {"batch", "structured-logging"} <= set(ours["capabilities"])
    assert {s["name"] for s in github["settings"] if s["name"].startswith("batch_config.")} <= {
        s["name"] for s in ours["settings"]
    }


def test_the_definition_is_the_taps_about():
    """Description, capabilities and every setting as `tap-zoom-logs --about` reports them
    (batch_config as its leaves, as Meltano and the Hub declare it)."""
    hub, reported = load(OURS), about()
    settings = leaf_settings(reported["settings"]["properties"])

    assert hub["name"] == reported["name"]
    assert hub["description"] == one_line(reported["description"])
    assert hub["capabilities"] == sorted(reported["capabilities"])
    assert {s["name"] for s in hub["settings"]} == set(settings)
    for setting in hub["settings"]:
        spec = settings[setting["name"]]
        assert setting["description"] == one_line(spec["description"]), setting["name"]
        if "default" in spec:
            assert str(setting["value"]) == str(spec["default"]), setting["name"]
        if "enum" in spec:
            assert [o["value"] for o in setting["options"]] == spec["enum"], setting["name"]
        secret = bool(spec.get("secret") or spec.get("writeOnly"))
        assert bool(setting.get("sensitive")) == secret, setting["name"]
    required = {name for name, spec in settings.items() if "null" not in spec.get("type", [])}
    assert required == set(), "which credentials are needed depends on the streams selected"
    assert hub["settings_group_validation"] == [
        ["account_id", "client_id", "client_secret"],
        ["videosdk_api_key", "videosdk_api_secret"],
    ]
