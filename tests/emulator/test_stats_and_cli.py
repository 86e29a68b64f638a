"""The emulator as a server and a command: the config it hands the tap, its statistics
(in process and at /_emulator/stats, and their reset), tracking ids, peak concurrency,
stop closing the port, and the `python -m zoom_emulator` command line (its options,
volumes, the settings as shell exports, SIGTERM). (Named so, not test_cli:
tests/test_cli.py is the tap's, and test folders are not packages, so module names must
differ.)"""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests

from tests.support.emulator import (
    ALL,
    NOW,
    PATHS,
    ROOT,
    SEED,
    TODAY,
    WINDOW,
    fetch_token,
    report,
)
from zoom_emulator import STREAMS, EmulatorStats, RequestRecord, ZoomEmulator
from zoom_emulator.cli import exports_of, volumes_of

# --------------------------------------------------------------------------- config


def test_tap_config(shared: ZoomEmulator) -> None:
    config = shared.tap_config(start_date="2026-03-01T00:00:00Z", extra=1)
    assert config["api_url"] == shared.api_url
    assert config["oauth_url"] == shared.oauth_url
    assert config["end_date"] == "2026-03-30T15:30:00Z"
    assert config["start_date"] == "2026-03-01T00:00:00Z"
    assert config["extra"] == 1
    assert {"account_id", "client_id", "client_secret"} <= config.keys()


# --------------------------------------------------------------------------- stats


def test_stats_count_requests_statuses_and_tokens(emu: ZoomEmulator) -> None:
    token = fetch_token(emu)
    report(emu, "activities", token, **WINDOW)
    report(emu, "operationlogs", token, **WINDOW)
    report(emu, "operationlogs", "bad-token", **WINDOW)
    stats: EmulatorStats = emu.stats
    assert stats.requests == {"token": 1, "activities": 1, "operationlogs": 2}
    assert stats.statuses[("operationlogs", 401)] == 1
    assert stats.pages("operationlogs") == 1
    assert stats.tokens_issued == [token]
    assert stats.in_flight == 0
    assert all(isinstance(r, RequestRecord) for r in stats.log)
    assert stats.log[-1].params == WINDOW
    assert stats.log[-1].status == 401
    ids = {r.tracking_id for r in stats.log}
    assert len(ids) == len(stats.log)
    remote = requests.get(f"{emu.api_url.removesuffix('/v2')}/_emulator/stats", timeout=5).json()
    assert remote["requests"] == {"token": 1, "activities": 1, "operationlogs": 2}
    assert remote["statuses"]["operationlogs:401"] == 1
    assert remote["tokens_issued"] == 1
    emu.reset_stats()
    assert emu.stats.requests == {}
    assert emu.stats.log == []


def test_stats_cover_the_new_endpoints(busy_emu: ZoomEmulator) -> None:
    token = fetch_token(busy_emu)
    report(busy_emu, "meeting_activities", token, **TODAY, **ALL)
    report(busy_emu, "meeting_activities", token, **TODAY)  # no activity_type: 400
    report(busy_emu, "phone_operationlogs", token)
    assert busy_emu.stats.requests == {
        "token": 1,
        "meeting_activities": 2,
        "phone_operationlogs": 1,
    }
    assert busy_emu.stats.pages("meeting_activities") == 1
    assert busy_emu.stats.statuses[("meeting_activities", 400)] == 1
    assert busy_emu.stats.pages("phone_operationlogs") == 1
    remote = requests.get(busy_emu.base_url + "/_emulator/stats", timeout=5).json()
    assert remote["pages"] == {
        "activities": 0,
        "operationlogs": 0,
        "meeting_activities": 1,
        "phone_operationlogs": 1,
        "contact_center_operation_logs": 0,
        "remote_support": 0,
        "videosdk_operationlogs": 0,
        "chat_channel_activities": 0,
    }
    assert remote["statuses"]["meeting_activities:400"] == 1


def test_peak_concurrency() -> None:
    with ZoomEmulator(seed=SEED, now=NOW, latency=0.3) as emu:
        token = fetch_token(emu)
        with ThreadPoolExecutor(4) as pool:
            answers = list(pool.map(lambda _: report(emu, "activities", token, **WINDOW), range(4)))
        assert [a.status_code for a in answers] == [200] * 4
        assert emu.stats.peak_concurrency >= 3
        assert emu.stats.in_flight == 0


def test_tracking_ids_are_unique(shared: ZoomEmulator) -> None:
    token = fetch_token(shared)
    ids = {
        report(shared, "activities", token, **WINDOW).headers["x-zm-trackingid"] for _ in range(5)
    }
    assert len(ids) == 5


def test_stop_closes_the_port() -> None:
    emu = ZoomEmulator(seed=SEED, now=NOW).start()
    session = requests.Session()
    url = emu.oauth_url
    assert session.get(url, timeout=5).status_code == 405  # keep-alive connection pooled
    emu.stop()
    with pytest.raises(requests.ConnectionError):
        session.get(url, timeout=5)


# --------------------------------------------------------------------------- CLI


def test_cli_serves_until_sigterm(tmp_path: Path) -> None:
    config_path = tmp_path / "config.json"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "zoom_emulator",
            "--port",
            "0",
            "--seed",
            "5",
            "--history-days",
            "3",
            "--config-out",
            str(config_path),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    assert proc.stdout is not None
    try:
        printed = json.loads(proc.stdout.readline())
        assert json.loads(config_path.read_text()) == printed
        emu_stats = requests.get(
            printed["api_url"].removesuffix("/v2") + "/_emulator/stats", timeout=5
        ).json()
        assert emu_stats["requests"] == {}
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0


def sourced(exports: Path) -> dict[str, str]:
    """The TAP_ZOOM_LOGS_* variables a shell has after `. exports`."""
    script = f". {exports} && env -0"
    done = subprocess.run(
        ["bash", "-c", script], capture_output=True, text=True, check=True, env={}, timeout=30
    )
    pairs = (item.split("=", 1) for item in done.stdout.split("\0") if "=" in item)
    return {name: value for name, value in pairs if name.startswith("TAP_ZOOM_LOGS_")}


def test_cli_writes_the_settings_as_shell_exports(tmp_path: Path) -> None:
    """`--exports local/emulator.env`: `. local/emulator.env` gives a shell (and Meltano)
    every setting of the config, start_date included, in a folder it makes, for the
    owner's eyes only (the client secret is in it)."""
    exports = tmp_path / "local" / "emulator.env"
    config_out = tmp_path / "local" / "emulator.json"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "zoom_emulator",
            "--port=0",
            "--history-days=3",
            f"--config-out={config_out}",
            f"--exports={exports}",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    assert proc.stdout is not None
    try:
        config = json.loads(proc.stdout.readline())
        assert json.loads(config_out.read_text()) == config
        variables = sourced(exports)
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
    assert variables == {f"TAP_ZOOM_LOGS_{key.upper()}": str(v) for key, v in config.items()}
    assert variables["TAP_ZOOM_LOGS_START_DATE"] == config["start_date"]
    for written in (exports, config_out):
        assert stat.S_IMODE(os.stat(written).st_mode) == 0o600, written
    assert sorted(p.name for p in exports.parent.iterdir()) == ["emulator.env", "emulator.json"]


def test_exports_quote_what_a_shell_would_expand(tmp_path: Path) -> None:
    config = {"client_secret": 'it\'s $HOME `id` \\ "x"', "start_date": "2026-03-01T00:00:00Z"}
    exports = tmp_path / "emulator.env"
    exports.write_text(exports_of(config))
    assert sourced(exports) == {
        "TAP_ZOOM_LOGS_CLIENT_SECRET": config["client_secret"],
        "TAP_ZOOM_LOGS_START_DATE": "2026-03-01T00:00:00Z",
    }


def test_cli_options(tmp_path: Path) -> None:
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "zoom_emulator",
            "--port=0",
            "--history-days=3",
            "--entries-per-day=0",
            "--entries-per-day=activity_logs=50",
            "--day-cut-utc-offset=9",
            "--paging=snapshot",
            "--no-meeting-audit-trail",
            "--phone-rate-limit=1",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    try:
        config = json.loads(proc.stdout.readline())
        session = requests.Session()
        token = session.post(
            config["oauth_url"],
            auth=(config["client_id"], config["client_secret"]),
            data={"grant_type": "account_credentials", "account_id": config["account_id"]},
            timeout=5,
        ).json()["access_token"]
        day = config["end_date"][:10]

        def fetch(path: str, **params):
            headers = {"Authorization": f"Bearer {token}"}
            return session.get(config["api_url"] + path, headers=headers, params=params, timeout=5)

        window = {"from": day, "to": day}
        assert fetch(PATHS["activities"], **window).json()["activity_logs"]
        assert fetch(PATHS["operationlogs"], **window).json()["operation_logs"] == []
        assert fetch(PATHS["meeting_activities"], **window, **ALL).json()["code"] == 200
        phone = [fetch(PATHS["phone_operationlogs"]).status_code for _ in range(2)]
        assert phone == [200, 429]
    finally:
        proc.terminate()
        assert proc.wait(timeout=10) == 0


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (None, 40),
        ([(None, 3000)], 3000),
        (
            [("activity_logs", 1_000_000), ("operation_logs", 0)],
            {
                "activity_logs": 1_000_000,
                "operation_logs": 0,
                "meeting_activity_logs": 40,
                "phone_operation_logs": 40,
                "contact_center_operation_logs": 40,
                "remote_support_logs": 40,
                "videosdk_operation_logs": 40,
                "chat_channel_activity_logs": 40,
            },
        ),
        ([(None, 0), ("activity_logs", 5)], {s: 5 if s == "activity_logs" else 0 for s in STREAMS}),
    ],
)
def test_cli_volumes(values, expected) -> None:
    assert volumes_of(values) == expected


def test_cli_rejects_an_unknown_stream() -> None:
    run = subprocess.run(
        [sys.executable, "-m", "zoom_emulator", "--entries-per-day=sign_ins=5"],
        capture_output=True,
        text=True,
        check=False,
        timeout=30,
    )
    assert run.returncode == 2
    assert "unknown stream" in run.stderr
