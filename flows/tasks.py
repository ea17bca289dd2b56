"""Prefect tasks: each wraps one batched step of the service layer (retries live here)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from prefect import task

from service import passes
from service.analyse import AnalysisReport, analyse_batch, plan_batches
from storage.db import migrate


@task(retries=3, retry_delay_seconds=[2, 5, 15])
def prepare_database() -> bool:
    """Create or upgrade the schema; whether the database was created just now."""
    return migrate()


@task(retries=3, retry_delay_seconds=[2, 5, 15])
def plan_crawl(
    *, due_only: bool, urls: list[str], tag: str, batch_size: int
) -> list[list[dict[str, Any]]]:
    """The sources to check, as crawl batches."""
    return passes.plan_crawl(due_only=due_only, urls=urls, tag=tag, batch_size=batch_size)


@task(retries=3, retry_delay_seconds=[2, 5, 15])
def claim_crawl(
    *,
    holder: str,
    due_only: bool,
    urls: list[str],
    tag: str,
    started: datetime,
    tried: list[int],
    batch_size: int,
) -> passes.CrawlClaim:
    """Lease free hosts that have sources left to check in this pass, with those sources."""
    return passes.claim_crawl(
        holder=holder,
        due_only=due_only,
        urls=urls,
        tag=tag,
        started=started,
        tried=tried,
        batch_size=batch_size,
    )


@task(retries=2, retry_delay_seconds=[5, 15], task_run_name="crawl-{batch_number}")
def crawl_batch(batch: list[dict[str, Any]], batch_number: int = 0) -> dict[str, Any]:
    """Fetch one batch in a Scrapy subprocess; captures are committed when it returns."""
    result = passes.crawl(batch)
    return {
        "captures": result.captures,
        "seconds": result.seconds,
        "timed_out": result.timed_out,
        "log_file": result.log_file,
    }


@task(retries=3, retry_delay_seconds=[2, 5, 15])
def find_unchecked(
    source_ids: list[int], *, since: datetime, reasons: dict[int, str]
) -> list[tuple[str, str]]:
    """The planned sources no capture was saved for in this pass, with the reason."""
    return passes.unchecked_sources(source_ids, since=since, reasons=reasons)


@task(retries=3, retry_delay_seconds=[2, 5, 15])
def plan_analysis(*, source_ids: list[int] | None, batch_size: int) -> list[list[int]]:
    """Pending captures in batches that keep each source's captures together."""
    return plan_batches(source_ids=source_ids, batch_size=batch_size)


@task(retries=3, retry_delay_seconds=[2, 5, 15], task_run_name="analyse-{batch_number}")
def analyse_captures(capture_ids: list[int], batch_number: int = 0) -> AnalysisReport:
    """Extract, assess and record one batch of captures in one transaction."""
    return analyse_batch(capture_ids)
