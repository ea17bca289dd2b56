"""The SSRF guard in real crawls (Scrapy subprocesses) against real servers on loopback addresses.

Every test server is on a loopback address, which the guard refuses. To have a server that
counts as allowed, these tests do not switch the guard off (CLAIMWATCH_ALLOW_PRIVATE_ADDRESSES,
true for the rest of the suite) but allow exactly one address with the guard's own allow-list,
CLAIMWATCH_ALLOWED_NETWORKS=127.0.0.2/32: the "outside" server listens on 127.0.0.2, and the
"internal" servers on 127.0.0.1 and ::1 hold a secret. Every way of reaching them, directly or
by a redirect from the allowed server, must be refused before a byte is sent to them.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import col, select

from claimwatch.sitesrv import SiteServer
from crawler.run import CrawlResult, run_crawl
from storage.archive import read_payload
from storage.db import session
from storage.models import Capture, Source
from storage.settings import get_settings

pytestmark = pytest.mark.slow

SECRET = b"<html><body><p>INTERNAL ADMIN CONSOLE: s3cr3t</p></body></html>"
PUBLIC = b"<html><body><p>A public article.</p></body></html>"
ADVICE = "(set CLAIMWATCH_ALLOW_PRIVATE_ADDRESSES=true to allow)"


@pytest.fixture
def servers() -> Iterator[dict[str, SiteServer]]:
    """An allowed "outside" server on 127.0.0.2, internal ones on 127.0.0.1 and ::1."""
    with (
        SiteServer(host="127.0.0.2") as outside,
        SiteServer(host="127.0.0.1") as inside,
        SiteServer(host="::1") as inside6,
    ):
        outside.set("/article", body=PUBLIC)
        inside.set("/admin", body=SECRET)
        inside6.set("/admin", body=SECRET)
        yield {"outside": outside, "inside": inside, "inside6": inside6}


def internal_urls(servers: dict[str, SiteServer]) -> dict[str, tuple[str, str]]:
    """Ways to reach the internal servers: {case: (url, the refusal it must get)}."""
    port, port6 = servers["inside"].port, servers["inside6"].port
    loopback = "a loopback address"
    return {
        "name": (f"http://localhost:{port}/admin", f"localhost resolves to 127.0.0.1, {loopback}"),
        "dotted": (f"http://127.0.0.1:{port}/admin", f"127.0.0.1 is {loopback}"),
        "decimal": (f"http://2130706433:{port}/admin", f"2130706433 is 127.0.0.1, {loopback}"),
        "hex": (f"http://0x7f000001:{port}/admin", f"0x7f000001 is 127.0.0.1, {loopback}"),
        "octal": (f"http://0177.0.0.1:{port}/admin", f"0177.0.0.1 is 127.0.0.1, {loopback}"),
        "short": (f"http://127.1:{port}/admin", f"127.1 is 127.0.0.1, {loopback}"),
        "mapped": (f"http://[::ffff:127.0.0.1]:{port}/admin", f"::ffff:127.0.0.1 is {loopback}"),
        "ipv6": (f"http://[::1]:{port6}/admin", f"::1 is {loopback}"),
    }


def crawl(urls: dict[str, str]) -> tuple[CrawlResult, dict[str, Capture]]:
    """Crawl `urls` (sources added directly: `track` would refuse or merge IP spellings);
    the crawl and each case's capture."""
    with session() as db:
        sources = [Source(url=url, normalized_url=f"{case}:{url}") for case, url in urls.items()]
        db.add_all(sources)
        db.flush()
        batch = [{"source_id": source.id, "url": source.url} for source in sources]
        by_source = {source.id: case for source, case in zip(sources, urls, strict=True)}
    result = run_crawl(batch, timeout=120)
    with session() as db:
        captures = list(db.exec(select(Capture).order_by(col(Capture.id))))
    return result, {by_source[c.source_id]: c for c in captures}


@pytest.fixture
def guarded(monkeypatch: pytest.MonkeyPatch, home: Path) -> Path:
    """The guard as shipped (private addresses refused), with 127.0.0.2 allowed."""
    monkeypatch.setenv("CLAIMWATCH_ALLOW_PRIVATE_ADDRESSES", "false")
    monkeypatch.setenv("CLAIMWATCH_ALLOWED_NETWORKS", "127.0.0.2/32")
    get_settings.cache_clear()
    return home


def test_internal_addresses_are_refused_directly_and_after_redirects(
    guarded: Path, servers: dict[str, SiteServer]
) -> None:
    outside = servers["outside"]
    cases = internal_urls(servers)
    urls = {"public": outside.url("/article")}
    for case, (target, _) in cases.items():
        urls[case] = target
        outside.set(f"/to-{case}", status=302, headers={"Location": target})
        urls[f"redirect-{case}"] = outside.url(f"/to-{case}")
    # Two hops: the first one stays on the allowed server.
    outside.set("/hop", status=301, headers={"Location": outside.url("/to-name")})
    urls["redirect-two-hops"] = outside.url("/hop")

    result, captures = crawl(urls)

    assert result.returncode == 0, result.stderr_tail
    assert captures["public"].status == 200 and captures["public"].error == ""
    expected = {case: message for case, (_, message) in cases.items()}
    expected |= {f"redirect-{case}": message for case, message in expected.items()}
    expected["redirect-two-hops"] = expected["name"]
    for case, message in expected.items():
        assert captures[case].status is None, case
        assert captures[case].error == f"refused: {message} {ADVICE}", case
        assert captures[case].warc_file is None, case
    # Not a request reached the internal servers, robots.txt included.
    assert servers["inside"].requests == []
    assert servers["inside6"].requests == []


def test_refused_addresses_are_not_retried(guarded: Path, servers: dict[str, SiteServer]) -> None:
    outside = servers["outside"]
    target, _ = internal_urls(servers)["name"]
    outside.set("/to-name", status=302, headers={"Location": target})
    result, captures = crawl({"redirect": outside.url("/to-name")})
    assert captures["redirect"].error.startswith("refused: localhost resolves to 127.0.0.1")
    assert len(outside.requests_for("/to-name")) == 1
    assert "Retrying" not in Path(result.log_file).read_text()


def test_allowing_private_addresses_fetches_them(
    home: Path, servers: dict[str, SiteServer]
) -> None:
    """CLAIMWATCH_ALLOW_PRIVATE_ADDRESSES=true (the suite's setting) opens every address,
    IPv6 literals included (they used to fail with "DNS lookup failed for ::1")."""
    outside = servers["outside"]
    cases = internal_urls(servers)
    urls = {case: url for case, (url, _) in cases.items()}
    outside.set("/to-name", status=302, headers={"Location": cases["name"][0]})
    urls["redirect-name"] = outside.url("/to-name")

    result, captures = crawl(urls)

    assert result.returncode == 0, result.stderr_tail
    archive = get_settings().archive_dir
    for case, capture in captures.items():
        assert capture.status == 200 and capture.error == "", (case, capture.error)
        assert capture.warc_file is not None and capture.warc_offset is not None
        assert read_payload(archive, capture.warc_file, capture.warc_offset) == SECRET
    assert captures["ipv6"].final_url == urls["ipv6"]
