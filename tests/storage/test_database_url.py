"""A plain `postgresql://` URL works: it names the installed psycopg 3 driver."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from storage.db import get_engine, reset_engines, with_driver
from tests.conftest import POSTGRES_URL


@pytest.mark.parametrize(
    ("given", "used"),
    [
        ("postgresql://u:p@h:5432/db", "postgresql+psycopg://u:p@h:5432/db"),
        ("postgres://u@h/db", "postgresql+psycopg://u@h/db"),
        ("postgresql+psycopg://u@h/db", "postgresql+psycopg://u@h/db"),
        ("sqlite:////tmp/x.db", "sqlite:////tmp/x.db"),
    ],
)
def test_with_driver(given: str, used: str) -> None:
    assert with_driver(given) == used


@pytest.mark.skipif(not POSTGRES_URL, reason="needs CLAIMWATCH_TEST_POSTGRES_URL")
def test_plain_postgresql_url_connects() -> None:
    plain = "postgresql://" + POSTGRES_URL.split("://", 1)[1]
    reset_engines()
    try:
        with get_engine(plain).connect() as connection:
            assert connection.execute(text("select 1")).scalar() == 1
    finally:
        reset_engines()
