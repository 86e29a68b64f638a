"""Faults that serve a window's pages in another order than newest first, and that write
an entry into a page just served: what a client must survive before it relies on Zoom's
newest-first order to end a read early, or on its page tokens to leave read pages alone.

The order faults last until ``clear_faults()`` (a Zoom that serves this way does so on
every request): they reorder whole pages of ``page_size`` entries, each page newest first,
and their page tokens still lead from one page to the next.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from zoom_emulator.dataset import page_of
from zoom_emulator.timeforms import TIME_FIELDS

from .base import Fault

if TYPE_CHECKING:
    from zoom_emulator.replies import Reply
    from zoom_emulator.responder import Exchange, Page


class _PageOrder(Fault):
    """Serves, at each page's place, the page `chosen` names (0-based), newest first."""

    report_only = True
    default_times: ClassVar[int | None] = None

    def chosen(self, place: int, pages: int) -> int:
        raise NotImplementedError

    def shape(self, page: Page, exchange: Exchange) -> None:
        size = page.served
        pages = -(-page.total // size)  # whole pages, the last maybe partial
        place = page.offset // size
        page.rows = page_of(page.window, self.chosen(place, pages) * size, size)[0]
        more = page.offset + size < page.total
        page.next_token = page.token_to(page.offset + size) if more else ""


class OldestPageFirst(_PageOrder):
    """The window's pages in reverse: its oldest page first, each page newest first."""

    kind = "oldest_page_first"

    def chosen(self, place: int, pages: int) -> int:
        return pages - 1 - place


class SwapPages(_PageOrder):
    """Newest first, except that page ``page`` (1-based, at least 2; default 2) is served
    before the page that should precede it: pages ``page - 1`` and ``page`` swap places."""

    kind = "swap_pages"

    @classmethod
    def check(cls, params: dict[str, Any]) -> None:
        if int(params.get("page", 2)) < 2:
            raise ValueError("swap_pages page must be at least 2 (it swaps with the one before)")

    def chosen(self, place: int, pages: int) -> int:
        later = int(self.params.get("page", 2)) - 1  # 0-based
        return {later - 1: later, later: later - 1}.get(place, place)


class WriteIntoPage(Fault):
    """Once the request is answered, one entry (``entry``: a dict, default a drawn one)
    is written at the time of the answered page's row ``index`` (default the middle one):
    a late entry landing in a page the client has already read. With offset paging, every
    later page then shifts by one (the entry at the next page boundary is served twice);
    with snapshot paging, the reading does not see it. An empty page writes nothing."""

    kind = "write_into_page"
    report_only = True

    def after(self, reply: Reply, exchange: Exchange) -> Reply:
        endpoint = exchange.endpoint
        if not reply.ok or endpoint is None:
            return reply
        rows = reply.payload.get(endpoint.key) or []
        if rows:
            index = int(self.params.get("index", len(rows) // 2))
            at = rows[index][TIME_FIELDS[endpoint.stream]]
            exchange.data.arrive(endpoint.stream, self.params.get("entry"), at=at)
        return reply
