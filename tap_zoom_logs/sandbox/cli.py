"""``python -m tap_zoom_logs.sandbox``: serve the emulator until SIGTERM/SIGINT."""

from __future__ import annotations

import argparse
import json
import signal
import threading

from .emulator import ZoomEmulator

# --------------------------------------------------------------------------- CLI


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m tap_zoom_logs.sandbox",
        description="Serve an emulated Zoom report API on 127.0.0.1 until SIGTERM/SIGINT.",
    )
    parser.add_argument("--port", type=int, default=8765, help="0 picks a free port")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--history-days", type=int, default=40)
    parser.add_argument("--entries-per-day", type=int, default=40)
    parser.add_argument("--latency", type=float, default=0.0, help="seconds per report request")
    parser.add_argument("--rate-limit", type=float, default=0.0, help="per second; 0 = none")
    parser.add_argument("--config-out", help="write the tap config JSON to this path")
    parser.add_argument("--verbose", action="store_true", help="one line per request on stderr")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = _parse_args(argv)
    emulator = ZoomEmulator(
        seed=args.seed,
        history_days=args.history_days,
        entries_per_day=args.entries_per_day,
        rate_limit_per_second=args.rate_limit or None,
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
            with open(args.config_out, "w", encoding="utf-8") as handle:
                json.dump(config, handle, indent=2)
        print(json.dumps(config), flush=True)  # one line: a parent process reads it
        while not stopping.wait(0.2):
            pass
    return 0
