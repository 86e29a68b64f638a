"""A throwaway PostgreSQL server: for the pipeline tests and the warehouse benchmark.

``running_postgres()`` runs ``initdb`` into a temporary directory (as the ``postgres`` user
when we are root, since initdb and postgres refuse root), starts the server with trust auth
on 127.0.0.1 and a free port, creates one database, and at exit stops the server at once
(``-m immediate``: nothing in it is worth a clean shutdown) and removes the directory.

The server is tuned for throwaway data: fsync, synchronous commit and full-page writes are
off. Its ``TimeZone`` is the caller's: the pipeline tests set a non-UTC one on purpose.

No pytest here (benchmarks/warehouse.py imports this module too): a missing binary or a
server that does not start raises an exception that says what to do.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg

PG_USER = "postgres"
MISSING_BINARIES = (
    "PostgreSQL server binaries not found (initdb/pg_ctl). "
    "Install them: apt-get update && apt-get install -y postgresql"
)


class PostgresNotAvailable(RuntimeError):
    """The server binaries are missing, or the server did not start."""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _pg_bindir() -> Path | None:
    pg_config = shutil.which("pg_config")
    if pg_config:
        out = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, check=False)
        cand = Path(out.stdout.strip())
        if (cand / "initdb").exists() and (cand / "pg_ctl").exists():
            return cand
    # Debian ships the server binaries outside PATH.
    found = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"),
        key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0,
    )
    if found:
        return found[-1].parent
    initdb = shutil.which("initdb")
    return Path(initdb).resolve().parent if initdb else None


def _as_pg_user(cmd: list[str]) -> list[str]:
    """Run a server command as `postgres` when we are root (initdb and postgres refuse root)."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *cmd]
    return cmd


@dataclass
class PostgresServer:
    host: str
    port: int
    user: str
    database: str
    datadir: Path

    def connect(self, dbname: str | None = None) -> Any:
        return psycopg.connect(
            host=self.host,
            port=self.port,
            user=self.user,
            dbname=dbname or self.database,
            autocommit=True,
        )

    def pipelinewise_env(self, schema: str) -> dict[str, str]:
        """The same server for PipelineWise's target-postgres (its own setting names)."""
        prefix = "TARGET_POSTGRES_PIPELINEWISE_"
        return {
            prefix + "HOST": self.host,
            prefix + "PORT": str(self.port),
            prefix + "USER": self.user,
            prefix + "PASSWORD": "unused-trust-auth",
            prefix + "DBNAME": self.database,
            prefix + "DEFAULT_TARGET_SCHEMA": schema,
            # small batches: several flushes, each followed by its state
            prefix + "BATCH_SIZE_ROWS": "25",
        }

    def target_env(self, schema: str) -> dict[str, str]:
        return {
            "TARGET_POSTGRES_HOST": self.host,
            "TARGET_POSTGRES_PORT": str(self.port),
            "TARGET_POSTGRES_USER": self.user,
            "TARGET_POSTGRES_PASSWORD": "unused-trust-auth",
            "TARGET_POSTGRES_DATABASE": self.database,
            "TARGET_POSTGRES_DEFAULT_TARGET_SCHEMA": schema,
            # The security layer's models (dbt-postgres) beside them: <schema>_ocsf...
            "DBT_POSTGRES_SCHEMA": schema,
        }


def _initdb(bindir: Path, datadir: Path, cwd: Path) -> None:
    done = subprocess.run(
        _as_pg_user(
            [
                str(bindir / "initdb"),
                "-D",
                str(datadir),
                "-U",
                PG_USER,
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--no-locale",
                "--no-sync",
            ]
        ),
        capture_output=True,
        text=True,
        check=False,
        cwd=cwd,
    )
    if done.returncode != 0:
        raise PostgresNotAvailable(f"initdb failed: {done.stdout}{done.stderr}")


def _pg_ctl(bindir: Path, datadir: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        _as_pg_user([str(bindir / "pg_ctl"), "-D", str(datadir), *args]),
        capture_output=True,
        text=True,
        check=False,
        cwd=cwd,
    )


@contextlib.contextmanager
def running_postgres(timezone: str = "UTC", database: str = "zoom") -> Iterator[PostgresServer]:
    """A real PostgreSQL server on a throwaway data directory and a free loopback port,
    with `database` created and `timezone` as the server's TimeZone."""
    bindir = _pg_bindir()
    if bindir is None:
        raise PostgresNotAvailable(MISSING_BINARIES)
    root = Path(tempfile.mkdtemp(prefix="tzl-pg-"))
    datadir = root / "data"
    logfile = root / "server.log"
    if os.geteuid() == 0:
        shutil.chown(root, user="postgres", group="postgres")
    root.chmod(0o700)
    port = free_port()
    started = False
    try:
        _initdb(bindir, datadir, root)
        opts = (
            f"-c listen_addresses=127.0.0.1 -p {port} -c unix_socket_directories={root} "
            f"-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
            f"-c timezone={timezone} -c max_connections=50"
        )
        # Set before the outcome is known: a start that timed out may still leave a server.
        started = True
        proc = _pg_ctl(
            bindir, datadir, "-o", opts, "-l", str(logfile), "-w", "-t", "60", "start", cwd=root
        )
        if proc.returncode != 0:
            log = logfile.read_text(errors="replace") if logfile.exists() else ""
            raise PostgresNotAvailable(f"pg_ctl start failed: {proc.stdout}{proc.stderr}\n{log}")
        server = PostgresServer("127.0.0.1", port, PG_USER, database, datadir)
        with server.connect("postgres") as conn:
            conn.execute(f"CREATE DATABASE {database}")
        yield server
    finally:
        if started:
            _pg_ctl(bindir, datadir, "-m", "immediate", "-w", "stop", cwd=Path("/"))
        shutil.rmtree(root, ignore_errors=True)
