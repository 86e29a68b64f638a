#!/usr/bin/env bash
# The project's test command (the README and .ci/run use it):
#   scripts/test.sh [pytest args...]
# Creates/uses .venv, installs the project and its test tools, lints, runs every test on
# .venv's Python and, without arguments, the installed wheel's on every other Python the
# project claims (scripts/test_pythons.py).
# The pipeline tests (tests/pipeline/) also need PostgreSQL's server binaries (initdb,
# pg_ctl; Debian: apt-get install postgresql); they start and stop their own server, and
# install Meltano into .venv-meltano and its plugins into .meltano/ on first use.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
    "$PYTHON" -m venv .venv
fi
# The test tools are pyproject.toml's dependency group `test` (PEP 735), which pip reads
# from version 25.1 on: a new venv has the pip its Python came with.
.venv/bin/python -m pip install --quiet --disable-pip-version-check 'pip>=25.1'
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e '.[parquet]' --group test

# The full run (no arguments: CI's, the README's) also tests every other Python the project
# claims (scripts/test_pythons.py); a missing one fails here, before the long part.
every_python=$([ $# -eq 0 ] && echo yes || echo no)
if [ "$every_python" = yes ]; then
    .venv/bin/python scripts/test_pythons.py --check
fi

.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/mypy
# The other Pythons first, so that the run's last line is the whole suite's own summary.
if [ "$every_python" = yes ]; then
    .venv/bin/python scripts/test_pythons.py
fi
# Two processes (pytest-xdist): the pipeline tests in one, the others beside them
# (tests/conftest.py says how); a later -n in "$@" wins, -n 0 runs in this process.
exec .venv/bin/python -m pytest --numprocesses 2 "$@"
