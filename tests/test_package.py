"""The package builds, installs into a clean virtualenv and runs, without the emulator."""

from __future__ import annotations

import ast
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import uuid
import venv
import zipfile
from importlib import metadata
from pathlib import Path

from scripts import test_pythons
from tests.support.tap import about

REPO = Path(__file__).resolve().parents[1]
PY_CLASSIFIER = r"Programming Language :: Python :: 3\.\d+"


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


#: What the README's commands, the demo and Meltano write into a checkout, where they have
#: been seen: the settings (with the client secret), state, catalogs, the emulator's
#: settings and the extracted logs. None may reach git or the sdist.
PLANTED = (
    "local/config.json",
    "local/state.json",
    "local/catalog.json",
    "local/emulator.json",
    "local/activity_logs-20260101T000000.jsonl",
    "config.json",
    "state.json",
    "state.new",
    "catalog.json",
    "emulator.json",
    "emulator-state.json",
    "operation_logs-20260101T000000.jsonl",
    ".env",
    "output/activity_logs.jsonl",
    "output/zoom.duckdb",
    "tests/.env",
)
#: Made here, so that this file does not hold it.
SECRET = f"planted-{uuid.uuid4().hex}"


def read(archive: tarfile.TarFile, member: tarfile.TarInfo) -> bytes:
    content = archive.extractfile(member)
    assert content is not None, member.name
    return content.read()


def tracked_files() -> list[str]:
    listed = subprocess.run(
        ["git", "ls-files", "-z"], cwd=REPO, capture_output=True, text=True, check=True
    )
    return [name for name in listed.stdout.split("\0") if name]


def test_git_ignores_what_the_documented_commands_write():
    for path in PLANTED:
        ignored = subprocess.run(
            ["git", "check-ignore", "--no-index", "--quiet", path], cwd=REPO, check=False
        )
        assert ignored.returncode == 0, f"git would pick up {path}"


def test_the_sdist_holds_no_secret_and_no_file_the_commands_wrote(tmp_path):
    """Built in a copy of the checkout (git's files, as they are now) with the files a user
    of the README leaves behind planted, each holding the client secret: the sdist holds
    git's files only, and the secret nowhere."""
    tracked = tracked_files()
    checkout = tmp_path / "checkout"
    for name in tracked:
        if (REPO / name).is_file():  # a file deleted but not yet committed is gone
            (checkout / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / name, checkout / name)
    for name in PLANTED:
        (checkout / name).parent.mkdir(parents=True, exist_ok=True)
        (checkout / name).write_text(json.dumps({"client_secret": SECRET}) + "\n")

    subprocess.run(
        [sys.executable, "-m", "build", "--sdist", "--no-isolation", "--outdir", "dist", "."],
        cwd=checkout,
        env={**os.environ, "SETUPTOOLS_SCM_PRETEND_VERSION": "0.0.0"},  # the copy has no .git
        check=True,
        capture_output=True,
    )
    (sdist,) = (checkout / "dist").glob("tap_zoom_logs-*.tar.gz")

    with tarfile.open(sdist) as archive:
        members = [m for m in archive.getmembers() if m.isfile()]
        names = {m.name.split("/", 1)[1] for m in members}
        holding_secret = [m.name for m in members if SECRET.encode() in read(archive, m)]
    assert names - {"PKG-INFO"} <= set(tracked), sorted(names - set(tracked))
    assert not names & set(PLANTED), sorted(names & set(PLANTED))
    assert not holding_secret
    assert {"pyproject.toml", "LICENSE", "README.md", "tap_zoom_logs/tap.py"} <= names


def test_the_pythons_claimed_are_one_range_that_ci_tests():
    """requires-python's floor is the oldest classifier, the classifiers name every minor
    version from there on, and --about says the same; scripts/test_pythons.py, which CI
    runs, tests each of them (it reads the classifiers)."""
    package = metadata.metadata("tap-zoom-logs")
    classifiers = package.get_all("Classifier") or []
    claimed = [c.rsplit(" :: ", 1)[1] for c in classifiers if re.fullmatch(PY_CLASSIFIER, c)]
    minors = [int(version.split(".")[1]) for version in claimed]

    assert claimed, "no Python version is claimed"
    assert minors == list(range(minors[0], minors[0] + len(minors))), claimed
    assert package["Requires-Python"] == f">={claimed[0]}"
    assert about()["supported_python_versions"] == claimed
    assert test_pythons.claimed_pythons() == claimed


def test_every_test_the_other_pythons_run_exists():
    """scripts/test_pythons.py names tests by id: a renamed one made every other Python's
    run collect nothing and fail, after the whole suite had passed here."""
    done = subprocess.run(
        [
            *(sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider"),
            *test_pythons.SELECTED,
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )

    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    collected = [line for line in done.stdout.splitlines() if "::" in line]
    assert len(collected) >= len(test_pythons.SELECTED), done.stdout[-2000:]
