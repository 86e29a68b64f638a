"""The clients a run measures, and the command line of each: ``tap`` (this checkout's
tap-zoom-logs in the running virtualenv), ``baseline`` (an older version of this
repository, installed in a throwaway virtualenv) and ``bare`` (:mod:`benchmarks.bare`)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import venv
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def tap_executable() -> str:
    """This checkout's tap-zoom-logs, beside the running interpreter (or on PATH)."""
    beside = Path(sys.executable).parent / "tap-zoom-logs"
    found = str(beside) if beside.exists() else shutil.which("tap-zoom-logs")
    if not found:
        raise SystemExit("tap-zoom-logs is not installed: run with the project's .venv/bin/python")
    return found


def install_baseline(ref: str, scratch: Path) -> str:
    """`ref` of this repository, installed in its own virtualenv: its tap-zoom-logs."""
    tree, env = scratch / "baseline-src", scratch / "baseline-venv"
    subprocess.run(
        ["git", "-C", str(REPO), "worktree", "add", "--detach", "--force", str(tree), ref],
        check=True,
        capture_output=True,
    )
    try:
        venv.create(env, with_pip=True)
        pip = [str(env / "bin" / "python"), "-m", "pip", "install", "--quiet"]
        subprocess.run([*pip, str(tree)], check=True, capture_output=True)
    finally:
        subprocess.run(
            ["git", "-C", str(REPO), "worktree", "remove", "--force", str(tree)],
            check=False,
            capture_output=True,
        )
    return str(env / "bin" / "tap-zoom-logs")


def client_command(client: str, config: Path, executable: str | None = None) -> list[str]:
    """How to run `client` on the tap config at `config`; `executable` is a tap's own
    (the baseline's), this checkout's tap if None."""
    if client == "bare":
        return [sys.executable, "-m", "benchmarks.bare", str(config)]
    return [executable or tap_executable(), "--config", str(config)]
