"""scripts/demo.py lands the emulator's logs in a DuckDB file a user can query with SQL."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from tests.support.pipeline import REPO, duckdb_rows, meltano_env
from tests.support.tap import STREAMS

pytestmark = pytest.mark.pipeline

LINE = re.compile(r"^\s+zoom_logs\.(\w+): (\d+) rows \(the emulator has (\d+)\)$", re.MULTILINE)


def test_the_demo_loads_every_entry_into_duckdb(meltano_project, tmp_path) -> None:
    done = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "demo.py")],
        cwd=REPO,
        env=meltano_env(tmp_path / "unused.db"),  # the demo keeps its own system database
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, (done.stdout + done.stderr)[-3000:]

    said = {m[1]: (int(m[2]), int(m[3])) for m in LINE.finditer(done.stdout)}
    assert set(said) == set(STREAMS), done.stdout[-3000:]
    # Counted again here, in the file the demo names, with the pinned duckdb.
    landed = duckdb_rows(REPO / "local" / "demo" / "zoom.duckdb")
    for stream in STREAMS:
        rows, emulator_has = said[stream]
        assert emulator_has > 0
        assert rows == emulator_has, stream
        assert len(landed["tables"][stream]) == emulator_has, stream
        assert len({r["lw_id"] for r in landed["tables"][stream]}) == emulator_has
    # the SQL example ran and printed a table
    assert "sign_ins" in done.stdout and "│" in done.stdout
