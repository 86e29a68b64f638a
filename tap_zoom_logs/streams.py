"""Zoom's security logs: one short declaration each."""

from __future__ import annotations

import typing as t

from singer_sdk import typing as th
from typing_extensions import override

from tap_zoom_logs.client import ZoomReportStream
from tap_zoom_logs.reports import (
    CONTACT_CENTER_API,
    TEAM_CHAT_API,
    VIDEO_SDK_API,
    ZOOM_PHONE_API,
)


def _log_schema(
    *fields: str, time: str = "When it happened (UTC, to the second)"
) -> dict[str, t.Any]:
    """`lw_id`, then `time`, then the entry's own fields: all nullable strings but lw_id,
    because Zoom may leave any field out of an entry."""
    return th.PropertiesList(
        th.Property("lw_id", th.StringType, required=True, description="Stable id of the entry"),
        th.Property("time", th.DateTimeType, description=time),
        *(th.Property(name, th.StringType) for name in fields),
    ).to_dict()


class ActivityLogsStream(ZoomReportStream):
    """Sign In / Sign Out activity report (GET /report/activities)."""

    name = "activity_logs"
    path = "/report/activities"
    records_key = "activity_logs"
    scope = "report:read:user_activities:admin"
    role_permission = "Sign In/Sign Out"
    schema = _log_schema("type", "email", "ip_address", "client_type", "version")


class OperationLogsStream(ZoomReportStream):
    """Admin operation logs, "Admin Activity Logs" in Zoom's UI (GET /report/operationlogs)."""

    name = "operation_logs"
    path = "/report/operationlogs"
    records_key = "operation_logs"
    scope = "report:read:operation_logs:admin"
    role_permission = "Admin Activity Logs"
    schema = _log_schema("operator", "category_type", "action", "operation_detail")

    @override
    def query_params(self) -> dict[str, str]:
        return {"category_type": self.config["operation_logs_category_type"]}


class MeetingActivityLogsStream(ZoomReportStream):
    """The meeting audit trail (GET /report/meeting_activities): who created, started,
    joined, left, chatted in or remote-controlled which meeting. Not selected by default:
    it needs its own scope, and the account needs the feature from Zoom Support."""

    name = "meeting_activity_logs"
    path = "/report/meeting_activities"
    records_key = "meeting_activity_logs"
    scope = "report:read:meeting_activity_log:admin"
    role_permission = "Meeting Activity Logs"
    permission_hint = (
        " The account also needs the meeting audit trail, which Zoom Support turns on."
    )
    selected_by_default = False
    # Zoom's `activity_time` ("2026-03-21 07:09:03:216": UTC, milliseconds after a colon) is
    # kept as sent; `time` is it as an ISO date-time, to the millisecond.
    time_field = "activity_time"
    time_format = "meeting"
    schema = _log_schema(
        "meeting_number",
        "activity_time",
        "operator",
        "operator_email",
        "activity_category",
        "activity_detail",
        time="activity_time as a UTC date-time, to the millisecond",
    )

    @override
    def query_params(self) -> dict[str, str]:
        return {"activity_type": self.config["meeting_activity_type"]}


class PhoneOperationLogsStream(ZoomReportStream):
    """Zoom Phone's admin operation logs (GET /phone/reports/operationlogs), paced by Zoom
    Phone's own rate limit. Not selected by default: it needs its own scope."""

    name = "phone_operation_logs"
    path = "/phone/reports/operationlogs"
    records_key = "operation_logs"
    scope = "phone:read:operation_logs:admin"
    classic_scope = "phone:read:admin"
    role_permission = "Phone System Management: Operation Logs"
    family = ZOOM_PHONE_API
    selected_by_default = False
    schema = _log_schema("operator", "category_type", "action", "operation_detail")

    @override
    def query_params(self) -> dict[str, str]:
        return {"category_type": self.config["phone_operation_logs_category_type"]}


class ContactCenterOperationLogsStream(ZoomReportStream):
    """Zoom Contact Center's admin operation logs (GET /contact_center/reports/operation_logs):
    who changed flows, queues, routing, recording settings, API keys or redaction rules.
    Paced by Contact Center's own rate limit. Not selected by default: it needs its own
    scope.

    `lw_id` is the tap's hash of the whole entry, Zoom's `operation_log_id` among its
    fields, as for the other logs: an entry without the id gets one by the same rule, and
    an id Zoom might reuse (nothing confirms it is unique) can never make one entry
    overwrite another in a keyed target. `operation_log_id` is kept as its own column.
    """

    name = "contact_center_operation_logs"
    path = "/contact_center/reports/operation_logs"
    records_key = "operation_logs"
    scope = "contact_center:read:operation_logs:admin"
    classic_scope = "contact_center_operation_logs:read:admin"
    role_permission = "Contact Center: Operation Logs"
    family = CONTACT_CENTER_API
    selected_by_default = False
    schema = _log_schema(
        "operator",
        "category",
        "action",
        "object_name",
        "operation_detail",
        "operation_log_id",
        "agent_region_id",
        "agent_region_name",
        "team_id",
        "team_name",
    )


class RemoteSupportLogsStream(ZoomReportStream):
    """Remote support sessions (GET /report/remote_support): who took control of whose
    computer in which meeting, when and for how long. Not selected by default: it needs its
    own scope.

    `time` is the session's `start_time`: Zoom's definition says from/to select "the date
    range for remote support to start", so it is the field Zoom's windows cut by (a
    `request_time` near midnight could fall on the day before). A request never started
    (no start_time) is still emitted, with `time` null. Zoom publishes neither the form of
    these times (ISO and the audit trail's form are both read) nor this report's granular
    scope nor its rate label: it is read in the report API's lane, as Heavy, and its scope
    is not checked up front (Zoom's own refusal says which one it wants, in one line).
    """

    name = "remote_support_logs"
    path = "/report/remote_support"
    records_key = "remote_support_logs"
    scope = "report:read:admin"
    scope_checked_up_front = False
    role_permission = "Usage reports"
    selected_by_default = False
    time_field = "start_time"
    time_format = "any"
    schema = th.PropertiesList(
        th.Property("lw_id", th.StringType, required=True, description="Stable id of the entry"),
        th.Property("time", th.DateTimeType, description="start_time as a UTC date-time"),
        th.Property("meeting_uuid", th.StringType),
        th.Property("meeting_number", th.IntegerType),
        th.Property("topic", th.StringType),
        th.Property("meeting_host_id", th.StringType),
        th.Property("meeting_start_time", th.StringType, description="As Zoom sends it"),
        th.Property("supporter_name", th.StringType),
        th.Property("supporter_email", th.StringType),
        th.Property("supportee_name", th.StringType),
        th.Property("supportee_email", th.StringType),
        th.Property("request_time", th.StringType, description="As Zoom sends it"),
        th.Property("wait_time", th.StringType, description="hh:mm:ss, as Zoom sends it"),
        th.Property("start_time", th.StringType, description="As Zoom sends it"),
        th.Property("end_time", th.StringType, description="As Zoom sends it"),
        th.Property("duration", th.StringType, description="hh:mm:ss, as Zoom sends it"),
    ).to_dict()


class VideoSdkOperationLogsStream(ZoomReportStream):
    """A Video SDK account's admin operation logs (GET /videosdk/report/operationlogs), the
    shape of the meetings API's. Not selected by default: it reads another kind of Zoom
    account, with that account's API key and secret (a JWT, no scopes) and its own quota."""

    name = "videosdk_operation_logs"
    path = "/videosdk/report/operationlogs"
    records_key = "operation_logs"
    scope = ""
    scope_checked_up_front = False
    role_permission = "Video SDK account owner or admin"
    family = VIDEO_SDK_API
    selected_by_default = False
    schema = _log_schema("operator", "category_type", "action", "operation_detail")


def _chat_member() -> th.ObjectType:
    """A Team Chat user as Zoom names one: `user_id` is "" for a user of another account."""
    return th.ObjectType(
        th.Property("display_name", th.StringType),
        th.Property("user_id", th.StringType, description='"" for an external user'),
        th.Property("member_id", th.StringType),
    )


class ChatChannelActivityLogsStream(ZoomReportStream):
    """Team Chat channel activity (GET /chat/activities/channels): who added or removed whom
    from which channel, external members included. Not selected by default: it needs its
    own scope. LIGHT-labelled, so paced by its own lane; at most 3 days and 15 entries a
    request (its published definition). `operator` and `members` are kept as Zoom sends
    them, typed in the schema; `time` is `activity_timestamp` (epoch milliseconds) as a UTC
    date-time, to the millisecond."""

    name = "chat_channel_activity_logs"
    path = "/chat/activities/channels"
    records_key = "channel_activity_logs"
    scope = "team_chat:read:list_channel_activity_logs:admin"
    classic_scope = "chat_channel:read:admin"
    role_permission = "Chat Channels"
    family = TEAM_CHAT_API
    selected_by_default = False
    time_field = "activity_timestamp"
    time_format = "epoch_ms"
    date_params = ("start_date", "end_date")
    page_sizes = (15, 15)  # the definition's minimum and maximum both
    max_window_days = 3  # "Date range need be less or equal to 3 days": 3 days, both ends in
    schema = th.PropertiesList(
        th.Property("lw_id", th.StringType, required=True, description="Stable id of the entry"),
        th.Property(
            "time",
            th.DateTimeType,
            description="activity_timestamp as a UTC date-time, to the millisecond",
        ),
        th.Property("channel_id", th.StringType),
        th.Property("activity_type", th.StringType, description="membership"),
        th.Property(
            "activity_timestamp",
            th.IntegerType,
            description="When it happened, epoch milliseconds, as Zoom sends it",
        ),
        th.Property("operator", _chat_member(), description="The user who made this activity"),
        th.Property(
            "members",
            th.ObjectType(
                th.Property("member_status", th.StringType, description="joined or left"),
                th.Property(
                    "member_list",
                    th.ArrayType(_chat_member()),
                    description="The members who joined or left",
                ),
            ),
        ),
    ).to_dict()

    @override
    def query_params(self) -> dict[str, str]:
        # The definition's one activity type (its default too), asked for by name so that a
        # type Zoom adds later is not mixed into this stream unannounced.
        return {"activity_type": "membership"}
