"""Rate limits per family of endpoints: the per-second limit of the reports, Zoom Phone's
and Contact Center's own, and the daily quotas (Zoom Phone's its own, Contact Center's
counted down in X-RateLimit-Remaining), with the headers of a refusal. (A 429 injected as
a fault is in test_injected_faults.py.)"""

from __future__ import annotations

import time

from tests.support.emulator import (
    ALL,
    CONTACT_CENTER,
    NOW,
    SEED,
    TODAY,
    WINDOW,
    error_code,
    fetch_token,
    report,
)
from zoom_emulator import ACTIVITY_SCOPE, CONTACT_CENTER_SCOPE, REPORT_ENDPOINTS, ZoomEmulator

# --------------------------------------------------------------------------- per-second limits


def test_per_second_limit() -> None:
    with ZoomEmulator(seed=SEED, now=NOW, rate_limit_per_second=3) as emu:
        token = fetch_token(emu)
        statuses = [report(emu, "activities", token, **WINDOW) for _ in range(5)]
        codes = [r.status_code for r in statuses]
        assert codes[:3] == [200, 200, 200]
        assert 429 in codes[3:]
        refused = next(r for r in statuses if r.status_code == 429)
        assert refused.json()["code"] == 429
        assert refused.headers["Retry-After"] == "1"
        assert refused.headers["X-RateLimit-Category"] == "Heavy"
        assert refused.headers["X-RateLimit-Limit"] == "3"
        assert refused.headers["X-RateLimit-Remaining"] == "0"
        time.sleep(1.05)
        assert report(emu, "activities", token, **WINDOW).status_code == 200


def test_phone_has_its_own_per_second_limit() -> None:
    with ZoomEmulator(
        seed=SEED, now=NOW, rate_limit_per_second=2, phone_rate_limit_per_second=3
    ) as emu:
        token = fetch_token(emu)
        reports = [report(emu, "activities", token, **TODAY).status_code for _ in range(3)]
        phones = [report(emu, "phone_operationlogs", token) for _ in range(4)]
        assert reports == [200, 200, 429]
        assert [r.status_code for r in phones] == [200, 200, 200, 429]
        assert phones[-1].headers["X-RateLimit-Limit"] == "3"
        assert phones[0].headers["X-RateLimit-Limit"] == "3"


# --------------------------------------------------------------------------- daily quotas


def test_phone_daily_limit_is_its_own(busy_emu: ZoomEmulator) -> None:
    token = fetch_token(busy_emu)
    busy_emu.inject("daily_limit", endpoint="phone_operationlogs")
    for _ in range(2):
        response = report(busy_emu, "phone_operationlogs", token)
        assert response.status_code == 429
        assert response.headers["X-RateLimit-Type"] == "Daily-limit"
    assert report(busy_emu, "activities", token, **TODAY).status_code == 200
    assert report(busy_emu, "meeting_activities", token, **TODAY, **ALL).status_code == 200
    busy_emu.clear_faults()
    busy_emu.inject("daily_limit")  # "report": every report endpoint, Zoom Phone's too
    for endpoint in REPORT_ENDPOINTS:
        extra = ALL if endpoint == "meeting_activities" else {}
        assert report(busy_emu, endpoint, token, **TODAY, **extra).status_code == 429


def test_contact_center_scopes_limits_and_quota() -> None:
    scopes = ("contact_center_operation_logs:read:admin",)
    with ZoomEmulator(seed=SEED, now=NOW, scopes=scopes) as emu:
        assert report(emu, CONTACT_CENTER, **TODAY).status_code == 200
        assert error_code(report(emu, "phone_operationlogs")) == (400, 4711)
    with ZoomEmulator(seed=SEED, now=NOW, scopes=(ACTIVITY_SCOPE,)) as emu:
        response = report(emu, CONTACT_CENTER, **TODAY)
        assert error_code(response) == (400, 4711)
        assert CONTACT_CENTER_SCOPE in response.json()["message"]
    with ZoomEmulator(
        seed=SEED, now=NOW, contact_center_rate_limit_per_second=2, contact_center_daily_quota=3
    ) as emu:
        token = fetch_token(emu)
        answers = [report(emu, CONTACT_CENTER, token, **TODAY) for _ in range(3)]
        assert [a.status_code for a in answers] == [200, 200, 429]
        assert "X-RateLimit-Type" not in answers[2].headers, "the per-second limit first"
        assert answers[1].headers["X-RateLimit-Remaining"] == "1"
        assert report(emu, "phone_operationlogs", token).status_code == 200
        time.sleep(1.1)
        report(emu, CONTACT_CENTER, token, **TODAY)
        spent = report(emu, CONTACT_CENTER, token, **TODAY)
        assert spent.headers["X-RateLimit-Type"] == "Daily-limit"
