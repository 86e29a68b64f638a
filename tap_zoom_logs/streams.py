"""The two Zoom security logs: one short declaration each."""

from __future__ import annotations

import typing as t

from singer_sdk import typing as th
from typing_extensions import override

from tap_zoom_logs.client import ZoomReportStream


def _log_schema(*fields: str) -> dict[str, t.Any]:
    """`lw_id`, then `time`, then the entry's own fields: all nullable strings but lw_id,
    because Zoom may leave any field out of an entry."""
    return th.PropertiesList(
        th.Property("lw_id", th.StringType, required=True, description="Stable id of the entry"),
        th.Property("time", th.DateTimeType, description="When it happened (UTC, to the second)"),
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
