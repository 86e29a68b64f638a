"""settings.py and state.py in this process: defaults, each mistake as one line naming the
setting, the warnings, the range settings as UTC moments, and the state a run resumes from.

The per-setting cases run through the tap's class (TapZoomLogs(config=...)), so they also
show that the SDK still calls the tap's validation hook; test_settings.py shows the same
line reaches the command's stderr."""

from __future__ import annotations

import copy
import logging
from typing import Any

import pendulum
import pytest

from tap_zoom_logs import settings, times
from tap_zoom_logs.errors import SettingError
from tap_zoom_logs.state import check_state
from tap_zoom_logs.tap import TapZoomLogs, own_settings_schema
from tests.support.tap import at, in_this_process

NOW = pendulum.datetime(2026, 5, 30, 10, 15, 0)
GOOD = {"account_id": "acct-1", "client_id": "id-1", "client_secret": "s3cret-never-echoed"}


def schema() -> dict[str, Any]:
    """Every setting the tap knows: its own and the SDK's built-in ones."""
    full = copy.deepcopy(TapZoomLogs.config_jsonschema)
    TapZoomLogs.append_builtin_config(full)
    return full


def filled(**overrides: Any) -> dict[str, Any]:
    config = {k: v for k, v in {**GOOD, **overrides}.items() if v is not None}
    settings.fill_in(config, schema())
    return config


def mistake(**overrides: Any) -> str:
    """The one line `settings.check` refuses `overrides` with."""
    with pytest.raises(SettingError) as refused:
        settings.check(filled(**overrides), own_settings_schema(schema()), NOW)
    return str(refused.value)


# --------------------------------------------------------------------------- fill_in


def test_defaults_are_filled_in():
    config = filled(page_size=None)

    assert config["page_size"] == 300, "a null setting gets its default"
    assert (config["window_days"], config["late_margin_minutes"]) == (1, 2)
    assert config["settle_closed_days"] is True
    assert config.get("lookback_days") is None, "deprecated: set only by those who set it"
    assert config["api_url"] == "https://api.zoom.us/v2"
    assert config["operation_logs_category_type"] == "all"
    assert "start_date" not in config, "no default: six months back, decided per run"


def test_numbers_given_as_text_become_numbers():
    """Environment variables are text: "250" is the number a numeric setting wants."""
    config = filled(page_size="250", max_requests_per_second="2.5", window_days="3.0")

    assert config["page_size"] == 250
    assert config["max_requests_per_second"] == 2.5
    assert config["window_days"] == 3
    assert type(config["window_days"]) is int
    assert filled(page_size="many")["page_size"] == "many", "left for the check to name"
    assert filled(client_id="123")["client_id"] == "123", "a text setting stays text"


# --------------------------------------------------------------------------- one line each

# overrides, the setting the line names, what else it says
BAD_SETTINGS: dict[str, tuple[dict[str, Any], str, str]] = {
    "missing client_id": ({"client_id": None}, "client_id", "is missing"),
    "missing client_secret": ({"client_secret": None}, "client_secret", "is missing"),
    "missing account_id": ({"account_id": None}, "account_id", "is missing"),
    "page_size 500": ({"page_size": 500}, "page_size", "maximum of 300"),
    "page_size 0": ({"page_size": 0}, "page_size", "minimum of 1"),
    "page_size text": ({"page_size": "many"}, "page_size", "'many' is not of type 'integer'"),
    "window_days 31": ({"window_days": 31}, "window_days", "maximum of 30"),
    "lookback_days negative": ({"lookback_days": -1}, "lookback_days", "minimum of 0"),
    "start_date not a date": ({"start_date": "last tuesday"}, "start_date", "2026-05-01"),
    "end_date not a date": ({"end_date": "2026-13-45"}, "end_date", "ISO date"),
    "end before start": (
        {"start_date": "2026-10-02", "end_date": "2026-10-01"},
        "end_date",
        "before start_date (2026-10-02)",
    ),
    "unknown category": (
        {"operation_logs_category_type": "meetings"},
        "operation_logs_category_type",
        "not one of: all, user,",
    ),
    "unknown meeting activity": (
        {"meeting_activity_type": "Sign in"},
        "meeting_activity_type",
        "not one of: All Activities",
    ),
    "request_timeout zero": (
        {"request_timeout": 0},
        "request_timeout",
        "or equal to the minimum of 0",
    ),
    "max_concurrent_requests 0": (
        {"max_concurrent_requests": 0},
        "max_concurrent_requests",
        "less than the minimum of 1",
    ),
    "http api_url off loopback": ({"api_url": "http://api.zoom.us/v2"}, "api_url", "https://"),
    "http oauth_url off loopback": (
        {"oauth_url": "http://zoom.us/oauth/token"},
        "oauth_url",
        "https://",
    ),
    "ftp api_url": ({"api_url": "ftp://127.0.0.1/v2"}, "api_url", "https://"),
    "secret not a string": ({"client_secret": 12345}, "client_secret", "as a string"),
}


@pytest.mark.parametrize("case", BAD_SETTINGS, ids=list(BAD_SETTINGS))
def test_each_bad_setting_is_one_line_naming_it(case):
    overrides, name, says = BAD_SETTINGS[case]
    config = {k: v for k, v in {**GOOD, **overrides}.items() if v is not None}

    with in_this_process(), pytest.raises(SettingError) as refused:
        TapZoomLogs(config=config)

    line = str(refused.value)
    assert line.startswith(f"setting {name}"), line
    assert says in line, line
    assert "\n" not in line
    assert "12345" not in line, "a secret given by mistake is never echoed"


def test_an_end_date_before_the_six_months_reads_nothing():
    line = mistake(start_date="2020-01-01", end_date="2020-02-01")

    assert line.startswith("setting end_date (2020-02-01) is before 2025-12-01")
    assert "six months" in line


@pytest.mark.parametrize(
    "url",
    [
        "https://api.zoom.us/v2",
        "http://127.0.0.1:8080/v2",
        "http://127.8.9.10/v2",
        "http://localhost:9/v2",
        "http://[::1]:9/v2",
    ],
)
def test_https_anywhere_and_http_on_loopback_are_accepted(url):
    config = filled(api_url=url, oauth_url=url)
    settings.check(config, own_settings_schema(schema()), NOW)  # no SettingError


@pytest.mark.parametrize(
    "url",
    [
        "http://api.zoom.us/v2",
        "http://localhost.example.com/v2",  # a name that starts with localhost
        "http://127.0.0.1.nip.io/oauth/token",  # a name that embeds 127.0.0.1
        "http://127.0.0.1@zoom.example.com/v2",  # loopback as user info
        "http://0.0.0.0/oauth/token",  # the any address
        "ftp://127.0.0.1/v2",
        "https:///v2",  # no host
    ],
)
def test_clear_text_off_loopback_is_refused(url):
    line = mistake(oauth_url=url)

    assert line == (
        f"setting oauth_url: {url!r} must be an https:// URL (plain http:// is only allowed on"
        " loopback, since the credentials and tokens would travel in clear)"
    )


# --------------------------------------------------------------------------- warnings


def test_a_misspelt_setting_is_named_with_the_setting_meant():
    config = filled(start_data="2026-05-01", page_sise=10, zzz=1, _meltano_internal=1)
    config.update(flattening_enabled=False, stream_maps={})  # the SDK's own: known

    notes = settings.warnings_of(config, schema(), NOW)

    assert notes == [
        "setting start_data is not a setting of tap-zoom-logs and is ignored; did you mean"
        " start_date?",
        "setting page_sise is not a setting of tap-zoom-logs and is ignored; did you mean"
        " page_size?",
        "setting zzz is not a setting of tap-zoom-logs and is ignored",
    ]


def test_a_start_older_than_six_months_is_one_warning():
    notes = settings.warnings_of(filled(start_date="2020-01-01"), schema(), NOW)

    assert notes == [
        "Zoom keeps six months of logs: days before 2025-12-01 (start_date 2020-01-01) are"
        " gone; starting at 2025-12-01"
    ]
    assert settings.warnings_of(filled(start_date="2025-12-01"), schema(), NOW) == []


def test_the_tap_logs_the_warnings_of_its_settings(caplog):
    """The tap hands warnings_of the whole schema, the SDK's settings included."""
    config = {**GOOD, "start_data": "2026-05-01", "flattening_enabled": False, "stream_maps": {}}
    with in_this_process(), caplog.at_level(logging.WARNING):
        TapZoomLogs(config=config)

    warned = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert [w for w in warned if "is not a setting" in w] == [
        "setting start_data is not a setting of tap-zoom-logs and is ignored; did you mean"
        " start_date?"
    ]


# --------------------------------------------------------------------------- dates


def test_range_settings_are_utc_moments():
    bounds = settings.bounds_of({"start_date": "2026-05-01", "end_date": "2026-05-02"})
    assert bounds.start == at("2026-05-01T00:00:00Z"), "a date alone: its midnight"
    assert bounds.end == at("2026-05-02T23:59:59Z"), "a date alone: its whole day"

    bounds = settings.bounds_of(
        {"start_date": "2026-05-01T08:00:00+02:00", "end_date": "2026-05-02T12:30:00Z"}
    )
    assert bounds.start == at("2026-05-01T06:00:00Z")
    assert bounds.start.timezone_name == "UTC"
    assert bounds.end == at("2026-05-02T12:30:00Z")
    assert settings.bounds_of({}) == (None, None)


def test_a_date_that_is_not_one_is_named_with_where_it_came_from():
    with pytest.raises(SettingError) as refused:
        times.parse_moment("state: bookmarks.activity_logs.replication_key_value", 12345)
    assert str(refused.value) == (
        "state: bookmarks.activity_logs.replication_key_value: 12345 is not an ISO date or"
        " date-time (write it like 2026-05-01 or 2026-05-01T08:00:00Z)"
    )


# --------------------------------------------------------------------------- state


def bookmark(value: Any, key: str = "time") -> dict[str, Any]:
    return {
        "bookmarks": {"activity_logs": {"replication_key": key, "replication_key_value": value}}
    }


@pytest.mark.parametrize(
    ("state", "says"),
    [
        ([1, 2], "state: must be a JSON object like"),
        ("bookmarks", 'state: must be a JSON object like {"bookmarks"'),
        ({"bookmarks": "2026-05-01"}, "state: bookmarks must be an object"),
        ({"bookmarks": {"activity_logs": "2026-05-01"}}, "bookmarks.activity_logs must be an"),
        (bookmark("last tuesday"), "replication_key_value: 'last tuesday' is not an ISO date"),
        (bookmark(12345), "replication_key_value: 12345 is not an ISO date"),
        ({"type": "STATE", "value": bookmark("2026-05-01")}, "a whole STATE message"),
        ({"singer_state": bookmark("2026-05-01")}, "Meltano's stored form"),
        (bookmark("2026-05-01", key="date"), "kept by replication_key 'date'"),
    ],
)
def test_a_state_the_tap_cannot_resume_from_is_one_line(state, says):
    with pytest.raises(SettingError) as refused:
        check_state(state)

    assert says in str(refused.value)
    assert "\n" not in str(refused.value)


@pytest.mark.parametrize(
    "state",
    [
        {},
        {"bookmarks": {}},
        bookmark("2026-05-01T23:59:59Z"),
        bookmark(None),  # a stream not synced yet
        {"bookmarks": {"activity_logs": {"replication_key_value": "2026-05-01"}}},
    ],
)
def test_a_state_the_tap_can_resume_from_passes(state):
    check_state(state)  # no SettingError
