"""The package builds, installs into a clean virtualenv and runs, without the emulator."""

from __future__ import annotations

import ast
import subprocess
import sys
import venv
import zipfile
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
    # The emulator is not the tap's: the wheel holds tap_zoom_logs alone.
    with zipfile.ZipFile(wheel) as archive:
        packages = {name.split("/")[0] for name in archive.namelist() if "/" in name}
    assert {p for p in packages if not p.endswith(".dist-info")} == {"tap_zoom_logs"}
    imported = subprocess.run(
        [str(clean / "bin" / "python"), "-c", "import zoom_emulator"],
        capture_output=True,
        cwd=tmp_path,
        check=False,
    )
    assert imported.returncode != 0, "the emulator came with the wheel"


def imported_packages(package: str) -> set[str]:
    """The top-level packages the modules of `package` import (absolute imports)."""
    found = set()
    for path in (REPO / package).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found.add(node.module.split(".")[0])
    return found


def test_the_tap_and_the_emulator_never_import_each_other():
    assert "zoom_emulator" not in imported_packages("tap_zoom_logs")
    assert "tap_zoom_logs" not in imported_packages("zoom_emulator")
    assert {"tests", "benchmarks", "scripts"}.isdisjoint(imported_packages("tap_zoom_logs"))
