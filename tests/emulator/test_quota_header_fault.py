"""The `quota_headers` fault: a report answer's X-RateLimit headers rewritten as a proxy
may (regrouped, as decimals, literal garbage, removed), and quota headers added to the
token answer, until cleared; and `inject`'s checks of its arguments. (Not named
test_quota_headers: tests/test_quota_headers.py is the tap's, and test module names must
differ.)"""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.emulator import NOW, SEED, WINDOW, fetch_token, report, token_request
from zoom_emulator import ZoomEmulator


@pytest.fixture
def quota_emu():
    """An emulator with a daily quota of the three /report endpoints: 30,000 a day."""
    with ZoomEmulator(seed=SEED, now=NOW, history_days=3, daily_quota=30_000) as emu:
        yield emu


def quota_headers(emu: ZoomEmulator, token: str) -> tuple[str | None, str | None]:
    response = report(emu, "activities", token, **WINDOW)
    assert response.status_code == 200
    headers = response.headers
    return headers.get("X-RateLimit-Limit"), headers.get("X-RateLimit-Remaining")


@pytest.mark.parametrize(
    ("params", "limit", "remaining"),
    [
        ({"limit": "{:,}", "remaining": "{:,}"}, "30,000", "29,998"),
        ({"remaining": "{}.0"}, "30000", "29998.0"),
        ({"remaining": " {} "}, "30000", "29998 "),  # http.client strips the leading space
        ({"remaining": "2²"}, "30000", "2²"),
        ({"limit": "absent"}, None, "29998"),
        ({"limit": "absent", "remaining": "absent"}, None, None),
    ],
)
def test_fault_quota_headers_rewrites_report_answers_until_cleared(
    quota_emu: ZoomEmulator, params: dict[str, Any], limit: str | None, remaining: str | None
) -> None:
    token = fetch_token(quota_emu)
    assert quota_headers(quota_emu, token) == ("30000", "29999")
    quota_emu.inject("quota_headers", **params)

    assert quota_headers(quota_emu, token) == (limit, remaining)
    assert quota_emu.stats.statuses[("activities", 200)] == 2, "the answer itself unchanged"
    quota_emu.clear_faults()
    assert quota_headers(quota_emu, token) == ("30000", "29997")


def test_fault_quota_headers_leaves_out_a_template_where_the_answer_has_no_figure(
    emu: ZoomEmulator,
) -> None:
    token = fetch_token(emu)  # `emu` has no daily quota and no per-second limit
    emu.inject("quota_headers", limit="{:,}", remaining="7")

    assert quota_headers(emu, token) == (None, "7")


def test_fault_quota_headers_on_the_token_answer(emu: ZoomEmulator) -> None:
    emu.inject(
        "quota_headers", endpoint="token", times=1, limit="30000", remaining="0", type="Daily-limit"
    )
    spoiled = token_request(emu)
    normal = token_request(emu)

    assert spoiled.status_code == normal.status_code == 200
    assert spoiled.json()["access_token"], "a token is issued all the same"
    assert spoiled.headers["X-RateLimit-Limit"] == "30000"
    assert spoiled.headers["X-RateLimit-Remaining"] == "0"
    assert spoiled.headers["X-RateLimit-Type"] == "Daily-limit"
    assert "X-RateLimit-Remaining" not in normal.headers, "times=1: once"
    assert "X-RateLimit-Remaining" not in report(emu, "activities", None, **WINDOW).headers


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"retry_after": "7"},
        {"remaining": 7},
        {"type": "{}"},
        {"limit": "{:q}"},
        {"limit": "{1}"},
    ],
)
def test_fault_quota_headers_refuses_what_it_cannot_write(
    emu: ZoomEmulator, params: dict[str, Any]
) -> None:
    with pytest.raises(ValueError, match="quota_headers"):
        emu.inject("quota_headers", **params)
