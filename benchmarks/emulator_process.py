"""``python -m zoom_emulator`` in its own process, so that its CPU shares no GIL with what is
measured, and what the benchmark asks of it: its config, its stats, a warm-up."""

from __future__ import annotations

import concurrent.futures
import datetime as dt
import json
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from types import TracebackType
from typing import Any

import requests

from benchmarks.expected import Expected
from benchmarks.zoom_api import STREAMS, day_params, token


def emulator_command(
    *, seed: int, days: int, per_day: dict[str, int], latency: float, limit: float
) -> list[str]:
    """The emulator's command line: on a free port, `days` of history, `per_day` entries a
    day per stream, `latency` s per page and at most `limit` requests/s (0: no limit)."""
    volumes = [f"--entries-per-day={stream}={n}" for stream, n in per_day.items()]
    return [
        sys.executable,
        "-m",
        "zoom_emulator",
        "--port=0",
        f"--seed={seed}",
        f"--history-days={days}",
        *volumes,
        f"--latency={latency}",
        f"--rate-limit={limit}",
    ]


class Emulator:
    """The emulator's process (stopped on leaving a ``with`` block, or by `stop`), the tap
    config it printed, and a local copy of its data (`expected`)."""

    def __init__(
        self, *, seed: int, days: int, per_day: dict[str, int], latency: float, limit: float
    ) -> None:
        command = emulator_command(
            seed=seed, days=days, per_day=per_day, latency=latency, limit=limit
        )
        self.latency, self.limit = latency, limit
        self.proc = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
        )
        line = self.proc.stdout.readline() if self.proc.stdout else ""
        if not line:
            self.stop()
            raise SystemExit("the emulator did not start (run it alone to see why)")
        self.config: dict[str, Any] = json.loads(line)
        self.base = self.config["api_url"].rsplit("/v2", 1)[0]
        self.expected = Expected.of(self.config, seed=seed, days=days, per_day=per_day)

    def __enter__(self) -> Emulator:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def first_day(self) -> dt.date:
        return self.expected.first_day

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def stats(self) -> dict[str, Any]:
        """Requests, pages, statuses and peak concurrency since the last reset."""
        with urllib.request.urlopen(f"{self.base}/_emulator/stats", timeout=30) as answer:
            stats: dict[str, Any] = json.load(answer)
        return stats

    def reset_stats(self) -> None:
        request = urllib.request.Request(f"{self.base}/_emulator/reset_stats", method="POST")
        with urllib.request.urlopen(request, timeout=30):
            pass

    def prepare(self, threads: int) -> None:
        """Warm the emulator (its process) while this process counts the data (its own core)."""
        warming = threading.Thread(target=self.warm, args=(threads,))
        warming.start()
        self.expected.counts()
        warming.join()

    def warm(self, threads: int) -> None:
        """Ask once for the first page of every (stream, day): the emulator generates its data
        lazily, and that must not be charged to the first measured run."""
        bearer = token(requests.Session(), self.config)
        jobs = [(stream, day) for stream in STREAMS for day in self.expected.days()]
        with concurrent.futures.ThreadPoolExecutor(threads) as pool:
            list(pool.map(lambda job: self._first_page(bearer, *job), jobs))
        time.sleep(1.1 if self.limit else 0)  # let the emulator's per-second window empty

    def _first_page(self, bearer: str, stream: str, day: dt.date) -> None:
        endpoint = STREAMS[stream]
        params = day_params(day.isoformat(), endpoint.extra)
        headers = {"Authorization": f"Bearer {bearer}"}
        url = self.config["api_url"] + endpoint.path
        for _ in range(20):
            answer = requests.get(url, params=params, headers=headers, timeout=600)
            if answer.ok:
                return
            time.sleep(0.5)  # a 429 from the per-second limit: try later
