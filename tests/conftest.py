"""Shared fixtures: fixture sites over real HTTP, one Prefect harness, a database per backend."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from claimwatch.sitesrv import SiteServer
from tests.s3server import ACCESS_KEY, REGION, SECRET_KEY, S3Server

FIXTURES = Path(__file__).parent / "fixtures"
POSTGRES_URL = os.environ.get("CLAIMWATCH_TEST_POSTGRES_URL", "")
BACKENDS = ["sqlite", *(["postgresql"] if POSTGRES_URL else [])]

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
# Every fixture server listens on 127.0.0.1, which the SSRF guard refuses by default; the
# guard's own tests (tests/crawler/test_guard.py) switch this off again.
os.environ["CLAIMWATCH_ALLOW_PRIVATE_ADDRESSES"] = "true"


@pytest.fixture(scope="session")
def site() -> Iterator[SiteServer]:
    """One real HTTP server on 127.0.0.1 for the whole run; tests set the routes they need."""
    with SiteServer() as server:
        yield server


@pytest.fixture
def fresh_site(site: SiteServer) -> SiteServer:
    """The session's server with no routes left from earlier tests."""
    site.reset()
    return site


@pytest.fixture(scope="session")
def s3_server() -> Iterator[S3Server]:
    """One real S3-compatible server (moto) on 127.0.0.1 for the whole run."""
    with S3Server() as server:
        yield server


@pytest.fixture
def s3_archive(s3_server: S3Server, monkeypatch: pytest.MonkeyPatch) -> str:
    """An archive URL on a fresh bucket of the S3 server, with AWS_* credentials exported."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", ACCESS_KEY)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET_KEY)
    monkeypatch.setenv("AWS_REGION", REGION)
    for name in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    return f"s3://{s3_server.new_bucket()}/archive?endpoint={s3_server.endpoint}"


@pytest.fixture(scope="session")
def prefect_harness() -> Iterator[str]:
    """A real, temporary Prefect API for flow runs (entered once: it takes ~15 s); its URL."""
    from prefect.settings import get_current_settings
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield str(get_current_settings().api.url)


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    """A throwaway PostgreSQL database for the session (needs CLAIMWATCH_TEST_POSTGRES_URL)."""
    admin_url = make_url(POSTGRES_URL)
    name = f"claimwatch_test_{uuid.uuid4().hex[:8]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin_url.set(database=name).render_as_string(hide_password=False)
    finally:
        from storage.db import reset_engines

        reset_engines()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=BACKENDS)
def home(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Path]:
    """A fresh CLAIMWATCH_HOME and an empty, migrated database on each backend."""
    from storage.db import get_engine, migrate, reset_engines
    from storage.settings import get_settings

    monkeypatch.setenv("CLAIMWATCH_HOME", str(tmp_path / "home"))
    if request.param == "postgresql":
        url = request.getfixturevalue("postgres_database")
        engine = create_engine(url)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        engine.dispose()
        monkeypatch.setenv("CLAIMWATCH_DATABASE_URL", url)
    else:
        monkeypatch.delenv("CLAIMWATCH_DATABASE_URL", raising=False)
    monkeypatch.setenv("CLAIMWATCH_ALLOW_PRIVATE_ADDRESSES", "true")
    # Fast, polite-enough crawls against 127.0.0.1.
    monkeypatch.setenv("CLAIMWATCH_AUTOTHROTTLE", "false")
    monkeypatch.setenv("CLAIMWATCH_DOWNLOAD_TIMEOUT", "5")
    get_settings.cache_clear()
    reset_engines()
    migrate()
    yield tmp_path / "home"
    get_engine().dispose()
    reset_engines()
    get_settings.cache_clear()


@pytest.fixture
def db(home: Path) -> Iterator:
    """A session on the test database (committed on success)."""
    from storage.db import session

    with session() as db_session:
        yield db_session
