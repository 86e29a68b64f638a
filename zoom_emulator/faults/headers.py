"""A fault that rewrites an answer's quota headers, as a proxy in front of Zoom (or a Zoom
that changes its form) may: on report answers and on the token answer."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .base import Fault

if TYPE_CHECKING:
    from zoom_emulator.replies import Reply
    from zoom_emulator.responder import Exchange

#: Each parameter of QuotaHeaders and the header it rewrites.
HEADERS = {
    "limit": "X-RateLimit-Limit",
    "remaining": "X-RateLimit-Remaining",
    "type": "X-RateLimit-Type",
}
#: A parameter's value that removes its header.
ABSENT = "absent"


class QuotaHeaders(Fault):
    """Rewrites X-RateLimit-Limit (``limit``), X-RateLimit-Remaining (``remaining``) and
    X-RateLimit-Type (``type``): each a literal value (``"2²"``, ``"Daily-limit"``),
    "absent" (removed), or, for ``limit`` and ``remaining``, a template whose ``{}`` is the
    answer's own figure (``"{:,}"`` writes 2,999, ``"{}.0"`` 2999.0; left out where the
    answer has none, as the token answer and an unlimited emulator's). Any answer, any
    status; the token answer carries none of its own, so literal ones are added to it.
    Lasts until ``clear_faults()`` unless ``times`` is given: a proxy rewrites every answer.
    """

    kind = "quota_headers"
    default_times = None

    @classmethod
    def check(cls, params: dict[str, Any]) -> None:
        given = set(params) - {"after"}
        if not given or given - set(HEADERS):
            raise ValueError(f"quota_headers takes some of {sorted(HEADERS)}, not {sorted(given)}")
        for name in given:
            value = params[name]
            if not isinstance(value, str):
                raise ValueError(f"quota_headers {name} must be a string, not {value!r}")
            if _is_template(value):
                if name == "type":
                    raise ValueError("quota_headers type is a literal value or 'absent'")
                try:
                    value.format(1234)
                except (ValueError, IndexError, KeyError) as exc:
                    raise ValueError(f"quota_headers {name}: {value!r} is no template") from exc

    def after(self, reply: Reply, exchange: Exchange) -> Reply:
        for name, header in HEADERS.items():
            value = self.params.get(name)
            if value is None:
                continue
            own = reply.headers.pop(header, None)
            if value == ABSENT:
                continue
            if not _is_template(value):
                reply.headers[header] = value
            elif own is not None:
                reply.headers[header] = value.format(int(own))
        return reply


def _is_template(value: str) -> bool:
    return "{" in value
