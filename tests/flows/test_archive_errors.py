"""A capture whose WARC record is lost or corrupt: analysis records `archive_error` on it,
analyses the rest and reports it; later passes are unaffected (issue 7, defect 1)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlmodel import select

from claimwatch.sitesrv import SiteServer
from crawler.run import run_crawl
from storage.db import session
from storage.models import Capture, Source, Version
from tests.flows.pipeline import ARTICLE, FIXTURES, cli

pytestmark = pytest.mark.slow


def run_process() -> subprocess.CompletedProcess[str]:
    """`claimwatch run` as its own process on the session's Prefect server."""
    return subprocess.run(
        [sys.executable, "-m", "claimwatch", "run"],
        env={**os.environ, "PREFECT_API_URL": os.environ["CLAIMWATCH_TEST_PREFECT_API_URL"]},
        capture_output=True,
        text=True,
        timeout=240,
    )


def counts(stdout: str) -> dict[str, int]:
    """The summary's first line as numbers."""
    return {k: int(v) for k, v in (p.split(": ") for p in stdout.splitlines()[0].split("  "))}


def _crawl_only(url: str) -> Capture:
    """Fetch one source with a real Scrapy subprocess, without analysing it."""
    with session() as db:
        source = db.exec(select(Source).where(Source.url == url)).one()
        entry = {"source_id": source.id, "url": url, "etag": None, "last_modified": None}
    assert run_crawl([entry]).returncode == 0
    with session() as db:
        return db.exec(select(Capture).where(Capture.source_id == entry["source_id"])).one()


def _damage(home: Path, capture: Capture, how: str) -> None:
    assert capture.warc_file and capture.warc_offset is not None and capture.warc_length
    path = home / "archive" / capture.warc_file
    if how == "missing":
        path.unlink()
        return
    data = bytearray(path.read_bytes())
    start = capture.warc_offset + capture.warc_length // 3
    data[start : start + 64] = b"\x00" * 64  # inside the record's gzip member
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("how", ["missing", "corrupt"])
def test_lost_record_is_an_error_on_its_capture_only(
    home: Path, fresh_site: SiteServer, how: str
) -> None:
    fresh_site.set_file("/a/", ARTICLE.with_name(f"{ARTICLE.name}.v1.html"))
    fresh_site.set_file("/b/", FIXTURES / "lifeext" / "latin1.v1.html")
    url_a, url_b = fresh_site.url("/a/"), fresh_site.url("/b/")
    cli("track", url_a, url_b)
    # Each crawled on its own (its own WARC file) and left pending, as a crash would leave it.
    damaged = _crawl_only(url_a)
    _crawl_only(url_b)
    _damage(home, damaged, how)

    first = run_process()
    assert first.returncode == 0, first.stdout + first.stderr
    summary = counts(first.stdout)
    assert summary["planned"] == 2 and summary["checked"] == 2
    # B is new; both fetches of this pass were conditional GETs answered 304 (unchanged).
    assert (summary["errors"], summary["new"], summary["unchanged"]) == (1, 1, 2)
    assert "archive_error" in first.stdout and url_a in first.stdout
    with session() as db:
        lost = db.get(Capture, damaged.id)
        assert lost is not None
        assert lost.outcome == "archive_error" and lost.analysed_at is not None
        assert ("missing file" if how == "missing" else "corrupt record") in lost.error
        assert db.exec(select(Capture).where(Capture.analysed_at == None)).all() == []  # noqa: E711
        source_a = db.get(Source, damaged.source_id)
        assert source_a is not None and source_a.etag is None  # next check: a full GET

    # Later passes are unaffected: no error, nothing pending, exit 0; A gets its version.
    later = run_process()
    assert later.returncode == 0, later.stdout + later.stderr
    assert counts(later.stdout) == {
        "planned": 2,
        "checked": 2,
        "new": 1,
        "changed": 0,
        "unchanged": 1,
        "errors": 0,
    }
    with session() as db:
        assert len(db.exec(select(Version.source_id)).all()) == 2
