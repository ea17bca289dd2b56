"""Real crawls (Scrapy subprocesses) into an S3 archive (moto): no capture before its record."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import col, select

from claimwatch.sitesrv import SiteServer
from crawler.run import run_crawl
from storage.archive import read_payload
from storage.archive_store import S3ArchiveStore, configured_store
from storage.db import session
from storage.models import Capture, Source
from storage.settings import get_settings
from tests.s3server import SECRET_KEY, S3Server

pytestmark = pytest.mark.slow

PAGES = {f"/s3/page-{n}": f"<html><body><p>Page {n}.</p></body></html>".encode() for n in range(3)}


def _batch(site: SiteServer) -> list[dict[str, object]]:
    with session() as db:
        for number, path in enumerate(PAGES, start=1):
            if db.get(Source, number) is None:
                db.add(Source(id=number, url=site.url(path), normalized_url=site.url(path)))
    return [{"source_id": n, "url": site.url(p)} for n, p in enumerate(PAGES, start=1)]


def _captures() -> list[Capture]:
    with session() as db:
        return list(db.exec(select(Capture).order_by(col(Capture.id))))


@pytest.fixture
def s3_home(home: Path, s3_archive: str, monkeypatch: pytest.MonkeyPatch) -> S3ArchiveStore:
    """A home whose archive is CLAIMWATCH_ARCHIVE_URL on S3 (the crawl inherits the env)."""
    monkeypatch.setenv("CLAIMWATCH_ARCHIVE_URL", s3_archive)
    get_settings.cache_clear()
    store = configured_store()
    assert isinstance(store, S3ArchiveStore)
    return store


def test_a_crawl_stores_whole_warc_objects_and_captures_naming_them(
    s3_home: S3ArchiveStore, s3_server: S3Server, fresh_site: SiteServer, home: Path
) -> None:
    for path, body in PAGES.items():
        fresh_site.set(path, body=body)
    result = run_crawl(_batch(fresh_site), timeout=60)
    captures = _captures()
    keys = s3_server.keys(s3_home.bucket)
    assert result.returncode == 0, result.stderr_tail
    assert result.captures == len(PAGES)
    assert len(captures) == len(PAGES)
    assert {f"archive/{c.warc_file}" for c in captures} <= set(keys)
    # Sources are numbered in PAGES' order; the pages may be fetched in any order.
    bodies = dict(enumerate(PAGES.values(), start=1))
    for capture in captures:
        body = bodies[capture.source_id]
        assert capture.warc_file is not None and capture.warc_offset is not None
        stored = read_payload(s3_home, capture.warc_file, capture.warc_offset)
        assert stored == body
    assert not (home / "archive").exists()
    assert list((home / "spool").iterdir()) == []
    assert SECRET_KEY not in Path(result.log_file).read_text(encoding="utf-8")


def test_no_capture_is_committed_while_its_warc_cannot_be_uploaded(
    home: Path, s3_archive: str, s3_server: S3Server, fresh_site: SiteServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    for path, body in PAGES.items():
        fresh_site.set(path, body=body)
    # A bucket that does not exist yet: every upload fails until it is created.
    bucket = "claimwatch-created-later-" + s3_archive.split("//", 1)[1].split("/", 1)[0][-12:]
    url = s3_archive.replace(s3_archive.split("//", 1)[1].split("/", 1)[0], bucket, 1)
    monkeypatch.setenv("CLAIMWATCH_ARCHIVE_URL", url)
    get_settings.cache_clear()

    failed = run_crawl(_batch(fresh_site), timeout=60)
    assert failed.captures == 0
    assert _captures() == []
    with session() as db:
        assert all(s.last_checked_at is None for s in db.exec(select(Source)))
    assert len(list((home / "spool").iterdir())) == 1  # kept: its upload never happened
    assert "cannot upload" in Path(failed.log_file).read_text(encoding="utf-8")

    s3_server.client().create_bucket(Bucket=bucket)
    retried = run_crawl(_batch(fresh_site), timeout=60)
    captures = _captures()
    assert retried.captures == len(PAGES)
    assert all(f"archive/{c.warc_file}" in s3_server.keys(bucket) for c in captures)
