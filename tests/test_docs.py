"""The README's settings table is the tap's own --about output."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import yaml

from tap_zoom_logs.tap import SETTING_DESCRIPTIONS, TapZoomLogs

REPO = Path(__file__).resolve().parents[1]


def test_readme_settings_table_matches_the_code():
    check = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "readme_settings.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert check.returncode == 0, check.stdout + check.stderr


def test_meltano_yml_describes_each_setting_as_the_tap_does():
    project = yaml.safe_load((REPO / "meltano.yml").read_text())
    (extractor,) = (p for p in project["plugins"]["extractors"] if p["name"] == "tap-zoom-logs")
    declared = {s["name"]: " ".join(s["description"].split()) for s in extractor["settings"]}
    own = TapZoomLogs.config_jsonschema["properties"]  # the SDK may add its built-in ones

    assert declared == {name: own[name]["description"] for name in SETTING_DESCRIPTIONS}
