"""Before the credentials are set: what a newcomer runs first works, and what would reach
Zoom is one line.

Meltano discovers before every command (`meltano select --list`, `meltano run`), and
discovery reads no setting, so it gives the five streams' catalog with no config, with `{}`
or with `--config ENV` and no variables, without a request. `--about` and `--help` too. A
sync or the connection test without credentials is the one line naming the setting, exit 1,
nothing sent. (tests/pipeline/test_without_credentials.py: the same through Meltano.)
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.support.tap import (
    FIELDS,
    TAP,
    assert_nothing_sent,
    discovered_catalog,
    one_line_error,
    run_cli,
)

#: The three ways of giving no credentials: no --config, an empty file, ENV and no variable.
NO_CREDENTIALS = ("no --config", "{}", "--config ENV")


def emulator_urls(emulator: Any) -> dict[str, Any]:
    """The emulator's addresses and nothing else: a request the tap sent would show there."""
    config = emulator.tap_config()
    return {"api_url": config["api_url"], "oauth_url": config["oauth_url"]}


def without_credentials(
    how: str, emulator: Any, tmp_path: Path
) -> tuple[list[str], dict[str, str]]:
    """(arguments, environment) giving the tap the emulator's URLs and no credentials."""
    urls = emulator_urls(emulator)
    env = {f"TAP_ZOOM_LOGS_{name.upper()}": value for name, value in urls.items()}
    if how == "--config ENV":
        return ["--config", "ENV"], env
    if how == "{}":
        path = tmp_path / "config.json"
        path.write_text(json.dumps(urls))
        return ["--config", str(path)], {}
    return [], env  # no --config: the variables are not read, the defaults are Zoom's own


def streams_of(catalog_text: str) -> list[str]:
    return sorted(entry["tap_stream_id"] for entry in json.loads(catalog_text)["streams"])


@pytest.mark.parametrize("how", NO_CREDENTIALS)
def test_discovery_needs_no_credentials_and_sends_nothing(emulator, tmp_path, how):
    args, env = without_credentials(how, emulator, tmp_path)

    run = run_cli([*args, "--discover"], env=env, singer=False)

    assert run.returncode == 0, run.stderr[-2000:]
    assert "Traceback" not in run.stderr
    assert streams_of(run.stdout) == sorted(FIELDS)  # every stream of the tap
    assert json.loads(run.stdout) == discovered_catalog(), "the catalog a configured tap gives"
    assert sum(emulator.stats.requests.values()) == 0


def test_the_executable_discovers_with_no_tap_variable_set(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("TAP_ZOOM_LOGS_")}

    done = subprocess.run(
        [TAP, "--config", "ENV", "--discover"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
        check=False,
    )

    assert done.returncode == 0, done.stderr[-2000:]
    assert streams_of(done.stdout) == sorted(FIELDS)  # every stream of the tap


def test_discovery_with_wrong_settings_still_gives_the_catalog(tmp_path):
    """Discovery reads no setting; a wrong one is the sync's one line, not discovery's."""
    path = tmp_path / "config.json"
    path.write_text(json.dumps({"page_size": "many", "request_timeout": "soon"}))

    run = run_cli(["--config", str(path), "--discover"], singer=False)

    assert run.returncode == 0, run.stderr[-2000:]
    assert streams_of(run.stdout) == sorted(FIELDS)  # every stream of the tap


@pytest.mark.parametrize("args", [["--about"], ["--about", "--format=json"], ["--help"]])
def test_about_and_help_need_no_config(args):
    run = run_cli(args, singer=False)

    assert run.returncode == 0, run.stderr[-2000:]
    assert "tap-zoom-logs" in run.stdout
    assert "Traceback" not in run.stderr


@pytest.mark.parametrize("how", NO_CREDENTIALS)
@pytest.mark.parametrize("mode", ["sync", "--test"])
def test_what_would_reach_zoom_is_one_line_naming_the_setting(emulator, tmp_path, how, mode):
    args, env = without_credentials(how, emulator, tmp_path)
    extra = ["--test"] if mode == "--test" else []

    run = run_cli([*args, *extra], env=env)

    line = one_line_error(run, "account_id", "missing")
    assert line == run.stderr.strip().splitlines()[-1]
    assert_nothing_sent(run, emulator)
