"""The OAuth token endpoint (a token's shape, credentials, the grant in the body or the query
string, expiry, several live tokens at once), the reports' check of the bearer token, and
the scopes: those granted by default, and the one each report endpoint requires."""

from __future__ import annotations

import time

import pytest
import requests

from tests.support.emulator import (
    ALL,
    NOW,
    SEED,
    TODAY,
    error_code,
    fetch_token,
    report,
    token_request,
)
from zoom_emulator import (
    ACTIVITY_SCOPE,
    CLASSIC_SCOPE,
    CONTACT_CENTER_SCOPE,
    DEFAULT_SCOPES,
    MEETING_ACTIVITY_SCOPE,
    OPERATION_SCOPE,
    PHONE_CLASSIC_SCOPE,
    PHONE_OPERATION_SCOPE,
    ZoomEmulator,
)

# --------------------------------------------------------------------------- OAuth


def test_token_is_issued_with_zoom_shape(shared: ZoomEmulator) -> None:
    response = token_request(shared)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json"
    assert response.headers["x-zm-trackingid"]
    body = response.json()
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 3600
    assert body["scope"].split() == [
        ACTIVITY_SCOPE,
        OPERATION_SCOPE,
        MEETING_ACTIVITY_SCOPE,
        PHONE_OPERATION_SCOPE,
        CONTACT_CENTER_SCOPE,
        "report:read:remote_support:admin",
    ]
    assert body["api_url"] == shared.api_url.removesuffix("/v2")
    assert len(body["access_token"]) >= 32


def test_several_tokens_live_at_once(shared: ZoomEmulator) -> None:
    first, second = fetch_token(shared), fetch_token(shared)
    assert first != second
    for token in (first, second):
        assert report(shared, "activities", token).status_code == 200


@pytest.mark.parametrize(
    ("client_id", "client_secret", "account_id"),
    [
        ("emulated-client-id", "wrong-secret", "emulated-account"),
        ("someone-else", "emulated-client-secret-9f3b2c1d", "emulated-account"),
        ("emulated-client-id", "emulated-client-secret-9f3b2c1d", "other-account"),
    ],
)
def test_token_refused_for_wrong_credentials(
    shared: ZoomEmulator, client_id: str, client_secret: str, account_id: str
) -> None:
    response = token_request(shared, client_id, client_secret, account_id)
    assert response.status_code == 400
    assert response.json() == {
        "reason": "Invalid client_id or client_secret",
        "error": "invalid_client",
    }


def test_the_grant_is_taken_in_the_query_string_too(shared: ZoomEmulator) -> None:
    """Zoom's published request collection sends the grant in the query string; the tap
    sends it in the form body. Both are taken, a wrong grant in either is not."""
    assert token_request(shared, in_query=True).status_code == 200
    wrong = requests.post(
        shared.oauth_url,
        auth=(shared.client_id, shared.client_secret),
        params={"grant_type": "client_credentials", "account_id": shared.account_id},
        timeout=5,
    )
    assert wrong.status_code == 400
    assert wrong.json()["error"] == "unsupported_grant_type"


def test_token_expires_server_side() -> None:
    with ZoomEmulator(seed=SEED, now=NOW, token_ttl=1) as emu:
        token = fetch_token(emu)
        assert report(emu, "activities", token).status_code == 200
        time.sleep(1.1)
        assert error_code(report(emu, "activities", token)) == (401, 124)


# --------------------------------------------------------------------------- bearer checks


@pytest.mark.parametrize("header", [None, "Bearer not-a-token", "Basic abc"])
def test_report_refuses_unknown_token(shared: ZoomEmulator, header: str | None) -> None:
    headers = {"Authorization": header} if header else {}
    response = requests.get(f"{shared.api_url}/report/activities", headers=headers, timeout=5)
    assert response.status_code == 401
    assert response.json() == {"code": 124, "message": "Invalid access token."}


# --------------------------------------------------------------------------- scopes


def test_default_scopes_are_the_six_granular_ones() -> None:
    assert DEFAULT_SCOPES == (
        ACTIVITY_SCOPE,
        "report:read:operation_logs:admin",
        MEETING_ACTIVITY_SCOPE,
        PHONE_OPERATION_SCOPE,
        CONTACT_CENTER_SCOPE,
        "report:read:remote_support:admin",
    )


def test_token_without_the_stream_scope_gets_4711() -> None:
    with ZoomEmulator(seed=SEED, now=NOW, scopes=(ACTIVITY_SCOPE,)) as emu:
        token = fetch_token(emu)
        assert report(emu, "activities", token).status_code == 200
        response = report(emu, "operationlogs", token, **{"from": "2026-03-01", "to": "2026-03-02"})
        assert error_code(response) == (400, 4711)
        assert OPERATION_SCOPE in response.json()["message"]


def test_classic_scope_covers_both_reports() -> None:
    with ZoomEmulator(seed=SEED, now=NOW, scopes=("report:read:admin",)) as emu:
        token = fetch_token(emu)
        window = {"from": "2026-03-01", "to": "2026-03-02"}
        assert report(emu, "activities", token, **window).status_code == 200
        assert report(emu, "operationlogs", token, **window).status_code == 200


def test_meeting_activities_scope() -> None:
    with ZoomEmulator(seed=SEED, now=NOW, scopes=(ACTIVITY_SCOPE,)) as emu:
        response = report(emu, "meeting_activities", **TODAY, **ALL)
        assert error_code(response) == (400, 4711)
        assert MEETING_ACTIVITY_SCOPE in response.json()["message"]
    with ZoomEmulator(seed=SEED, now=NOW, scopes=(CLASSIC_SCOPE,)) as emu:
        assert report(emu, "meeting_activities", **TODAY, **ALL).status_code == 200
        assert error_code(report(emu, "phone_operationlogs")) == (400, 4711)


def test_phone_scopes() -> None:
    with ZoomEmulator(seed=SEED, now=NOW, scopes=(PHONE_CLASSIC_SCOPE,)) as emu:
        assert report(emu, "phone_operationlogs").status_code == 200
        assert error_code(report(emu, "activities", **TODAY)) == (400, 4711)
    with ZoomEmulator(seed=SEED, now=NOW, scopes=(ACTIVITY_SCOPE,)) as emu:
        response = report(emu, "phone_operationlogs")
        assert error_code(response) == (400, 4711)
        assert PHONE_OPERATION_SCOPE in response.json()["message"]
