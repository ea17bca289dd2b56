"""A monitoring pass, step by step: which sources to check, how to crawl a batch, the summary.

The Prefect flow `monitor` composes these steps; anything else can call them directly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from crawler.run import CrawlResult, run_crawl
from service.analyse import AnalysisReport
from storage.db import session
from storage.sources import select_for_run

CRAWL_TIMEOUT_SECONDS = 3600


class EmptyDatabase(RuntimeError):
    """The pass's database was created by this very pass and tracks nothing: the settings
    point at the wrong database."""


def check_not_fresh_and_empty(*, created: bool) -> None:
    """EmptyDatabase when the database was just created and tracks no source and no site."""
    if not created:
        return
    from storage.db import shown_database_url
    from storage.settings import get_settings
    from storage.sites import list_sites
    from storage.sources import list_sources

    with session() as db:
        if list_sources(db) or list_sites(db):
            return
    raise EmptyDatabase(
        f"the database {shown_database_url()} did not exist before this run and tracks nothing "
        f"(CLAIMWATCH_HOME={get_settings().home}): set CLAIMWATCH_DATABASE_URL and "
        "CLAIMWATCH_HOME for the worker (prefect.yaml passes them from the deploying shell)"
    )


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
    if result.returncode != 0:
        raise CrawlFailed(
            f"crawl exited {result.returncode} (log: {result.log_file}): {result.stderr_tail}"
        )
    # A crawl stopped for time keeps what it fetched; the rest is checked on the next pass.
    return result


@dataclass
class MonitorSummary:
    """Counts of one monitoring pass (returned by the flow and printed by the CLI)."""

    sources: int = 0
    checked: int = 0
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    errors: int = 0
    failures: list[tuple[str, str, str]] = field(default_factory=list)
    alerts_sent: int = 0
    alerts_pending: int = 0
    crawl_failures: list[str] = field(default_factory=list)  # batches whose crawl failed

    @classmethod
    def from_report(cls, sources: int, report: AnalysisReport) -> MonitorSummary:
        """Summarise an analysis report."""
        buckets = report.buckets
        return cls(
            sources=sources,
            checked=sum(buckets.values()),
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
            "| sources | checked | new | changed | unchanged | errors |",
            "|---|---|---|---|---|---|",
            f"| {self.sources} | {self.checked} | {self.new} | {self.changed} | "
            f"{self.unchanged} | {self.errors} |",
            "",
            f"Alerts: {self.alerts_sent} sent, {self.alerts_pending} pending.",
        ]
        if self.crawl_failures:
            lines += ["", "## Crawl batches that failed", ""]
            lines += [f"- {failure}" for failure in self.crawl_failures]
        if self.failures:
            lines += ["", "## Not analysed", "", "| URL | outcome | reason |", "|---|---|---|"]
            lines += [f"| {url} | {outcome} | {reason} |" for url, outcome, reason in self.failures]
        return "\n".join(lines)


def plain_pass(*, urls: list[str], due_only: bool, tag: str = "") -> MonitorSummary:
    """A monitoring pass without Prefect (crawl, analyse, deliver), for an API served without
    a Prefect server: the same steps the `monitor` flow composes, minus Prefect events."""
    from service.analyse import analyse_batch, plan_batches
    from service.delivery import deliver_due
    from storage.settings import get_settings

    settings = get_settings()
    batches = plan_crawl(
        due_only=due_only, urls=urls, tag=tag, batch_size=settings.crawl_batch_size
    )
    report, failures = AnalysisReport(), []
    for batch in batches:
        try:
            crawl(batch)
        except CrawlFailed as exc:
            failures.append(str(exc))
    for capture_ids in plan_batches(source_ids=None, batch_size=settings.analysis_batch_size):
        report.add(analyse_batch(capture_ids))
    summary = MonitorSummary.from_report(sum(len(b) for b in batches), report)
    summary.crawl_failures = failures
    delivery = deliver_due()
    summary.alerts_sent, summary.alerts_pending = delivery.sent, delivery.pending
    return summary
