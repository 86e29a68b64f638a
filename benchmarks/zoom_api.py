"""What the benchmarks know of Zoom's report API: the streams, their pages, and a token.

Shared by the emulator's warm-up (:mod:`benchmarks.emulator_process`), the expected data
(:mod:`benchmarks.expected`), the request counts (:mod:`benchmarks.measure`) and the bare
client (:mod:`benchmarks.bare`). Only the standard library here: the bare client's process
imports it, and what it imports is part of what that process is measured for.
"""

from __future__ import annotations

from typing import Any, NamedTuple


class Endpoint(NamedTuple):
    """One stream's report: the emulator's name for it in its stats, its path, the
    fields of a record in schema order, and the extra query parameters it needs."""

    name: str
    path: str
    fields: tuple[str, ...]
    extra: dict[str, str]


STREAMS: dict[str, Endpoint] = {
    "activity_logs": Endpoint(
        "activities",
        "/report/activities",
        ("time", "type", "email", "ip_address", "client_type", "version"),
        {},
    ),
    "operation_logs": Endpoint(
        "operationlogs",
        "/report/operationlogs",
        ("time", "operator", "category_type", "action", "operation_detail"),
        {"category_type": "all"},
    ),
}
PAGE_SIZE = 300


def day_params(day: str, extra: dict[str, str]) -> dict[str, Any]:
    """The query of one day's first page (`day` as YYYY-MM-DD)."""
    return {"from": day, "to": day, "page_size": PAGE_SIZE, **extra}


def token(session: Any, config: dict[str, Any]) -> str:
    """An access token from the config's OAuth endpoint (`session`: a requests.Session)."""
    answer = session.post(
        config["oauth_url"],
        auth=(config["client_id"], config["client_secret"]),
        data={"grant_type": "account_credentials", "account_id": config["account_id"]},
        timeout=30,
    )
    answer.raise_for_status()
    return str(answer.json()["access_token"])
