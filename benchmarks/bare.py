"""The reference client of the CPU section: the simplest ``requests`` + ``json`` loop that
writes the same RECORD lines as the tap, day by day and page by page, one request at a time.

Usage: ``python -m benchmarks.bare CONFIG`` (a tap config, as the benchmark writes it):
RECORD lines on stdout, then ``{"entries": N, "pages": N}`` as the last line on stderr.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

import requests

from benchmarks.zoom_api import STREAMS, Endpoint, day_params, token


def write_page(out: TextIO, stream: str, page: dict[str, Any], fields: tuple[str, ...]) -> int:
    """Write the RECORD messages of one page's entries, as the tap writes them (their fields
    and their hash): how many. One loop, no call per entry: this is the reference's cost."""
    for entry in page[stream]:
        record = {name: entry.get(name) for name in fields}
        text = json.dumps(record, sort_keys=True)
        lw_id = hashlib.md5(text.encode()).hexdigest()
        message = {
            "type": "RECORD",
            "stream": stream,
            "record": {"lw_id": lw_id, **record},
            "time_extracted": dt.datetime.now(dt.timezone.utc).isoformat(),
        }
        out.write(json.dumps(message, ensure_ascii=False))
        out.write("\n")
    return len(page[stream])


def pages(
    session: requests.Session, url: str, params: dict[str, Any], headers: dict[str, str]
) -> Iterator[dict[str, Any]]:
    """Every page of one query, following next_page_token."""
    while True:
        page: dict[str, Any] = session.get(url, params=params, headers=headers, timeout=600).json()
        yield page
        if not page.get("next_page_token"):
            return
        params["next_page_token"] = page["next_page_token"]


def copy_stream(
    session: requests.Session,
    config: dict[str, Any],
    headers: dict[str, str],
    stream: str,
    out: TextIO,
) -> tuple[int, int]:
    """Write the RECORD lines of one stream, a day at a time: (entries, pages)."""
    endpoint: Endpoint = STREAMS[stream]
    url = config["api_url"] + endpoint.path
    day = dt.date.fromisoformat(config["start_date"][:10])
    last = dt.date.fromisoformat(config["end_date"][:10])
    entries = read = 0
    while day <= last:
        for page in pages(session, url, day_params(day.isoformat(), endpoint.extra), headers):
            read += 1
            entries += write_page(out, stream, page, endpoint.fields)
        day += dt.timedelta(days=1)
    return entries, read


def bare_loop(config_path: str, out: TextIO) -> tuple[int, int]:
    """Copy every stream of the config's range to `out`: (entries, pages)."""
    config = json.loads(Path(config_path).read_text())
    session = requests.Session()
    headers = {"Authorization": f"Bearer {token(session, config)}"}
    entries = read = 0
    for stream in STREAMS:
        copied, paged = copy_stream(session, config, headers, stream, out)
        entries, read = entries + copied, read + paged
    out.flush()
    return entries, read


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("config", help="a tap config: api_url, start_date, end_date, ...")
    args = parser.parse_args(argv)
    entries, read = bare_loop(args.config, sys.stdout)
    sys.stderr.write(json.dumps({"entries": entries, "pages": read}) + "\n")


if __name__ == "__main__":
    main()
