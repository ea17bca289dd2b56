"""Analysis with a pool of extraction workers (CLAIMWATCH_ANALYSIS_WORKERS=2) records what an
analysis in one process records: the same outcomes, versions, claims and changes, the index
page and the soft 404 included (the workers' extractions are consumed as they come, in order)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import col, func, select

import service.extraction
from claimwatch.sitesrv import SiteServer
from crawler.run import run_crawl
from service.analyse import analyse_batch, plan_batches
from storage.db import session
from storage.models import Capture, Change, ClaimRecord, Source, Version
from storage.settings import get_settings
from tests.flows.pipeline import cli

FIXTURES = Path(__file__).parents[1] / "fixtures"
# path -> (first fixture, second fixture)
PAGES = {
    "/deepher/": (
        "deepher/oxytocin-superpower.v1.html",
        "deepher/oxytocin-superpower.v5-claims-edited.html",
    ),
    "/lifeext/": (
        "lifeext/could-your-relationship-use-more-oxytocin.v1.html",
        "lifeext/could-your-relationship-use-more-oxytocin.v2-strengthened.html",
    ),
    "/muscle/": ("lifeext/trust-hormone-oxytocin-muscle.v1.html",) * 2,
    "/latin1/": ("lifeext/latin1.v1.html", "deepher/oxytocin-superpower.v3-text-edit.html"),
    "/index/": ("lifeext/index.html",) * 2,
    "/none/": ("lifeext/no-article.html",) * 2,
}  # fmt: skip
NOT_FOUND = b"<html><head><title>Page not found</title></head><body><h1>Oops</h1></body></html>"


def _crawl(group: str) -> None:
    with session() as db:
        batch = [
            {"source_id": s.id, "url": s.url, "etag": None, "last_modified": None}
            for s in db.exec(select(Source).order_by(col(Source.id)))
            if f"/{group}/" in s.url
        ]
    result = run_crawl(batch)
    assert result.returncode == 0, result.stderr_tail


def _analyse(group: str, workers: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLAIMWATCH_ANALYSIS_WORKERS", str(workers))
    get_settings.cache_clear()
    with session() as db:
        ids = [s.id for s in db.exec(select(Source)) if f"/{group}/" in s.url]
    for capture_ids in plan_batches(source_ids=ids, batch_size=1000):
        analyse_batch(capture_ids)
    get_settings.cache_clear()


def _recorded(group: str) -> list[list[tuple[object, ...]]]:
    """What analysis recorded for a group's sources, in order, without ids or times."""
    with session() as db:
        sources = {
            s.id: s.url.rsplit("/", 2)[-2] for s in db.exec(select(Source)) if f"/{group}/" in s.url
        }
        mine = col(Capture.source_id).in_(sources)
        captures = [
            (sources[c.source_id], c.outcome, c.error.replace(f"/{group}/", "/"))
            for c in db.exec(
                select(Capture).where(mine).order_by(col(Capture.source_id), col(Capture.id))
            )
        ]
        versions = [
            (sources[v.source_id], v.number, v.title, v.content_hash)
            for v in db.exec(
                select(Version)
                .where(col(Version.source_id).in_(sources))
                .order_by(col(Version.source_id), col(Version.number))
            )
        ]
        claims = [
            (sources[source_id], number, count)
            for source_id, number, count in db.exec(
                select(Version.source_id, Version.number, func.count(col(ClaimRecord.id)))
                .join(ClaimRecord, col(ClaimRecord.version_id) == col(Version.id))
                .where(col(Version.source_id).in_(sources))
                .group_by(col(Version.source_id), col(Version.number))
                .order_by(col(Version.source_id), col(Version.number))
            )
        ]
        changes = [
            (sources[c.source_id], c.kinds, c.summary)
            for c in db.exec(
                select(Change).where(col(Change.source_id).in_(sources)).order_by(col(Change.id))
            )
        ]
    return [captures, versions, claims, changes]


def _two_checks(
    site: SiteServer, group: str, workers: int, monkeypatch: pytest.MonkeyPatch
) -> list[list[tuple[object, ...]]]:
    """A first check of every page and a second one after some changed; what was recorded."""
    for path, (first, _) in PAGES.items():
        site.set_file(f"/{group}{path}", FIXTURES / first)
    site.set(f"/{group}/gone/", body=NOT_FOUND, content_type="text/html")
    cli("track", *(site.url(f"/{group}{p}") for p in PAGES), site.url(f"/{group}/gone/"))
    _crawl(group)
    _analyse(group, workers, monkeypatch)
    for path, (_, second) in PAGES.items():
        site.set_file(f"/{group}{path}", FIXTURES / second)
    _crawl(group)
    _analyse(group, workers, monkeypatch)
    return _recorded(group)


def test_a_pool_records_what_one_process_records(
    home: Path, fresh_site: SiteServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A pool for any batch of two pages or more: these batches are small.
    monkeypatch.setattr(service.extraction, "POOL_THRESHOLD", 2)
    pooled = _two_checks(fresh_site, "pool", 2, monkeypatch)
    captures, versions, claims, changes = pooled
    assert len(captures) == 2 * (len(PAGES) + 1)
    assert ("index", "no_article") in [c[:2] for c in captures]
    assert ("gone", "gone") in [c[:2] for c in captures]
    assert {v[0] for v in versions} == {"deepher", "lifeext", "muscle", "latin1"}
    assert claims
    assert {c[0] for c in changes} == {"deepher", "lifeext", "latin1"}
    alone = _two_checks(fresh_site, "alone", 1, monkeypatch)
    for recorded_alone, recorded_pooled in zip(alone, pooled, strict=True):
        assert recorded_alone == recorded_pooled
