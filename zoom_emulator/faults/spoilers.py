"""Faults that spoil or reshape an answer once it is computed: cut-off, dripping,
oversized or deeply nested bodies, a missing records key, odd times, page tokens and
surrogates, entries arriving, and paging that does not lead where it should."""

from __future__ import annotations

import json
import threading
from typing import TYPE_CHECKING, Any

from zoom_emulator.dataset import page_of
from zoom_emulator.timeforms import TEXT_FIELDS, TIME_FIELDS

from .base import Fault

if TYPE_CHECKING:
    from zoom_emulator.replies import Reply
    from zoom_emulator.responder import Exchange, Page


class Truncated(Fault):
    """The normal answer with its full Content-Length, its body cut half-way."""

    kind = "truncated"

    def after(self, reply: Reply, exchange: Exchange) -> Reply:
        reply.truncate = True
        return reply


class Drip(Fault):
    """The normal answer's body a byte at a time, ``bytes_per_second`` (default 2): every
    socket read gets something, and the whole answer takes for ever."""

    kind = "drip"

    def after(self, reply: Reply, exchange: Exchange) -> Reply:
        reply.drip = float(self.params.get("bytes_per_second", 2))
        return reply


class Oversized(Fault):
    """The normal answer with a ``padding`` field of ``megabytes`` (default 20)."""

    kind = "oversized"

    def after(self, reply: Reply, exchange: Exchange) -> Reply:
        if reply.ok:
            megabytes = float(self.params.get("megabytes", 20))
            reply.payload["padding"] = "x" * int(megabytes * 1024 * 1024)
        return reply


class MissingKey(Fault):
    """200 without the records key (``next_page_token`` kept as it would be); on the token
    endpoint, without ``access_token``."""

    kind = "missing_key"

    def after(self, reply: Reply, exchange: Exchange) -> Reply:
        if reply.ok:
            endpoint = exchange.endpoint
            reply.payload.pop(endpoint.key if endpoint else "access_token", None)
        return reply


class Nested(Fault):
    """The normal answer with a field nested ``depth`` deep (default 100,000: too deep for
    any Python's JSON reader; from 3.12 on their limit is the C stack's, and 3.13 reads
    5,000 levels)."""

    kind = "nested"

    def after(self, reply: Reply, exchange: Exchange) -> Reply:
        if reply.ok:
            # Written by hand: json.dumps itself cannot go this deep.
            depth = int(self.params.get("depth", 100_000))
            text = reply.encoded()
            reply.body = text[:-1] + b',"nested":' + b"[" * depth + b"]" * depth + b"}"
            reply.payload = None
        return reply


class BadTime(Fault):
    """In this answer only, entry ``index`` (default 0) of the page gets ``value`` (default
    "") as its time field (``time``, or ``activity_time``; ``value=None`` removes the
    field), e.g. "2026-03-21 7:9". The stored entry (and truth()) is unchanged."""

    kind = "bad_time"
    report_only = True

    def after(self, reply: Reply, exchange: Exchange) -> Reply:
        endpoint = exchange.endpoint
        if not reply.ok or endpoint is None:
            return reply
        rows = reply.payload.get(endpoint.key) or []
        index = int(self.params.get("index", 0))
        if -len(rows) <= index < len(rows):
            spoiled, field_name = dict(rows[index]), TIME_FIELDS[endpoint.stream]
            spoiled[field_name] = self.params.get("value", "")
            if spoiled[field_name] is None:
                del spoiled[field_name]
            rows[index] = spoiled
        return reply


class BadPageToken(Fault):
    """The answer's next_page_token is ``value`` (default ``{"offset": 300}``): a JSON
    object, a list or a number."""

    kind = "bad_page_token"
    report_only = True

    def after(self, reply: Reply, exchange: Exchange) -> Reply:
        if reply.ok:
            reply.payload["next_page_token"] = self.params.get("value", {"offset": 300})
        return reply


class LoneSurrogate(Fault):
    """The page's first entry gets a lone UTF-16 surrogate (``\\ud83d``, half an emoji)
    appended to ``field`` (default a free-text field of the stream), written as JSON's
    escape (it has no UTF-8 form)."""

    kind = "lone_surrogate"
    report_only = True

    def after(self, reply: Reply, exchange: Exchange) -> Reply:
        endpoint = exchange.endpoint
        if not reply.ok or endpoint is None:
            return reply
        rows = reply.payload.get(endpoint.key) or []
        if rows:
            name = str(self.params.get("field", TEXT_FIELDS[endpoint.stream]))
            rows[0] = {**rows[0], name: f"{rows[0].get(name) or ''}\ud83d"}
        reply.body = json.dumps(reply.payload, separators=(",", ":")).encode()
        reply.payload = None
        return reply


class Arrive(Fault):
    """Once the request is answered, one new entry (``entry``: a dict, default a drawn one)
    joins the queried stream at the emulator's ``now`` (unless ``entry`` has its own time),
    after every entry of that time: the newest of all. With offset paging, a window that
    holds ``now`` then serves its page-boundary entry twice."""

    kind = "arrive"
    report_only = True

    def after(self, reply: Reply, exchange: Exchange) -> Reply:
        if exchange.endpoint is not None:
            exchange.data.arrive(exchange.endpoint.stream, self.params.get("entry"))
        return reply


# --------------------------------------------------------------------------- odd paging


class EmptyPages(Fault):
    """A 200 with no entries and a fresh next_page_token (to the same place), for as long
    as the fault lasts; ``total_records``: what Zoom Phone's envelope then claims."""

    kind = "empty_pages"
    report_only = True

    def shape(self, page: Page, exchange: Exchange) -> None:
        page.rows, page.next_token = [], page.token_to(page.offset)
        page.total = int(self.params.get("total_records", page.total))


class IgnorePageToken(Fault):
    """Only requests with a next_page_token: the window's first page again, with a fresh
    token after it, as if the token were ignored; with a large ``times`` paging never ends,
    with ``times=1`` page 1 comes twice."""

    kind = "ignore_page_token"
    report_only = True
    page_token_only = True

    def shape(self, page: Page, exchange: Exchange) -> None:
        page.rows, more, page.total = page_of(page.window, 0, page.served)
        page.next_token = page.token_to(len(page.rows)) if more else ""


class RepeatPageToken(Fault):
    """The answer carries the very next_page_token the request gave (on a first page: one
    fixed token per query, which leads back to the first page), so with a large ``times``
    paging never ends; ``entries`` "normal" or "empty" (the page's rows)."""

    kind = "repeat_page_token"
    report_only = True
    ENTRIES = ("normal", "empty")

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self._first_tokens: dict[Any, str] = {}
        self._lock = threading.Lock()

    @classmethod
    def check(cls, params: dict[str, Any]) -> None:
        if params.get("entries", "normal") not in cls.ENTRIES:
            raise ValueError(f"repeat_page_token entries must be one of {cls.ENTRIES}")

    def shape(self, page: Page, exchange: Exchange) -> None:
        if self.params.get("entries", "normal") == "empty":
            page.rows = []
        page.next_token = page.given or self._first_token(page)

    def _first_token(self, page: Page) -> str:
        with self._lock:
            if page.query not in self._first_tokens:
                self._first_tokens[page.query] = page.token_to(0)
            return self._first_tokens[page.query]
