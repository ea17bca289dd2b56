"""A stored URL longer than Scrapy takes is recorded as an error capture, not dropped unseen."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import select

from claimwatch.sitesrv import SiteServer
from crawler.run import run_crawl
from storage.db import session
from storage.models import Capture, Source

pytestmark = pytest.mark.slow


def test_a_long_url_gets_an_error_capture(home: Path, fresh_site: SiteServer) -> None:
    fresh_site.set("/short", body=b"<html><body><p>fine</p></body></html>")
    long_path = "/" + "x" * 2100
    fresh_site.set(long_path, body=b"<html><body><p>never asked for</p></body></html>")
    urls = [fresh_site.url("/short"), fresh_site.url(long_path)]
    with session() as db:
        # Added before `track` refused such URLs.
        sources = [Source(url=url, normalized_url=url) for url in urls]
        db.add_all(sources)
        db.flush()
        batch = [{"source_id": s.id, "url": s.url} for s in sources]

    result = run_crawl(batch, timeout=60)

    assert result.returncode == 0, result.stderr_tail
    assert result.captures == 2
    with session() as db:
        captures = {c.url: c for c in db.exec(select(Capture))}
    assert captures[urls[0]].status == 200
    long_capture = captures[urls[1]]
    assert long_capture.status is None
    assert long_capture.error.startswith(f"URL longer than 2083 characters ({len(urls[1])}): ")
    assert fresh_site.requests_for(long_path) == []
