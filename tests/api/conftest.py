"""An archive of the demo blog after its edit, on each backend, and the app over it in-process."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from claimwatch.sitesrv import SiteServer
from tests.conftest import BACKENDS, POSTGRES_URL
from tests.web.archive import environment, postgres_database, record_demo


@dataclass
class Archive:
    """A recorded archive: its environment, the demo's article URLs and its site server."""

    backend: str
    env: dict[str, str]
    urls: list[str]
    site: SiteServer


@pytest.fixture(scope="session", params=BACKENDS)
def archive(request: pytest.FixtureRequest) -> Iterator[Archive]:
    """The demo blog tracked, passed, edited and passed again (one change), per backend."""
    with ExitStack() as stack:
        home = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="claimwatch-api-")))
        database = ""
        if request.param == "postgresql":
            database = stack.enter_context(postgres_database(POSTGRES_URL))
        env = {
            "CLAIMWATCH_HOME": str(home),
            "CLAIMWATCH_DATABASE_URL": database,
            "CLAIMWATCH_AUTOTHROTTLE": "false",
            "CLAIMWATCH_DOWNLOAD_TIMEOUT": "5",
            "CLAIMWATCH_API_TOKEN": "",
        }
        site = stack.enter_context(SiteServer())
        with environment(env):
            urls = record_demo(site)
        yield Archive(request.param, env, urls, site)


@pytest.fixture
def client(archive: Archive) -> Iterator[TestClient]:
    """The app (no token, loopback rules) in-process over the archive."""
    from claimwatch.api.app import create_app

    with environment(archive.env), TestClient(create_app()) as test_client:
        yield test_client
