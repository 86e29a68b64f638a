#!/usr/bin/env bash
# The project's test command (the README and .ci/run use it):
#   scripts/test.sh [pytest args...]
# Creates/uses .venv, installs the project with its test extras, lints, runs every test.
# The pipeline tests (tests/pipeline/) also need PostgreSQL's server binaries (initdb,
# pg_ctl; Debian: apt-get install postgresql); they start and stop their own server, and
# install Meltano into .venv-meltano and its plugins into .meltano/ on first use.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
    "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e '.[test]'

.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/mypy
# Two processes (pytest-xdist): the pipeline tests in one, the others beside them
# (tests/conftest.py says how); a later -n in "$@" wins, -n 0 runs in this process.
exec .venv/bin/python -m pytest --numprocesses 2 "$@"
