"""Recorded archives served by the real app: the demo's edit on each backend, a hostile blog."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import pytest

from claimwatch.sitesrv import SiteServer
from tests.conftest import BACKENDS, POSTGRES_URL
from tests.web.archive import environment, postgres_database, record_demo, record_hostile, serve_app


@dataclass
class Served:
    """An archive and the app serving it."""

    backend: str
    base_url: str
    env: dict[str, str]
    urls: list[str]

    def session(self):  # type: ignore[no-untyped-def]
        """A storage session on this archive (use inside `with archive.storage():`)."""
        from storage.db import session

        return session()

    def storage(self):  # type: ignore[no-untyped-def]
        """Point storage at this archive for the duration."""
        return environment(self.env)


def _archive(backend: str, stack: ExitStack, record) -> Served:  # type: ignore[no-untyped-def]
    home = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="claimwatch-web-")))
    database = ""
    if backend == "postgresql":
        database = stack.enter_context(postgres_database(POSTGRES_URL))
    env = {
        "CLAIMWATCH_HOME": str(home),
        "CLAIMWATCH_DATABASE_URL": database,
        "CLAIMWATCH_AUTOTHROTTLE": "false",
        "CLAIMWATCH_DOWNLOAD_TIMEOUT": "5",
    }
    site = stack.enter_context(SiteServer())
    with environment(env):
        urls = record(site)
    base = stack.enter_context(serve_app(env))
    return Served(backend, base, env, urls if isinstance(urls, list) else [urls])


@pytest.fixture(scope="session", params=BACKENDS)
def demo(request: pytest.FixtureRequest) -> Iterator[Served]:
    """The demo blog after its bundled edit (one change), served; once per backend."""
    with ExitStack() as stack:
        yield _archive(request.param, stack, record_demo)


@pytest.fixture(scope="session", params=BACKENDS)
def hostile_site(request: pytest.FixtureRequest) -> Iterator[Served]:
    """An archive whose every scraped string is an attack, served; once per backend."""
    with ExitStack() as stack:
        yield _archive(request.param, stack, record_hostile)
