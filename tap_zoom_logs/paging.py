"""One window read to its end, or to its `lower` second: page after page with
next_page_token, into a spool.

Each part rests on an assumption about Zoom, and says what checks it:

The early stop rests on Zoom serving newest first (every sample; not promised). A read may
end below the window's `lower` second only once its pages show that order past that point:
every page so far newest first (within itself and after the page before), the page that
first reaches below `lower` followed by at least one more page, and two different seconds
seen from that page on (a page of one second, or a page of one entry, proves no order).
Pages served oldest first, or a pair of pages swapped, then fail the check before the read
ends: the window is read to its end, and the stream's first such window says so in a
warning (once a run). The boundary second is always read whole, for `lw_id`.

Page tokens may be offsets into the live list or snapshots (Zoom does not say). With
offsets, an entry Zoom writes above the read position while a window is paged (at the top,
or into a page already read) shifts the later pages by one: the last entries of a page come
again at the start of the next, and the written entry is not in this reading. A repeat at a
page boundary may also be two identical entries (separate events). So the page before the
repeat is asked again with its own token: served the same, nothing was added above the
boundary (or the token is a snapshot) and the repeat is identical entries, kept; served
shifted, entries were added and the token is an offset: an open window drops as many
repeated entries as were added (those added on top are the next run's news; one written
into a page already read is a late entry, which settling reads when its day closes), and
a closed window, which nothing reads later, is read again whole (what was written is a late
entry this reading missed). Where a read still cannot tell, it prefers what a later read
can complete over what it cannot undo: a copy kept once is completed when settling reads
the day whole, a second `lw_id` in a keyed target never is. So a page that cannot be asked
again leaves an open window's repeat kept once, and a closed window read again: a repeat
met again at the same boundary is identical entries (a shift does not recur there).

A page is dropped as served again (Zoom ignored the token) only when it proves it: the same
rows as an earlier page, spanning two seconds, which no later page of a sorted list can hold
(identical entries share their second).

Paging must end: a page token seen before in the window, or more pages than its entries
could fill, stops the stream rather than burn the account's daily quota.
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
#: Readings of a closed window while Zoom adds entries to it or refuses to serve a page
#: again: more, and the stream stops (the next run reads the window again).
MAX_READINGS = 3
#: Pages a window may take beyond what its entries fill (Zoom's pages are full but the
#: last): more, and Zoom's tokens are not leading anywhere.
SPARE_PAGES = 5
#: The page size Zoom's reports serve when a request does not say.
ZOOM_DEFAULT_PAGE_SIZE = 30

#: A repeat at a page boundary: the page before it (its number) and the repeated rows.
Repeat = tuple[int, tuple[Row, ...]]


@dataclass
class FetchedWindow:
    """A window paged to its end: its entries wait in `spool` until they are emitted."""

    window: Window
    spool: WindowSpool
    #: Requests the window took (every reading), but first pages read again (RunStats).
    pages: int
    #: The read ended at the window's `lower` second, before Zoom's last page.
    stopped_early: bool = False


class _ReadAgain(Exception):
    """This reading of a closed window cannot be trusted: read it again."""


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

    `is_open`: Zoom may still add entries to the window while it is paged. A refused page
    token (they expire after 15 minutes) means reading the window again from its first
    page: nothing of it has been emitted yet, so nothing is emitted twice; so does a closed
    window that changed while it was read.
    """
    refusals: list[str] = []  # of page tokens: each restarts the window
    window = _before_refused_days(api, window)
    readings: list[str] = []  # readings that could not be trusted, and why
    suspects: set[Repeat] = set()
    pages = 0
    while len(refusals) < MAX_WINDOW_RESTARTS:
        asked = report.page_size(page_size)
        sizing = {} if report.name in api.without_page_size else {"page_size": asked}
        query = {**window.query(report.date_params), **sizing, **report.params}
        reading = _Reading(
            api,
            report,
            window,
            query,
            WindowSpool(budget),
            is_open=is_open,
            suspects=suspects,
        )
        try:
            fetched = reading.run(wait_turn)
        except DatesRefused as exc:
            reading.spool.close()
            if reading.pages:
                raise
            if sizing and "page_size" in str(exc):
                _stop_sending_page_size(api, report, exc)
            else:
                window = _without_future_days(api, report, window, exc)
            continue
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
            continue
        except _ReadAgain as exc:
            reading.spool.close()
            readings.append(str(exc))
            if len(readings) >= MAX_READINGS:
                msg = (
                    f"{report.name} {window.label}: read {len(readings)} times, and each"
                    f" reading could not be trusted (the last: {readings[-1]}); the stream"
                    " stops here and the next run reads the window again"
                )
                raise ZoomAPIError(msg) from None
            api.logger.info("%s %s: %s; reading the window again", report.name, window.label, exc)
            continue
        except BaseException:
            reading.spool.close()
            raise
        finally:
            pages += reading.pages + reading.pages_again
        fetched.pages = pages
        return fetched
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
    """One reading of a window, from its first page to its last (or to `lower`)."""

    api: ZoomAPI
    report: Report
    window: Window
    query: dict[str, t.Any]
    spool: WindowSpool
    #: Zoom may still add entries to the window (else what it adds is a late entry).
    is_open: bool
    #: Repeats an earlier reading of the window could not tell (shared between readings).
    suspects: set[Repeat]
    pages: int = 0
    #: Pages after the first asked again to tell a repeat (first pages: RunStats).
    pages_again: int = 0
    entries: int = 0
    #: The most entries one page held: Zoom's real page size, which may be less than asked.
    largest_page: int = 0
    #: Pages that held no entry yet carried a page token.
    empty_pages: int = 0
    #: What each page held (a hash of its rows), to know a page Zoom serves again.
    page_hashes: set[int] = field(default_factory=set)
    tokens: dict[str, int] = field(default_factory=dict)
    #: The page token each page was asked with ("" for the first).
    asked_with: list[str] = field(default_factory=list)
    #: The last page that held entries, as Zoom served it, and its number.
    last_served: list[Row] = field(default_factory=list)
    last_served_page: int = 0
    #: Every page so far newest first, and the oldest second the last one held.
    newest_first: bool = True
    oldest: str = ""
    #: The seconds seen from the page that first reached below `lower` on (None before).
    below: set[str] | None = None
    #: Pages read after that page.
    pages_past: int = 0

    def run(self, wait_turn: Callable[[], None]) -> FetchedWindow:
        page_token = ""
        while True:
            wait_turn()
            query = {**self.query, "next_page_token": page_token} if page_token else self.query
            self.asked_with.append(page_token)
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
            served = rows
            if rows and self.last_served:
                rows = rows[self._repeated(rows) :]
            if served:
                self.last_served, self.last_served_page = served, self.pages
            self.spool.add(rows)
            if self._order_proven_past_lower(rows):
                return FetchedWindow(self.window, self.spool, self.pages, stopped_early=True)
            if not page_token:
                return FetchedWindow(self.window, self.spool, self.pages)
            self._check_paging_ends(page_token, total)

    # ------------------------------------------------------------------ the early stop

    def _order_proven_past_lower(self, rows: list[Row]) -> bool:
        """Whether the read may end after this page: every page so far newest first, one
        of them reached below the window's `lower` second, at least one page came after
        it, and the pages from it on hold two different seconds (a descent, not a burst
        of one second that any order would serve alike)."""
        lower = self.window.lower[:19]
        if not lower or not self.newest_first or not rows:
            return False
        seconds = [key[:19] for key, _ in rows]
        ordered = all(seconds) and all(a >= b for a, b in itertools.pairwise(seconds))
        if not ordered or (self.oldest and seconds[0] > self.oldest):
            self.newest_first = False
            self._not_newest_first()
            return False
        self.oldest = seconds[-1]
        if self.below is None:
            if seconds[-1] < lower:
                self.below = {seconds[0], seconds[-1]}
            return False
        self.below.update((seconds[0], seconds[-1]))
        self.pages_past += 1
        return len(self.below) > 1

    def _not_newest_first(self) -> None:
        """Say that this window is read to its end: a warning the first time in the run
        for the stream (what the early stop assumes failed), then a line of information."""
        log = self.api.logger.info
        if self.api.stats.served_out_of_order(self.report.name):
            log = self.api.logger.warning
        log(
            "%s %s: page %d is not newest first; reading the window to its end (the early"
            " stop assumes Zoom serves newest first; every window of the stream is checked"
            " the same way)",
            self.report.name,
            self.window.label,
            self.pages,
        )

    # ------------------------------------------------------------------ pages served again

    def _served_before(self, rows: list[Row]) -> bool:
        """Whether this page holds exactly what an earlier page of the window held, and so
        proves that Zoom ignored the page token and served that page again.

        Only a page spanning two seconds proves it: identical entries share their second,
        so in a sorted list no later page can hold the same rows as an earlier one that
        spans two; pages of one second that repeat may be repeated events, kept.
        """
        if len({key[:19] for key, _ in rows}) < 2:
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

    # ------------------------------------------------------------------ repeats at a boundary

    def _repeated(self, rows: list[Row]) -> int:
        """How many rows at the start of this page to drop as the shifted end of the last
        page served (see the module's docstring)."""
        repeated = _overlap(self.last_served, rows)
        if not repeated:
            return 0
        boundary = self.last_served_page
        suspect: Repeat = (boundary, tuple(rows[:repeated]))
        if suspect in self.suspects:
            return 0  # met at the same boundary in the reading before: identical entries
        try:
            again = self._page_again(boundary)
        except PageTokenInvalid as exc:
            if self.is_open:
                why = (
                    f"page {boundary} could not be asked again ({exc}); its day's settling"
                    " completes a pair, which stays once with settle_closed_days false"
                )
                self._kept_once(repeated, why)
                return repeated
            self.suspects.add(suspect)
            msg = f"a repeat after page {boundary} to tell, and its page token refused ({exc})"
            raise _ReadAgain(msg) from None
        shift = _shift(self.last_served, again)
        if not shift:
            return 0  # page `boundary` served the same: nothing added, identical entries
        if not self.is_open:
            msg = f"Zoom added {shift} entries above page {boundary + 1} while it was read"
            raise _ReadAgain(msg)
        dropped = min(repeated, shift)
        self._kept_once(dropped, "Zoom added entries above it and its page tokens are offsets")
        return dropped

    def _page_again(self, number: int) -> list[Row]:
        """Page `number` of this reading, asked again with the token it was asked with."""
        token = self.asked_with[number - 1]
        query = {**self.query, "next_page_token": token} if token else self.query
        page = self.api.get_page(self.report, query)
        # Counted once answered: a request refused (a daily limit) read nothing again.
        if token:
            self.pages_again += 1
        else:
            self.api.stats.read_first_page_again()
        return [self.report.row(entry) for entry in page[self.report.records_key]]

    def _kept_once(self, count: int, why: str) -> None:
        self.api.logger.info(
            "%s %s: %d entries came again at the top of page %d: kept once (%s)",
            self.report.name,
            self.window.label,
            count,
            self.pages,
            why,
        )

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


def _shift(served: list[Row], again: list[Row]) -> int:
    """How many entries were added above the end of a page since it was served: the fewest
    of its last rows that the page served again leaves out (with offset tokens a page moves
    down by one for each entry added above it or into it); 0 when it is served the same."""
    for shift in range(len(served) + 1):
        rest = iter(again)
        if all(row in rest for row in served[: len(served) - shift]):  # a subsequence
            return shift
    return len(served)
