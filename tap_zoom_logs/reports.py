"""What the client needs to know of a Zoom report, whichever stream it feeds: where it is,
what it takes (its day parameters, page sizes, the days a query may span), where its
entries are in the answer, which fields make an entry and of what type, and what its time
is."""

from __future__ import annotations

import typing as t
from collections.abc import Callable
from dataclasses import dataclass, field

from tap_zoom_logs.records import Row, encode
from tap_zoom_logs.times import iso_time_key

if t.TYPE_CHECKING:
    from collections.abc import Mapping

#: A family's requests count against its own rate limit (Zoom Phone has its own).
MEETINGS_API = "report"
ZOOM_PHONE_API = "phone"
CONTACT_CENTER_API = "contact_center"
#: A Video SDK account: its own quota, and its own credentials (a JWT signed with the Video
#: SDK API key and secret, not the Server-to-Server OAuth token).
VIDEO_SDK_API = "videosdk"
#: Team Chat's LIGHT-labelled endpoints: a per-second limit of their own, no daily quota.
TEAM_CHAT_API = "team_chat"
#: The most days one query may span where the endpoint says no less (Zoom: one month).
MAX_WINDOW_DAYS = 28


@dataclass(frozen=True)
class Report:
    """One Zoom report endpoint as the stream `name` reads it."""

    name: str
    path: str
    records_key: str
    #: The entry's own fields in schema order: what `lw_id` hashes, in that order.
    fields: tuple[str, ...]
    scope: str
    role_permission: str
    #: The scope from before Zoom's granular scopes that covers this report too.
    classic_scope: str = "report:read:admin"
    params: Mapping[str, str] = field(default_factory=dict)
    family: str = MEETINGS_API
    time_field: str = "time"
    time_key: Callable[[t.Any], str] = iso_time_key
    #: Said after Zoom's "no permission" answer, for a report that needs more than a role.
    permission_hint: str = ""
    #: Whether the scope is checked against the token's list before the first request: not
    #: where Zoom publishes no granular scope (remote support), nor for a Video SDK JWT,
    #: which lists none. Zoom's own refusal (4700/4711) then says the same in one line.
    scope_checked_up_front: bool = True
    #: The query parameters of the window's first and last day (Team Chat: start/end_date).
    date_params: tuple[str, str] = ("from", "to")
    #: The page_size values the endpoint takes, lowest and highest.
    page_sizes: tuple[int, int] = (1, 300)
    #: The most days one query may span.
    max_window_days: int = MAX_WINDOW_DAYS
    #: The entry's fields that are not strings, and their JSON type ("object", "integer",
    #: "array"): kept as Zoom sends them (records.decode), checked against it (client.py).
    typed_fields: Mapping[str, str] = field(default_factory=dict)

    def page_size(self, wanted: int) -> int:
        """The page_size to ask: the setting's, within what the endpoint takes."""
        lowest, highest = self.page_sizes
        return min(max(wanted, lowest), highest)

    def dates(self, first: str, last: str) -> dict[str, str]:
        """The query parameters of a window from day `first` to day `last` (both included)."""
        return dict(zip(self.date_params, (first, last), strict=True))

    def row(self, entry: dict[str, t.Any]) -> Row:
        """The row of one entry of this report (records.encode)."""
        return encode(entry, self.fields, self.time_field, self.time_key)
