"""Secrets at rest: everything claimwatch writes under CLAIMWATCH_HOME is for its user only."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from claimwatch.sitesrv import SiteServer
from crawler.run import run_crawl
from storage.alerts import add_channel
from storage.db import get_engine, migrate, reset_engines, session
from storage.settings import get_settings
from storage.sources import track


@pytest.fixture
def loose_umask() -> Iterator[None]:
    """The common default umask (files 0644), restored afterwards."""
    saved = os.umask(0o022)
    yield
    os.umask(saved)


def modes(home: Path) -> dict[str, int]:
    """Permission bits of the home and of everything in it, by path relative to the home."""
    found = {".": stat.S_IMODE(home.stat().st_mode)}
    for path in home.rglob("*"):
        found[path.relative_to(home).as_posix()] = stat.S_IMODE(path.lstat().st_mode)
    return found


def crawl_once(site: SiteServer) -> None:
    """Track a page and a channel URL with a token, crawl the page: database, archive, log."""
    site.set("/post", body=b"<html><body><p>An article.</p></body></html>")
    with session() as db:
        [(source, _)] = track(db, urls=[site.url("/post")], interval_seconds=60)
        add_channel(db, url="json://127.0.0.1:9/hooks/s3cr3t-t0k3n", label="json://…")
        batch = [{"source_id": source.id, "url": source.url}]
    assert run_crawl(batch, timeout=60).captures == 1


@pytest.mark.slow
def test_home_files_are_0600_and_directories_0700(
    loose_umask: None, home: Path, fresh_site: SiteServer
) -> None:
    # The engine of the home fixture was made before this test's umask: start again.
    os.umask(0o022)
    get_engine().dispose()
    reset_engines()
    migrate()

    crawl_once(fresh_site)

    found = modes(home)
    names = set(found)
    assert any(n.startswith("archive/") and n.endswith(".warc.gz") for n in names)
    assert any(n.startswith("logs/crawl-") for n in names)
    if get_settings().database_url == "":  # SQLite: the database and its WAL files
        assert {"claimwatch.db", "claimwatch.db-wal", "claimwatch.db-shm"} <= names
    for name, mode in found.items():
        is_dir = name == "." or (home / name).is_dir()
        assert mode == (0o700 if is_dir else 0o600), f"{name}: {oct(mode)}"


def test_an_older_home_is_tightened(loose_umask: None, home: Path) -> None:
    """Files an older version created world-readable are made private when opened again."""
    for folder in ("archive", "logs"):
        (home / folder).mkdir(parents=True, exist_ok=True)
        (home / folder).chmod(0o755)
    database = home / "claimwatch.db"
    if database.exists():
        database.chmod(0o644)
    get_engine().dispose()
    reset_engines()

    migrate()

    assert stat.S_IMODE((home / "archive").stat().st_mode) == 0o700
    assert stat.S_IMODE((home / "logs").stat().st_mode) == 0o700
    if database.exists():
        assert stat.S_IMODE(database.stat().st_mode) == 0o600
