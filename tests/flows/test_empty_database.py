"""A flow run whose database was created by that run and tracks nothing fails loudly (a
worker started without CLAIMWATCH_DATABASE_URL / CLAIMWATCH_HOME), instead of "Completed"."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.web.archive import environment


def test_fresh_empty_database_fails_the_run(tmp_path: Path) -> None:
    from flows.monitor import monitor

    env = {"CLAIMWATCH_HOME": str(tmp_path / "wrong-home"), "CLAIMWATCH_DATABASE_URL": ""}
    with environment(env):
        state = monitor(due_only=True, return_state=True)
    assert state.is_failed()
    assert "did not exist before this run and tracks nothing" in (state.message or "") or (
        "did not exist before this run" in str(state.result(raise_on_failure=False))
    )


def test_existing_empty_database_completes(tmp_path: Path) -> None:
    from flows.monitor import monitor
    from storage.db import migrate

    env = {"CLAIMWATCH_HOME": str(tmp_path / "home"), "CLAIMWATCH_DATABASE_URL": ""}
    with environment(env):
        assert migrate() is True
        assert migrate() is False
        state = monitor(due_only=True, return_state=True)
    assert state.is_completed()


@pytest.fixture(autouse=True)
def _prefect(prefect_harness: str) -> None:
    """These runs go to the session's Prefect server."""
