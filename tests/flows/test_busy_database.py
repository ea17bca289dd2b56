"""A busy database during a crawl (issue 7, defect 2): the crawl whose captures could not be
saved fails (retried, then reported), the pass names every planned source it did not check and
exits 1; nothing is lost once the database is free again."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
from sqlalchemy.engine import make_url
from sqlmodel import select

from claimwatch.sitesrv import SiteServer
from service.passes import CrawlFailed, crawl
from storage.db import session
from storage.models import Capture, Source
from storage.settings import get_settings
from tests.flows.pipeline import ARTICLE, PATH, cli, run_counts, serve

pytestmark = pytest.mark.slow


@contextmanager
def write_locked() -> Iterator[None]:
    """Hold the database's write lock (SQLite) or the capture table's (PostgreSQL)."""
    url = get_settings().effective_database_url
    if url.startswith("sqlite"):
        conn = sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None)
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            conn.execute("ROLLBACK")
            conn.close()
        return
    dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(dsn) as pg:
        # EXCLUSIVE: reads go on, inserts into capture wait (and time out).
        pg.execute("LOCK TABLE capture IN EXCLUSIVE MODE")
        yield
        pg.rollback()


def _entry(url: str) -> dict[str, object]:
    with session() as db:
        source = db.exec(select(Source).where(Source.url == url)).one()
    return {"source_id": source.id, "url": url, "etag": None, "last_modified": None}


def test_a_crawl_whose_captures_cannot_be_saved_fails(
    home: Path, fresh_site: SiteServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CLAIMWATCH_DB_BUSY_TIMEOUT", "1")  # the crawl subprocess inherits it
    serve(fresh_site, "v1")
    url = fresh_site.url(PATH)
    cli("track", url)
    entry = _entry(url)
    with write_locked(), pytest.raises(CrawlFailed, match="1 captures could not be saved"):
        crawl([entry])
    with session() as db:
        assert db.exec(select(Capture)).all() == []
    # Free again: the same crawl saves its capture.
    assert crawl([entry]).captures == 1


def _release_when_saving_failed(logs: Path, attempts: int, done: threading.Event) -> None:
    """Until `attempts` crawl logs say their captures could not be saved (or `done`)."""
    while not done.is_set():
        logs_failed = [
            log
            for log in logs.glob("crawl-*.log")
            if "captures could not be saved" in log.read_text(errors="replace")
        ]
        if len(logs_failed) >= attempts:
            return
        done.wait(0.1)


def test_a_pass_names_the_sources_it_could_not_check(
    home: Path, fresh_site: SiteServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CLAIMWATCH_DB_BUSY_TIMEOUT", "1")
    serve(fresh_site, "v1")
    url = fresh_site.url(PATH)
    cli("track", url)
    body = ARTICLE.with_name(f"{ARTICLE.name}.v1.html").read_bytes()
    # The page answers slowly, so the database can be locked once the pass has leased the host
    # and its crawl is fetching: the lock must hit the saving of captures, not the lease.
    fresh_site.set(PATH, body=body, delay=2.0)
    env = {**os.environ, "PREFECT_API_URL": os.environ["CLAIMWATCH_TEST_PREFECT_API_URL"]}
    command = [sys.executable, "-m", "claimwatch", "run"]
    finished = threading.Event()
    run = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 240
    while not fresh_site.requests_for(PATH) and run.poll() is None:
        assert time.monotonic() < deadline, "the pass never fetched the page"
        time.sleep(0.05)  # polling the site for the crawl's first request
    with write_locked():
        # The lock is held through the crawl and its two retries, then freed for the rest.
        watcher = threading.Thread(
            target=_release_when_saving_failed, args=(home / "logs", 3, finished)
        )
        watcher.start()
        while watcher.is_alive() and run.poll() is None:
            watcher.join(0.2)
        finished.set()
    stdout, stderr = (b.decode() for b in run.communicate(timeout=240))
    assert run.returncode == 1, stdout + stderr
    assert run_counts(stdout)["planned"] == 1
    assert run_counts(stdout)["checked"] == 0
    [line] = [line for line in stdout.splitlines() if "not checked" in line]
    assert url in line and "could not be saved" in line
    assert len(fresh_site.requests_for(PATH)) == 3  # the crawl was tried three times
    serve(fresh_site, "v1")

    # With the database free again the next pass checks it.
    again = subprocess.run(command, env=env, capture_output=True, text=True, timeout=240)
    assert again.returncode == 0, again.stdout + again.stderr
    assert run_counts(again.stdout) == {
        "planned": 1,
        "checked": 1,
        "new": 1,
        "changed": 0,
        "unchanged": 0,
        "errors": 0,
    }
