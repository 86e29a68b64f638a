"""ZoomEmulator: Zoom's token endpoint and its report endpoints on loopback (see the
package docstring for every option and fault)."""

from __future__ import annotations

import ssl
import threading
from collections.abc import Mapping
from datetime import date, datetime, timezone
from types import TracebackType
from typing import Any

from . import server as http_layer
from .common import DEFAULT_ENTRIES_PER_DAY, DEFAULT_SCOPES, STREAMS, instant, stamp, utc
from .dataset import Dataset, check_stream, volumes
from .faults import make_fault
from .responder import Options, Responder, ServerState
from .state import DailyQuota, PageTokens, RateLimiter, Tokens
from .stats import EmulatorStats

__all__ = ["ORDERS", "PAGING_MODES", "ZoomEmulator"]

PAGING_MODES = ("offset", "snapshot")
#: How a window's entries are served: newest first (every sample of Zoom's), oldest first,
#: or shuffled (the same shuffle for the same query while the data stays the same).
ORDERS = ("newest", "oldest", "shuffled")


class ZoomEmulator:
    """Zoom's OAuth token endpoint and the report endpoints, on loopback.

    Data is deterministic from ``seed`` and generated lazily per (stream, UTC day).
    ``now`` is fixed at construction: it bounds today's data; token and page-token
    lifetimes, the per-second limits and Retry-After values use the real clocks. How this
    Zoom behaves is ``options`` (a test may change one between two requests); its data is
    ``data``; its counters ``stats``.
    """

    def __init__(
        self,
        *,
        seed: int = 0,
        history_days: int = 40,
        entries_per_day: int | Mapping[str, int] = DEFAULT_ENTRIES_PER_DAY,
        rate_limit_per_second: float | None = None,
        phone_rate_limit_per_second: float | None = None,
        contact_center_rate_limit_per_second: float | None = None,
        team_chat_rate_limit_per_second: float | None = None,
        daily_quota: int | None = None,
        phone_daily_quota: int | None = None,
        contact_center_daily_quota: int | None = None,
        videosdk_rate_limit_per_second: float | None = None,
        videosdk_daily_quota: int | None = None,
        latency: float = 0.0,
        token_ttl: int = 3600,
        page_token_ttl: float = 900.0,
        paging: str = "offset",
        order: str = "newest",
        refuse_future_to: bool = False,
        clock_skew_seconds: float = 0.0,
        live_clock: bool = False,
        write_delay_hours: float = 0.0,
        date_header: bool = True,
        refuse_page_size: tuple[str, ...] = (),
        day_cut_utc_offset: float = 0.0,
        meeting_audit_trail: bool = True,
        max_page_size: int | None = None,
        scopes: tuple[str, ...] = DEFAULT_SCOPES,
        account_id: str = "emulated-account",
        client_id: str = "emulated-client-id",
        client_secret: str = "emulated-client-secret-9f3b2c1d",  # noqa: S107 - fake, loopback only
        videosdk_api_key: str = "emulated-videosdk-key",
        videosdk_api_secret: str = "emulated-videosdk-secret-5e7a0c4b",  # noqa: S107 - fake
        ssl_context: ssl.SSLContext | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        now: datetime | None = None,
        verbose: bool = False,
    ) -> None:
        if paging not in PAGING_MODES:
            raise ValueError(f"paging must be one of {PAGING_MODES}, not {paging!r}")
        if order not in ORDERS:
            raise ValueError(f"order must be one of {ORDERS}, not {order!r}")
        if not -12 <= day_cut_utc_offset <= 14:
            raise ValueError(f"day_cut_utc_offset is hours in -12..+14, not {day_cut_utc_offset}")
        if write_delay_hours < 0:
            raise ValueError(f"write_delay_hours cannot be negative, not {write_delay_hours}")
        if max_page_size is not None and max_page_size < 1:
            raise ValueError(f"max_page_size is at least 1, not {max_page_size}")
        now = utc(now or datetime.now(timezone.utc)).replace(microsecond=0)
        self.options = Options(
            now=now,
            account_id=account_id,
            client_id=client_id,
            client_secret=client_secret,
            videosdk_api_key=videosdk_api_key,
            videosdk_api_secret=videosdk_api_secret,
            scopes=tuple(scopes),
            latency=latency,
            token_ttl=token_ttl,
            paging=paging,
            order=order,
            refuse_future_to=refuse_future_to,
            refuse_page_size=tuple(refuse_page_size),
            day_cut_utc_offset=float(day_cut_utc_offset),
            meeting_audit_trail=meeting_audit_trail,
            max_page_size=max_page_size,
            verbose=verbose,
            clock_skew_seconds=float(clock_skew_seconds),
            live_clock=live_clock,
            write_delay_hours=float(write_delay_hours),
            date_header=date_header,
        )
        self.entries_per_day = volumes(entries_per_day)
        self.data = Dataset(seed, history_days, self.entries_per_day, now)
        self._state = ServerState(
            tokens=Tokens(token_ttl),
            pages=PageTokens(page_token_ttl),
            limiters={
                "report": RateLimiter(rate_limit_per_second),
                "phone": RateLimiter(phone_rate_limit_per_second),
                "contact_center": RateLimiter(contact_center_rate_limit_per_second),
                "videosdk": RateLimiter(videosdk_rate_limit_per_second),
                "team_chat": RateLimiter(team_chat_rate_limit_per_second),
            },
            quotas={
                "report": DailyQuota(daily_quota),
                "phone": DailyQuota(phone_daily_quota),
                "contact_center": DailyQuota(contact_center_daily_quota),
                "videosdk": DailyQuota(videosdk_daily_quota),
                "team_chat": DailyQuota(None),  # LIGHT: a per-second limit only
            },
        )
        self.stats: EmulatorStats = self._state.stats
        self._responder = Responder(self.options, self._state, self.data, lambda: self.base_url)
        self._ssl = ssl_context
        self._host, self._port = host, port
        self._server: http_layer.Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def now(self) -> datetime:
        """The emulator's clock for its data and its "today": fixed unless set, or with
        ``live_clock`` the machine's clock plus ``clock_skew_seconds``."""
        return self.options.zoom_now()

    @now.setter
    def now(self, moment: datetime) -> None:
        self.options.now = utc(moment).replace(microsecond=0)

    @property
    def account_id(self) -> str:
        return self.options.account_id

    @property
    def client_id(self) -> str:
        return self.options.client_id

    @property
    def client_secret(self) -> str:
        return self.options.client_secret

    # ----------------------------------------------------------------- lifecycle

    def _bind(self) -> http_layer.Server:
        if self._server is None:
            self._server = http_layer.Server((self._host, self._port), self._responder, self._ssl)
            self._port = self._server.server_address[1]  # a restart keeps the same URL
        return self._server

    def start(self) -> ZoomEmulator:
        """Serve in a daemon thread; returns self so ``ZoomEmulator().start()`` chains."""
        server = self._bind()
        if self._thread is None:
            self._thread = threading.Thread(
                target=server.serve_forever,
                kwargs={"poll_interval": 0.05},
                name=f"zoom-emulator-{self._port}",
                daemon=True,
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        server, thread = self._server, self._thread
        if server is None:
            return
        if thread is not None:
            server.shutdown()
            thread.join()
        server.close_connections()
        server.server_close()
        self._server, self._thread = None, None

    def __enter__(self) -> ZoomEmulator:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        """scheme://host:port, what the token answer gives as ``api_url``."""
        self._bind()
        if self._ssl is not None:
            return f"https://localhost:{self._port}"  # a certificate names localhost, not an IP
        return f"http://{self._host}:{self._port}"

    @property
    def api_url(self) -> str:
        return f"{self.base_url}/v2"

    @property
    def oauth_url(self) -> str:
        return f"{self.base_url}/oauth/token"

    # ----------------------------------------------------------------- data access

    def tap_config(self, **overrides: Any) -> dict[str, Any]:
        """Settings that point the tap at this emulator, from the oldest day with data to now."""
        config: dict[str, Any] = {
            "account_id": self.account_id,
            "client_id": self.client_id,
            "client_secret": self.client_secret,
            # A Video SDK account's credentials, for videosdk_operation_logs only.
            "videosdk_api_key": self.options.videosdk_api_key,
            "videosdk_api_secret": self.options.videosdk_api_secret,
            "api_url": self.api_url,
            "oauth_url": self.oauth_url,
            "start_date": f"{self._oldest_day_with_data().isoformat()}T00:00:00Z",
            "end_date": stamp(self.now),
        }
        config.update(overrides)
        return config

    def _oldest_day_with_data(self) -> date:
        days = sorted({day for stream in STREAMS for day in self.data.known_days(stream)})
        for day in days:
            if any(self.data.has_entries(stream, day) for stream in STREAMS):
                return day
        return days[0]

    def entries(self, stream: str) -> list[dict[str, Any]]:
        """Every entry of ``stream`` as served (missing fields absent), ascending time."""
        check_stream(stream)
        return self.data.everything(stream)

    def truth(
        self, stream: str, start: str | date | datetime, end: str | date | datetime
    ) -> list[dict[str, Any]]:
        """Entries with start <= time <= end (UTC, whole seconds; the audit trail's
        activity_time read as UTC), ascending; a bare date as ``end`` means its end."""
        check_stream(stream)
        return self.data.between(stream, instant(start, end=False), instant(end, end=True))

    def add_entry(
        self, stream: str, entry: dict[str, Any], *, written_at: datetime | None = None
    ) -> None:
        """A late entry: served from now on (or once the emulator's now reaches
        ``written_at``), on its day, after entries of the same time."""
        check_stream(stream)
        self.data.add(stream, entry, None if written_at is None else utc(written_at))

    # ----------------------------------------------------------------- faults

    def inject(
        self, kind: str, *, times: int | None = None, endpoint: str = "report", **params: Any
    ) -> None:
        """Answer the next ``times`` matching requests with fault ``kind`` (see package doc).

        ``times`` defaults to 1, except for "daily_limit" which lasts until clear_faults()
        (a daily quota does not lift after one refusal). ``endpoint`` is "report" (every
        report endpoint), one endpoint's name ("activities", "operationlogs",
        "meeting_activities", "phone_operationlogs", "contact_center_operation_logs") or
        "token".
        """
        self._state.faults.add(make_fault(kind, times, endpoint, params))

    def reset_daily_quotas(self) -> None:
        """A new day: every family's daily quota is whole again."""
        for quota in self._state.quotas.values():
            quota.reset()

    def clear_faults(self) -> None:
        self._state.faults.clear()

    def reset_stats(self) -> None:
        """Zero the counters in place (holders of ``stats`` see the reset)."""
        self._responder.reset_stats()
