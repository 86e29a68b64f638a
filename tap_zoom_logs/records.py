"""The record, in one place: an entry of Zoom's as the tap keeps it, reads it back, numbers
it and names it (`lw_id`).

An entry is kept as a `Row`, `(key, row)`: `key` is its time as a sortable UTC string (""
when it has none), `row` its fields in schema order as JSON text, which is what `lw_id`
hashes (keep it byte for byte: a changed byte is a new id for every entry). A spool stores
a row as one line, `key<TAB>row`.

Entries identical in every field are separate events: `lw_id` tells them apart by their
occurrence number among identical entries of the window. Identical entries share their
second, so counting them needs only the entries of one second at a time, in any order, as
long as each second's entries come together.
"""

from __future__ import annotations

import hashlib
import json
import typing as t

import msgspec

if t.TYPE_CHECKING:
    from collections.abc import Callable, Container, Mapping, Sequence

#: One entry as the tap keeps it: (key, row).
Row = tuple[str, str]

#: json.dumps(values, ensure_ascii=False), without building an encoder per call: the same
#: text (the one lw_id hashes), in half the time.
_ROW_JSON = json.JSONEncoder(ensure_ascii=False).encode

#: A batch of rows whose values are all strings or nulls: decoded and checked in C.
_STRING_ROWS = msgspec.json.Decoder(list[list[str | None]])


def encode(
    entry: Mapping[str, t.Any],
    fields: Sequence[str],
    time_field: str,
    time_key: Callable[[t.Any], str],
) -> Row:
    """The row of one entry: its time as a sortable UTC string, its fields as JSON text."""
    values = [entry.get(name) for name in fields]
    return time_key(entry.get(time_field)), _ROW_JSON(values)


def to_line(row: Row) -> str:
    """A row as a spool stores it (a key never holds a tab, and JSON text no raw newline)."""
    return f"{row[0]}\t{row[1]}"


def from_line(line: str) -> Row:
    key, _, row = line.partition("\t")
    return key, row


def decode(
    rows: Sequence[Row], odd: Callable[[t.Any], str], typed: Container[int] = ()
) -> list[list[t.Any]]:
    """The rows' values: strings and nulls, as Zoom promises (one C call a batch); a value
    of another type is replaced by what `odd` makes of it, but in the `typed` columns (the
    fields the schema types otherwise: objects, integers), which keep what Zoom sent."""
    text = ("[" + ",".join(row for _, row in rows) + "]").encode()
    try:
        return _STRING_ROWS.decode(text)
    except msgspec.ValidationError:
        decoded: list[list[t.Any]] = msgspec.json.decode(text)
    return [
        [v if v is None or type(v) is str or i in typed else odd(v) for i, v in enumerate(row)]
        for row in decoded
    ]


def lw_id(stream_name: str, row: str, occurrence: int) -> str:
    """The entry's identifier: Zoom gives none, so a hash of what the entry is.

    `occurrence` tells apart entries identical in every field: they are separate events.
    """
    text = f"{stream_name}\n{row}\n{occurrence}".encode()
    return hashlib.blake2b(text, digest_size=16).hexdigest()


class Occurrences:
    """Counts identical rows, for rows whose equal keys come together."""

    def __init__(self) -> None:
        self._key: str | None = None
        self._seen: dict[str, int] = {}

    def __call__(self, key: str, row: str) -> int:
        """How many rows identical to this one came before it."""
        if key != self._key:
            self._key = key
            self._seen.clear()
        occurrence = self._seen.get(row, 0)
        self._seen[row] = occurrence + 1
        return occurrence
