"""What the client needs to know of a Zoom report, whichever stream it feeds: where it is,
where its entries are in the answer, which fields make an entry, and what its time is."""

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

    def row(self, entry: dict[str, t.Any]) -> Row:
        """The row of one entry of this report (records.encode)."""
        return encode(entry, self.fields, self.time_field, self.time_key)
