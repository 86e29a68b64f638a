"""tap-zoom-logs: the settings and the streams."""

from __future__ import annotations

import ipaddress
import typing as t
from functools import cached_property
from urllib.parse import urlsplit

import click
import pendulum
from jsonschema import Draft7Validator
from singer_sdk import Tap
from singer_sdk import typing as th
from singer_sdk.helpers.capabilities import PluginCapabilities, TapCapabilities
from singer_sdk.plugin_base import _ConfigInput
from singer_sdk.tap_base import CliTestOptionValue

from tap_zoom_logs.builtin_settings import builtin_settings_schema, check_builtin_settings
from tap_zoom_logs.client import (
    Entries,
    StreamPlan,
    Window,
    ZoomClient,
    ZoomMessageWriter,
    missing_scope,
)
from tap_zoom_logs.errors import SettingError, TapZoomLogsError
from tap_zoom_logs.streams import ActivityLogsStream, OperationLogsStream

if t.TYPE_CHECKING:
    from collections.abc import Generator, Iterator

    from tap_zoom_logs.client import ZoomReportStream

#: Zoom keeps six months of report data; a request reaching further back is refused.
RETENTION_MONTHS = 6

CATEGORY_TYPES = [
    "all",
    "user",
    "user_settings",
    "account",
    "billing",
    "im",
    "recording",
    "phone_contacts",
    "webinar",
    "sub_account",
    "role",
    "zoom_rooms",
]


#: What each setting means: `--about`, the README's table and meltano.yml all say this.
SETTING_DESCRIPTIONS = {
    "account_id": "Account ID of the Zoom Server-to-Server OAuth app (App Credentials page).",
    "client_id": "Client ID of the Zoom Server-to-Server OAuth app.",
    "client_secret": (
        "Client secret of the Zoom Server-to-Server OAuth app. Set it through "
        "TAP_ZOOM_LOGS_CLIENT_SECRET, or store it with `meltano config set "
        "tap-zoom-logs client_secret --from-file -` (reads it from standard input)."
    ),
    "start_date": (
        "Earliest entry time to extract (ISO date or date-time, UTC). Default, "
        "and floor, is the oldest day Zoom still keeps (six months back)."
    ),
    "end_date": "Latest entry time to extract (ISO date or date-time, UTC). Default is now.",
    "api_url": "Base URL of Zoom's REST API.",
    "oauth_url": "Zoom's OAuth token endpoint (account_credentials grant).",
    "page_size": "Entries per report page, 1 to 300.",
    "window_days": (
        "Days per report request (from/to window), 1 to 30. The bookmark "
        "advances after each completed window."
    ),
    "lookback_days": (
        "Days re-read before the bookmark on each incremental run, to catch "
        "late entries and the unknown time zone of Zoom's day boundaries. 0 or "
        "more."
    ),
    "operation_logs_category_type": "Zoom's category_type filter for operation logs.",
    "request_timeout": "Seconds to wait for one HTTP response from Zoom.",
    "max_requests_per_second": (
        "Client-side cap on requests per second to Zoom, for the whole run. "
        "Zoom's quota is shared by every app of the account, so stay well below "
        "the plan's limit (Pro 10/s)."
    ),
    "max_concurrent_requests": "Report windows fetched at once (1 to 64).",
    "max_retry_seconds": (
        "How long one request keeps being retried (5xx, timeouts, resets, "
        "per-second 429s) before the run stops with the last failure. A "
        "daily-limit 429 is never retried; the run stops with the state of what "
        "is done."
    ),
}


def _setting(name: str, kind: t.Any, **options: t.Any) -> th.Property[t.Any]:
    return th.Property(name, kind, description=SETTING_DESCRIPTIONS[name], **options)


class TapZoomLogs(Tap):
    """Zoom security logs: sign-in/sign-out activity and admin operation logs."""

    name = "tap-zoom-logs"
    message_writer_class = ZoomMessageWriter
    # Not BATCH: the bookmark advances as each window's records are written, which batch
    # files written later would overtake. Not ACTIVATE_VERSION: the streams are incremental.
    capabilities: t.ClassVar[list[t.Any]] = [
        TapCapabilities.CATALOG,
        TapCapabilities.STATE,
        TapCapabilities.DISCOVER,
        PluginCapabilities.ABOUT,
        PluginCapabilities.STREAM_MAPS,
        PluginCapabilities.FLATTENING,
        PluginCapabilities.STRUCTURED_LOGGING,
    ]

    config_jsonschema = th.PropertiesList(
        _setting("account_id", th.StringType, required=True),
        _setting("client_id", th.StringType, required=True),
        _setting("client_secret", th.StringType, required=True, secret=True),
        _setting("start_date", th.StringType),
        _setting("end_date", th.StringType),
        _setting("api_url", th.StringType, default="https://api.zoom.us/v2"),
        _setting("oauth_url", th.StringType, default="https://zoom.us/oauth/token"),
        _setting("page_size", th.IntegerType(minimum=1, maximum=300), default=300),
        _setting("window_days", th.IntegerType(minimum=1, maximum=30), default=1),
        _setting("lookback_days", th.IntegerType(minimum=0), default=1),
        _setting(
            "operation_logs_category_type",
            th.StringType(allowed_values=CATEGORY_TYPES),
            default="all",
        ),
        _setting("request_timeout", th.NumberType(exclusive_minimum=0), default=60),
        _setting("max_requests_per_second", th.NumberType(exclusive_minimum=0), default=5),
        _setting("max_concurrent_requests", th.IntegerType(minimum=1, maximum=64), default=4),
        _setting("max_retry_seconds", th.NumberType(minimum=0), default=300),
    ).to_dict()

    def discover_streams(self) -> list[ZoomReportStream]:
        return [ActivityLogsStream(self), OperationLogsStream(self)]

    def __init__(self, *args: t.Any, **kwargs: t.Any) -> None:
        self._plans, self._fed = {}, set()
        super().__init__(*args, **kwargs)
        if self.input_catalog is not None:
            self.selected_streams()  # a catalog that selects nothing is a mistake: say so

    def selected_streams(self) -> list[ZoomReportStream]:
        selected = [s for s in self.streams.values() if s.selected]
        if not selected:
            msg = "no stream is selected: select activity_logs and/or operation_logs"
            raise SettingError(msg)
        return selected  # type: ignore[return-value]

    def preflight(self) -> None:
        """Once per run, before the first report request: the selected streams' scopes."""
        if not self._preflight_done:
            self._preflight_done = True
            self.check_scopes(self.selected_streams())

    _preflight_done = False

    def check_scopes(self, streams: list[ZoomReportStream]) -> None:
        """Stop if the app lacks a scope one of `streams` needs.

        The token answer lists the app's scopes; if Zoom ever leaves the list out, its
        4711/4700 answers to the report requests tell the same story, with the same message.
        """
        token = self.zoom.token
        token.bearer()
        for stream in streams:
            if token.scopes and not token.has_scope(stream.scope):
                granted = " ".join(sorted(token.scopes))
                raise missing_scope(stream, f"the app has: {granted}")

    def check_connection(self) -> None:
        """`--test`: per selected stream, whether credentials, scope and role permission work.

        One small request per stream (today, one entry), not a sync.
        """
        failed = []
        for stream in self.selected_streams():
            try:
                self.check_scopes([stream])
                self.zoom.probe(stream)
            except TapZoomLogsError as exc:
                self.logger.error("%s: FAILED: %s", stream.name, exc)
                failed.append(stream.name)
            else:
                self.logger.info(
                    "%s: OK (credentials, scope %s and the '%s' permission work)",
                    stream.name,
                    stream.scope,
                    stream.role_permission,
                )
        if failed:
            msg = f"connection test failed for {', '.join(failed)} (see the lines above)"
            raise TapZoomLogsError(msg)

    @classmethod
    def cb_test(cls, ctx: click.Context, param: click.Option, value: str) -> None:
        """`--test` checks the connection per stream instead of the SDK's one-record sync,
        which would page from six months back until it met an entry."""
        if value != CliTestOptionValue.All.value:
            super().cb_test(ctx, param, value)
            return
        config = ctx.params.get("config") or _ConfigInput()
        tap = cls(config=config.config, parse_env_config=config.parse_env, validate_config=True)
        tap.check_connection()
        ctx.exit()

    def load_state(self, state: dict[str, t.Any]) -> None:
        check_state(state)
        super().load_state(state)

    @cached_property
    def zoom(self) -> ZoomClient:
        """The one Zoom client of the run: both streams share its token and rate limit."""
        return ZoomClient(self.config, self.logger)

    @cached_property
    def started_at(self) -> pendulum.DateTime:
        return pendulum.now("UTC").replace(microsecond=0)

    @cached_property
    def oldest_day(self) -> pendulum.DateTime:
        """The oldest day Zoom still answers for (a day inside its six months)."""
        return self.started_at.start_of("day").subtract(months=RETENTION_MONTHS).add(days=1)

    def plan(self, stream: ZoomReportStream) -> StreamPlan:
        """What `stream` reads this run (fixed when it is first asked for)."""
        if stream.name not in self._plans:
            start, end = self.sync_range(stream)
            window_days = int(self.config["window_days"])
            self._plans[stream.name] = StreamPlan.of(start, end, window_days)
        return self._plans[stream.name]

    def sync_range(self, stream: ZoomReportStream) -> tuple[pendulum.DateTime, pendulum.DateTime]:
        """The [start, end] a stream reads: from its bookmark less the lookback, or from
        start_date; never before what Zoom keeps; up to end_date or now."""
        settings = self.settings
        start = settings.start or self.oldest_day
        # Read without creating: a stream not yet synced keeps no (empty) entry in the state.
        state = self.state.get("bookmarks", {}).get(stream.tap_stream_id, {})
        bookmark = state.get("replication_key_value")
        if bookmark and state.get("replication_key") == "time":
            lookback = int(self.config["lookback_days"])
            resume = _parse_moment("state", bookmark).start_of("day").subtract(days=lookback)
            start = max(start, resume)
        if start < self.oldest_day:
            self._warn_clamped(start)
            start = self.oldest_day
        return start, settings.end or self.started_at

    def windows_of(self, stream: ZoomReportStream) -> Iterator[tuple[Window, Entries, int]]:
        """`stream`'s windows, from the run's one feed.

        The feed fetches the windows of every selected stream in the order the SDK syncs
        them, so the next stream's first windows are in flight while this one's last are
        still paging: the workers never idle between streams.
        """
        if self._feed is None or stream.name in self._fed or stream.name not in self._plans:
            self._start_feed(stream)
        self._fed.add(stream.name)
        assert self._feed is not None
        for _ in self.plan(stream).windows:
            for owner, window, entries, pages in self._feed:
                if owner is stream:
                    yield window, entries, pages
                    break
                # else: the leftover of a stream that stopped early: nobody wants it now
            else:
                return
        if stream.name == next(reversed(self._plans)):
            self._feed.close()  # the last stream is done: let the workers go
            self._feed = None

    def _start_feed(self, first: ZoomReportStream) -> None:
        """A new feed from `first` on (a new sync, or a stream synced on its own)."""
        if self._feed is not None:
            self._feed.close()  # stops and joins what the old one still had in flight
        order = self.selected_streams()
        following = order[order.index(first) :] if first in order else [first]
        self._plans, self._fed = {}, set()  # the state may have moved since the last feed
        for stream in following:
            self.plan(stream)
        jobs = ((s, window) for s in following for window in self._plans[s.name].windows)
        self._feed = self.zoom.fetch_windows(jobs)

    _feed: Generator[tuple[ZoomReportStream, Window, Entries, int], None, None] | None = None
    _plans: dict[str, StreamPlan]
    _fed: set[str]

    _clamp_warned = False

    def _warn_clamped(self, start: pendulum.DateTime) -> None:
        if not self._clamp_warned:
            self._clamp_warned = True
            self.logger.warning(
                "Zoom keeps six months of logs: days before %s (asked from %s) are gone;"
                " starting at %s",
                self.oldest_day.to_date_string(),
                start.to_date_string(),
                self.oldest_day.to_date_string(),
            )

    @cached_property
    def settings(self) -> _Range:
        return _Range.from_config(self.config)

    def _validate_config(self, *, raise_errors: bool = True) -> list[str]:
        """One line naming the setting and what to do, before any request is sent.

        Also fills in the defaults, which the SDK leaves to each tap.
        """
        schema = self.config_jsonschema
        for name, spec in schema["properties"].items():
            if "default" in spec and self._config.get(name) is None:
                self._config[name] = spec["default"]
            if name in self._config:
                self._config[name] = _number_from_text(self._config[name], spec)
        try:
            errors = sorted(Draft7Validator(schema).iter_errors(dict(self._config)), key=str)
            if errors:
                raise SettingError(_explain(errors[0]))
            for name in ("api_url", "oauth_url"):
                _check_url(name, str(self._config[name]))
            _Range.from_config(self._config)
            # The SDK's built-in settings (stream maps, flattening), which the SDK's own
            # _validate_config would check: one line naming the setting, not a traceback.
            check_builtin_settings(self._config, builtin_settings_schema(type(self)))
        except SettingError as exc:
            if raise_errors:
                raise
            return [str(exc)]
        return []


def _number_from_text(value: t.Any, spec: dict[str, t.Any]) -> t.Any:
    """Environment variables are text: read "300" as the number a numeric setting wants."""
    kinds = spec.get("type", [])
    if not isinstance(value, str) or not {"integer", "number"} & set(kinds):
        return value
    try:
        number = float(value)
    except ValueError:
        return value  # left for the validator to name
    return int(number) if number.is_integer() and "integer" in kinds else number


class _Range(t.NamedTuple):
    start: pendulum.DateTime | None
    end: pendulum.DateTime | None

    @classmethod
    def from_config(cls, config: t.Mapping[str, t.Any]) -> _Range:
        start, end = (
            _parse_moment(f"setting {name}", config[name]) if config.get(name) else None
            for name in ("start_date", "end_date")
        )
        if start and end and end < start:
            msg = (
                f"setting end_date ({config['end_date']}) is before"
                f" start_date ({config['start_date']})"
            )
            raise SettingError(msg)
        return cls(start, end)


def _parse_moment(label: str, value: t.Any) -> pendulum.DateTime:
    """`value` as a UTC date-time; `label` names where it came from in the error."""
    try:
        moment = pendulum.parse(str(value), strict=False, tz="UTC")
    except (ValueError, pendulum.parsing.exceptions.ParserError):
        moment = None
    if not isinstance(value, str) or not isinstance(moment, pendulum.DateTime):
        msg = (
            f"{label}: {value!r} is not an ISO date or date-time"
            " (write it like 2026-05-01 or 2026-05-01T08:00:00Z)"
        )
        raise SettingError(msg)
    return moment.in_timezone("UTC")


def check_state(state: t.Any) -> None:
    """A state this tap can resume from, or one line that says what is wrong with it."""
    shape = 'a JSON object like {"bookmarks": {"activity_logs": {...}}}'
    if not isinstance(state, dict):
        raise SettingError(f"state: must be {shape}, not {type(state).__name__}")
    bookmarks = state.get("bookmarks", {})
    if not isinstance(bookmarks, dict):
        raise SettingError(f"state: bookmarks must be an object ({shape})")
    for stream, bookmark in bookmarks.items():
        if not isinstance(bookmark, dict):
            raise SettingError(f"state: bookmarks.{stream} must be an object")
        value = bookmark.get("replication_key_value")
        if value is not None and bookmark.get("replication_key") == "time":
            _parse_moment(f"state: bookmarks.{stream}.replication_key_value", value)


def _check_url(name: str, url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return
    if parts.scheme == "http" and _is_loopback(parts.hostname or ""):
        return  # a local emulator or proxy: nothing travels in clear over a network
    msg = (
        f"setting {name}: {url!r} must be an https:// URL (plain http:// is only allowed on"
        " loopback, since the credentials and tokens would travel in clear)"
    )
    raise SettingError(msg)


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _explain(error: t.Any) -> str:
    """A jsonschema error as one line that names the setting."""
    if error.validator == "required":
        name = error.message.split("'")[1]
        return f"setting {name} is missing: set it (the Zoom app's {name.replace('_', ' ')})"
    name = ".".join(str(part) for part in error.absolute_path) or "config"
    if name == "client_secret":  # never echo a secret, even a malformed one
        return f"setting {name}: must be the app's client secret, as a string"
    if error.validator == "enum":
        allowed = ", ".join(str(v) for v in error.validator_value)
        return f"setting {name}: {error.instance!r} is not one of: {allowed}"
    return f"setting {name}: {error.message}"
