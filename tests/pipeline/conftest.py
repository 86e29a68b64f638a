"""Fixtures of the end-to-end pipeline tests (defined in pipeline_harness.py)."""

import pytest
from pipeline_harness import (  # noqa: F401  (fixtures are found by name)
    emulator,
    meltano_project,
    pg_schema,
    pipeline,
    postgres_server,
    project_copy,
)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "pipeline: end to end with real Meltano, targets and PostgreSQL (deselect with"
        " -m 'not pipeline')",
    )
