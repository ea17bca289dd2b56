"""Pipeline tests run `claimwatch run` in a subprocess against the session's Prefect server."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _prefect_api(prefect_harness: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLAIMWATCH_TEST_PREFECT_API_URL", prefect_harness)
