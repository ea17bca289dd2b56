"""Real crawls (Scrapy subprocesses via run_crawl) of the fixture server into WARC + SQLite."""

from __future__ import annotations

import hashlib
import socket
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlmodel import col, select
from warcio.archiveiterator import ArchiveIterator

from claimwatch.sitesrv import SiteServer
from crawler.run import CrawlResult, run_crawl
from storage.archive import (
    PROFILE_IDENTICAL,
    PROFILE_NOT_MODIFIED,
    read_payload,
    sha256_to_warc_digest,
)
from storage.db import get_engine, migrate, reset_engines, session
from storage.models import Capture, Source
from storage.settings import get_settings

pytestmark = pytest.mark.slow

WARCIO = Path(sys.executable).parent / "warcio"
MAXSIZE = 20 * 1024
ARTICLE = b"<html><head><title>Oxytocin</title></head><body><p>Lowers cortisol.</p></body></html>"
CHANGING_V1 = b"<html><body><p>Oxytocin boosts osteoblasts.</p></body></html>"
CHANGING_V2 = b"<html><body><p>Oxytocin may support osteoblasts.</p></body></html>"
STATIC = b"<html><body><p>A page served without validators.</p></body></html>"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
BIG = b"<html><body>" + b"x" * (50 * 1024) + b"</body></html>"
ROBOTS = b"User-agent: *\nDisallow: /spider/private/\n"
PATHS = {
    "article": "/spider/article",
    "changing": "/spider/changing",
    "static": "/spider/static",
    "pdf": "/spider/paper.pdf",
    "gone": "/spider/gone",
    "busy": "/spider/busy",
    "gateway": "/spider/gateway",
    "moved": "/spider/moved",
    "slow": "/spider/slow",
    "big": "/spider/big",
    "private": "/spider/private/page",
}


def _refused_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/nothing-listens"


@dataclass
class Crawls:
    """The module's two crawls, the URLs of their sources and where the archive is."""

    site: SiteServer
    archive: Path
    urls: dict[str, str]
    ids: dict[str, int]
    first: CrawlResult
    second: CrawlResult

    def captures(self, key: str) -> list[Capture]:
        """The source's captures, oldest first."""
        with session() as db:
            query = select(Capture).where(Capture.source_id == self.ids[key])
            return list(db.exec(query.order_by(col(Capture.id))))

    def source(self, key: str) -> Source:
        with session() as db:
            found = db.get(Source, self.ids[key])
        assert found is not None
        return found

    def warc_files(self) -> list[Path]:
        return sorted(self.archive.rglob("*.warc.gz"))


def _set_routes(site: SiteServer) -> None:
    site.set("/robots.txt", body=ROBOTS, content_type="text/plain", validators=False)
    site.set(PATHS["article"], body=ARTICLE)
    site.set(PATHS["changing"], body=CHANGING_V1)
    site.set(PATHS["static"], body=STATIC, validators=False)
    site.set(PATHS["pdf"], body=PDF, content_type="application/pdf")
    site.set(PATHS["busy"], body=b"<h1>Busy</h1>", status=503)
    site.set(PATHS["gateway"], body=b"<h1>Bad gateway</h1>", status=502)
    site.set(PATHS["moved"], status=301, headers={"Location": site.url(PATHS["article"])})
    site.set(PATHS["slow"], body=ARTICLE, delay=3.0)
    site.set(PATHS["big"], body=BIG)
    site.set(PATHS["private"], body=ARTICLE)


@pytest.fixture(scope="module")
def crawls(site: SiteServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Crawls]:
    """Crawl every case once, change the site, crawl the revisitable cases again."""
    home = tmp_path_factory.mktemp("spider") / "home"
    with pytest.MonkeyPatch.context() as env:
        env.setenv("CLAIMWATCH_HOME", str(home))
        env.delenv("CLAIMWATCH_DATABASE_URL", raising=False)
        env.setenv("CLAIMWATCH_AUTOTHROTTLE", "false")
        env.setenv("CLAIMWATCH_DOWNLOAD_TIMEOUT", "1")
        env.setenv("CLAIMWATCH_DOWNLOAD_MAXSIZE", str(MAXSIZE))
        get_settings.cache_clear()
        reset_engines()
        migrate()
        _set_routes(site)
        urls = {key: site.url(path) for key, path in PATHS.items()}
        urls |= {"refused": _refused_url(), "malformed": "not a url", "bad-ipv6": "http://[::1"}
        ids = {key: number for number, key in enumerate(urls, start=1)}
        with session() as db:
            for key, url in urls.items():
                db.add(Source(id=ids[key], url=url, normalized_url=f"{key}:{url}"))
        first = run_crawl([{"source_id": ids[k], "url": u} for k, u in urls.items()], timeout=60)
        site.set(PATHS["changing"], body=CHANGING_V2)
        with session() as db:
            sources = [db.get(Source, ids[k]) for k in ("article", "changing", "static")]
            batch = [
                {"source_id": s.id, "url": s.url, "etag": s.etag, "last_modified": s.last_modified}
                for s in sources
                if s is not None
            ]
        second = run_crawl(batch, timeout=60)
        yield Crawls(site, home / "archive", urls, ids, first, second)
        get_engine().dispose()
        reset_engines()
    get_settings.cache_clear()
    for path in [*PATHS.values(), "/robots.txt"]:
        site.remove(path)


def _records(path: Path) -> list[dict[str, str]]:
    with path.open("rb") as handle:
        return [dict(record.rec_headers.headers) for record in ArchiveIterator(handle)]


def test_both_crawls_exit_cleanly(crawls: Crawls) -> None:
    assert crawls.first.returncode == 0, crawls.first.stderr_tail
    assert crawls.second.returncode == 0, crawls.second.stderr_tail
    assert not crawls.first.timed_out


def test_every_batch_entry_becomes_one_capture(crawls: Crawls) -> None:
    assert crawls.first.captures == len(crawls.urls)
    assert crawls.second.captures == 3
    assert all(len(crawls.captures(key)) >= 1 for key in crawls.urls)


@pytest.mark.parametrize(
    ("key", "status", "content_type", "body"),
    [
        ("article", 200, "text/html; charset=utf-8", ARTICLE),
        ("changing", 200, "text/html; charset=utf-8", CHANGING_V1),
        ("static", 200, "text/html; charset=utf-8", STATIC),
        ("pdf", 200, "application/pdf", PDF),
        ("busy", 503, "text/html; charset=utf-8", b"<h1>Busy</h1>"),
        ("gateway", 502, "text/html; charset=utf-8", b"<h1>Bad gateway</h1>"),
        ("moved", 200, "text/html; charset=utf-8", ARTICLE),
    ],
)
def test_http_answers_are_archived_as_responses(
    crawls: Crawls, key: str, status: int, content_type: str, body: bytes
) -> None:
    capture = crawls.captures(key)[0]
    assert capture.status == status
    assert capture.error == ""
    assert capture.content_type == content_type
    assert capture.warc_record_type == "response"
    assert capture.payload_sha256 == hashlib.sha256(body).hexdigest()
    assert capture.payload_size == len(body)
    assert capture.warc_file is not None and capture.warc_offset is not None
    assert read_payload(crawls.archive, capture.warc_file, capture.warc_offset) == body


def test_a_missing_page_is_a_404_capture(crawls: Crawls) -> None:
    capture = crawls.captures("gone")[0]
    assert capture.status == 404
    assert capture.warc_record_type == "response"
    assert capture.warc_file is not None and capture.warc_offset is not None
    assert b"Not Found" in read_payload(crawls.archive, capture.warc_file, capture.warc_offset)


@pytest.mark.parametrize(
    ("key", "error"),
    [
        ("slow", "timeout after 1 s"),
        ("refused", "connection refused"),
        ("big", "response larger than 20 KB"),
        ("private", "forbidden by robots.txt"),
        ("malformed", "malformed URL (not http/https): not a url"),
        ("bad-ipv6", "malformed URL: Invalid IPv6 URL"),
    ],
)
def test_failed_fetches_are_error_captures(crawls: Crawls, key: str, error: str) -> None:
    capture = crawls.captures(key)[0]
    assert capture.status is None
    assert capture.error == error
    assert capture.warc_file is None
    assert capture.warc_record_type is None
    assert capture.payload_sha256 is None
    assert crawls.source(key).last_error == error
    assert crawls.source(key).last_status is None


@pytest.mark.parametrize(("key", "attempts"), [("busy", 1), ("gateway", 3), ("slow", 3)])
def test_retries_are_bounded(crawls: Crawls, key: str, attempts: int) -> None:
    assert len(crawls.site.requests_for(PATHS[key])) == attempts, crawls.first.stderr_tail


def test_robots_txt_was_obeyed(crawls: Crawls) -> None:
    assert crawls.site.requests_for(PATHS["private"]) == []
    assert len(crawls.site.requests_for("/robots.txt")) >= 1


def test_user_agent_names_claimwatch(crawls: Crawls) -> None:
    agent = crawls.site.requests_for(PATHS["pdf"])[0].headers["User-Agent"]
    assert agent.startswith("claimwatch/")
    assert "+http" in agent


def test_redirect_records_the_final_url(crawls: Crawls) -> None:
    capture = crawls.captures("moved")[0]
    assert capture.url == crawls.urls["moved"]
    assert capture.final_url == crawls.urls["article"]


def test_source_keeps_validators_of_a_200(crawls: Crawls) -> None:
    source = crawls.source("pdf")
    assert source.last_status == 200
    assert source.etag is not None and source.etag.startswith('"')
    assert source.last_modified is not None and source.last_modified.endswith("GMT")
    assert source.last_checked_at is not None


def test_second_crawl_sends_a_conditional_get(crawls: Crawls) -> None:
    first, second = crawls.captures("article")[0], crawls.captures("article")[1]
    request = crawls.site.requests_for(PATHS["article"])[-1]
    assert request.headers["If-None-Match"] == first.headers["Etag"]
    assert request.headers["If-Modified-Since"] == first.headers["Last-Modified"]
    assert second.status == 304


def test_not_modified_is_a_revisit_pointing_at_the_original(crawls: Crawls) -> None:
    first, second = crawls.captures("article")
    assert second.warc_record_type == "revisit"
    assert (second.warc_file, second.warc_offset) == (first.warc_file, first.warc_offset)
    assert second.warc_length == first.warc_length
    assert second.payload_sha256 == first.payload_sha256
    assert crawls.source("article").last_status == 304
    assert crawls.source("article").etag == first.headers["Etag"]


def test_changed_body_is_a_new_response(crawls: Crawls) -> None:
    first, second = crawls.captures("changing")
    assert second.status == 200
    assert second.warc_record_type == "response"
    assert second.warc_file != first.warc_file
    assert second.payload_sha256 == hashlib.sha256(CHANGING_V2).hexdigest()
    assert second.warc_file is not None and second.warc_offset is not None
    assert read_payload(crawls.archive, second.warc_file, second.warc_offset) == CHANGING_V2
    assert crawls.source("changing").etag == second.headers["Etag"]


def test_identical_body_is_a_revisit_not_stored_twice(crawls: Crawls) -> None:
    first, second = crawls.captures("static")
    assert crawls.site.requests_for(PATHS["static"])[-1].headers.get("If-None-Match") is None
    assert second.status == 200
    assert second.warc_record_type == "revisit"
    assert (second.warc_file, second.warc_offset) == (first.warc_file, first.warc_offset)
    assert second.payload_sha256 == first.payload_sha256
    assert second.payload_size == len(STATIC)


@pytest.mark.parametrize(
    ("key", "profile", "digest"),
    [
        ("article", PROFILE_NOT_MODIFIED, None),
        ("static", PROFILE_IDENTICAL, sha256_to_warc_digest(hashlib.sha256(STATIC).hexdigest())),
    ],
)
def test_revisit_records_refer_to_the_original(
    crawls: Crawls, key: str, profile: str, digest: str | None
) -> None:
    first = crawls.captures(key)[0]
    assert first.warc_file is not None
    original = _records(crawls.archive / first.warc_file)
    original_record = next(r for r in original if r.get("WARC-Target-URI") == crawls.urls[key])
    second_file = next(f for f in crawls.warc_files() if f != crawls.archive / first.warc_file)
    records = [r for r in _records(second_file) if r.get("WARC-Target-URI") == crawls.urls[key]]
    assert [r["WARC-Type"] for r in records] == ["revisit"]
    assert records[0]["WARC-Profile"] == profile
    assert records[0]["WARC-Refers-To"] == original_record["WARC-Record-ID"]
    assert records[0]["WARC-Refers-To-Target-URI"] == crawls.urls[key]
    assert records[0]["WARC-Refers-To-Date"] == original_record["WARC-Date"]
    assert records[0].get("WARC-Payload-Digest") == digest


def test_one_warc_file_per_crawl_with_warcinfo_first(crawls: Crawls) -> None:
    files = crawls.warc_files()
    assert len(files) == 2
    assert all(_records(f)[0]["WARC-Type"] == "warcinfo" for f in files)
    assert all(f.name.startswith("claimwatch-") for f in files)


def test_warc_files_pass_warcio_index_and_check(crawls: Crawls) -> None:
    for path in crawls.warc_files():
        index = subprocess.run([WARCIO, "index", path], capture_output=True, text=True)
        check = subprocess.run([WARCIO, "check", path], capture_output=True, text=True)
        assert index.returncode == 0, index.stderr
        assert index.stdout.count("\n") == len(_records(path))
        assert check.returncode == 0, check.stdout


def test_every_archived_payload_matches_its_digest(crawls: Crawls) -> None:
    with session() as db:
        archived = list(db.exec(select(Capture).where(col(Capture.warc_file).is_not(None))))
    assert len(archived) == 11
    for capture in archived:
        assert capture.warc_file is not None and capture.warc_offset is not None
        body = read_payload(crawls.archive, capture.warc_file, capture.warc_offset)
        assert hashlib.sha256(body).hexdigest() == capture.payload_sha256


def test_run_crawl_stops_a_crawl_past_its_timeout(crawls: Crawls) -> None:
    # The slow page never answers, and each of its 3 attempts (2 retries) waits out the 20 s
    # download timeout: the crawl cannot end by itself within 60 s of its first attempt, so
    # the 30 s timeout stops it. The timeout leaves Scrapy time to start even on a loaded
    # machine (under parallel tests it took over 10 s): a SIGTERM before Scrapy's handlers are
    # installed ends the process before it can close the spider.
    crawls.site.set(PATHS["slow"], body=ARTICLE, delay=3600.0)
    gone_before = len(crawls.site.requests_for(PATHS["gone"]))
    with session() as db:
        captures_before = len(list(db.exec(select(Capture))))
    batch = [
        {"source_id": crawls.ids["slow"], "url": crawls.urls["slow"]},
        {"source_id": crawls.ids["gone"], "url": crawls.urls["gone"]},
    ]
    result = run_crawl(batch, env={"CLAIMWATCH_DOWNLOAD_TIMEOUT": "20"}, timeout=30)
    crawls.site.set(PATHS["slow"], body=ARTICLE, delay=3.0)
    assert result.timed_out
    assert result.returncode == 0
    assert "Spider closed (shutdown)" in result.stderr_tail
    # Every fetch that finished is committed on the way out, and nothing else.
    fetched = len(crawls.site.requests_for(PATHS["gone"])) - gone_before
    assert result.captures == fetched
    with session() as db:
        assert len(list(db.exec(select(Capture)))) == captures_before + fetched
    assert {c.status for c in crawls.captures("gone")} == {404}
