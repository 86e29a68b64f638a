"""Team Chat's channel activity log (GET /chat/activities/channels) as its published
definition gives it: start_date/end_date at most 3 days, 15 entries a page at most, its
scopes, its own LIGHT per-second limit, entries with epoch-millisecond times and nested
operator/members objects."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import datetime, timezone
from typing import Any

import pytest
import requests

from tests.support.emulator import NOW, SEED, error_code, fetch_token
from zoom_emulator import (
    ACTIVITY_SCOPE,
    CHAT_CHANNEL_ACTIVITY_SCOPE,
    CHAT_CHANNEL_CLASSIC_SCOPE,
    ZoomEmulator,
)

PATH = "/chat/activities/channels"
STREAM = "chat_channel_activity_logs"
DAYS = {"start_date": "2026-03-27", "end_date": "2026-03-29"}


@pytest.fixture(scope="module")
def chat() -> Iterator[ZoomEmulator]:
    with ZoomEmulator(seed=SEED, now=NOW, scopes=(CHAT_CHANNEL_ACTIVITY_SCOPE,)) as emu:
        yield emu


def ask(emu: ZoomEmulator, token: str | None = None, **params: Any) -> requests.Response:
    token = token or fetch_token(emu)
    headers = {"Authorization": f"Bearer {token}"}
    return requests.get(emu.api_url + PATH, params=params, headers=headers, timeout=10)


def read_all(emu: ZoomEmulator, **params: Any) -> list[dict[str, Any]]:
    token, rows, pages = fetch_token(emu), [], 0
    while True:
        answer = ask(emu, token, **params)
        assert answer.status_code == 200, answer.text
        page = answer.json()
        pages += 1
        assert len(page["channel_activity_logs"]) <= 15
        rows += page["channel_activity_logs"]
        if not page.get("next_page_token"):
            assert pages > 1, "a window of one page proves no paging"
            return rows
        params = {**params, "next_page_token": page["next_page_token"]}


def test_a_window_pages_by_15_newest_first_with_epoch_millisecond_times(chat) -> None:
    first = ask(chat, **DAYS)
    assert first.status_code == 200
    assert first.headers["X-RateLimit-Category"] == "Light"
    page = first.json()
    assert set(page) == {"page_size", "next_page_token", "channel_activity_logs"}
    assert page["page_size"] == 15 and len(page["channel_activity_logs"]) == 15

    rows = read_all(chat, **DAYS)
    assert rows == list(reversed(chat.truth(STREAM, "2026-03-27", "2026-03-29")))
    stamps = [row["activity_timestamp"] for row in rows]
    assert all(type(stamp) is int for stamp in stamps)
    assert stamps == sorted(stamps, reverse=True)
    days = {datetime.fromtimestamp(s / 1000, timezone.utc).date().isoformat() for s in stamps}
    assert {"2026-03-27", "2026-03-29"} <= days <= {"2026-03-27", "2026-03-28", "2026-03-29"}


def test_entries_nest_the_operator_and_the_members_as_the_definition_does(chat) -> None:
    entries = chat.entries(STREAM)
    whole = [e for e in entries if {"operator", "members", "channel_id"} <= e.keys()]
    assert len(whole) > len(entries) * 0.9
    for entry in whole:
        assert entry.get("activity_type", "membership") == "membership"
        assert set(entry["operator"]) == {"display_name", "user_id", "member_id"}
        assert entry["members"]["member_status"] in {"joined", "left"}
        assert 1 <= len(entry["members"]["member_list"]) <= 100
        for member in entry["members"]["member_list"]:
            assert set(member) == {"display_name", "user_id", "member_id"}
    listed = [m for e in whole for m in e["members"]["member_list"]]
    assert any(m["user_id"] == "" for m in listed), "external members (user_id '') too"
    assert any(m["user_id"] for m in listed)
    assert any(not {"operator", "members", "channel_id"} <= e.keys() for e in entries)


@pytest.mark.parametrize(
    ("start", "end", "status"),
    [
        ("2026-03-27", "2026-03-29", 200),
        ("2026-03-29", "2026-03-29", 200),
        ("2026-03-26", "2026-03-29", 400),
        ("2026-03-01", "2026-03-29", 400),
    ],
)
def test_start_and_end_date_span_at_most_three_days(chat, start, end, status) -> None:
    answer = ask(chat, start_date=start, end_date=end)
    assert answer.status_code == status
    if status == 400:
        assert answer.json() == {"code": 300, "message": "Channel activity log date not valid."}


@pytest.mark.parametrize(
    "params",
    [
        {"start_date": "2026-03-29"},
        {"from": "2026-03-29", "to": "2026-03-29"},
        {**DAYS, "page_size": "16"},
        {**DAYS, "page_size": "300"},
        {**DAYS, "activity_type": "messages"},
    ],
)
def test_what_the_definition_does_not_take_is_refused(chat, params) -> None:
    assert error_code(ask(chat, **params)) == (400, 300)


def test_channel_id_filters_one_channel(chat) -> None:
    everything = chat.truth(STREAM, "2026-03-27", "2026-03-29")
    channel = next(e["channel_id"] for e in everything if "channel_id" in e)
    token = fetch_token(chat)
    page = ask(chat, token, **DAYS, channel_id=channel).json()
    assert page["channel_activity_logs"]
    assert {e["channel_id"] for e in page["channel_activity_logs"]} == {channel}


def test_its_scope_granular_or_classic_and_no_other() -> None:
    for scopes in ((CHAT_CHANNEL_ACTIVITY_SCOPE,), (CHAT_CHANNEL_CLASSIC_SCOPE,)):
        with ZoomEmulator(seed=SEED, now=NOW, scopes=scopes) as emu:
            assert ask(emu, **DAYS).status_code == 200
    with ZoomEmulator(seed=SEED, now=NOW, scopes=(ACTIVITY_SCOPE,)) as emu:
        refused = ask(emu, **DAYS)
        assert error_code(refused) == (400, 4711)
        assert CHAT_CHANNEL_ACTIVITY_SCOPE in refused.json()["message"]


def test_it_has_its_own_per_second_limit() -> None:
    scopes = (ACTIVITY_SCOPE, CHAT_CHANNEL_ACTIVITY_SCOPE)
    today = {"from": "2026-03-30", "to": "2026-03-30"}
    with ZoomEmulator(
        seed=SEED,
        now=NOW,
        scopes=scopes,
        rate_limit_per_second=1,
        team_chat_rate_limit_per_second=3,
    ) as emu:
        token = fetch_token(emu)
        headers = {"Authorization": f"Bearer {token}"}
        activities = emu.api_url + "/report/activities"
        assert requests.get(activities, params=today, headers=headers, timeout=5).ok
        chats = [ask(emu, token, **DAYS) for _ in range(4)]
        assert [c.status_code for c in chats] == [200, 200, 200, 429]
        assert chats[-1].headers["X-RateLimit-Category"] == "Light"
        assert chats[0].headers["X-RateLimit-Limit"] == "3"
        assert "X-RateLimit-Type" not in chats[-1].headers, "no daily quota: LIGHT"
        time.sleep(1.05)
        assert ask(emu, token, **DAYS).status_code == 200


def test_an_arrival_and_a_late_entry_take_epoch_milliseconds() -> None:
    with ZoomEmulator(seed=SEED, now=NOW, scopes=(CHAT_CHANNEL_ACTIVITY_SCOPE,)) as emu:
        arrived = emu.data.arrive(STREAM, None)
        assert arrived["activity_timestamp"] == int(NOW.timestamp() * 1000)
        late = {**arrived, "activity_timestamp": int(NOW.timestamp() * 1000) - 86_400_000}
        emu.add_entry(STREAM, late)
        assert late in emu.truth(STREAM, "2026-03-29", "2026-03-29")
        with pytest.raises(ValueError, match="activity_timestamp"):
            emu.add_entry(STREAM, {**late, "activity_timestamp": "2026-03-29T10:00:00Z"})
