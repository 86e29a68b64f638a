"""Bad settings: one line naming the setting, exit code 1, no traceback, no request sent."""

from __future__ import annotations

import pendulum
import pytest

from tap_zoom_logs.sandbox import ZoomEmulator
from tests.conftest import STREAMS, Tap

BAD_SETTINGS = {
    "missing client_id": ({"client_id": None}, "client_id"),
    "missing client_secret": ({"client_secret": None}, "client_secret"),
    "missing account_id": ({"account_id": None}, "account_id"),
    "page_size 500": ({"page_size": 500}, "page_size"),
    "page_size 0": ({"page_size": 0}, "page_size"),
    "page_size text": ({"page_size": "many"}, "page_size"),
    "window_days 31": ({"window_days": 31}, "window_days"),
    "lookback_days negative": ({"lookback_days": -1}, "lookback_days"),
    "start_date not a date": ({"start_date": "last tuesday"}, "start_date"),
    "end_date not a date": ({"end_date": "2026-13-45"}, "end_date"),
    "end before start": ({"start_date": "2026-10-02", "end_date": "2026-10-01"}, "end_date"),
    "unknown category": (
        {"operation_logs_category_type": "meetings"},
        "operation_logs_category_type",
    ),
    "request_timeout zero": ({"request_timeout": 0}, "request_timeout"),
    "http api_url off loopback": ({"api_url": "http://api.zoom.us/v2"}, "api_url"),
    "http oauth_url off loopback": ({"oauth_url": "http://zoom.us/oauth/token"}, "oauth_url"),
    "ftp api_url": ({"api_url": "ftp://127.0.0.1/v2"}, "api_url"),
    "secret not a string": ({"client_secret": 12345}, "client_secret"),
}


@pytest.mark.parametrize("case", BAD_SETTINGS, ids=list(BAD_SETTINGS))
def test_bad_setting_is_one_line_naming_it(tap, emulator, case):
    overrides, setting = BAD_SETTINGS[case]
    config = {k: v for k, v in {**tap.config(), **overrides}.items() if v is not None}
    run = tap.run(config)

    assert run.returncode == 1
    assert run.stdout == ""
    error_lines = [line for line in run.stderr.splitlines() if "error" in line.lower()]
    assert len(error_lines) == 1, run.stderr
    assert setting in error_lines[0]
    assert "Traceback" not in run.stderr
    assert sum(emulator.stats.requests.values()) == 0, "no request may be sent"


def test_a_wrong_secret_says_which_settings_to_check(tap, emulator):
    run = tap.run(tap.config(client_secret="not-the-secret"))

    assert run.returncode == 1
    last = run.stderr.strip().splitlines()[-1]
    assert "invalid_client" in last and "client_secret" in last
    assert "not-the-secret" not in run.stderr
    assert emulator.stats.requests["activities"] == 0


ACTIVITY_SCOPE_ONLY = ("report:read:user_activities:admin",)


def test_a_missing_scope_stops_before_any_report_request(tmp_path):
    with ZoomEmulator(seed=1, history_days=2, scopes=ACTIVITY_SCOPE_ONLY) as zoom:
        run = Tap(zoom, tmp_path).run()
        reports = zoom.stats.requests["activities"] + zoom.stats.requests["operationlogs"]

    assert run.returncode == 1
    last = run.stderr.strip().splitlines()[-1]
    assert "operation_logs" in last and "report:read:operation_logs:admin" in last
    assert "Scopes page" in last and "Admin Activity Logs" in last
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

    assert run.returncode == 1
    last = run.stderr.strip().splitlines()[-1]
    assert "4711" in last and "report:read:operation_logs:admin" in last and "Scopes page" in last


def test_a_catalog_that_selects_nothing_is_an_error(tap, emulator):
    run = tap.run(select=())

    assert run.returncode == 1
    assert "no stream is selected" in run.stderr.strip().splitlines()[-1]
    assert sum(emulator.stats.requests.values()) == 0


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

    assert run.returncode == 1
    last = run.stderr.strip().splitlines()[-1]
    assert "activity_logs" in last and "Zoom code 200" in last
    assert "Sign In/Sign Out" in last and "Usage reports" in last
