"""Bad settings, scopes and permissions, end to end: one line naming what to fix, exit code
1, no traceback, no request sent. Each setting's own message is checked in this process
(test_settings_unit.py); these runs show that the line reaches the command's stderr."""

from __future__ import annotations

from typing import Any

import pendulum
import pytest

from tests.support.tap import STREAMS, Tap, assert_nothing_sent, one_line_error
from zoom_emulator import ZoomEmulator

# Two kinds of mistake: the SDK's schema check (a missing setting), and the tap's own.
BAD_SETTINGS: dict[str, tuple[dict[str, Any], str]] = {
    "missing client_id": ({"client_id": None}, "setting client_id is missing"),
    "http api_url off loopback": ({"api_url": "http://api.zoom.us/v2"}, "setting api_url:"),
}


@pytest.mark.parametrize("case", BAD_SETTINGS, ids=list(BAD_SETTINGS))
def test_bad_setting_is_one_line_naming_it(tap, emulator, case):
    overrides, says = BAD_SETTINGS[case]
    config = {k: v for k, v in {**tap.config(), **overrides}.items() if v is not None}
    run = tap.run(config)

    one_line_error(run, says)
    assert [line for line in run.stderr.splitlines() if "error" in line.lower()] == [
        run.stderr.strip().splitlines()[-1]
    ]
    assert_nothing_sent(run, emulator)


def test_a_wrong_secret_says_which_settings_to_check(tap, emulator):
    run = tap.run(tap.config(client_secret="not-the-secret"))

    one_line_error(run, "invalid_client", "client_secret")
    assert "not-the-secret" not in run.stderr
    assert emulator.stats.requests["activities"] == 0


ACTIVITY_SCOPE_ONLY = ("report:read:user_activities:admin",)


def test_a_missing_scope_stops_before_any_report_request(tmp_path):
    with ZoomEmulator(seed=1, history_days=2, scopes=ACTIVITY_SCOPE_ONLY) as zoom:
        run = Tap(zoom, tmp_path).run()
        reports = zoom.stats.requests["activities"] + zoom.stats.requests["operationlogs"]

    one_line_error(
        run, "operation_logs", "report:read:operation_logs:admin", "Scopes page", "Admin Activity"
    )
    assert reports == 0
    assert not any(run.records.values())


def test_a_deselected_streams_scope_is_not_required(tmp_path):
    with ZoomEmulator(seed=1, history_days=2, scopes=ACTIVITY_SCOPE_ONLY) as zoom:
        tap = Tap(zoom, tmp_path)
        run = tap.run(select=("activity_logs",))

    assert run.returncode == 0, run.stderr
    assert run.records["activity_logs"]
    assert run.records["operation_logs"] == []


def test_a_scope_lost_mid_run_gets_the_same_message(tap, emulator):
    emulator.inject("missing_scope", endpoint="operationlogs")
    run = tap.run()

    one_line_error(run, "4711", "report:read:operation_logs:admin", "Scopes page")


def test_connection_test_reports_each_stream(tmp_path):
    with ZoomEmulator(seed=1, history_days=2, scopes=ACTIVITY_SCOPE_ONLY) as zoom:
        run = Tap(zoom, tmp_path).run(args=("--test",))

    assert run.returncode == 1
    lines = run.stderr.splitlines()
    assert any("activity_logs: OK" in line for line in lines)
    assert any(
        "operation_logs: FAILED" in line and "operation_logs:admin" in line for line in lines
    )
    assert not any(run.records.values())


def test_a_start_older_than_six_months_is_clamped_with_one_warning(tap, emulator):
    config = tap.config(start_date="2020-01-01")
    run = tap.run(config)

    assert run.returncode == 0, run.stderr
    warnings = [line for line in run.stderr.splitlines() if "six months" in line]
    assert len(warnings) == 1
    oldest = pendulum.now("UTC").subtract(months=6).add(days=1).date().isoformat()
    froms = {r.params["from"] for r in emulator.stats.log if r.endpoint == "activities"}
    assert min(froms) == oldest
    assert all(status != 400 for (_, status) in emulator.stats.statuses)
    for stream in STREAMS:
        assert run.records[stream]


def test_settings_come_from_environment_variables(tap, emulator):
    config = tap.config()
    env = {f"TAP_ZOOM_LOGS_{k.upper()}": str(v) for k, v in config.items()}
    run = tap.run({}, args=("--config", "ENV"), env=env)

    assert run.returncode == 0, run.stderr
    assert run.records["activity_logs"]


def test_a_missing_role_permission_names_the_permission(tap, emulator):
    emulator.inject("no_permission", endpoint="activities")
    run = tap.run()

    one_line_error(run, "activity_logs", "Zoom code 200", "Sign In/Sign Out", "Usage reports")
