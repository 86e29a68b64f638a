"""`meltano invoke tap-zoom-logs:test`: the tap's connection test, of the streams selected now.

meltano.yml declares the command `test` (`--config ENV --catalog <the catalog Meltano has
just made> --test`). Meltano discovers and applies the select rules before a command, so
the test checks what meltano.yml (or this invocation's selection) selects, not the catalog
an earlier run left behind, as `meltano invoke tap-zoom-logs --test` does. It answers in
seconds: one small request per stream, not a six-month read to a first record.
"""

from __future__ import annotations

import json
import re

import pytest

from tests.support.pipeline import Pipeline, describe, tap_env

pytestmark = pytest.mark.pipeline


def stream_results(output: str) -> dict[str, str]:
    """stream -> OK or FAILED, from the tap's lines."""
    return dict(re.findall(r"\b([a-z_]+_logs): (OK|FAILED)\b", output))


def test_the_test_command_checks_the_streams_selected_now(pipeline: Pipeline) -> None:
    config = pipeline.config()
    # An earlier run of one stream only: it leaves a catalog that selects just that one.
    only = {"TAP_ZOOM_LOGS__SELECT_FILTER": json.dumps(["operation_logs"])}
    earlier = pipeline.run("target-jsonl", config, extra_env=only)
    assert earlier.returncode == 0, describe(earlier)

    done = pipeline.meltano("invoke", "tap-zoom-logs:test", env=tap_env(config))
    output = done.stdout + done.stderr
    assert done.returncode == 0, output[-3000:]
    assert stream_results(output) == {"activity_logs": "OK", "operation_logs": "OK"}, output[-3000:]
    # The answer comes right after Meltano's own few lines, not under a line per setting.
    lines = output.splitlines()
    first = next(i for i, line in enumerate(lines) if stream_results(line))
    assert not [line for line in lines[:first] if "TAP_ZOOM_LOGS_" in line], lines[:first]

    meeting = {"TAP_ZOOM_LOGS__SELECT": json.dumps(["meeting_activity_logs.*"])}
    done = pipeline.meltano("invoke", "tap-zoom-logs:test", env={**tap_env(config), **meeting})
    assert stream_results(done.stdout + done.stderr) == {"meeting_activity_logs": "OK"}


def test_the_test_command_fails_on_refused_credentials(pipeline: Pipeline) -> None:
    config = pipeline.config(client_secret="not-the-secret")
    done = pipeline.meltano("test", "tap-zoom-logs", env=tap_env(config))
    output = done.stdout + done.stderr

    assert done.returncode != 0, output[-3000:]
    assert set(stream_results(output).values()) == {"FAILED"}, output[-3000:]
    assert "not-the-secret" not in output
