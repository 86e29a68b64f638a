"""The meeting audit trail, Zoom Phone's and Zoom Contact Center's operation logs: every
guarantee the first two streams give, plus what is their own (not selected by default,
Zoom's non-ISO meeting times, Zoom Phone's and Contact Center's own rate limits and daily
quotas, a page_size Contact Center may refuse)."""

from __future__ import annotations

import itertools
import json
import re
from collections import Counter
from typing import Any

import pendulum
import pytest

from tap_zoom_logs.errors import EXIT_QUOTA
from tests.support.tap import (
    ALL_STREAMS,
    STREAMS,
    Tap,
    as_record,
    assert_exact,
    assert_union_is_the_truth,
    discovered_catalog,
    one_line_error,
    truth,
    without_id,
)
from zoom_emulator import ACTIVITY_SCOPE, OPERATION_SCOPE, ZoomEmulator

NEW = ("meeting_activity_logs", "phone_operation_logs", "contact_center_operation_logs")
NEW_ENDPOINTS = ("meeting_activities", "phone_operationlogs", "contact_center_operation_logs")
#: The logs with an API family of their own: (stream, endpoint, the tap's rate setting, the
#: emulator's rate limit and daily quota keywords).
OWN_FAMILIES = [
    (
        "phone_operation_logs",
        "phone_operationlogs",
        "phone_max_requests_per_second",
        "phone_rate_limit_per_second",
    ),
    (
        "contact_center_operation_logs",
        "contact_center_operation_logs",
        "contact_center_max_requests_per_second",
        "contact_center_rate_limit_per_second",
    ),
]


def test_the_new_logs_are_not_selected_by_default():
    by_default = {
        entry["tap_stream_id"]: metadata["metadata"]["selected-by-default"]
        for entry in discovered_catalog()["streams"]
        for metadata in entry["metadata"]
        if metadata["breadcrumb"] == []
    }
    others = [stream for stream in ALL_STREAMS if stream not in STREAMS]
    assert by_default == {
        **dict.fromkeys(STREAMS, True),
        **dict.fromkeys(others, False),
        # Not in ALL_STREAMS: the emulator grants its scope only when asked
        # (tests/test_chat_channel_activity.py).
        "chat_channel_activity_logs": False,
    }


def test_an_app_without_the_new_scopes_sees_no_change(tmp_path):
    with ZoomEmulator(seed=4, history_days=4, scopes=(ACTIVITY_SCOPE, OPERATION_SCOPE)) as zoom:
        tap = Tap(zoom, tmp_path)
        config = tap.config()
        run = tap.run(config)

        assert_exact(run, zoom, config)
        assert not any(zoom.stats.requests[endpoint] for endpoint in NEW_ENDPOINTS)
        for stream in NEW:
            assert not run.records[stream], stream


def test_every_entry_of_every_log_exactly_once_with_ids_stable_across_window_sizes(tap, emulator):
    configs = [tap.config(window_days=days, page_size=size) for days, size in ((1, 300), (3, 7))]
    runs = [tap.run(config, select=ALL_STREAMS) for config in configs]

    for run, config in zip(runs, configs, strict=True):
        assert_exact(run, emulator, config, ALL_STREAMS)
    for stream in NEW:
        duplicated = [row for row, n in truth(emulator, stream, configs[0]).items() if n > 1]
        assert duplicated, f"{stream}: the emulator must serve identical entries"
        for run in runs:
            times = [record["time"] for record in run.records[stream]]
            assert times == sorted(times)
    for stream in ALL_STREAMS:
        first, second = ({r["lw_id"]: r for r in run.records[stream]} for run in runs)
        assert first == second, f"{stream}: the same entries, the same ids"


def test_meeting_time_is_zooms_activity_time_as_utc_to_the_millisecond(tap, emulator):
    run = tap.run(tap.config(), select=("meeting_activity_logs",))

    assert run.returncode == 0, run.stderr[-2000:]
    assert run.records["meeting_activity_logs"]
    for record in run.records["meeting_activity_logs"]:
        match = re.fullmatch(r"(\S+) (\d\d:\d\d:\d\d):(\d{3})", record["activity_time"])
        assert match, record["activity_time"]
        day, clock, millis = match.groups()
        assert record["time"] == f"{day}T{clock}.{millis}Z"


def test_a_meeting_entry_with_an_unreadable_time_is_kept(tap, emulator):
    # After the empty day before start_date (read too: Zoom's day boundary is unknown).
    emulator.inject(
        "bad_time", endpoint="meeting_activities", value="2026-03-21 7:9", times=1, after=1
    )
    config = tap.config(max_concurrent_requests=1)
    run = tap.run(config, select=("meeting_activity_logs",))

    assert run.returncode == 0, run.stderr[-2000:]
    odd = [r for r in run.records["meeting_activity_logs"] if r["time"] is None]
    assert [r["activity_time"] for r in odd] == ["2026-03-21 7:9"]
    assert "not a date-time: emitted with time null" in run.stderr
    expected = truth(emulator, "meeting_activity_logs", config)
    assert len(run.records["meeting_activity_logs"]) == sum(expected.values())


def test_a_late_meeting_entry_within_the_lookback_arrives_next_run(tap, emulator):
    first = tap.run(tap.config(lookback_days=1), select=NEW)
    yesterday = pendulum.now("UTC").subtract(days=1).format("YYYY-MM-DD")
    late = {
        "meeting_number": "982 610 0285",
        "activity_time": f"{yesterday} 12:00:00:123",
        "operator": "Late Comer",
        "operator_email": "late@example.com",
        "activity_category": "User Join",
        "activity_detail": "Late Comer joined the meeting",
    }
    emulator.add_entry("meeting_activity_logs", late)
    second = tap.run(tap.config(lookback_days=1), state=first.state, select=NEW)

    assert second.returncode == 0, second.stderr[-2000:]
    rows = [as_record("meeting_activity_logs", r) for r in second.records["meeting_activity_logs"]]
    assert as_record("meeting_activity_logs", late) in rows
    again = {r["lw_id"]: r for r in second.records["phone_operation_logs"]}
    before = {r["lw_id"]: r for r in first.records["phone_operation_logs"]}
    assert again and all(before[i] == r for i, r in again.items() if i in before)


def test_a_killed_run_of_every_log_resumes_and_loses_nothing(tap, emulator):
    config = tap.config(window_days=1, lookback_days=0, page_size=20)
    killed = tap.run_killed(config, after_states=14, select=ALL_STREAMS)  # into the third
    resumed = tap.run(config, state=killed.state, select=ALL_STREAMS)

    assert resumed.returncode == 0, resumed.stderr[-2000:]
    assert_union_is_the_truth([killed, resumed], emulator, config, ALL_STREAMS)


@pytest.mark.parametrize(
    ("stream", "scope"),
    [
        ("meeting_activity_logs", "report:read:meeting_activity_log:admin"),
        ("phone_operation_logs", "phone:read:operation_logs:admin"),
        ("contact_center_operation_logs", "contact_center:read:operation_logs:admin"),
    ],
)
def test_a_missing_scope_of_a_new_log_is_named(tmp_path, stream, scope):
    with ZoomEmulator(seed=1, history_days=2, scopes=(ACTIVITY_SCOPE, OPERATION_SCOPE)) as zoom:
        run = Tap(zoom, tmp_path).run(select=(*STREAMS, stream))
        reports = sum(zoom.stats.requests[endpoint] for endpoint in zoom.stats.requests)

    one_line_error(run, stream, scope, "Scopes page")
    assert reports == 1, "only the token: the scope is checked before any report request"


@pytest.mark.parametrize(
    ("stream", "classic"),
    [
        ("phone_operation_logs", "phone:read:admin"),
        ("contact_center_operation_logs", "contact_center_operation_logs:read:admin"),
    ],
)
def test_the_classic_scope_covers_its_log(tmp_path, stream, classic):
    scopes = (ACTIVITY_SCOPE, OPERATION_SCOPE, classic)
    with ZoomEmulator(seed=1, history_days=3, scopes=scopes) as zoom:
        tap = Tap(zoom, tmp_path)
        config = tap.config()
        run = tap.run(config, select=(stream,))

        assert_exact(run, zoom, config, (stream,))


def test_an_account_without_the_meeting_audit_trail_is_told_so(tmp_path):
    with ZoomEmulator(seed=1, history_days=2, meeting_audit_trail=False) as zoom:
        run = Tap(zoom, tmp_path).run(select=("meeting_activity_logs",))

    one_line_error(
        run, "meeting_activity_logs", "Zoom code 200", "meeting audit trail", "Zoom Support"
    )


def test_connection_test_covers_the_selected_new_logs(tap):
    run = tap.run(args=("--catalog", str(tap.catalog(ALL_STREAMS)), "--test"))

    assert run.returncode == 0, run.stderr[-2000:]
    for stream in ALL_STREAMS:
        assert f"{stream}: OK" in run.stderr


@pytest.mark.parametrize(
    "kind", ["server_error", "truncated", "reset", "expire_page_token", "rate_limit"]
)
def test_faults_on_the_new_endpoints_leave_them_exact(tap, emulator, kind):
    for endpoint in NEW_ENDPOINTS:
        emulator.inject(kind, endpoint=endpoint, times=2)
    config = tap.config(page_size=15, window_days=2)
    run = tap.run(config, select=NEW)

    assert_exact(run, emulator, config, NEW)


@pytest.mark.parametrize(("stream", "endpoint", "_rate", "_limit"), OWN_FAMILIES)
def test_a_familys_daily_limit_stops_only_its_stream(
    tap, emulator, stream, endpoint, _rate, _limit
):
    config = tap.config(lookback_days=0, page_size=20)
    emulator.inject("daily_limit", endpoint=endpoint, after=3)
    stopped = tap.run(config, select=ALL_STREAMS)

    one_line_error(stopped, "daily request limit", "00:00 UTC", code=EXIT_QUOTA)
    for other in (s for s in ALL_STREAMS if s != stream):
        assert without_id(other, stopped.records[other]) == truth(emulator, other, config)
    emulator.clear_faults()
    resumed = tap.run(config, state=stopped.state, select=ALL_STREAMS)

    assert resumed.returncode == 0, resumed.stderr[-2000:]
    assert_union_is_the_truth([stopped, resumed], emulator, config, (stream,))


OWN_ENDPOINTS = ("activities", "operationlogs", *NEW_ENDPOINTS)
ENDPOINTS = dict(
    zip(ALL_STREAMS, (*OWN_ENDPOINTS, "remote_support", "videosdk_operationlogs"), strict=True)
)
#: Each log alone, each pair, and all five: every log is the last one synced after each
#: other log and alone, and once after all of them (every subset would be 31 pairs of runs).
SUBSETS = [
    *(subset for size in (1, 2) for subset in itertools.combinations(ALL_STREAMS, size)),
    ALL_STREAMS,
]


def first_pages(emulator: ZoomEmulator) -> Counter[tuple[str, str | None, str | None]]:
    """Answered first pages per (endpoint, from, to): each window's start."""
    return Counter(
        (r.endpoint, r.params.get("from"), r.params.get("to"))
        for r in emulator.stats.log
        if r.status == 200
        and r.endpoint in ENDPOINTS.values()
        and "next_page_token" not in r.params
    )


@pytest.mark.parametrize("subset", SUBSETS, ids=["+".join(s) for s in SUBSETS])
def test_a_daily_limit_in_the_last_stream_synced_fails_the_run(tap, emulator, subset):
    # The SDK syncs streams sorted by name, not in the order of discovery: the run's
    # deferred failure must come at the end of the stream the SDK syncs last, and the
    # fetch-ahead must follow the same order, or it throws fetched windows away.
    synced = sorted(subset)
    last = synced[-1]
    emulator.inject("daily_limit", endpoint=ENDPOINTS[last], after=2)
    config = tap.config(lookback_days=0, page_size=20)
    stopped = tap.run(config, select=subset)

    one_line_error(stopped, "daily request limit", "00:00 UTC", code=EXIT_QUOTA)
    messages = [json.loads(line) for line in stopped.stdout.splitlines()]
    order = list(dict.fromkeys(m["stream"] for m in messages if m["type"] == "RECORD"))
    assert order == [s for s in synced if stopped.records[s]], "records in the SDK's order"
    for stream in synced[:-1]:
        assert without_id(stream, stopped.records[stream]) == truth(emulator, stream, config)
    # Only an open window's first page is asked twice: read again to tell identical
    # entries at a page boundary from a shift (as the tap reports it).
    again = sum(int(n) for n in re.findall(r"and (\d+) first pages read again", stopped.stderr))
    asked = first_pages(emulator)
    assert sum(asked.values()) - len(asked) == again, "a window was fetched twice"
    emulator.clear_faults()
    resumed = tap.run(config, state=stopped.state, select=subset)

    assert resumed.returncode == 0, resumed.stderr[-2000:]
    assert_union_is_the_truth([stopped, resumed], emulator, config, subset)


@pytest.mark.parametrize(("stream", "endpoint", "rate", "limit"), OWN_FAMILIES)
def test_a_family_is_paced_by_its_own_limit(tmp_path, stream, endpoint, rate, limit):
    # Four past days of 300 to 900 entries, no two of them empty (the data is seeded by a
    # day's age, not its date): 20 pages of 30 at least, before today's share, which moves
    # with the hour.
    volume = {**dict.fromkeys(ALL_STREAMS, 150), stream: 600}
    # Zoom's limit at twice the tap's 8/s: a stall of this loaded machine can wake the few
    # windows in flight at once, and 8 a second plus those would pass a limit of 10 (the
    # clock sweep saw one 429 so); at 16 only a tap that ignores its own pace meets a 429.
    limits: dict[str, Any] = {limit: 16}
    with ZoomEmulator(seed=2, history_days=5, entries_per_day=volume, **limits) as zoom:
        tap = Tap(zoom, tmp_path)
        config = tap.config(page_size=30, **{rate: 8})
        run = tap.run(config, select=("activity_logs", stream))

        assert_exact(run, zoom, config, ("activity_logs", stream))
        log = zoom.stats.log
    own = sorted(r.at for r in log if r.endpoint == endpoint)
    reports = sorted(r.at for r in log if r.endpoint == "activities")
    assert len(own) >= 20, "enough requests to measure their pace"
    assert not [r for r in log if r.status == 429], "no 429 from the tap's own pacing"
    # At most 8/s, give or take the timing of the first and last; the report lane's 500/s
    # would be far above it.
    assert (len(own) - 1) / (own[-1] - own[0]) <= 8.8
    # The report requests were not held to this family's pace: they were done long before.
    assert reports[-1] < own[len(own) // 2]


def test_a_refused_page_size_is_asked_again_without_it(tap, emulator):
    """Contact Center's published definition does not list page_size: if Zoom refuses it,
    the tap asks without it (Zoom's default 30 a page), once told, and loses nothing."""
    stream = "contact_center_operation_logs"
    emulator.options.refuse_page_size = (stream,)
    # One window at a time: the first refusal is the only one.
    config = tap.config(window_days=1, max_concurrent_requests=1)
    run = tap.run(config, select=(stream, "activity_logs"))

    assert_exact(run, emulator, config, (stream, "activity_logs"))
    asked = [r for r in emulator.stats.log if r.endpoint == stream]
    refused = [r for r in asked if r.status == 400]
    assert len(refused) == 1, "told once, not once per window"
    assert "page_size" in refused[0].params
    assert all("page_size" not in r.params for r in asked if r.status == 200)
    assert run.stderr.count("refused the page_size parameter") == 1
    activities = [r for r in emulator.stats.log if r.endpoint == "activities"]
    assert all(r.params.get("page_size") == "300" for r in activities), "other logs unchanged"


def test_contact_center_entries_keep_zooms_id_and_get_the_taps_own(tap, emulator):
    """lw_id is the hash of the whole entry, Zoom's operation_log_id among its fields: an
    entry without the id gets one all the same, and two entries that differ only in their
    id are two records."""
    stream = "contact_center_operation_logs"
    config = tap.config()
    entries = emulator.truth(stream, config["start_date"], config["end_date"])
    template = next(e for e in entries if "operation_log_id" in e)
    twin = {**template, "operation_log_id": "0" * 32}
    without = {k: v for k, v in template.items() if k != "operation_log_id"}
    for entry in (twin, without):
        emulator.add_entry(stream, entry)
    run = tap.run(config, select=(stream,))

    assert_exact(run, emulator, config, (stream,))
    records = run.records[stream]
    ids = {r["operation_log_id"]: r["lw_id"] for r in records if r["operation_log_id"]}
    assert ids[template["operation_log_id"]] != ids["0" * 32]
    assert [r for r in records if r["operation_log_id"] is None and r["lw_id"]]
    assert all(re.fullmatch(r"[0-9a-f]{32}", r["lw_id"]) for r in records)


def test_an_idle_run_of_every_log_costs_one_request_each(tap, emulator):
    """The incremental-run guarantee for the five logs: with nothing new, a bookmarked run
    asks each endpoint once, and the state stays as it was."""
    config = tap.config()
    backfill = tap.run(config, select=ALL_STREAMS)
    assert_exact(backfill, emulator, config, ALL_STREAMS)
    emulator.reset_stats()

    again = tap.run(config, state=backfill.state, select=ALL_STREAMS)

    assert again.returncode == 0, again.stderr[-2000:]
    assert {e: emulator.stats.requests[e] for e in ENDPOINTS.values()} == dict.fromkeys(
        ENDPOINTS.values(), 1
    )
    assert again.state == backfill.state
