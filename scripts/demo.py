"""Demo: a real Meltano pipeline, tap-zoom-logs into DuckDB, against the Zoom emulator.

    python3 scripts/demo.py

No Zoom account and no network but the package registries (for the first install). It
creates `.venv` (the tap) and `.venv-meltano` (Meltano) if missing, installs the three
plugins (tap-zoom-logs, target-duckdb, dbt-duckdb) if missing, serves the emulator on
loopback with its security-incident scenario planted (zoom_emulator/incidents.py), runs
the job `zoom-logs-to-duckdb` (`meltano run tap-zoom-logs target-duckdb dbt-duckdb:build`:
the load, then the security layer of transform/) with the emulator's credentials in
TAP_ZOOM_LOGS_* variables, then counts the rows per table against the emulator, runs a SQL
query on the database file (`local/demo/zoom.duckdb`) and prints what each detection view
found, one example each.
The demo keeps its own Meltano system database and output folder (`local/demo/`), so
its bookmarks never mix with a real pipeline's.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import venv
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
TAP_VENV = REPO / ".venv"
MELTANO_VENV = REPO / ".venv-meltano"
OUTPUT = REPO / "local" / "demo"
DATABASE = OUTPUT / "zoom.duckdb"
PLUGINS = (
    ("extractor", "tap-zoom-logs"),
    ("loader", "target-duckdb"),
    ("utility", "dbt-duckdb"),
)
JOB = "zoom-logs-to-duckdb"  # meltano.yml: the load, then dbt-duckdb:build
# target-duckdb's own virtualenv has duckdb (pinned in meltano.yml): query with it.
DUCKDB_PYTHON = REPO / ".meltano" / "loaders" / "target-duckdb" / "venv" / "bin" / "python"
QUERY = """
SELECT email, count(*) AS sign_ins, max(time) AS last_sign_in
FROM zoom_logs.activity_logs WHERE type = 'Sign in'
GROUP BY email ORDER BY sign_ins DESC, email LIMIT 5
"""


def ensure_venv(path: Path, *requirements: str) -> Path:
    python = path / "bin" / "python"
    if not python.exists():
        print(f"demo: creating {path.name} (first run only)", flush=True)
        venv.create(path, with_pip=True)
        pip = [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
        subprocess.run([*pip, *requirements], check=True, cwd=REPO)
    return python


def main() -> None:
    # The tap and the emulator beside it (zoom_emulator/ needs nothing but Python), not
    # the test tools.
    tap_python = ensure_venv(TAP_VENV, "-e", ".")
    if Path(sys.prefix).resolve() != TAP_VENV.resolve():
        # The emulator (zoom_emulator/, beside the tap) is importable in the tap's editable
        # install: continue inside the tap's virtualenv.
        os.execv(str(tap_python), [str(tap_python), __file__, *sys.argv[1:]])
    meltano = ensure_venv(MELTANO_VENV, "-r", "requirements-meltano.txt").with_name("meltano")

    from zoom_emulator import ZoomEmulator  # noqa: PLC0415 - needs the tap's venv
    from zoom_emulator.incidents import plant_security_incidents  # noqa: PLC0415

    OUTPUT.mkdir(parents=True, exist_ok=True)
    DATABASE.unlink(missing_ok=True)
    env = {
        **os.environ,
        "MELTANO_DATABASE_URI": f"sqlite:///{OUTPUT / 'meltano-demo.db'}",
        "MELTANO_SEND_ANONYMOUS_USAGE_STATS": "false",
        "TARGET_DUCKDB_FILEPATH": str(DATABASE),
    }
    for kind, name in PLUGINS:
        if not (REPO / ".meltano" / f"{kind}s" / name / "venv").is_dir():
            subprocess.run([str(meltano), "install", kind, name], check=True, cwd=REPO, env=env)

    # 35 days: the scenario's own history (the 30 days a sign-in is compared with) is loaded
    with ZoomEmulator(seed=2026, history_days=35, entries_per_day=50) as zoom:
        plant_security_incidents(zoom)  # an incident for each detection, and near misses
        config = zoom.tap_config(max_requests_per_second=50)
        env.update({f"TAP_ZOOM_LOGS_{key.upper()}": str(value) for key, value in config.items()})
        print(f"demo: meltano run {JOB} (against the emulator), then dbt", flush=True)
        subprocess.run(
            [str(meltano), "run", "--full-refresh", JOB],
            check=True,
            cwd=REPO,
            env=env,
        )
        expected = {
            stream: len(zoom.truth(stream, config["start_date"], config["end_date"]))
            for stream in ("activity_logs", "operation_logs")
        }
    show_output(expected)


def duckdb(query: str, *, show: bool) -> str:
    """`query` on the demo's database, with target-duckdb's own duckdb: its table printed
    by duckdb (`show`), or its first value."""
    program = (
        "import sys, duckdb\n"
        "con = duckdb.connect(sys.argv[1], read_only=True)\n"
        "result = con.sql(sys.argv[2])\n"
        "result.show() if sys.argv[3] == 'show' else print(result.fetchone()[0])\n"
    )
    done = subprocess.run(
        [str(DUCKDB_PYTHON), "-c", program, str(DATABASE), query, "show" if show else "value"],
        check=True,
        capture_output=True,
        text=True,
    )
    return done.stdout


# Every relation of the layer's schemas (<schema>_ocsf, <schema>_detections, whatever the
# prefix): its row count and its newest row (or any row, without a `time` column).
LAYER = """
import json, sys, duckdb
con = duckdb.connect(sys.argv[1], read_only=True)
found = {}
for schema, name in con.execute(
    "SELECT table_schema, table_name FROM information_schema.tables"
    " WHERE suffix(table_schema, '_ocsf') OR suffix(table_schema, '_detections')"
    " ORDER BY table_schema, table_name"
).fetchall():
    relation = f'"{schema}"."{name}"'
    count = con.execute(f"SELECT count(*) FROM {relation}").fetchone()[0]
    result = con.execute(f"SELECT * FROM {relation} LIMIT 0")
    columns = [d[0] for d in result.description]
    order = " ORDER BY time DESC" if "time" in columns else ""
    row = con.execute(f"SELECT * FROM {relation}{order} LIMIT 1").fetchone()
    shown = ["NULL" if value is None else str(value) for value in row or ()]
    example = dict(zip(columns, shown)) if row else None
    found[f"{schema}.{name}"] = {"rows": count, "example": example}
print(json.dumps(found))
"""
EXAMPLE_WIDTH = 100  # characters of one value in an example row


def layer() -> dict[str, dict[str, Any]]:
    """The security layer dbt built in the demo's database: each OCSF table and detection
    view, its row count and an example row."""
    done = subprocess.run(
        [str(DUCKDB_PYTHON), "-c", LAYER, str(DATABASE)],
        check=True,
        capture_output=True,
        text=True,
    )
    found: dict[str, dict[str, Any]] = json.loads(done.stdout)
    return found


def show_output(expected: dict[str, int]) -> None:
    print(f"\nWhat landed in {DATABASE.relative_to(REPO)}:")
    for stream, want in expected.items():
        query = f"SELECT count(*) FROM zoom_logs.{stream}"  # noqa: S608 - our own names
        rows = duckdb(query, show=False).strip()
        print(f"  zoom_logs.{stream}: {rows} rows (the emulator has {want})")
    print(f"\nThe most frequent sign-ins, in SQL:{QUERY}")
    print(duckdb(QUERY, show=True))
    built = layer()
    detections = {name: seen for name, seen in built.items() if in_schema(name, "_detections")}
    if not detections:
        sys.exit(
            f"demo: no detection views in {DATABASE.relative_to(REPO)}: dbt-duckdb:build built"
            " no *_detections schema (see its output above)"
        )
    print("The security layer dbt-duckdb built (transform/), OCSF events:")
    for name, seen in built.items():
        if name not in detections:
            print(f"  {name}: {seen['rows']} events")
    print("\nThe detections it found, one example each (the newest):")
    for name, seen in detections.items():
        print(f"  {name}: {seen['rows']} row{'' if seen['rows'] == 1 else 's'}")
        for column, value in (seen["example"] or {}).items():
            shown = value if len(value) <= EXAMPLE_WIDTH else value[: EXAMPLE_WIDTH - 3] + "..."
            print(f"      {column}: {shown}")
    show_commands(next((n for n, s in detections.items() if s["rows"]), next(iter(detections))))


def in_schema(relation: str, suffix: str) -> bool:
    """Whether `relation` (schema.name) is in a schema ending in `suffix`."""
    return relation.split(".", 1)[0].endswith(suffix)


def show_commands(detection: str) -> None:
    database = DATABASE.relative_to(REPO)
    print("\nQuery it yourself (target-duckdb's virtualenv has duckdb):")
    connect = f"import duckdb; con = duckdb.connect('{database}');"
    # keep `con` in the program: a dropped connection closes its results
    every_row = f"SELECT * FROM {detection}"  # noqa: S608 - a relation the file holds
    for query in ("SHOW ALL TABLES", every_row):
        print(f"  {DUCKDB_PYTHON.relative_to(REPO)} -c \\")
        print(f"    \"{connect} con.sql('{query}').show()\"")


if __name__ == "__main__":
    main()
