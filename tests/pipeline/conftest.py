"""Fixtures of the end-to-end pipeline tests: one PostgreSQL server and one `meltano
install` per session; per test, an emulator, a schema, a Meltano system database and, where
a test changes meltano.yml, a copy of the project. The helpers are tests/support/pipeline.py.
"""

from __future__ import annotations

import shutil
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.pipeline import (
    EMULATOR_KW,
    PG_DATABASE,
    PG_SERVER_TIMEZONE,
    PLUGINS,
    REPO,
    MeltanoProject,
    Pipeline,
    _ensure_meltano,
    meltano_env,
)
from tests.support.postgres import MISSING_BINARIES, PostgresServer, _pg_bindir, running_postgres
from zoom_emulator import ZoomEmulator


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "pipeline: end to end with real Meltano, targets and PostgreSQL (deselect with"
        " -m 'not pipeline')",
    )


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """A real PostgreSQL server on a throwaway data directory and a free loopback port."""
    if _pg_bindir() is None:
        pytest.fail(MISSING_BINARIES)
    with running_postgres(PG_SERVER_TIMEZONE, PG_DATABASE) as server:
        yield server


@pytest.fixture
def pg_schema(postgres_server: PostgresServer) -> str:
    """A fresh, unused schema name for this test (target-postgres creates it)."""
    return f"t_{uuid.uuid4().hex[:12]}"


@pytest.fixture(scope="session")
def meltano_project(tmp_path_factory: pytest.TempPathFactory) -> MeltanoProject:
    """`meltano install` of the plugins of meltano.yml, once per session."""
    exe = _ensure_meltano()
    sysdb = tmp_path_factory.mktemp("meltano-install") / "meltano.db"
    t0 = time.monotonic()
    proc = subprocess.run(
        [str(exe), "install"],
        cwd=REPO,
        env=meltano_env(sysdb),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    took = time.monotonic() - t0
    if proc.returncode != 0:
        pytest.fail(f"meltano install failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    for plugin in PLUGINS:
        assert (REPO / ".meltano" / plugin / "venv").is_dir(), plugin
    return MeltanoProject(exe, REPO, took)


@pytest.fixture
def emulator() -> Iterator[Any]:
    emu = ZoomEmulator(**EMULATOR_KW)
    emu.start()
    try:
        yield emu
    finally:
        emu.stop()


@pytest.fixture
def project_copy(tmp_path: Path) -> Path:
    """A copy of the Meltano project (meltano.yml) for a test that changes it, e.g. with
    `meltano config set`; it runs the plugins installed in the repository's .meltano/."""
    root = tmp_path / "project"
    root.mkdir()
    shutil.copy2(REPO / "meltano.yml", root / "meltano.yml")
    return root


@pytest.fixture
def pipeline(
    emulator: Any,
    meltano_project: MeltanoProject,
    postgres_server: PostgresServer,
    pg_schema: str,
    tmp_path: Path,
) -> Pipeline:
    return Pipeline(emulator, meltano_project, postgres_server, pg_schema, tmp_path)
