"""Two analyses at once on the same pending captures (issue 7, defect 3): each capture is
claimed by one of them, so every status change and its alert is recorded once, and the two
reports add up to the captures there were."""

from __future__ import annotations

import contextlib
import threading
from pathlib import Path

import pytest
from sqlmodel import col, select

import service.analyse
from claimwatch.sitesrv import SiteServer
from crawler.run import run_crawl
from service.analyse import AnalysisReport, analyse_batch, plan_batches
from storage.db import session
from storage.models import Alert, Capture, Change, Source
from tests.flows.pipeline import ARTICLE, cli

PAGES = [f"/post-{n}/" for n in range(5)]


def _crawl_all() -> None:
    with session() as db:
        batch = [
            {"source_id": s.id, "url": s.url, "etag": None, "last_modified": None}
            for s in db.exec(select(Source).order_by(col(Source.id)))
        ]
    result = run_crawl(batch)
    assert result.returncode == 0 and result.captures == len(PAGES), result.stderr_tail


def _pending() -> list[int]:
    [ids] = plan_batches(source_ids=None, batch_size=1000)
    return ids


def test_two_analyses_record_each_status_change_once(
    home: Path, fresh_site: SiteServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    for path in PAGES:
        fresh_site.set_file(path, ARTICLE.with_name(f"{ARTICLE.name}.v1.html"))
    cli("track", *(fresh_site.url(p) for p in PAGES))
    cli("alerts", "add", "json://127.0.0.1:9/hook")
    _crawl_all()
    analyse_batch(_pending())
    for path in PAGES:
        fresh_site.set(path, status=404, body=b"<h1>Not found</h1>")
    _crawl_all()
    pending = _pending()
    assert len(pending) == len(PAGES)

    # Both analyses read the same pending captures before either records anything (where
    # claims let them: a claimed capture keeps the other one waiting or away).
    both_read = threading.Barrier(2, timeout=5)
    record = service.analyse.record_assessment
    first_call: set[int] = set()

    def record_after_both_read(*args: object, **kwargs: object) -> object:
        if threading.get_ident() not in first_call:
            first_call.add(threading.get_ident())
            # Broken: the other analysis is held off by the claim, so this one goes on alone.
            with contextlib.suppress(threading.BrokenBarrierError):
                both_read.wait()
        return record(*args, **kwargs)

    monkeypatch.setattr(service.analyse, "record_assessment", record_after_both_read)
    reports: list[AnalysisReport] = []
    errors: list[BaseException] = []

    def analyse() -> None:
        try:
            reports.append(analyse_batch(pending))
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=analyse) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with session() as db:
        changes = db.exec(select(Change)).all()
        alerts = db.exec(select(Alert)).all()
        captures = db.exec(select(Capture).where(col(Capture.id).in_(pending))).all()
    assert len(changes) == len(PAGES)
    assert sorted(c.capture_id for c in changes) == sorted(pending)
    assert all(c.kinds == ["status"] for c in changes)
    assert len(alerts) == len(PAGES)
    assert all(c.outcome == "gone" and c.claimed_by for c in captures)
    # The two reports add up: every capture counted once, by the analysis that recorded it.
    assert sum(r.buckets["changed"] for r in reports) == len(PAGES)
    assert sum(sum(r.buckets.values()) for r in reports) == len(PAGES)
