"""After a load into PostgreSQL: an index on `time` for each log's table, and fresh statistics.

target-postgres creates each stream's table with its primary key (`lw_id`) only, but every
investigation of an audit trail asks for a time range ("who signed in between 02:00 and
03:00"), which over tens of millions of rows is a scan of the whole table without an index
on `time`. This script, the Meltano utility `postgres-time-index` (a step of the job
`zoom-logs-to-postgres` in meltano.yml), creates that index where it is missing and then
refreshes the planner's statistics (ANALYZE), so that a range query uses it at once.

It reads target-postgres's settings from the TARGET_POSTGRES_HOST, _PORT, _USER, _PASSWORD,
_DATABASE and _DEFAULT_TARGET_SCHEMA variables (the environment, or Meltano's .env: Meltano
gives a utility no other plugin's config), and indexes every table of that schema with a
`time` column: each log's table, whichever streams are selected. Creating an index that
exists is a no-op, so every run of the job may run it; only the first pays for the build.
Exit 1 with one line when the server cannot be reached.
"""

from __future__ import annotations

import os
import sys

import psycopg
from psycopg import sql

PREFIX = "TARGET_POSTGRES_"


def setting(name: str, default: str | None = None) -> str | None:
    return os.environ.get(PREFIX + name.upper(), default)


def connect() -> psycopg.Connection[tuple[object, ...]]:
    return psycopg.connect(
        host=setting("host", "localhost"),
        port=setting("port", "5432"),
        user=setting("user"),
        password=setting("password"),
        dbname=setting("database"),
        autocommit=True,
    )


def index_tables(conn: psycopg.Connection[tuple[object, ...]], schema: str) -> list[str]:
    """Index every table of `schema` with a `time` column on it, then ANALYZE the table;
    returns the tables, by name."""
    tables = conn.execute(
        "SELECT table_name FROM information_schema.columns"
        " WHERE table_schema = %s AND column_name = 'time' ORDER BY table_name",
        (schema,),
    ).fetchall()
    indexed = []
    for (table,) in tables:
        target = sql.Identifier(schema, str(table))
        conn.execute(
            sql.SQL("CREATE INDEX IF NOT EXISTS {} ON {} (time)").format(
                sql.Identifier(f"{table}_time_idx"), target
            )
        )
        conn.execute(sql.SQL("ANALYZE {}").format(target))
        indexed.append(str(table))
    return indexed


def main() -> int:
    schema = setting("default_target_schema", "zoom_logs") or "zoom_logs"
    try:
        with connect() as conn:
            indexed = index_tables(conn, schema)
    except psycopg.OperationalError as exc:
        reason = " ".join(str(exc).split())
        print(f"postgres-time-index: error: cannot reach PostgreSQL ({reason})", file=sys.stderr)
        return 1
    names = ", ".join(indexed) or "none (no log table in the schema yet)"
    print(f"postgres-time-index: {schema}: time indexed and analyzed: {names}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
