"""Every other Python the project claims, tested: the wheel in a fresh virtualenv of each.

    python scripts/test_pythons.py            # each claimed Python but the one running this
    python scripts/test_pythons.py 3.10 3.13  # these
    python scripts/test_pythons.py --check    # only find each one: exit 1 if one is missing

The Pythons claimed are pyproject.toml's classifiers (`--about` and the Hub file say the
same; tests/test_package.py keeps requires-python's floor with them). scripts/test.sh runs
the whole suite on .venv's Python, then this (CI: .ci/run). For each other Python: build the
wheel (once), install it into a new virtualenv of that Python with the tools the tests need
(pyproject.toml's dependency group `run-tests`), not the editable install, and run
SELECTED, the unit tests and syncs of the installed `tap-zoom-logs` against the emulator,
from a copy of tests/ and zoom_emulator/ with no tap_zoom_logs/ beside them: the tap they
import is the wheel's.

An interpreter is found in pyenv's versions ($(pyenv root)/versions/X.Y.*, the newest),
else as pythonX.Y on PATH. None is downloaded: a missing one is a one-line error.
"""

from __future__ import annotations

import importlib.metadata
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PROG = "scripts/test_pythons.py"
#: What runs on each other Python (about a minute): the unit tests (windows, days, paging,
#: settings, the API client, the spool, errors), and syncs of the installed command against
#: the emulator: every entry exactly once, an incremental run, the settling of closed days
#: (where Python 3.10's dates once broke every sync), discovery without credentials and the
#: one-line errors. The whole suite runs on .venv's Python.
SELECTED = (
    "tests/test_windows.py",
    "tests/test_api_unit.py",
    "tests/test_paging_unit.py",
    "tests/test_settings_unit.py",
    "tests/test_spool.py",
    "tests/test_errors.py",
    "tests/test_without_credentials.py",
    "tests/test_extract.py::test_every_entry_in_range_exactly_once",
    "tests/test_extract.py::test_incremental_run_rereads_only_the_lookback_and_keeps_ids",
    "tests/test_extract.py::test_state_has_a_bookmark_per_stream_and_no_progress_markers",
    "tests/test_staying_current.py::test_a_run_with_nothing_new_costs_two_requests_per_stream",
    "tests/test_staying_current.py::test_an_entry_written_after_the_margin_is_found_when_its_day_settles",
    "tests/test_staying_current.py::test_entries_written_late_are_counted_once_their_day_is_final",
    # From 3.12 on, no thread starts at shutdown: after a stream map's error, a worker's
    # traceback came after the run's one line.
    "tests/test_cli.py::test_an_expression_failing_on_a_record_is_one_line",
    # How deep a JSON answer Python reads differs between versions (the C stack's limit).
    "tests/test_hostile.py::test_an_odd_answer_stops_the_stream_in_bounded_requests_and_a"
    "_rerun_completes[a field nested 100,000 deep]",
    # Team Chat's epoch-millisecond times and nested objects, read by each Python's own
    # datetime and json.
    "tests/test_chat_channel_activity.py::test_time_is_read_from_milliseconds_seconds_digits_or_iso",
    "tests/test_chat_channel_activity.py::test_every_entry_exactly_once_with_ids_stable_across_settings",
)


class Missing(Exception):
    """A claimed Python this machine does not have."""


def claimed_pythons() -> list[str]:
    """The versions pyproject.toml's classifiers name ("3.10", ...), as installed in .venv."""
    classifiers = importlib.metadata.metadata("tap-zoom-logs").get_all("Classifier") or []
    found = (re.fullmatch(r"Programming Language :: Python :: (3\.\d+)", c) for c in classifiers)
    return [match[1] for match in found if match]


def this_python() -> str:
    return f"{sys.version_info.major}.{sys.version_info.minor}"


def interpreter(version: str) -> Path:
    """The newest pyenv X.Y.*, else pythonX.Y on PATH; Missing if neither runs as X.Y."""
    candidates: list[Path] = []
    root = _pyenv_root()
    if root is not None:
        found = (root / "versions").glob(f"{version}.*/bin/python")
        candidates += sorted(found, key=_patch_level, reverse=True)
    on_path = shutil.which(f"python{version}")
    if on_path:
        candidates.append(Path(on_path))
    for candidate in candidates:
        if _reports(candidate) == version:
            return candidate
    where = f"{root}/versions" if root is not None else "pyenv (not installed)"
    msg = (
        f"Python {version} (claimed in pyproject.toml's classifiers) not found in {where}"
        f" or as python{version} on PATH: install it (pyenv install {version}) or stop"
        " claiming it"
    )
    raise Missing(msg)


def _pyenv_root() -> Path | None:
    pyenv = shutil.which("pyenv")
    if pyenv is None:
        return None
    done = subprocess.run([pyenv, "root"], capture_output=True, text=True, check=False)
    return Path(done.stdout.strip()) if done.returncode == 0 and done.stdout.strip() else None


def _patch_level(python: Path) -> tuple[int, ...]:
    name = python.parents[1].name  # versions/3.10.13/bin/python
    return tuple(int(part) if part.isdigit() else -1 for part in name.split("."))


def _reports(python: Path) -> str:
    done = subprocess.run(
        [str(python), "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
        capture_output=True,
        text=True,
        check=False,
    )
    return done.stdout.strip() if done.returncode == 0 else ""


def build_wheel(outdir: Path) -> Path:
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(outdir)],
        cwd=REPO,
        check=True,
        capture_output=True,
    )
    (wheel,) = outdir.glob("tap_zoom_logs-*.whl")
    return wheel


def tests_without_the_tap(workdir: Path) -> Path:
    """tests/, zoom_emulator/ and pyproject.toml (pytest's settings), without the tap."""
    copy = workdir / "checkout-without-the-tap"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for folder in ("tests", "zoom_emulator"):
        shutil.copytree(REPO / folder, copy / folder, ignore=ignore)
    shutil.copy2(REPO / "pyproject.toml", copy / "pyproject.toml")
    return copy


def run_on(version: str, python: Path, wheel: Path, copy: Path, workdir: Path) -> bool:
    env_dir = workdir / f"venv-{version}"
    tested = env_dir / "bin" / "python"
    # No pip of its own: this Python's pip (25.1 or newer, which reads --group) installs
    # into it, which spares a pip install and upgrade per Python.
    subprocess.run([str(python), "-m", "venv", "--without-pip", str(env_dir)], check=True)
    pip = [sys.executable, "-m", "pip", "--python", str(tested), "install", "--quiet"]
    pip += ["--disable-pip-version-check", str(wheel)]
    subprocess.run([*pip, "--group", f"{REPO / 'pyproject.toml'}:run-tests"], check=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    check = "import tap_zoom_logs, sys; sys.exit(not tap_zoom_logs.__file__.startswith(sys.prefix))"
    subprocess.run([str(tested), "-c", check], cwd=copy, env=env, check=True)
    done = subprocess.run(
        [str(tested), "-m", "pytest", "-q", "-p", "no:cacheprovider", "-n", "2", *SELECTED],
        cwd=copy,
        env=env,
        check=False,
    )
    return done.returncode == 0


def main(argv: list[str]) -> int:
    only_check = "--check" in argv
    versions = [a for a in argv if a != "--check"] or [
        v for v in claimed_pythons() if v != this_python()
    ]
    try:
        pythons = {version: interpreter(version) for version in versions}
    except Missing as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return 1
    if only_check:
        for version, python in pythons.items():
            print(f"Python {version}: {python}")
        return 0
    failed = []
    with tempfile.TemporaryDirectory(prefix="test-pythons-") as folder:
        workdir = Path(folder)
        wheel = build_wheel(workdir / "dist")
        copy = tests_without_the_tap(workdir)
        for version, python in pythons.items():
            print(f"{PROG}: Python {version} ({python}): {wheel.name}", flush=True)
            started = time.monotonic()
            passed = run_on(version, python, wheel, copy, workdir)
            took = time.monotonic() - started
            print(f"{PROG}: Python {version}: {'passed' if passed else 'FAILED'} in {took:.0f} s")
            if not passed:
                failed.append(version)
    if failed:
        print(f"{PROG}: error: tests failed on Python {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
