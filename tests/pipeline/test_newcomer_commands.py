"""The Meltano commands a newcomer runs before setting any credential, in a fresh copy of
the project (meltano.yml alone: no .env, no setting stored).

Meltano discovers first in each of them; discovery needs no credential, so listing the
streams and the settings works, and `meltano run` fails in the tap's one line naming the
missing setting, with a non-zero exit, not a traceback.
(tests/test_without_credentials.py: the same with the tap alone.)
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tap_zoom_logs.tap import STREAMS as TAP_STREAMS
from tests.support.pipeline import MeltanoProject, Pipeline, describe
from tests.support.tap import STREAMS

pytestmark = pytest.mark.pipeline

#: The tap's own line, as Meltano logs it among its lines.
TAP_ERROR = "tap-zoom-logs: error: setting account_id is missing"


@pytest.fixture
def newcomer(
    emulator: Any, meltano_project: MeltanoProject, project_copy: Path, tmp_path: Path
) -> Pipeline:
    """A pipeline with no PostgreSQL and no tap setting, in a copy of the project."""
    return Pipeline(emulator, meltano_project, None, "", tmp_path)


def listed_streams(output: str) -> set[str]:
    """The streams of `meltano select --list`'s property lines ("[selected   ] stream.field")."""
    return set(re.findall(r"^\s*\[[a-z ]+\]\s+([a-z_]+)\.", output, re.MULTILINE))


def test_select_list_shows_the_streams_without_credentials(newcomer, project_copy):
    done = newcomer.meltano("select", "tap-zoom-logs", "--list", root=project_copy)
    every = newcomer.meltano("select", "tap-zoom-logs", "--list", "--all", root=project_copy)

    for listing in (done, every):
        output = listing.stdout + listing.stderr
        assert listing.returncode == 0, output[-3000:]
        assert "Traceback" not in output
    assert listed_streams(done.stdout) == set(STREAMS), done.stdout[-3000:]
    every_stream = {stream.report_for({}).name for stream in TAP_STREAMS}
    assert listed_streams(every.stdout) == every_stream, every.stdout[-3000:]


def test_config_list_names_the_credentials_to_set(newcomer, project_copy):
    done = newcomer.meltano("config", "list", "tap-zoom-logs", root=project_copy)
    output = done.stdout + done.stderr

    assert done.returncode == 0, output[-3000:]
    assert "Traceback" not in output
    for name in ("account_id", "client_id", "client_secret"):
        assert f"TAP_ZOOM_LOGS_{name.upper()}" in done.stdout, name


def test_run_without_credentials_fails_in_the_taps_one_line(newcomer, project_copy):
    result = newcomer.run("target-jsonl", {}, root=project_copy)

    assert result.returncode != 0, describe(result)
    assert "Traceback" not in result.output, describe(result)
    # Meltano logs each line the tap writes on stderr as "... [info     ] tap-zoom-logs <line>"
    tap_lines = re.findall(r"\] tap-zoom-logs (.*)$", result.output, re.MULTILINE)
    assert tap_lines, describe(result)
    assert tap_lines[-1].startswith(TAP_ERROR), describe(result)
    assert sum(TAP_ERROR in line for line in result.output.splitlines()) == 1, describe(result)
    assert not list(newcomer.jsonl_dir.glob("*.jsonl")), "nothing may be written"
