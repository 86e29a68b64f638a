"""The README's settings table and meltano.yml's settings are the tap's own --about output."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import yaml

from tap_zoom_logs.tap import SETTING_DESCRIPTIONS
from tests.support.tap import about, assert_script_check_passes, leaf_settings, one_line

REPO = Path(__file__).resolve().parents[1]


def test_readme_settings_table_matches_the_code():
    assert_script_check_passes("readme_settings.py")


def test_meltano_yml_describes_each_setting_as_the_tap_does():
    """Every setting --about lists, the tap's own and the SDK's built-in ones (stream maps,
    flattening, batch_config's leaves), is in meltano.yml with the same description, and
    nothing else is."""
    project = yaml.safe_load((REPO / "meltano.yml").read_text())
    (extractor,) = (p for p in project["plugins"]["extractors"] if p["name"] == "tap-zoom-logs")
    declared = {s["name"]: one_line(s["description"]) for s in extractor["settings"]}
    reported = {
        name: one_line(spec["description"])
        for name, spec in leaf_settings(about()["settings"]["properties"]).items()
    }

    assert declared == reported
    assert set(SETTING_DESCRIPTIONS) < set(declared), "the built-in settings are there too"
    assert {"stream_maps", "stream_map_config", "flattening_enabled"} <= set(declared)


def test_readme_says_where_every_module_is():
    """The README's "Where things are" table names every module of the package, and
    nothing that is not there."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    table = readme.split("### Where things are", 1)[1].split("\n\n", 2)[1]
    rows = [row.split(" | ")[0] for row in table.splitlines()]
    tap_rows = " ".join(row for row in rows if row.startswith("| `tap_zoom_logs/"))
    named = set(re.findall(r"`(?:tap_zoom_logs/)?([a-z_]+\.py)`", tap_rows))
    named |= set(re.findall(r"`([a-z_]+/)`", " ".join(rows)))
    package = REPO / "tap_zoom_logs"
    modules = {p.name for p in package.glob("*.py") if p.name != "__init__.py"}
    modules |= {f"{p.name}/" for p in package.iterdir() if (p / "__init__.py").exists()}
    assert {name for name in named if not name.endswith("/")} == modules
    assert "zoom_emulator/" in named


def test_ci_runs_the_test_command_the_readme_gives():
    """`.ci/run` installs what a fresh machine lacks, then runs the README's test command
    as written, as its last command, and nothing else that runs tests."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Run the tests", 1)[1]
    command = section.split("```bash\n", 1)[1].split("\n```", 1)[0].strip()
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    commands = [
        line.strip()
        for line in ci.splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]

    assert command == "scripts/test.sh"
    assert commands[-1] == f"exec {command}"
    assert not any("pytest" in line for line in commands), "tests run only through the command"


def test_git_never_picks_up_the_secrets_meltano_stores():
    """`meltano config set tap-zoom-logs client_secret --from-file -` writes the secret to
    .env in the project folder (the README says so): git must ignore it there."""
    for path in (".env", "tests/.env"):
        ignored = subprocess.run(
            ["git", "check-ignore", "--no-index", "--quiet", path],
            cwd=REPO,
            check=False,
        )
        assert ignored.returncode == 0, f"{path} is not ignored by git"
