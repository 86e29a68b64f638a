"""zoom_emulator: a loopback emulator of Zoom's security-log APIs: sign-in activity, admin
operation logs, the meeting audit trail, and Zoom Phone's and Zoom Contact Center's
operation logs, remote support sessions, and a Video SDK account's operation logs.

It lets the tap be tested, demonstrated and benchmarked without a Zoom account. It is
not part of the tap's package (the wheel holds tap_zoom_logs alone), and neither imports
the other. It honours what
zoom-report-api.md collects about the real service: Server-to-Server OAuth, the one-month and
six-month window rules, opaque page tokens bound to their query and expiring, newest-first
pages whose last page carries ``""`` or no ``next_page_token``, the per-second limits, and
data as messy as the real thing (same-second bursts, exact duplicates, missing fields,
unicode, trailing spaces, empty days). Faults are injected on demand with ``inject``.

Endpoints (the name is what faults and stats use; records key; stream; scope):

- ``token``: ``POST /oauth/token`` (Basic client_id:client_secret, form
  ``grant_type=account_credentials&account_id=...``).
- ``activities``: ``GET /v2/report/activities``; ``activity_logs``;
  ``report:read:user_activities:admin``. ``from``/``to`` default to a month ending today.
- ``operationlogs``: ``GET /v2/report/operationlogs``; ``operation_logs``;
  ``report:read:operation_logs:admin``. ``from``/``to`` required; ``category_type`` one of
  the lowercase filter values, matched against the display label.
- ``meeting_activities``: ``GET /v2/report/meeting_activities``; ``meeting_activity_logs``;
  ``report:read:meeting_activity_log:admin``. ``from``/``to`` and ``activity_type`` (one of
  MEETING_ACTIVITY_TYPES; "All Activities" = no filter) required, else 400 code 300;
  optional ``meeting_number`` (compared without spaces) and ``search_key`` (a
  case-insensitive substring of ``operator`` or ``operator_email``: Zoom's matching is
  unknown). The envelope has only ``page_size``, ``next_page_token`` and the records.
  Entries: ``meeting_number`` ("982 610 0285"), ``activity_time`` ("2026-03-21
  07:09:03:216", UTC, milliseconds after a colon; bursts share a second and sometimes a
  millisecond), ``operator`` (a display name), ``operator_email``, ``activity_category``,
  ``activity_detail``; any field but ``activity_time`` may be missing.
- ``phone_operationlogs``: ``GET /v2/phone/reports/operationlogs``; ``operation_logs``
  (stream ``phone_operation_logs``); ``phone:read:operation_logs:admin``. Without ``from``
  and ``to`` it serves the last 24 hours up to ``now`` (the envelope then echoes the two
  dates those hours touch); with one of them only, the other defaults as on activities.
  ``category_type`` is free text, default ``all``, matched case-insensitively against the
  entries' ``category_type``. The envelope adds ``total_records`` (entries in the window
  after the filter). It has its own per-second limiter; daily-limit faults aimed at
  ``phone_operationlogs`` leave the other endpoints alone.

- ``contact_center_operation_logs``: ``GET /v2/contact_center/reports/operation_logs``;
  ``operation_logs`` (stream ``contact_center_operation_logs``);
  ``contact_center:read:operation_logs:admin`` (classic
  ``contact_center_operation_logs:read:admin``). ``from``/``to`` optional (a month ending
  today), filters ``category`` (case-insensitive) or ``action``; ``keyword``,
  ``agent_region_*`` and ``team_*`` are accepted and unused. The envelope has
  ``page_size``, ``next_page_token``, ``total_records`` and the records (no from/to).
  Entries: ``time``, ``operator``, ``category`` (about 40 labels), ``object_name``,
  ``operation_log_id`` (32 hex digits: the format is a guess), ``action``,
  ``operation_detail``, ``agent_region_id``/``_name``, ``team_id``/``_name``; any but
  ``time`` may be missing, the id included. Its own per-second limiter and daily quota.

- ``remote_support``: ``GET /v2/report/remote_support``; ``remote_support_logs``;
  ``report:read:remote_support:admin`` (the emulator's guess: Zoom publishes no granular
  scope for it). ``from``/``to`` required; the envelope has ``page_size``,
  ``next_page_token`` and the records. Entries as its definition lists them: times ISO,
  ``meeting_number`` an integer, ``wait_time``/``duration`` ``hh:mm:ss``; the days cut by
  ``start_time``, which is never missing (any other field may be).
- ``videosdk_operationlogs``: ``GET /v2/videosdk/report/operationlogs``; ``operation_logs``
  (stream ``videosdk_operation_logs``); no scope: a Video SDK account's JWT (HS256, signed
  with ``videosdk_api_secret``, ``iss`` ``videosdk_api_key``, ``exp`` by this Zoom's
  clock), refused as 401 code 124 "Invalid access token." (a bad signature, key or form)
  or "Access token is expired."; an OAuth token is refused the same way. Otherwise the
  operation logs' rules; its own per-second limiter and daily quota (``videosdk``).
- ``chat_channel_activities``: ``GET /v2/chat/activities/channels``;
  ``channel_activity_logs`` (stream ``chat_channel_activity_logs``);
  ``team_chat:read:list_channel_activity_logs:admin`` (classic ``chat_channel:read:admin``;
  neither is in DEFAULT_SCOPES: give it with ``scopes``). ``start_date``/``end_date``
  (required dates, at most 3 days, both ends included: else 400 code 300 "Channel activity
  log date not valid."), ``activity_type`` (``membership`` only), ``channel_id`` (a
  filter), ``page_size`` 1..15 (default 15). The envelope has ``page_size``,
  ``next_page_token`` and the records. Entries: ``channel_id``, ``activity_type``,
  ``activity_timestamp`` (epoch milliseconds, an integer; bursts share a second and
  sometimes a millisecond), ``operator`` {``display_name``, ``user_id``, ``member_id``},
  ``members`` {``member_status`` joined/left, ``member_list`` of users like the
  operator; an external user's ``user_id`` is ""}; any field but ``activity_timestamp``
  may be missing. Rate label Light: its own per-second limiter
  (``team_chat_rate_limit_per_second``), no daily quota.

The classic scope ``report:read:admin`` covers the four ``/report`` endpoints and
``phone:read:admin`` covers the phone one. Every report endpoint applies the one-month and
six-month rules to its ``from``/``to`` days (unconfirmed for the phone and meeting reports),
and ``page_size`` 1..300 (default 30).

Options (ZoomEmulator keywords; CLI flags in ``--help``):

- ``seed``, ``history_days``, ``now``: the data set. Each (stream, UTC day) draws from its
  own RNG, seeded by the day's age (days before ``now``), so the same seed gives the same
  entries whatever the date, the other streams or the options; only today's cut at ``now``
  moves with the hour.
- ``entries_per_day``: an int for every stream, or a mapping stream -> int in which a
  stream not named gets DEFAULT_ENTRIES_PER_DAY (40; name a stream with 0 to silence it).
  A day holds 0.5x..1.5x that number. Days are drawn on first use: a 1,000,000-entry day
  takes seconds and about 0.5 KB of memory per entry.
- ``day_cut_utc_offset`` (hours, -12..+14, default 0): ``from``/``to`` select the entries
  whose time, shifted to UTC+offset, falls on those days (Zoom's day boundary is
  undocumented). ``truth()`` stays purely UTC.
- ``paging``: "offset" (default): a page token is an offset into the live newest-first list,
  so an entry arriving while a window is paged shifts it by one (the entry at the page
  boundary is served twice). "snapshot": a page token pins the window as its first page saw
  it, so arrivals do not shift pages (they show on the next read). Zoom's is unknown.
- ``order``: "newest" (default, as every sample of Zoom's), "oldest" or "shuffled" (the
  same shuffle for the same query while its entries stay the same): the order a window's
  entries are served in, for a client that must prove the order before relying on it.
- ``refuse_future_to`` (default False): a ``to`` after its today answers 400 code 300 "The
  to date cannot be later than today." (whether Zoom refuses one is unknown), judged by
  its day where it cuts days: its now shifted by ``day_cut_utc_offset``.
- ``clock_skew_seconds`` (default 0): this Zoom's clock is the machine's plus that much:
  the ``Date`` header of every answer (token and reports) says it, and with ``live_clock``
  it is its now. ``date_header`` (default True): False sends no ``Date`` (a proxy that
  drops it).
- ``live_clock`` (default False): its now runs with its clock (the machine's, which a
  test may move, plus the skew) instead of staying at ``now``; ``now`` is then the data's
  horizon (days are drawn up to it), and an entry is served only once its time has come.
- ``write_delay_hours`` (default 0): each entry is written, so served, its own delay after
  its time, drawn from the seed and the entry between 0 and that many hours (with
  ``live_clock`` or a fixed ``now`` alike). ``add_entry(..., written_at=...)`` gives one
  entry the moment it is written. truth() holds every entry, written or not.
- ``refuse_page_size`` (endpoint names, default none): those endpoints answer a
  ``page_size`` parameter with 400 code 300 ("not a parameter of this API") and serve
  their default 30 a page (Contact Center's published definition does not list it).
- ``meeting_audit_trail`` (default True): False is an account without the feature:
  meeting_activities answers 400 code 200 "Meeting audit trail is not enabled for this
  account." (that text is a guess; no public capture of it).
- ``max_page_size`` (default None): pages hold at most that many entries, whatever
  ``page_size`` asks (the envelope still echoes the ``page_size`` asked): a Zoom whose real
  page is smaller than asked (its definition gives /report/activities no maximum).
- ``rate_limit_per_second`` (the three /report endpoints together),
  ``phone_rate_limit_per_second`` (Zoom Phone's own) and
  ``contact_center_rate_limit_per_second`` (Contact Center's own): None = no limit.
- ``daily_quota`` (the three /report endpoints together), ``phone_daily_quota`` and
  ``contact_center_daily_quota``: None =
  unlimited; else each answer's ``X-RateLimit-Limit`` is the quota and
  ``X-RateLimit-Remaining`` what is left of it today (read as Zoom's daily figures; Zoom
  does not say which its headers carry), and once it is spent every request of that family
  gets the daily-limit 429.
- ``scopes`` the token carries (default DEFAULT_SCOPES, the five granular ones), ``latency``,
  ``token_ttl``, ``page_token_ttl``, credentials, ``ssl_context``, ``host``, ``port``.

Faults are queued with ``inject(kind, times=N, endpoint=..., after=K, **params)``: each
kind is one class of ``zoom_emulator.faults`` whose docstring says what it does and takes
(``FAULTS`` lists them by kind): 5xx answers, resets, cut-off, dripping, oversized or
deeply nested bodies, missing records keys, slow answers, per-second and daily 429s,
revoked tokens, expired, repeated, ignored or malformed page tokens, empty pages, missing
scopes and permissions, entries arriving while a window is paged (on top, or written into
a page just served), pages served oldest page first or a pair of them swapped, unreadable
times, lone surrogates, redirects, a careless server echoing the credentials, and quota
headers rewritten or added (on report answers and on the token answer) as a proxy may.

Choices where Zoom is unknown: the token endpoint takes the grant in the form body or in the
query string (Zoom's published collection shows the query string); the per-second limit
counts admitted requests only (a refused
request does not extend the wait); Retry-After values follow the real clock, not ``now``;
``from``/``to`` are required on operationlogs and meeting_activities, and default to a month
ending today on activities; the six-month rule and "today" are UTC whatever the day cut;
truth() compares whole seconds (an audit-trail entry at 07:09:03:216 is in the second
07:09:03), and leaves out entries whose time is not valid text (entries() keeps them).

Security incidents: ``zoom_emulator.incidents.plant_security_incidents(emu)`` plants, on
the day before ``now``, the entries each detection of transform/models/detections/ must fire
on and near misses it must not (Zoom's texts from Panther's public test cases); the
ordinary traffic fires none (one device a person, account settings in working hours).

Run it alone with ``python -m zoom_emulator --config-out config.json``; it prints
the tap config as one JSON line, and also serves ``GET /_emulator/stats`` (the counters as
JSON) and ``POST /_emulator/reset_stats``.
"""

from __future__ import annotations

from .cli import main
from .common import (
    ACTIVITY_SCOPE,
    CHAT_CHANNEL_ACTIVITY_SCOPE,
    CHAT_CHANNEL_CLASSIC_SCOPE,
    CLASSIC_SCOPE,
    CONTACT_CENTER_CLASSIC_SCOPE,
    CONTACT_CENTER_SCOPE,
    DEFAULT_ENTRIES_PER_DAY,
    DEFAULT_SCOPES,
    MEETING_ACTIVITY_SCOPE,
    OPERATION_SCOPE,
    PHONE_CLASSIC_SCOPE,
    PHONE_OPERATION_SCOPE,
    REPORT_ENDPOINTS,
    STREAMS,
)
from .emulator import ORDERS, PAGING_MODES, ZoomEmulator
from .endpoints import MEETING_ACTIVITY_TYPES
from .faults import FAULTS
from .stats import EmulatorStats, RequestRecord

__all__ = [
    "ACTIVITY_SCOPE",
    "CHAT_CHANNEL_ACTIVITY_SCOPE",
    "CHAT_CHANNEL_CLASSIC_SCOPE",
    "CLASSIC_SCOPE",
    "CONTACT_CENTER_CLASSIC_SCOPE",
    "CONTACT_CENTER_SCOPE",
    "DEFAULT_ENTRIES_PER_DAY",
    "DEFAULT_SCOPES",
    "FAULTS",
    "MEETING_ACTIVITY_SCOPE",
    "MEETING_ACTIVITY_TYPES",
    "OPERATION_SCOPE",
    "ORDERS",
    "PAGING_MODES",
    "PHONE_CLASSIC_SCOPE",
    "PHONE_OPERATION_SCOPE",
    "REPORT_ENDPOINTS",
    "STREAMS",
    "EmulatorStats",
    "RequestRecord",
    "ZoomEmulator",
    "main",
]
