"""The SDK's standard tap tests, against the emulator, with pages small enough to page."""

from __future__ import annotations

from singer_sdk.testing import SuiteConfig, get_tap_test_class

from tap_zoom_logs.tap import TapZoomLogs
from tests.support.tap import ALL_STREAMS, catalog_selecting
from zoom_emulator import CHAT_CHANNEL_ACTIVITY_SCOPE, DEFAULT_SCOPES, ZoomEmulator

#: The logs of the suite: every one (the SDK's tests sync each stream, selected or not).
EVERY_LOG = (*ALL_STREAMS, "chat_channel_activity_logs")

# The suite builds its test class from a config at import time, so the emulator must be
# serving by then; it is a daemon thread and ends with the test session.
_ZOOM = ZoomEmulator(
    seed=11,
    history_days=4,
    entries_per_day=30,
    scopes=(*DEFAULT_SCOPES, CHAT_CHANNEL_ACTIVITY_SCOPE),
).start()

# A catalog that selects all five logs: the suite's dry run syncs every stream, and a
# stream left unselected by default (the meeting audit trail, Zoom Phone, Contact Center)
# would otherwise have its records compared with the empty schema the SDK's maps keep for it.
TestTapZoomLogs = get_tap_test_class(
    tap_class=TapZoomLogs,
    config=_ZOOM.tap_config(
        page_size=4,
        window_days=2,
        max_requests_per_second=500,
        phone_max_requests_per_second=500,
        contact_center_max_requests_per_second=500,
        team_chat_max_requests_per_second=500,
    ),
    suite_config=SuiteConfig(max_records_limit=60),
    catalog=catalog_selecting(EVERY_LOG),
)
