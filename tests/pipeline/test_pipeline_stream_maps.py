"""Stream maps through Meltano, both ways a user sets them, into target-jsonl.

The privacy recipe of the README: hash `email` with md5() (an entry without email keeps
null) and drop `ip_address` before anything is loaded. Set once through the environment
variable TAP_ZOOM_LOGS_STREAM_MAPS and once with `meltano config set` (in a copy of the
project, since that writes meltano.yml). Before meltano.yml declared the SDK's built-in
settings, the variable was ignored and `config set` stored a JSON string the tap died on.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import Counter
from typing import Any

import pytest

from tests.support.pipeline import STREAM_FIELDS, Pipeline, describe, entry_key, to_utc_z, truth

pytestmark = pytest.mark.pipeline

LOADER = "target-jsonl"
# "__NULL__", not null, drops the property: Meltano leaves a null inside an object of
# meltano.yml out of the config it passes (`meltano config print` shows it gone), so
# `ip_address: null` set with `meltano config set` would not drop anything.
PRIVACY_MAPS = {
    "activity_logs": {"email": "md5(email) if email else None", "ip_address": "__NULL__"}
}
KEPT = tuple(f for f in STREAM_FIELDS["activity_logs"] if f != "ip_address")


def with_an_entry_without_email(p: Pipeline) -> dict[str, Any]:
    """The run's settings, after giving Zoom a sign-in without email (Zoom may leave any
    field out): md5(email) alone would fail on it, the recipe's guard keeps it null."""
    config = p.config()
    start = dt.datetime.fromisoformat(to_utc_z(config["start_date"]).replace("Z", "+00:00"))
    entry = {"time": to_utc_z(start + dt.timedelta(hours=2)), "type": "Sign in"}
    p.emu.add_entry("activity_logs", {**entry, "ip_address": "192.0.2.99", "version": "-"})
    return config


def hashed(entry: dict[str, Any]) -> tuple[Any, ...]:
    """An activity entry as the privacy map must land it: email hashed, no ip_address."""
    email = entry.get("email")
    digest = hashlib.md5(email.encode("utf-8")).hexdigest() if email else None
    key = dict(zip(STREAM_FIELDS["activity_logs"], entry_key("activity_logs", entry), strict=True))
    return tuple(digest if name == "email" else key[name] for name in KEPT)


def landed(record: dict[str, Any]) -> tuple[Any, ...]:
    """A landed activity record, comparable with hashed()."""
    key = dict(zip(STREAM_FIELDS["activity_logs"], entry_key("activity_logs", record), strict=True))
    return tuple(key[name] for name in KEPT)


def assert_privacy_map_applied(p: Pipeline, config: dict[str, Any]) -> None:
    expected = truth(p.emu, config)
    entries = expected["activity_logs"]
    assert any(e.get("email") for e in entries), "no email to hash: the test would be vacuous"
    assert any(not e.get("email") for e in entries), "no entry without email in the data"

    records = p.jsonl_records("activity_logs")
    assert records, "nothing landed"
    assert not [r for r in records if "ip_address" in r], "ip_address was not dropped"
    emails = {e["email"] for e in entries if e.get("email")}
    assert not emails & {r.get("email") for r in records}, "a clear-text email landed"
    got = Counter(landed(r) for r in records)
    assert got == Counter(hashed(e) for e in entries)
    # the map touches activity_logs only: operation_logs lands as Zoom served it
    got_ops = Counter(entry_key("operation_logs", r) for r in p.jsonl_records("operation_logs"))
    assert got_ops == Counter(entry_key("operation_logs", e) for e in expected["operation_logs"])


def test_stream_maps_from_the_environment_variable(pipeline: Pipeline) -> None:
    config = with_an_entry_without_email(pipeline)
    result = pipeline.run(
        LOADER, config, extra_env={"TAP_ZOOM_LOGS_STREAM_MAPS": json.dumps(PRIVACY_MAPS)}
    )
    assert result.returncode == 0, describe(result)
    assert_privacy_map_applied(pipeline, config)


@pytest.mark.parametrize("store", ["meltano.yml", "dotenv"])
def test_stream_maps_from_meltano_config_set(
    pipeline: Pipeline, project_copy: Any, store: str
) -> None:
    """Stored in meltano.yml (the default) or in .env (`--store=dotenv`, the README's way,
    which leaves meltano.yml and its comments alone), the map reaches the tap typed."""
    before = (project_copy / "meltano.yml").read_text(encoding="utf-8")
    where = ["--store=dotenv"] if store == "dotenv" else []
    done = pipeline.meltano(
        "config", "set", *where, "tap-zoom-logs", "stream_maps", json.dumps(PRIVACY_MAPS),
        root=project_copy,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert "unknown setting" not in (done.stdout + done.stderr).lower()
    # stored as the object it is, not as a JSON string, and passed to the tap as one
    printed = pipeline.meltano("config", "print", "tap-zoom-logs", root=project_copy)
    assert printed.returncode == 0, printed.stderr
    assert json.loads(printed.stdout)["stream_maps"] == PRIVACY_MAPS
    after = (project_copy / "meltano.yml").read_text(encoding="utf-8")
    if store == "dotenv":
        assert after == before, "meltano.yml was rewritten"
        assert "md5(email) if email else None" in (project_copy / ".env").read_text()
    else:
        assert "md5(email) if email else None" in after, "config set wrote elsewhere"

    config = with_an_entry_without_email(pipeline)
    result = pipeline.run(LOADER, config, root=project_copy)
    assert result.returncode == 0, describe(result)
    assert_privacy_map_applied(pipeline, config)


# a bad built-in setting through Meltano: the run stops before any request, and Meltano's
# output holds the tap's one line naming the setting (proof the variable reached the tap)
BAD_THROUGH_MELTANO = {
    "a stream map that is not an object": (
        "TAP_ZOOM_LOGS_STREAM_MAPS",
        json.dumps({"activity_logs": "md5(email)"}),
        "setting stream_maps.activity_logs",
    ),
    "flattening enabled without a depth": (
        "TAP_ZOOM_LOGS_FLATTENING_ENABLED",
        "true",
        "setting flattening_max_depth",
    ),
}


@pytest.mark.parametrize("case", BAD_THROUGH_MELTANO, ids=list(BAD_THROUGH_MELTANO))
def test_a_bad_builtin_setting_through_meltano_is_one_line(pipeline: Pipeline, case: str) -> None:
    variable, value, says = BAD_THROUGH_MELTANO[case]
    result = pipeline.run(LOADER, pipeline.config(), extra_env={variable: value})
    assert result.returncode != 0, describe(result)
    lines = [line for line in result.output.splitlines() if "tap-zoom-logs: error:" in line]
    assert len(lines) == 1, describe(result)
    assert says in lines[0], lines[0]
    assert "Traceback" not in result.output, describe(result)
    assert sum(pipeline.emu.stats.requests.values()) == 0, "no request may be sent"
