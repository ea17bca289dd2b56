"""A monitoring pass, step by step: which sources to check, how to crawl a batch, the summary.

The Prefect flow `monitor` composes these steps; anything else can call them directly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlmodel import col, select

from crawler.run import CrawlResult, run_crawl
from service.analyse import AnalysisReport
from storage.db import session
from storage.models import Capture, Source
from storage.sources import select_for_run

CRAWL_TIMEOUT_SECONDS = 3600


class CrawlFailed(RuntimeError):
    """A crawl subprocess ended badly: what it fetched was kept, the rest was not checked."""


def plan_crawl(
    *, due_only: bool, urls: list[str], tag: str, batch_size: int
) -> list[list[dict[str, Any]]]:
    """The sources to check, as crawl batches of (source_id, url, etag, last_modified)."""
    with session() as db:
        sources = select_for_run(db, due_only=due_only, urls=urls, tag=tag)
        entries = [
            {
                "source_id": s.id,
                "url": s.url,
                "etag": s.etag,
                "last_modified": s.last_modified,
            }
            for s in sources
        ]
    return [entries[i : i + batch_size] for i in range(0, len(entries), batch_size)]


def crawl(batch: list[dict[str, Any]], *, timeout: float = CRAWL_TIMEOUT_SECONDS) -> CrawlResult:
    """Fetch one batch in a Scrapy subprocess; captures are committed when it returns."""
    result = run_crawl(batch, timeout=timeout)
    if result.problem:
        # Captures that could not be saved make a failed crawl (retried, then reported).
        tail = result.stderr_tail.strip().splitlines()[-1:] if result.returncode else []
        raise CrawlFailed(" ".join([f"{result.problem} (log: {result.log_file})", *tail]))
    # A crawl stopped for time keeps what it fetched; the rest is checked on the next pass.
    return result


def unchecked_sources(
    source_ids: list[int], *, since: datetime, reasons: dict[int, str]
) -> list[tuple[str, str]]:
    """The planned sources that got no capture fetched since `since`, as (url, reason): the
    reason their crawl failed when known (`reasons`, by source id), else a generic one."""
    if not source_ids:
        return []
    with session() as db:
        query = select(Capture.source_id).where(
            col(Capture.source_id).in_(source_ids), col(Capture.fetched_at) >= since
        )
        captured = set(db.exec(query))
        missing = [i for i in source_ids if i not in captured]
        urls = dict(db.exec(select(Source.id, Source.url).where(col(Source.id).in_(missing))).all())
    return [
        (urls.get(i, f"source {i}"), reasons.get(i, "no capture saved by its crawl"))
        for i in missing
    ]


@dataclass
class MonitorSummary:
    """Counts of one monitoring pass (returned by the flow and printed by the CLI)."""

    sources: int = 0  # planned: the sources this pass set out to check
    checked: int = 0  # planned sources that ended the pass with a capture
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    errors: int = 0
    failures: list[tuple[str, str, str]] = field(default_factory=list)
    alerts_sent: int = 0
    alerts_pending: int = 0
    crawl_failures: list[str] = field(default_factory=list)  # batches whose crawl failed
    not_checked: list[tuple[str, str]] = field(default_factory=list)  # (url, reason)

    @classmethod
    def from_report(
        cls, sources: int, report: AnalysisReport, not_checked: list[tuple[str, str]]
    ) -> MonitorSummary:
        """Summarise a pass: the sources planned, those not checked, the analysis report."""
        buckets = report.buckets
        return cls(
            sources=sources,
            checked=sources - len(not_checked),
            not_checked=not_checked,
            new=buckets["new"],
            changed=buckets["changed"],
            unchanged=buckets["unchanged"],
            errors=buckets["errors"],
            failures=report.failures,
        )

    def to_markdown(self) -> str:
        """The summary as a Markdown artifact."""
        lines = [
            "# claimwatch monitoring pass",
            "",
            "| planned | checked | new | changed | unchanged | errors |",
            "|---|---|---|---|---|---|",
            f"| {self.sources} | {self.checked} | {self.new} | {self.changed} | "
            f"{self.unchanged} | {self.errors} |",
            "",
            f"Alerts: {self.alerts_sent} sent, {self.alerts_pending} pending.",
        ]
        if self.not_checked:
            lines += ["", "## Planned but not checked", "", "| URL | reason |", "|---|---|"]
            lines += [f"| {url} | {reason} |" for url, reason in self.not_checked]
        if self.crawl_failures:
            lines += ["", "## Crawl batches that failed", ""]
            lines += [f"- {failure}" for failure in self.crawl_failures]
        if self.failures:
            lines += ["", "## Not analysed", "", "| URL | outcome | reason |", "|---|---|---|"]
            lines += [f"| {url} | {outcome} | {reason} |" for url, outcome, reason in self.failures]
        return "\n".join(lines)
