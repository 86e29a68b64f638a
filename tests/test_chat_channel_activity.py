"""Team Chat's channel activity log (chat_channel_activity_logs): exact when selected and
untouched otherwise, resumable, refused in one line without its scope, windows of at most
3 days asked with start_date/end_date, 15 entries a page, its own rate lane, nested objects
kept as Zoom sends them, and `time` read from epoch milliseconds (or digits, seconds, ISO)."""

from __future__ import annotations

import json
import logging
from collections import Counter
from collections.abc import Iterator
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
import requests

from tap_zoom_logs.api import ZoomAPI, _refusal
from tap_zoom_logs.errors import SettingError
from tap_zoom_logs.run_stats import RunStats
from tap_zoom_logs.streams import ChatChannelActivityLogsStream
from tap_zoom_logs.times import epoch_ms_time_key
from tests.support.tap import FIELDS, Tap, TapRun, discovered_catalog, one_line_error
from zoom_emulator import (
    CHAT_CHANNEL_ACTIVITY_SCOPE,
    CHAT_CHANNEL_CLASSIC_SCOPE,
    DEFAULT_SCOPES,
    ZoomEmulator,
)

STREAM = "chat_channel_activity_logs"
ENDPOINT = "chat_channel_activities"
WITH_CHAT = (*DEFAULT_SCOPES, CHAT_CHANNEL_ACTIVITY_SCOPE)


@pytest.fixture
def chat() -> Iterator[ZoomEmulator]:
    with ZoomEmulator(seed=7, history_days=8, entries_per_day=40, scopes=WITH_CHAT) as zoom:
        yield zoom


@pytest.fixture
def chat_tap(chat: ZoomEmulator, tmp_path: Path) -> Tap:
    return Tap(chat, tmp_path)


def canonical(entry: dict[str, Any]) -> str:
    """An entry's own fields as JSON text (missing fields null): comparable, hashable."""
    return json.dumps([entry.get(name) for name in FIELDS[STREAM]], sort_keys=True)


def assert_exact(runs: list[TapRun], emulator: ZoomEmulator, config: dict[str, Any]) -> None:
    """The runs together emitted every entry in range exactly once (by lw_id)."""
    union: dict[str, dict[str, Any]] = {}
    for run in runs:
        ids = [record["lw_id"] for record in run.records[STREAM]]
        assert len(set(ids)) == len(ids), "an lw_id twice in one run"
        for record in run.records[STREAM]:
            assert union.setdefault(record["lw_id"], record) == record
    truth = emulator.truth(STREAM, config["start_date"], config["end_date"])
    assert truth, "no data: the test would be vacuous"
    assert Counter(canonical(r) for r in union.values()) == Counter(map(canonical, truth))


def chat_requests(emulator: ZoomEmulator) -> list[dict[str, str]]:
    return [record.params for record in emulator.stats.log if record.endpoint == ENDPOINT]


def ms_time(milliseconds: int) -> str:
    second = datetime.fromtimestamp(milliseconds // 1000, timezone.utc)
    return f"{second:%Y-%m-%dT%H:%M:%S}.{milliseconds % 1000:03d}Z"


def test_not_selected_by_default_and_a_default_run_never_asks_for_it(chat, chat_tap) -> None:
    by_default = {
        entry["tap_stream_id"]: metadata["metadata"]["selected-by-default"]
        for entry in discovered_catalog()["streams"]
        for metadata in entry["metadata"]
        if metadata["breadcrumb"] == []
    }
    assert by_default[STREAM] is False
    run = chat_tap.run(chat_tap.config())

    assert run.returncode == 0, run.stderr[-2000:]
    assert run.records["activity_logs"], "the default streams ran"
    assert not run.records[STREAM]
    assert chat.stats.requests[ENDPOINT] == 0


def test_every_entry_exactly_once_with_ids_stable_across_settings(chat, chat_tap) -> None:
    configs = [chat_tap.config(window_days=1), chat_tap.config(window_days=30, page_size=7)]
    runs = [chat_tap.run(config, select=(STREAM,)) for config in configs]

    for run, config in zip(runs, configs, strict=True):
        assert run.returncode == 0, run.stderr[-2000:]
        assert_exact([run], chat, config)
    first, second = ({r["lw_id"]: r for r in run.records[STREAM]} for run in runs)
    assert first == second, "the same entries, the same ids"
    truth = chat.truth(STREAM, configs[0]["start_date"], configs[0]["end_date"])
    assert max(Counter(map(canonical, truth)).values()) > 1, "identical entries are served"
    records = runs[0].records[STREAM]
    assert [r["time"] for r in records] == sorted(r["time"] for r in records)
    for record in records:
        assert record["time"] == ms_time(record["activity_timestamp"])
        if record["operator"] is not None:
            assert set(record["operator"]) == {"display_name", "user_id", "member_id"}
    externals = [
        member
        for record in records
        if record["members"]
        for member in record["members"]["member_list"]
        if member["user_id"] == ""
    ]
    assert externals, "external members are kept as Zoom names them (user_id '')"


def test_windows_span_at_most_three_days_and_pages_hold_fifteen(chat, chat_tap) -> None:
    config = chat_tap.config(window_days=30, page_size=300)
    run = chat_tap.run(config, select=(STREAM,))

    assert run.returncode == 0, run.stderr[-2000:]
    asked = chat_requests(chat)
    assert asked
    spans = set()
    for params in asked:
        assert "from" not in params and "to" not in params, params
        assert params["page_size"] == "15", params
        first, last = (
            date.fromisoformat(params["start_date"]),
            date.fromisoformat(params["end_date"]),
        )
        spans.add((last - first).days)
    assert max(spans) == 2, "window_days 30 is cut to 3 days, both ends in"
    assert chat.stats.statuses[(ENDPOINT, 400)] == 0


def test_a_killed_run_resumes_and_loses_nothing(chat, chat_tap) -> None:
    config = chat_tap.config(window_days=1)
    killed = chat_tap.run_killed(config, after_states=3, select=(STREAM,))
    resumed = chat_tap.run(config, state=killed.state, select=(STREAM,))

    assert resumed.returncode == 0, resumed.stderr[-2000:]
    assert killed.records[STREAM] and resumed.records[STREAM]
    assert_exact([killed, resumed], chat, config)


@pytest.mark.parametrize("order", ["newest", "oldest"])
def test_an_incremental_run_is_exact_whatever_the_order_it_is_served_in(tmp_path, order) -> None:
    # Yesterday's noon as the emulator's now: the news window then holds hours of entries
    # below the margin at any hour of the run (just after midnight, today's few entries
    # alone would end the read before the order could show).
    noon = datetime.now(timezone.utc).replace(hour=12, minute=0, second=0, microsecond=0)
    now = noon - timedelta(days=1)
    with ZoomEmulator(seed=3, history_days=5, scopes=WITH_CHAT, order=order, now=now) as zoom:
        tap = Tap(zoom, tmp_path)
        config = tap.config()
        backfill = tap.run(config, select=(STREAM,))
        for _ in range(20):  # more news than one page holds
            zoom.data.arrive(STREAM, None)
        again = tap.run(config, state=backfill.state, select=(STREAM,))

        assert again.returncode == 0, again.stderr[-2000:]
        assert_exact([backfill, again], zoom, config)
        warned = "is not newest first; reading the window to its end" in again.stderr
        assert warned == (order == "oldest")
        stopped_early = ", newest first down to " in again.stderr
        assert stopped_early == (order == "newest"), "the early stop where the order allows"


def test_refused_in_one_line_without_its_scope(tmp_path) -> None:
    with ZoomEmulator(seed=1, history_days=2) as zoom:  # an app without the chat scope
        run = Tap(zoom, tmp_path).run(select=(STREAM,))

        one_line_error(run, STREAM, CHAT_CHANNEL_ACTIVITY_SCOPE, "Chat Channels")
        assert zoom.stats.requests[ENDPOINT] == 0
        assert not run.records[STREAM]


def test_the_classic_scope_is_enough_and_the_connection_test_asks_fifteen(tmp_path) -> None:
    with ZoomEmulator(seed=1, history_days=3, scopes=(CHAT_CHANNEL_CLASSIC_SCOPE,)) as zoom:
        tap = Tap(zoom, tmp_path)
        checked = tap.run(args=("--catalog", str(tap.catalog((STREAM,))), "--test"))
        assert checked.returncode == 0, checked.stderr[-2000:]
        assert [p["page_size"] for p in chat_requests(zoom)] == ["15"]
        config = tap.config()
        run = tap.run(config, select=(STREAM,))
        assert run.returncode == 0, run.stderr[-2000:]
        assert_exact([run], zoom, config)


def test_it_has_its_own_rate_lane() -> None:
    report = ChatChannelActivityLogsStream.report_for({})
    config = {
        "api_url": "http://127.0.0.1:9/v2",
        "oauth_url": "http://127.0.0.1:9/oauth/token",
        "account_id": "acct",
        "client_id": "id",
        "client_secret": "secret-of-test-chat",
        "request_timeout": 5,
        "max_retry_seconds": 5,
        "max_requests_per_second": 5,
        "phone_max_requests_per_second": 2,
        "contact_center_max_requests_per_second": 2,
        "team_chat_max_requests_per_second": 25,
        "videosdk_max_requests_per_second": 2,
        "daily_quota_reserve": 3000,
    }
    lanes = ZoomAPI(config, logging.getLogger("test-chat"), RunStats()).lanes

    assert report.family == "team_chat"
    assert lanes[report.family].rate == 25
    assert lanes["report"].rate == 5


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1581370790388, "2020-02-10T21:39:50.388Z"),  # the definition's example
        ("1581370790388", "2020-02-10T21:39:50.388Z"),
        (1581370790388.0, "2020-02-10T21:39:50.388Z"),
        (1581370790, "2020-02-10T21:39:50.000Z"),  # epoch seconds, by their size
        ("2020-02-10T21:39:50.388Z", "2020-02-10T21:39:50.388Z"),
        ("2020-02-10T23:39:50+02:00", "2020-02-10T21:39:50.000Z"),
        ("soon", ""),
        (12, ""),
        (True, ""),
        (None, ""),
        ({"ms": 1581370790388}, ""),
    ],
)
def test_time_is_read_from_milliseconds_seconds_digits_or_iso(value, expected) -> None:
    assert epoch_ms_time_key(value) == expected


@pytest.mark.parametrize("form", ["digits", "iso", "garbage"])
def test_an_activity_timestamp_in_another_form_is_read_and_said(chat, chat_tap, form) -> None:
    config = chat_tap.config(max_concurrent_requests=1)
    day = date.fromisoformat(config["start_date"][:10])
    moment = datetime(day.year, day.month, day.day, 12, 0, 0, 389_000, tzinfo=timezone.utc)
    milliseconds = int(moment.timestamp() * 1000)
    value = {"digits": str(milliseconds), "iso": ms_time(milliseconds), "garbage": "soon"}[form]
    chat.inject("bad_time", endpoint=ENDPOINT, value=value, times=1, after=1)
    run = chat_tap.run(config, select=(STREAM,))

    assert run.returncode == 0, run.stderr[-2000:]
    records = run.records[STREAM]
    truth = chat.truth(STREAM, config["start_date"], config["end_date"])
    assert len(records) == len(truth), "no entry is lost for its time's form"
    if form == "digits":
        read = [r for r in records if r["activity_timestamp"] == milliseconds]
        assert [r["time"] for r in read] == [ms_time(milliseconds)]
        assert f"activity_timestamp is '{milliseconds}', a str, not an integer" in run.stderr
    elif form == "iso":
        read = [r for r in records if r["activity_timestamp"] is None]
        assert [r["time"] for r in read] == [ms_time(milliseconds)]
        assert "not of the schema's type (integer): emitted with activity_timestamp null" in (
            run.stderr
        )
    else:
        read = [r for r in records if r["time"] is None]
        assert [r["activity_timestamp"] for r in read] == [None]
        assert "'soon', not a date-time: emitted with time null" in run.stderr


def test_its_403_no_permission_answer_names_the_role_permission() -> None:
    # The definition's refusal: HTTP 403 code 403, where the reports answer 400 code 200.
    response = requests.Response()
    response.status_code = 403
    response._content = json.dumps(
        {"code": 403, "message": "No permission to access channel activity logs"}
    ).encode()
    response.headers["x-zm-trackingid"] = "t-9"
    report = ChatChannelActivityLogsStream.report_for({})
    query = {"start_date": "2026-03-29", "end_date": "2026-03-29", "page_size": 15}
    refusal = _refusal(report, response, 403, query)

    assert type(refusal) is SettingError
    assert "'Chat Channels' view permission" in str(refusal)
    assert "t-9" in str(refusal)
