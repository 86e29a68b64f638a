"""The package builds, installs into a clean virtualenv and runs."""

from __future__ import annotations

import subprocess
import sys
import venv
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_wheel_and_sdist_install_into_a_clean_venv_and_run(tmp_path):
    dist = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "build", "--outdir", str(dist), str(REPO)],
        check=True,
        capture_output=True,
    )
    wheel = next(dist.glob("tap_zoom_logs-*.whl"))
    sdist = next(dist.glob("tap_zoom_logs-*.tar.gz"))
    assert (
        "LICENSE"
        in subprocess.run(
            ["tar", "tzf", str(sdist)], check=True, capture_output=True, text=True
        ).stdout
    )

    clean = tmp_path / "clean"
    venv.create(clean, with_pip=True)
    pip = [str(clean / "bin" / "python"), "-m", "pip", "install", "--quiet"]
    subprocess.run([*pip, str(wheel)], check=True, capture_output=True)
    about = subprocess.run(
        [str(clean / "bin" / "tap-zoom-logs"), "--about", "--format=json"],
        check=True,
        capture_output=True,
        text=True,
    )
    assert '"name": "tap-zoom-logs"' in about.stdout
    assert "account_id" in about.stdout
    # The emulator ships with the package: the README's demo and the benchmarks use it.
    subprocess.run(
        [str(clean / "bin" / "python"), "-c", "import tap_zoom_logs.sandbox"], check=True
    )
