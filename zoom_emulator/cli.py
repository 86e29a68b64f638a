"""``python -m zoom_emulator``: serve the emulator until SIGTERM/SIGINT.

It prints the tap's config as one JSON line on stdout once it listens (``--config-out``
writes it to a file too, ``--exports`` as ``export TAP_ZOOM_LOGS_...`` lines for a shell
and Meltano), and serves ``GET /_emulator/stats`` and ``POST /_emulator/reset_stats``
beside the emulated API.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import signal
import threading
from pathlib import Path
from typing import Any

from .common import DEFAULT_ENTRIES_PER_DAY, STREAMS
from .emulator import ORDERS, PAGING_MODES, ZoomEmulator

VOLUME_HELP = f"""entries per day: N for every stream, or STREAM=N for one stream (repeat the flag);
a stream not named gets the bare N if one is given, else {DEFAULT_ENTRIES_PER_DAY}. Streams:
{", ".join(STREAMS)}. E.g. --entries-per-day activity_logs=1000000 --entries-per-day 0"""


def _volume(text: str) -> tuple[str | None, int]:
    """One --entries-per-day value: "N" or "STREAM=N"."""
    stream, sep, number = text.rpartition("=")
    if sep and stream not in STREAMS:
        raise argparse.ArgumentTypeError(f"unknown stream {stream!r}; one of {', '.join(STREAMS)}")
    try:
        count = int(number)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of entries: {number!r}") from None
    if count < 0:
        raise argparse.ArgumentTypeError("entries per day cannot be negative")
    return (stream if sep else None), count


def volumes_of(values: list[tuple[str | None, int]] | None) -> int | dict[str, int]:
    """The repeated --entries-per-day values as ZoomEmulator's ``entries_per_day``."""
    if not values:
        return DEFAULT_ENTRIES_PER_DAY
    bare = [count for stream, count in values if stream is None]
    default = bare[-1] if bare else DEFAULT_ENTRIES_PER_DAY
    named = {stream: count for stream, count in values if stream is not None}
    if not named:
        return default
    return {stream: named.get(stream, default) for stream in STREAMS}


def exports_of(config: dict[str, Any]) -> str:
    """The tap's settings as shell lines, the environment variables Meltano and
    `--config ENV` read: one `export TAP_ZOOM_LOGS_<NAME>=<value>` a setting."""
    lines = [
        f"export TAP_ZOOM_LOGS_{key.upper()}={shlex.quote(str(value))}"
        for key, value in config.items()
    ]
    return "\n".join(lines) + "\n"


def write_private(path: str, text: str) -> None:
    """`text` into `path` (its folder made), readable by its owner alone, and whole: the
    file appears once written, so a script waiting for it never reads half (it holds the
    emulator's client secret)."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.partial")
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(text)
    partial.replace(target)


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m zoom_emulator",
        description="Serve an emulated Zoom report API on 127.0.0.1 until SIGTERM/SIGINT.",
    )
    parser.add_argument("--port", type=int, default=8765, help="0 picks a free port")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--history-days", type=int, default=40)
    parser.add_argument(
        "--entries-per-day", type=_volume, action="append", metavar="[STREAM=]N", help=VOLUME_HELP
    )
    parser.add_argument("--latency", type=float, default=0.0, help="seconds per report request")
    parser.add_argument(
        "--rate-limit", type=float, default=0.0, help="report requests per second; 0 = none"
    )
    parser.add_argument(
        "--phone-rate-limit",
        type=float,
        default=0.0,
        help="Zoom Phone report requests per second (a limit of its own); 0 = none",
    )
    parser.add_argument(
        "--contact-center-rate-limit",
        type=float,
        default=0.0,
        help="Zoom Contact Center report requests per second (a limit of its own); 0 = none",
    )
    parser.add_argument(
        "--team-chat-rate-limit",
        type=float,
        default=0.0,
        help="Team Chat channel activity requests per second (LIGHT, its own); 0 = none",
    )
    parser.add_argument(
        "--day-cut-utc-offset",
        type=float,
        default=0.0,
        metavar="HOURS",
        help="from/to select days cut at UTC+HOURS (-12..14; default 0 = UTC)",
    )
    parser.add_argument(
        "--paging",
        choices=PAGING_MODES,
        default="offset",
        help="page tokens as offsets into the live list (default), or into the list as the "
        "first page saw it (snapshot)",
    )
    parser.add_argument(
        "--order",
        choices=ORDERS,
        default="newest",
        help="the order a window's entries are served in (default newest first, as Zoom's)",
    )
    parser.add_argument(
        "--refuse-future-to",
        action="store_true",
        help="answer 400 code 300 to a 'to' after today where it cuts days",
    )
    parser.add_argument(
        "--clock-skew-seconds",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="this Zoom's clock (its Date header) is the machine's plus SECONDS",
    )
    parser.add_argument(
        "--live-clock",
        action="store_true",
        help="its now runs with its clock: entries are served once written",
    )
    parser.add_argument(
        "--write-delay-hours",
        type=float,
        default=0.0,
        metavar="HOURS",
        help="each entry is written up to HOURS after its time (its own delay, from the seed)",
    )
    parser.add_argument(
        "--no-date-header", action="store_true", help="answers carry no Date (a proxy drops it)"
    )
    parser.add_argument(
        "--no-meeting-audit-trail",
        action="store_true",
        help="the account lacks the meeting audit trail: meeting_activities answers 400",
    )
    parser.add_argument("--config-out", help="write the tap config JSON to this path")
    parser.add_argument(
        "--exports",
        metavar="PATH",
        help="write the tap config as `export TAP_ZOOM_LOGS_...=...` lines to this path "
        "(`. PATH` in a shell, then `meltano run` uses the emulator)",
    )
    parser.add_argument("--verbose", action="store_true", help="one line per request on stderr")
    args = parser.parse_args(argv)
    if not -12 <= args.day_cut_utc_offset <= 14:
        parser.error("--day-cut-utc-offset must be within -12..14")
    if args.write_delay_hours < 0:
        parser.error("--write-delay-hours cannot be negative")
    return args


def main(argv: list[str] | None = None) -> int:
    args = _parse_args(argv)
    emulator = ZoomEmulator(
        seed=args.seed,
        history_days=args.history_days,
        entries_per_day=volumes_of(args.entries_per_day),
        rate_limit_per_second=args.rate_limit or None,
        phone_rate_limit_per_second=args.phone_rate_limit or None,
        contact_center_rate_limit_per_second=args.contact_center_rate_limit or None,
        team_chat_rate_limit_per_second=args.team_chat_rate_limit or None,
        day_cut_utc_offset=args.day_cut_utc_offset,
        paging=args.paging,
        order=args.order,
        refuse_future_to=args.refuse_future_to,
        clock_skew_seconds=args.clock_skew_seconds,
        live_clock=args.live_clock,
        write_delay_hours=args.write_delay_hours,
        date_header=not args.no_date_header,
        meeting_audit_trail=not args.no_meeting_audit_trail,
        latency=args.latency,
        port=args.port,
        verbose=args.verbose,
    )
    stopping = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stopping.set())
    with emulator:
        config = emulator.tap_config()
        if args.config_out:
            write_private(args.config_out, json.dumps(config, indent=2))
        if args.exports:
            write_private(args.exports, exports_of(config))
        print(json.dumps(config), flush=True)  # one line: a parent process reads it
        while not stopping.wait(0.2):
            pass
    return 0
