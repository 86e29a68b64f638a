"""What the client needs to know of a Zoom report, whichever stream it feeds: where it is,
where its entries are in the answer, which fields make an entry, and what its time is."""

from __future__ import annotations

import json
import typing as t
from collections.abc import Callable
from dataclasses import dataclass, field

from tap_zoom_logs.spool import Row
from tap_zoom_logs.times import iso_time_key

if t.TYPE_CHECKING:
    from collections.abc import Mapping

#: A family's requests count against its own rate limit (Zoom Phone has its own).
MEETINGS_API = "report"
ZOOM_PHONE_API = "phone"
CONTACT_CENTER_API = "contact_center"


#: json.dumps(values, ensure_ascii=False), without building an encoder per call: the same
#: text (the one lw_id hashes), in half the time.
_ROW_JSON = json.JSONEncoder(ensure_ascii=False).encode


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

    def row(self, entry: dict[str, t.Any]) -> Row:
        """(key, row) of one entry: its time as a sortable UTC string, and its fields as
        JSON text (the exact form `lw_id` has always hashed: keep it byte for byte)."""
        values = [entry.get(name) for name in self.fields]
        return self.time_key(entry.get(self.time_field)), _ROW_JSON(values)
