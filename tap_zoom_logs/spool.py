"""Where a fetched window waits to be emitted: storage, nothing more.

A window's rows (records.py) are kept as lines, page by page, in a spool: memory while
small, then an unnamed temporary file (unlinked at once, so nothing is left on disk after
the run, an error or a SIGKILL). They are read back with each second's rows together, in
ascending time, which is what numbering identical entries needs (records.Occurrences).
Zoom serves newest first (every sample seen): the pages are then read back last page
first, each reversed, which gives ascending time at the cost of one page in memory. If
Zoom ever serves another order, the window is sorted on disk first (sorted runs, merged).
"""

from __future__ import annotations

import heapq
import os
import tempfile
import threading
import typing as t

from tap_zoom_logs.errors import TapZoomLogsError
from tap_zoom_logs.records import Row, from_line, to_line

if t.TYPE_CHECKING:
    from collections.abc import Iterator

    from tap_zoom_logs.run_stats import RunStats

#: A spool stays in memory up to this size, then moves to an unnamed temporary file.
SPOOL_MEMORY_BYTES = 64 * 1024
#: Spools in memory, all windows together, beyond which new ones go to disk at once.
MEMORY_BYTES = 16 * 1024 * 1024
#: Lines sorted in memory at a time when a window must be sorted (served out of order).
SORT_LINES = 50_000
_READ_BLOCK = 1 << 16
_SORTED_BATCH = 1000


class SpoolBudget:
    """What every spool of the run holds, in memory and on disk, for the fetch-ahead's
    bound; the peak on disk goes to the run's statistics."""

    def __init__(self, stats: RunStats, memory_bytes: int = MEMORY_BYTES) -> None:
        self._lock = threading.Lock()
        self._stats = stats
        self.memory_bytes = memory_bytes
        self.in_memory = 0
        self.on_disk = 0

    @property
    def held(self) -> int:
        return self.in_memory + self.on_disk

    def memory_full(self) -> bool:
        return self.in_memory > self.memory_bytes

    def change(self, *, memory: int = 0, disk: int = 0) -> None:
        with self._lock:
            self.in_memory += memory
            self.on_disk += disk
            on_disk = self.on_disk
        if disk > 0:
            self._stats.spooled_on_disk(on_disk)


class SpoolError(TapZoomLogsError):
    """A fetched window could not be kept on disk until it is emitted."""

    def __init__(self, error: OSError) -> None:
        super().__init__(
            f"a fetched window could not be written to the temporary folder"
            f" {tempfile.gettempdir()} ({error.strerror or error}): free some space there, or"
            " point TMPDIR at a folder with room (a window waits there until it is emitted)"
        )


class WindowSpool:
    """One window's entries, page by page, until they are emitted (then closed)."""

    def __init__(self, budget: SpoolBudget) -> None:
        self._budget = budget
        self._file = tempfile.SpooledTemporaryFile(max_size=SPOOL_MEMORY_BYTES)  # noqa: SIM115 - closed by close()
        self._on_disk = False
        self._pages: list[tuple[int, int]] = []  # (offset, length) of each page's lines
        self.size = 0
        self.entries = 0
        self._last_key: str | None = None
        self._descending = True
        self._ascending = True
        self._closed = False

    def add(self, rows: list[Row]) -> None:
        """One page's rows, in the order Zoom served them."""
        if not rows:
            return
        keys = [key for key, _ in rows]
        if self._last_key is not None:
            keys.insert(0, self._last_key)
        # Sorting keys already in order is a linear pass, in C.
        self._descending = self._descending and keys == sorted(keys, reverse=True)
        self._ascending = self._ascending and keys == sorted(keys)
        self._last_key = keys[-1]
        data = "\n".join(to_line(row) for row in rows).encode()
        try:
            if not self._on_disk and self._budget.memory_full():
                self._move_to_disk()
            self._file.write(data)
        except OSError as exc:  # the temporary folder is full (ENOSPC), or gone
            raise SpoolError(exc) from None
        self._pages.append((self.size, len(data)))
        self.size += len(data)
        self.entries += len(rows)
        if self._on_disk:
            self._budget.change(disk=len(data))
        elif self.size > SPOOL_MEMORY_BYTES:
            self._on_disk = True  # SpooledTemporaryFile has just rolled over to a file
            self._budget.change(memory=len(data) - self.size, disk=self.size)
        else:
            self._budget.change(memory=len(data))

    def _move_to_disk(self) -> None:
        self._file.rollover()
        self._on_disk = True
        self._budget.change(memory=-self.size, disk=self.size)

    def batches(self) -> Iterator[list[Row]]:
        """Every row, each second's rows together, in ascending key order, a page or so at
        a time."""
        if self._descending:
            for offset, length in reversed(self._pages):
                yield self._read(offset, length)[::-1]
        elif self._ascending:
            for offset, length in self._pages:
                yield self._read(offset, length)
        else:
            batch: list[Row] = []
            for row in self._sorted():
                batch.append(row)
                if len(batch) == _SORTED_BATCH:
                    yield batch
                    batch = []
            if batch:
                yield batch

    def _read(self, offset: int, length: int) -> list[Row]:
        return [from_line(line) for line in self._lines(offset, length)]

    def _sorted(self) -> Iterator[Row]:
        """The rows sorted by (key, row): in memory when few, else merged from sorted runs
        on disk (a run is at most SORT_LINES lines in memory at a time)."""
        if self.entries <= SORT_LINES:
            lines = [line for page in self._pages for line in self._lines(*page)]
            lines.sort()
            yield from (from_line(line) for line in lines)
            return
        with tempfile.TemporaryFile() as runs_file:
            runs: list[tuple[int, int]] = []
            chunk: list[str] = []
            try:
                for page in self._pages:
                    chunk.extend(self._lines(*page))
                    if len(chunk) >= SORT_LINES:
                        runs.append(_write_run(runs_file, chunk))
                        chunk = []
                if chunk:
                    runs.append(_write_run(runs_file, chunk))
                runs_file.flush()
            except OSError as exc:
                raise SpoolError(exc) from None
            written = runs[-1][0] + runs[-1][1]
            self._budget.change(disk=written)
            try:
                readers = [_run_lines(runs_file.fileno(), *run) for run in runs]
                yield from (from_line(line) for line in heapq.merge(*readers))
            finally:
                self._budget.change(disk=-written)

    def _lines(self, offset: int, length: int) -> list[str]:
        self._file.seek(offset)
        return self._file.read(length).decode().split("\n")

    def close(self) -> None:
        """Free what the spool holds (again is harmless: a stopping run may race here)."""
        if self._closed:
            return
        self._closed = True
        if self._on_disk:
            self._budget.change(disk=-self.size)
        else:
            self._budget.change(memory=-self.size)
        self.size = 0
        self._pages = []
        self._file.close()


def _write_run(file: t.IO[bytes], lines: list[str]) -> tuple[int, int]:
    lines.sort()
    data = ("\n".join(lines) + "\n").encode()
    offset = file.seek(0, os.SEEK_END)
    file.write(data)
    return offset, len(data)


def _run_lines(fd: int, offset: int, length: int) -> Iterator[str]:
    """The lines of one sorted run, read in blocks (each run keeps its own position)."""
    end, rest = offset + length, b""
    while offset < end:
        block = os.pread(fd, min(_READ_BLOCK, end - offset), offset)
        offset += len(block)
        *complete, rest = (rest + block).split(b"\n")
        for line in complete:
            yield line.decode()
    if rest:
        yield rest.decode()
