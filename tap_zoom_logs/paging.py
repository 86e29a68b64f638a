"""One window read to its end, or to its `lower` second: page after page with
next_page_token, into a spool.

Zoom serves newest first (every sample; not promised). Where every page so far bears that
out (within the page and against the page before), a page that reaches an entry older
than the window's `lower` second ends the read: what follows is older still, and every
entry of the boundary second has come (identical entries in one second are numbered, so a
second must be read whole for `lw_id` to stay the same). A page out of order, or an entry
without a time, and the window is read to its end as before.

Paging must end: a page token seen before in the window, or more pages than its entries
could fill, stops the stream rather than burn the account's daily quota.

While Zoom may still add entries to a window (today's), a page token that is an offset
into the newest-first list (Zoom does not say) shifts by one for each new entry: the last
entries of a page then come again at the start of the next, and would get a second
`lw_id`. So in such a window, when a page starts with the end of the page before, the
first page is asked for again: the entries that appeared at its top since it was first
read are the shifts that can explain the repeat, and that many repeated entries are
dropped. A repeat no new entry explains is two identical entries, and both are kept.
"""

from __future__ import annotations

import itertools
import math
import typing as t
from dataclasses import dataclass, field, replace

from tap_zoom_logs.api import ZoomAPI
from tap_zoom_logs.errors import DatesRefused, PageTokenInvalid, PagingNeverEnds, ZoomAPIError
from tap_zoom_logs.records import Row
from tap_zoom_logs.spool import SpoolBudget, WindowSpool

if t.TYPE_CHECKING:
    from collections.abc import Callable

    from tap_zoom_logs.reports import Report
    from tap_zoom_logs.windows import Window

#: An expired page token restarts the window; more restarts than this is not expiry.
MAX_WINDOW_RESTARTS = 3
#: Pages a window may take beyond what its entries fill (Zoom's pages are full but the
#: last): more, and Zoom's tokens are not leading anywhere.
SPARE_PAGES = 5
#: The page size Zoom's reports serve when a request does not say.
ZOOM_DEFAULT_PAGE_SIZE = 30


@dataclass
class FetchedWindow:
    """A window paged to its end: its entries wait in `spool` until they are emitted."""

    window: Window
    spool: WindowSpool
    pages: int
    #: The read ended at the window's `lower` second, before Zoom's last page.
    stopped_early: bool = False


def fetch_window(
    api: ZoomAPI,
    report: Report,
    window: Window,
    *,
    page_size: int,
    budget: SpoolBudget,
    is_open: bool,
    wait_turn: Callable[[], None],
) -> FetchedWindow:
    """Every entry of a window, into a spool.

    A refused page token (they expire after 15 minutes) means reading the window again
    from its first page: nothing of it has been emitted yet, so nothing is emitted twice.
    """
    refusals: list[str] = []  # of page tokens: each restarts the window
    window = _before_refused_days(api, window)
    while len(refusals) < MAX_WINDOW_RESTARTS:
        sizing = {} if report.name in api.without_page_size else {"page_size": page_size}
        query = {**window.query(), **sizing, **report.params}
        reading = _Reading(api, report, window, query, WindowSpool(budget), is_open=is_open)
        try:
            return reading.run(wait_turn)
        except DatesRefused as exc:
            reading.spool.close()
            if reading.pages:
                raise
            if sizing and "page_size" in str(exc):
                _stop_sending_page_size(api, report, exc)
            else:
                window = _without_future_days(api, report, window, exc)
        except PageTokenInvalid as exc:
            reading.spool.close()
            api.stats.retried("expired page token")
            refusals.append(str(exc))
            api.logger.warning(
                "%s %s: page token refused (%s); reading the window again from its start",
                report.name,
                window.label,
                exc,
            )
        except BaseException:
            reading.spool.close()
            raise
    msg = (
        f"{report.name} {window.label}: Zoom refused its page tokens"
        f" {MAX_WINDOW_RESTARTS} times in a row; the last: {refusals[-1]}"
    )
    raise ZoomAPIError(msg)


def _stop_sending_page_size(api: ZoomAPI, report: Report, refusal: DatesRefused) -> None:
    """Zoom refused the page_size parameter of this report (Contact Center's published
    definition does not list it): ask without it, at Zoom's default page size, from now on."""
    if report.name in api.without_page_size:
        return
    api.without_page_size.add(report.name)
    api.logger.warning(
        "%s: Zoom refused the page_size parameter (%s); asking without it, at Zoom's default"
        " of %d entries a page",
        report.name,
        refusal,
        ZOOM_DEFAULT_PAGE_SIZE,
    )


def _without_future_days(
    api: ZoomAPI, report: Report, window: Window, refusal: DatesRefused
) -> Window:
    """The window a day shorter, when Zoom refused its first page and its `to` may be after
    Zoom's today (judged by Zoom's day, cut anywhere from UTC-12 to UTC+14: after the
    earliest day its today can be, by its own clock); else the refusal stands. Zoom calling
    a day future means the day has not begun where it cuts days, so no entry is on it yet:
    nothing is lost. Each refusal takes one day more, down to that earliest day."""
    clock = api.clock
    earliest = clock.earliest_today()
    if window.last_day <= earliest or window.first_day >= window.last_day:
        raise refusal
    refused = window.last_day
    first_refusal = clock.refuse(refused)
    trimmed = replace(window, last_day=refused.subtract(days=1))
    if first_refusal:
        api.logger.warning(
            "%s %s: Zoom refused a 'to' of %s (%s); asking up to %s: Zoom's today is earlier"
            " (it cuts days west of UTC+14, or its clock is behind), and a day it calls future"
            " has not begun where it cuts days: nothing can be on it yet",
            report.name,
            window.label,
            refused.isoformat(),
            refusal,
            trimmed.last_day.isoformat(),
        )
    return trimmed


def _before_refused_days(api: ZoomAPI, window: Window) -> Window:
    """The window up to the day before the earliest `to` Zoom refused in this run as after
    its today (its day cannot have begun since the plans were made: see _without_future_days)."""
    refused = api.clock.refused_day
    if refused is None or window.last_day < refused or window.first_day >= refused:
        return window
    return replace(window, last_day=refused.subtract(days=1))


@dataclass
class _Reading:
    """One reading of a window, from its first page to its last."""

    api: ZoomAPI
    report: Report
    window: Window
    query: dict[str, t.Any]
    spool: WindowSpool
    is_open: bool
    pages: int = 0
    entries: int = 0
    dropped: int = 0
    #: The most entries one page held: Zoom's real page size, which may be less than asked.
    largest_page: int = 0
    #: Pages that held no entry yet carried a page token.
    empty_pages: int = 0
    #: What each page held (a hash of its rows), to know a page Zoom serves again.
    page_hashes: set[int] = field(default_factory=set)
    tokens: dict[str, int] = field(default_factory=dict)
    first_page: list[Row] = field(default_factory=list)
    last_page: list[Row] = field(default_factory=list)
    #: Every page so far newest first, and the oldest second the last one held.
    newest_first: bool = True
    oldest: str = ""

    def run(self, wait_turn: Callable[[], None]) -> FetchedWindow:
        page_token = ""
        while True:
            wait_turn()
            query = {**self.query, "next_page_token": page_token} if page_token else self.query
            page = self.api.get_page(self.report, query)
            self.pages += 1
            rows = [self.report.row(entry) for entry in page[self.report.records_key]]
            page_token = page.get("next_page_token") or ""
            if not isinstance(page_token, str):
                msg = (
                    f"{self.report.name} {self.window.label}: Zoom answered page {self.pages}"
                    f" with a next_page_token that is not text ({type(page_token).__name__})"
                )
                raise ZoomAPIError(msg)
            total = page.get("total_records")  # Zoom Phone's answers say how many there are
            del page  # a window waiting for its next slot holds no page it has read
            if self._served_before(rows):
                rows = []  # not again: counted as empty, so that endless repeats stop
            self.entries += len(rows)
            self.largest_page = max(self.largest_page, len(rows))
            self.empty_pages += not rows
            if self.is_open:  # only a window Zoom may still add to needs its pages again
                if self.pages == 1:
                    self.first_page = rows
                else:
                    rows = rows[self._shifted(rows) :]
                self.last_page = rows or self.last_page
            self.spool.add(rows)
            if self._reaches_below_lower(rows):
                return FetchedWindow(self.window, self.spool, self.pages, stopped_early=True)
            if not page_token:
                return FetchedWindow(self.window, self.spool, self.pages)
            self._check_paging_ends(page_token, total)

    def _reaches_below_lower(self, rows: list[Row]) -> bool:
        """Whether this page holds an entry older than the window's `lower` second, every
        page so far being newest first: the pages after it hold only older entries."""
        lower = self.window.lower[:19]
        if not lower or not self.newest_first or not rows:
            return False
        seconds = [key[:19] for key, _ in rows]
        ordered = all(seconds) and all(a >= b for a, b in itertools.pairwise(seconds))
        if not ordered or (self.oldest and seconds[0] > self.oldest):
            self.newest_first = False
            self.api.logger.info(
                "%s %s: page %d is not newest first; reading the window to its end",
                self.report.name,
                self.window.label,
                self.pages,
            )
            return False
        self.oldest = seconds[-1]
        return seconds[-1] < lower

    def _served_before(self, rows: list[Row]) -> bool:
        """Whether this page holds exactly what an earlier page of the window held: Zoom
        ignored the page token and served that page again (under a fresh token).

        Only a page of two or more different entries tells: a page of one entry, or of one
        entry repeated, may truly follow an identical one (identical entries are events).
        """
        if len(set(rows)) < 2:
            return False
        signature = hash(tuple(rows))
        if signature not in self.page_hashes:
            self.page_hashes.add(signature)
            return False
        self.api.logger.warning(
            "%s %s: page %d holds what an earlier page held (Zoom ignored the page token);"
            " not emitted again",
            self.report.name,
            self.window.label,
            self.pages,
        )
        return True

    def _shifted(self, rows: list[Row]) -> int:
        """How many rows at the start of this page are the shifted end of the last one."""
        repeated = _overlap(self.last_page, rows)
        if not repeated:
            return 0
        self.api.stats.read_first_page_again()
        first_again = self.api.get_page(self.report, self.query)[self.report.records_key]
        top = [self.report.row(entry) for entry in first_again]
        shifts = min(repeated, max(0, _arrivals(self.first_page, top) - self.dropped))
        self.dropped += shifts
        if shifts:
            self.api.logger.info(
                "%s %s: %d entries came again at the top of page %d as Zoom added entries"
                " (its page tokens are offsets): kept once",
                self.report.name,
                self.window.label,
                shifts,
                self.pages,
            )
        return shifts

    def _check_paging_ends(self, page_token: str, total: t.Any) -> None:
        where = f"{self.report.name} {self.window.label}"
        if page_token in self.tokens:
            msg = (
                f"{where}: Zoom answered page {self.pages} with the next_page_token it had"
                f" given on page {self.tokens[page_token]}: its paging would never end"
            )
            raise PagingNeverEnds(msg)
        self.tokens[page_token] = self.pages
        # Pages as Zoom really fills them (30 when 300 were asked is plausible: Zoom gives
        # /report/activities no maximum), and a total_records no page bears out is no reason
        # to go on: empty pages count as such whatever the total says.
        page_size = self.largest_page or int(self.query.get("page_size", ZOOM_DEFAULT_PAGE_SIZE))
        most = max(self.entries, total if type(total) is int else 0)
        if self.pages >= math.ceil(most / page_size) + SPARE_PAGES or (
            self.empty_pages > SPARE_PAGES
        ):
            msg = (
                f"{where}: Zoom is still handing out page tokens after {self.pages} pages"
                f" that held {self.entries} entries ({self.empty_pages} pages empty, at most"
                f" {self.largest_page} a page): its paging would never end"
            )
            raise PagingNeverEnds(msg)


def _overlap(last_page: list[Row], rows: list[Row]) -> int:
    """How many rows at the start of `rows` repeat the last rows of `last_page`."""
    if not rows:
        return 0
    for k in range(min(len(last_page), len(rows)), 0, -1):
        if last_page[-k] == rows[0] and last_page[-k:] == rows[:k]:
            return k
    return 0


def _arrivals(first_page: list[Row], top: list[Row]) -> int:
    """How many entries were added above the window's first page since it was read: the
    shift at which the first page, read again, continues what it was."""
    for shift in range(len(top)):
        if top[shift:] == first_page[: len(top) - shift]:
            return shift
    return len(top)  # a page or more: every repeat can be a shift
