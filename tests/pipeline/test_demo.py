"""scripts/demo.py lands the emulator's logs in a DuckDB file a user can query with SQL, builds
the security layer (transform/) in it, and prints what each detection found."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.support.pipeline import DUCKDB_PYTHON, REPO, duckdb_rows, meltano_env
from tests.support.tap import STREAMS

pytestmark = pytest.mark.pipeline

DATABASE = REPO / "local" / "demo" / "zoom.duckdb"
LINE = re.compile(r"^\s+zoom_logs\.(\w+): (\d+) rows \(the emulator has (\d+)\)$", re.MULTILINE)
# "  <prefix>_detections.<view>: N rows", then its example row, one "      column: value" each
DETECTION = re.compile(r"^  (\w+_detections\.\w+): (\d+) rows?\n((?:      .*\n)*)", re.MULTILINE)
EXAMPLE_FIELD = re.compile(r"^      (\w+): (.*)$", re.MULTILINE)
# the printed commands: "  <python> -c \" and, on the next line, the quoted program
COMMAND = re.compile(r"^  (\S+/python) -c \\\n    \"(.+)\"$", re.MULTILINE)

DETECTIONS_IN_FILE = """
import json, sys, duckdb
con = duckdb.connect(sys.argv[1], read_only=True)
views = {}
for schema, name in con.execute(
    "SELECT table_schema, table_name FROM information_schema.tables"
    " WHERE suffix(table_schema, '_detections')"
).fetchall():
    result = con.execute(f'SELECT * FROM "{schema}"."{name}"')
    columns = [d[0] for d in result.description]
    views[f"{schema}.{name}"] = [
        dict(zip(columns, ["NULL" if v is None else str(v) for v in r])) for r in result.fetchall()
    ]
print(json.dumps(views))
"""


def detections_in(path: Path) -> dict[str, list[dict[str, str]]]:
    """Every relation of the file's *_detections schemas and its rows (values as text, NULL
    for a null, as the demo prints them), read with target-duckdb's own duckdb."""
    done = subprocess.run(
        [str(DUCKDB_PYTHON), "-c", DETECTIONS_IN_FILE, str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    views: dict[str, list[dict[str, str]]] = json.loads(done.stdout)
    return views


def shows(printed: dict[str, str], row: dict[str, Any]) -> bool:
    """Whether the printed example is this row (a long value is printed cut, ending "...")."""
    if set(printed) != set(row):
        return False
    return all(
        value == row[column] or (value.endswith("...") and row[column].startswith(value[:-3]))
        for column, value in printed.items()
    )


@pytest.fixture(scope="module")
def demo(meltano_project, tmp_path_factory) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "demo.py")],
        cwd=REPO,
        # the demo keeps its own system database
        env=meltano_env(tmp_path_factory.mktemp("demo") / "unused.db"),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, (done.stdout + done.stderr)[-3000:]
    return done


def test_the_demo_loads_every_entry_into_duckdb(demo) -> None:
    said = {m[1]: (int(m[2]), int(m[3])) for m in LINE.finditer(demo.stdout)}
    assert set(said) == set(STREAMS), demo.stdout[-3000:]
    # Counted again here, in the file the demo names, with the pinned duckdb.
    landed = duckdb_rows(DATABASE)
    for stream in STREAMS:
        rows, emulator_has = said[stream]
        assert emulator_has > 0
        assert rows == emulator_has, stream
        assert len(landed["tables"][stream]) == emulator_has, stream
        assert len({r["lw_id"] for r in landed["tables"][stream]}) == emulator_has
    # the SQL example ran and printed a table
    assert "sign_ins" in demo.stdout and "│" in demo.stdout


def test_the_demo_prints_what_each_detection_found(demo) -> None:
    """Every detection view dbt-duckdb built in the file is printed with its row count and
    one of its rows, and each found the incidents the demo's emulator planted."""
    printed = {
        m[1]: (int(m[2]), dict(EXAMPLE_FIELD.findall(m[3])))
        for m in DETECTION.finditer(demo.stdout)
    }
    in_file = detections_in(DATABASE)

    assert in_file, "the layer was not built: no *_detections schema in the file"
    assert set(printed) == set(in_file), demo.stdout[-3000:]
    for view, rows in in_file.items():
        count, example = printed[view]
        assert count == len(rows), view
        assert rows, f"{view} found nothing in the demo's data"
        assert any(shows(example, row) for row in rows), (view, example)


def test_the_demo_prints_commands_that_query_the_detections(demo) -> None:
    commands = COMMAND.findall(demo.stdout)
    selects = [(python, program) for python, program in commands if "_detections." in program]
    assert selects, demo.stdout[-3000:]
    for python, program in commands:
        done = subprocess.run(
            [str(REPO / python), "-c", program],
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, (program, done.stderr)
        assert "│" in done.stdout, program  # duckdb printed a table
    _, program = selects[0]
    view = re.search(r"FROM (\w+\.\w+)", program)
    assert view is not None
    assert view[1] in detections_in(DATABASE)
