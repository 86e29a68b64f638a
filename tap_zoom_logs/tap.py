"""tap-zoom-logs: the settings and the streams."""

from __future__ import annotations

import json
import signal
import threading
import typing as t
from functools import cached_property

import click
import pendulum
from singer_sdk import Tap
from singer_sdk import typing as th
from singer_sdk.helpers._state import StateWriter
from singer_sdk.helpers.capabilities import PluginCapabilities, TapCapabilities
from singer_sdk.tap_base import CliTestOptionValue
from typing_extensions import override

from tap_zoom_logs import settings
from tap_zoom_logs.api import ZoomAPI
from tap_zoom_logs.builtin_settings import (
    builtin_settings_schema,
    check_batch_streams,
    check_builtin_settings,
    prepare_batch_config,
)
from tap_zoom_logs.errors import Interrupted, SettingError, TapZoomLogsError
from tap_zoom_logs.feed import Planning, WindowFeed
from tap_zoom_logs.output import StateAfterRecords, ZoomMessageWriter
from tap_zoom_logs.run_stats import RunStats
from tap_zoom_logs.settings import bounds_of, reading_of
from tap_zoom_logs.state import check_state, set_back_unsettled_days
from tap_zoom_logs.streams import (
    ActivityLogsStream,
    ChatChannelActivityLogsStream,
    ContactCenterOperationLogsStream,
    MeetingActivityLogsStream,
    OperationLogsStream,
    PhoneOperationLogsStream,
    RemoteSupportLogsStream,
    VideoSdkOperationLogsStream,
)
from tap_zoom_logs.windows import SETTLE_AFTER_HOURS

if t.TYPE_CHECKING:
    from types import FrameType

    from tap_zoom_logs.client import ZoomReportStream

MEETING_ACTIVITY_TYPES = [
    "All Activities",
    "Meeting Created",
    "Meeting Started",
    "User Join",
    "User Left",
    "Remote Control",
    "In-Meeting Chat",
    "Meeting Ended",
]

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

#: `--help` on `--test`: the tap's connection test (cb_test), not the SDK's one-record sync.
TEST_OPTION_HELP = (
    "Use --test to check the connection: one small request per selected stream says"
    " whether the credentials, the app's scope and the role permission work (exit 1 if"
    " not); no record is written. Use --test=schema to write the streams' schemas only."
)


#: What each setting means: `--about`, the README's table and meltano.yml all say this.
SETTING_DESCRIPTIONS = {
    "account_id": (
        "Account ID of the Zoom Server-to-Server OAuth app (App Credentials page). Needed by"
        " every stream but videosdk_operation_logs."
    ),
    "client_id": (
        "Client ID of the Zoom Server-to-Server OAuth app. Needed by every stream but"
        " videosdk_operation_logs."
    ),
    "client_secret": (
        "Client secret of the Zoom Server-to-Server OAuth app. Set it through "
        "TAP_ZOOM_LOGS_CLIENT_SECRET, or store it with `meltano config set "
        "tap-zoom-logs client_secret --from-file -` (reads it from standard input)."
    ),
    "start_date": (
        "Earliest entry time to extract (ISO date or date-time, UTC; a date alone starts at"
        " its midnight). Default, and floor, is the oldest day Zoom still keeps (six months"
        " back)."
    ),
    "end_date": (
        "Latest entry time to extract (ISO date or date-time, UTC; a date alone includes"
        " that whole day). Default is now."
    ),
    "api_url": "Base URL of Zoom's REST API.",
    "oauth_url": "Zoom's OAuth token endpoint (account_credentials grant).",
    "page_size": "Entries per report page, 1 to 300.",
    "window_days": (
        "Days per report request (from/to window), 1 to 30. The bookmark "
        "advances after each completed window."
    ),
    "late_margin_minutes": (
        "Minutes before the bookmark that an incremental run reads again, for entries Zoom"
        " writes a little late (later ones are found when their day settles). 0 or more."
    ),
    "settle_closed_days": (
        "Read each day whole once more, settle_after_hours after it has closed in every"
        " time zone, to catch entries Zoom added later than the margin; the state"
        " remembers which days are settled."
    ),
    "settle_after_hours": (
        "Hours after a day has closed in every time zone (14 hours after its UTC end) that"
        " it is read whole, once: entries Zoom writes up to this long after their time are"
        " delivered then. Longer costs no requests, only a later delivery. 0 to 720."
    ),
    "lookback_days": (
        "Deprecated: whole days re-read before the bookmark on every incremental run,"
        " which costs the account's daily quota; leave it unset to use"
        " late_margin_minutes and settle_closed_days instead. 0 or more."
    ),
    "operation_logs_category_type": "Zoom's category_type filter for operation logs.",
    "meeting_activity_type": (
        "Zoom's activity_type filter for meeting_activity_logs (the meeting audit trail)."
    ),
    "phone_operation_logs_category_type": (
        "Zoom Phone's category_type filter for phone_operation_logs (free text; all"
        " for every category)."
    ),
    "request_timeout": "Seconds to wait for one HTTP response from Zoom.",
    "max_requests_per_second": (
        "Client-side cap on requests per second to Zoom's report API (every stream but"
        " phone_operation_logs, contact_center_operation_logs and"
        " chat_channel_activity_logs), for the whole run."
        " Zoom's quota is shared by every app of the account, so stay well below the"
        " plan's limit (Pro 10/s)."
    ),
    "phone_max_requests_per_second": (
        "Client-side cap on requests per second to Zoom Phone's API (phone_operation_logs),"
        " which has limits of its own (Pro 5/s, Business 10/s), also shared by every app"
        " of the account."
    ),
    "contact_center_max_requests_per_second": (
        "Client-side cap on requests per second to Zoom Contact Center's API"
        " (contact_center_operation_logs), which has limits of its own (Pro 5/s, Business"
        " 10/s), also shared by every app of the account."
    ),
    "team_chat_max_requests_per_second": (
        "Client-side cap on requests per second to Zoom Team Chat's LIGHT-labelled API"
        " (chat_channel_activity_logs), which has limits of its own (Pro 30/s, Business"
        " 80/s), also shared by every app of the account."
    ),
    "max_concurrent_requests": (
        "Most report windows fetched at once, each one request at a time (1 to 256). The"
        " tap keeps as many in flight as the rate allows at the latency it measures, up to"
        " this cap."
    ),
    "daily_quota_reserve": (
        "Requests of each API family's daily quota left for the account's other apps:"
        " where Zoom's answers say how much of the day's quota is left, the family's"
        " streams stop (exit code 75, the state of what is done written) before less is"
        " left. 0 spends the whole quota."
    ),
    "videosdk_api_key": (
        "API key of the Zoom Video SDK account (Video SDK app's API keys), for"
        " videosdk_operation_logs only: the Video SDK API takes a JWT signed with it and the"
        " secret, not the Server-to-Server OAuth app's token."
    ),
    "videosdk_api_secret": (
        "API secret of the Zoom Video SDK account, for videosdk_operation_logs only. Set it"
        " through TAP_ZOOM_LOGS_VIDEOSDK_API_SECRET."
    ),
    "videosdk_max_requests_per_second": (
        "Client-side cap on requests per second to the Video SDK API"
        " (videosdk_operation_logs): a Video SDK account has a quota of its own."
    ),
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
    """Zoom security logs: sign-in/sign-out activity, admin operation logs, the meeting
    audit trail, Zoom Phone's and Zoom Contact Center's operation logs, and Team Chat's
    channel activity."""

    name = "tap-zoom-logs"
    message_writer_class = ZoomMessageWriter
    # BATCH: with batch_config, each stream's STATE follows the BATCH message of the file
    # that holds its windows' records (client.py). Not ACTIVATE_VERSION: the streams are
    # incremental, and the SDK sends it only for full-table streams.
    capabilities: t.ClassVar[list[t.Any]] = [
        TapCapabilities.CATALOG,
        TapCapabilities.STATE,
        TapCapabilities.DISCOVER,
        PluginCapabilities.ABOUT,
        PluginCapabilities.STREAM_MAPS,
        PluginCapabilities.FLATTENING,
        PluginCapabilities.STRUCTURED_LOGGING,
        PluginCapabilities.BATCH,
    ]

    config_jsonschema = th.PropertiesList(
        # Required for the streams that use them (settings.check_credentials): the
        # Server-to-Server OAuth app's for every stream but videosdk_operation_logs.
        _setting("account_id", th.StringType),
        _setting("client_id", th.StringType),
        _setting("client_secret", th.StringType, secret=True),
        _setting("start_date", th.StringType),
        _setting("end_date", th.StringType),
        _setting("api_url", th.StringType, default="https://api.zoom.us/v2"),
        _setting("oauth_url", th.StringType, default="https://zoom.us/oauth/token"),
        _setting("page_size", th.IntegerType(minimum=1, maximum=300), default=300),
        _setting("window_days", th.IntegerType(minimum=1, maximum=30), default=1),
        _setting("late_margin_minutes", th.IntegerType(minimum=0), default=2),
        _setting("settle_closed_days", th.BooleanType, default=True),
        _setting(
            "settle_after_hours",
            th.IntegerType(minimum=0, maximum=720),
            default=SETTLE_AFTER_HOURS,
        ),
        _setting("lookback_days", th.IntegerType(minimum=0)),
        _setting(
            "operation_logs_category_type",
            th.StringType(allowed_values=CATEGORY_TYPES),
            default="all",
        ),
        _setting(
            "meeting_activity_type",
            th.StringType(allowed_values=MEETING_ACTIVITY_TYPES),
            default="All Activities",
        ),
        _setting("phone_operation_logs_category_type", th.StringType, default="all"),
        _setting("request_timeout", th.NumberType(exclusive_minimum=0), default=60),
        _setting("max_requests_per_second", th.NumberType(exclusive_minimum=0), default=5),
        _setting("phone_max_requests_per_second", th.NumberType(exclusive_minimum=0), default=2),
        _setting(
            "contact_center_max_requests_per_second",
            th.NumberType(exclusive_minimum=0),
            default=2,
        ),
        _setting(
            "team_chat_max_requests_per_second",
            th.NumberType(exclusive_minimum=0),
            default=10,
        ),
        _setting("max_concurrent_requests", th.IntegerType(minimum=1, maximum=256), default=128),
        _setting("max_retry_seconds", th.NumberType(minimum=0), default=300),
        _setting("daily_quota_reserve", th.IntegerType(minimum=0), default=3000),
        _setting("videosdk_api_key", th.StringType),
        _setting("videosdk_api_secret", th.StringType, secret=True),
        _setting("videosdk_max_requests_per_second", th.NumberType(exclusive_minimum=0), default=2),
    ).to_dict()

    @override
    def discover_streams(self) -> list[ZoomReportStream]:
        # The streams reach Zoom through `zoom` and `feed`, made on first use: discovery
        # (Meltano's first step of every command) reads no setting and needs no credentials.
        return [stream(self) for stream in STREAMS]

    @override
    @cached_property
    def state_writer(self) -> StateWriter:
        # The SDK's own writes (the incoming state, a signal) keep its writer; the streams'
        # STATE after each window goes through this one.
        writer = self.message_writer
        if isinstance(writer, ZoomMessageWriter):
            return StateAfterRecords(writer)
        return super().state_writer

    def __init__(self, *args: t.Any, **kwargs: t.Any) -> None:
        super().__init__(*args, **kwargs)
        if self.input_catalog is not None:
            self.selected_streams()  # a catalog that selects nothing is a mistake: say so
        if kwargs.get("validate_config", True):
            # Which credentials a run needs depends on what it selects: known only now.
            selected = [s for s in self._sync_order() if s.selected]
            settings.check_credentials(self.config, [(s.name, s.family) for s in selected])
        if threading.current_thread() is threading.main_thread():
            # Replaces the SDK's handlers, which exit with code 0: a scheduler must see
            # that the run did not complete.
            signal.signal(signal.SIGTERM, self._stop_on_signal)
            signal.signal(signal.SIGINT, self._stop_on_signal)

    @override
    def setup_mapper(self) -> None:
        # Only a run that maps records sets up the mapper (not --discover): that is where
        # stream maps meet batch_config, and where the run's client and feed are made, so
        # that from the first message on a signal only takes note (`_stop_on_signal`).
        super().setup_mapper()
        if self.config.get("batch_config"):
            check_batch_streams(self.streams.values())
        _ = self.feed

    def _stop_on_signal(self, signum: int, frame: FrameType | None) -> None:
        """End the run from the main thread; the state written covers every finished window.

        Once the feed exists, the handler only takes note: the feed stops the run at its
        next step (between pages, windows and batches of records). An exception raised in
        a handler lands wherever the main thread happens to be, and inside a log call's
        write `logging` swallows it ("--- Logging error ---") and the run went on.
        """
        if "feed" in self.__dict__:
            self.feed.interrupt(signum)
        else:  # still setting up: no step to stop at, and nothing written yet
            raise Interrupted(signum)

    @cached_property
    def zoom(self) -> ZoomAPI:
        """The run's one client of Zoom's API: every stream shares its token and limits."""
        return ZoomAPI(self.config, self.logger, RunStats())

    @cached_property
    def feed(self) -> WindowFeed:
        """The run's one window feed: it reads ahead across the streams, in sync order."""
        return WindowFeed(
            self.zoom,
            page_size=int(self.config["page_size"]),
            max_windows=int(self.config["max_concurrent_requests"]),
            planning=Planning(bounds_of(self.config), reading_of(self.config)),
            sync_order=self._sync_order,
        )

    def _sync_order(self) -> list[ZoomReportStream]:
        """The streams in the order the SDK's sync_all visits them: `streams`, which the SDK
        sorts by name (tests/test_more_logs.py fails if that order changes unseen)."""
        return t.cast("list[ZoomReportStream]", list(self.streams.values()))

    def selected_streams(self) -> list[ZoomReportStream]:
        selected = [s for s in self._sync_order() if s.selected]
        if not selected:
            names = ", ".join(self.streams)
            msg = f"no stream is selected: select one or more of {names}"
            raise SettingError(msg)
        return selected

    def check_connection(self) -> None:
        """`--test`: per selected stream, whether credentials, scope and role permission work.

        One small request per stream (today, one entry), not the SDK's one-record sync,
        which would page from six months back until it met an entry.
        """
        failed = []
        for stream in self.selected_streams():
            try:
                self.zoom.check_scopes([stream.report])
                self.zoom.probe(stream.report)
            except TapZoomLogsError as exc:
                self.logger.error("%s: FAILED: %s", stream.name, exc)
                failed.append(stream.name)
            else:
                self.logger.info(
                    "%s: OK (credentials, scope %s and the '%s' permission work)",
                    stream.name,
                    stream.scope or "(none: a Video SDK JWT)",
                    stream.role_permission,
                )
        if failed:
            msg = f"connection test failed for {', '.join(failed)} (see the lines above)"
            raise TapZoomLogsError(msg)

    @override
    @classmethod
    def cb_test(cls, ctx: click.Context, param: click.Option, value: str) -> None:
        """`--test` runs check_connection (the SDK's `run_connection_test` is final), on the
        streams a `--catalog` given before it selects."""
        if value != CliTestOptionValue.All.value:
            super().cb_test(ctx, param, value)
            return
        config = ctx.params.get("config")  # the SDK's parsed --config option
        catalog = ctx.params.get("catalog")  # an open file, if it came first
        tap = cls(
            config=getattr(config, "config", None) or {},
            catalog=None if catalog is None else json.load(catalog),  # cli.py checked it
            parse_env_config=bool(getattr(config, "parse_env", False)),
            validate_config=True,
        )
        tap.check_connection()
        ctx.exit()

    @override
    @classmethod
    def get_singer_command(cls) -> click.Command:
        """The SDK's command, its `--help` saying what this tap's `--test` does."""
        command = super().get_singer_command()
        command.help = "Extract Zoom's audit logs as Singer messages (a Singer tap)."
        for option in command.params:
            if option.name == "test" and isinstance(option, click.Option):
                option.help = TEST_OPTION_HELP
        return command

    @override
    def load_state(self, state: dict[str, t.Any]) -> None:
        check_state(state)
        super().load_state(state)
        bookmarks = self.state.get("bookmarks", {})
        for note in set_back_unsettled_days(bookmarks, pendulum.now("UTC")):
            self.logger.warning("%s", note)

    # The SDK's validation hook, though its name is private: it runs inside the SDK's
    # constructor, before the SDK reads the config (stream maps, flattening), which is where
    # a wrong setting must be caught and named. tests/test_settings.py fails if it stops
    # being called.
    @override
    def _validate_config(self, *, raise_errors: bool = True) -> list[str]:
        """One line naming the setting and what to do, before any request is sent.

        Also fills in the defaults, which the SDK leaves to each tap.
        """
        schema = self.config_jsonschema
        self.append_builtin_config(schema)
        now = pendulum.now("UTC")
        config = self._config  # the SDK keeps no public writable handle on it
        settings.fill_in(config, schema)
        try:
            prepare_batch_config(config)
            settings.check(config, own_settings_schema(schema), now)
            # The SDK's built-in settings (stream maps, flattening), which the SDK's own
            # _validate_config would check: one line naming the setting, not a traceback.
            check_builtin_settings(config, builtin_settings_schema(type(self)))
        except SettingError as exc:
            if raise_errors:
                raise
            return [str(exc)]
        for note in settings.warnings_of(config, schema, now):
            self.logger.warning("%s", note)
        return []


def own_settings_schema(schema: dict[str, t.Any]) -> dict[str, t.Any]:
    """The tap's own settings of `schema`, without the SDK's built-in ones."""
    own = {name: schema["properties"][name] for name in SETTING_DESCRIPTIONS}
    return {**schema, "properties": own}


STREAMS: list[type[ZoomReportStream]] = [
    ActivityLogsStream,
    OperationLogsStream,
    MeetingActivityLogsStream,
    PhoneOperationLogsStream,
    ContactCenterOperationLogsStream,
    RemoteSupportLogsStream,
    VideoSdkOperationLogsStream,
    ChatChannelActivityLogsStream,
]
