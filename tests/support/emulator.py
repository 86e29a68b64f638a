"""What the emulator's own tests (tests/emulator/) share, besides fixtures (their
conftest.py): the pinned clock and seed, each report endpoint's path and records key, the
windows most tests read, and plain HTTP helpers that talk to an emulator as a client of
Zoom does (a token, one report page, a whole window, an error's code)."""

from __future__ import annotations

import re
import time
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

import jwt
import requests

from zoom_emulator import ZoomEmulator

#: The project's root (the `zoom_emulator` package is beside `tests/`).
ROOT = Path(__file__).resolve().parents[2]
#: The emulators' clock and seed: "now" is pinned, so the data and its windows are too.
NOW = datetime(2026, 3, 30, 15, 30, 0, tzinfo=timezone.utc)
SEED = 7
#: Zoom's time format of the report records (the meeting audit trail has its own).
TIME_RE = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")
#: The two first report endpoints, and their records keys (also the streams' names).
RECORDS = {"activities": "activity_logs", "operationlogs": "operation_logs"}
#: Every report endpoint: its path under api_url, and its records key.
PATHS = {
    "activities": "/report/activities",
    "operationlogs": "/report/operationlogs",
    "meeting_activities": "/report/meeting_activities",
    "phone_operationlogs": "/phone/reports/operationlogs",
    "contact_center_operation_logs": "/contact_center/reports/operation_logs",
    "remote_support": "/report/remote_support",
    "videosdk_operationlogs": "/videosdk/report/operationlogs",
    "chat_channel_activities": "/chat/activities/channels",
}
KEYS = {
    **RECORDS,
    "meeting_activities": "meeting_activity_logs",
    "phone_operationlogs": "operation_logs",
    "contact_center_operation_logs": "operation_logs",
    "remote_support": "remote_support_logs",
    "videosdk_operationlogs": "operation_logs",
    "chat_channel_activities": "channel_activity_logs",
}
#: The Contact Center's endpoint and stream share one name.
CONTACT_CENTER = "contact_center_operation_logs"
#: Windows (query parameters) most tests read: today, and the last ten days.
TODAY = {"from": "2026-03-30", "to": "2026-03-30"}
WINDOW = {"from": "2026-03-21", "to": "2026-03-30"}
#: The meeting audit trail's required `activity_type`, asking for every kind.
ALL = {"activity_type": "All Activities"}


def token_request(
    emu: ZoomEmulator,
    client_id: str | None = None,
    client_secret: str | None = None,
    account_id: str | None = None,
    *,
    in_query: bool = False,
) -> requests.Response:
    """POST to the token endpoint, as a Server-to-Server OAuth app does (or nearly)."""
    form = {"grant_type": "account_credentials", "account_id": account_id or emu.account_id}
    auth = (client_id or emu.client_id, client_secret or emu.client_secret)
    if in_query:
        return requests.post(emu.oauth_url, auth=auth, params=form, timeout=5)
    return requests.post(emu.oauth_url, auth=auth, data=form, timeout=5)


def fetch_token(emu: ZoomEmulator) -> str:
    """A fresh access token (asserting that one was issued)."""
    response = token_request(emu)
    assert response.status_code == 200, response.text
    token: str = response.json()["access_token"]
    return token


def report(
    emu: ZoomEmulator, endpoint: str, token: str | None = None, /, **params: Any
) -> requests.Response:
    """One GET of a report endpoint (redirects answered, not followed); a new token unless
    one is given. (`token` is positional-only, so that every keyword is a query parameter.)"""
    token = token or fetch_token(emu)
    return requests.get(
        emu.api_url + PATHS[endpoint],
        headers={"Authorization": f"Bearer {token}"},
        params=params,
        timeout=10,
        allow_redirects=False,
    )


def read_window(
    emu: ZoomEmulator, endpoint: str, token: str | None = None, /, **params: Any
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Every record of a window, paging to the end; also each page's envelope."""
    token = token or fetch_token(emu)
    records: list[dict[str, Any]] = []
    envelopes: list[dict[str, Any]] = []
    page_token = ""
    while True:
        query = {**params, "next_page_token": page_token} if page_token else params
        response = report(emu, endpoint, token, **query)
        assert response.status_code == 200, response.text
        body = response.json()
        envelopes.append(body)
        records.extend(body[KEYS[endpoint]])
        page_token = body.get("next_page_token") or ""
        if not page_token:
            return records, envelopes


def error_code(response: requests.Response) -> tuple[int, int]:
    """An error answer's HTTP status and Zoom's code in its body."""
    return response.status_code, response.json()["code"]


def newest_first(
    emu: ZoomEmulator, stream: str, start: str | date | datetime, end: str | date | datetime
) -> list[dict[str, Any]]:
    """The emulator's truth of a window, in the order Zoom serves it: newest first."""
    return list(reversed(emu.truth(stream, start, end)))


def video_sdk_jwt(emu: ZoomEmulator, *, secret: str | None = None, **claims: Any) -> str:
    """A Video SDK API JWT for `emu`'s account (valid an hour unless `claims` say else)."""
    issued = int(time.time())
    payload = {"iss": emu.options.videosdk_api_key, "iat": issued, "exp": issued + 3600}
    return jwt.encode({**payload, **claims}, secret or emu.options.videosdk_api_secret, "HS256")
