"""A monitoring pass, step by step: which sources to check, how to crawl a batch, the summary.

The Prefect flow `monitor` composes these steps; anything else can call them directly.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlmodel import col, select

from crawler.run import CrawlResult, run_crawl
from service.analyse import AnalysisReport
from service.leasing import LEASE_TTL
from storage import leases
from storage.db import session
from storage.models import Capture, Source, utcnow
from storage.sources import select_for_run

CRAWL_TIMEOUT_SECONDS = 3600
# How long a worker waits before asking again for hosts that other workers hold.
LEASE_POLL_SECONDS = 2.0


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
    """The sources to check, as crawl batches of (source_id, url, etag, last_modified), for one
    process that needs no leases (tools, benchmarks); the `monitor` flow leases hosts instead."""
    with session() as db:
        sources = select_for_run(db, due_only=due_only, urls=urls, tag=tag)
        entries = [_entry(s) for s in mix_hosts(sources)]
    return [entries[i : i + batch_size] for i in range(0, len(entries), batch_size)]


def mix_hosts(sources: Sequence[Source]) -> list[Source]:
    """The sources round-robin across their hosts (each host's in the given order), so that a
    batch fetches from as many hosts at once as it can while each host sees its own delay."""
    by_host: dict[str, list[Source]] = defaultdict(list)
    for source in sources:
        by_host[leases.host_of(source.normalized_url)].append(source)
    queues = list(by_host.values())
    mixed: list[Source] = []
    for rank in range(max((len(q) for q in queues), default=0)):
        mixed.extend(q[rank] for q in queues if rank < len(q))
    return mixed


def _entry(source: Source) -> dict[str, Any]:
    return {
        "source_id": source.id,
        "url": source.url,
        "etag": source.etag,
        "last_modified": source.last_modified,
    }


@dataclass(frozen=True)
class CrawlClaim:
    """One batch a worker leased: its hosts and their sources to fetch. No hosts and `wait`:
    the sources left are on hosts other workers hold, ask again later; neither: pass done."""

    hosts: list[str]
    entries: list[dict[str, Any]]
    wait: bool = False


def claim_crawl(
    *,
    holder: str,
    due_only: bool,
    urls: list[str],
    tag: str,
    started: datetime,
    tried: Sequence[int],
    batch_size: int,
) -> CrawlClaim:
    """Lease free hosts with sources this pass still has to check, and return their sources
    (at most `batch_size`, round-robin across the hosts).

    A source is still to check when it is due (due passes) or was not checked since the pass
    `started`, and was not `tried` by this pass: a source another worker checked meanwhile is
    not checked again, one whose fetch left no capture is not retried within the pass."""
    skip = set(tried)

    def waiting() -> dict[str, list[Source]]:
        with session() as db:
            sources = select_for_run(
                db,
                due_only=due_only,
                urls=urls,
                tag=tag,
                unchecked_since=None if due_only else started,
            )
        by_host: dict[str, list[Source]] = defaultdict(list)
        for source in sources:
            if source.id not in skip:
                by_host[leases.host_of(source.normalized_url)].append(source)
        return by_host

    before = waiting()
    if not before:
        return CrawlClaim([], [])
    # A run killed on this machine would otherwise keep its hosts until its leases expire.
    with session() as db:
        leases.release_dead_holders(db)
    # Hosts whose sources wait longest first, so that no host is starved by the others.
    order = sorted(before, key=lambda host: min(_last_checked(s) for s in before[host]))
    with session() as db:
        hosts = leases.claim(
            db,
            holder=holder,
            candidates={host: len(before[host]) for host in order},
            max_sources=batch_size,
            ttl=LEASE_TTL,
        )
    if not hosts:
        return CrawlClaim([], [], wait=True)
    # Read again under the lease: what another worker checked before we got it is not due.
    after = waiting()
    sources = mix_hosts([s for host in hosts for s in after.get(host, [])])[:batch_size]
    return CrawlClaim(hosts, [_entry(s) for s in sources])


def _last_checked(source: Source) -> datetime:
    return source.last_checked_at or datetime.min.replace(tzinfo=UTC)


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
    reasons: dict[int, str] = {}  # source id -> why its batch's crawl failed
    started = utcnow() - timedelta(seconds=1)  # a second of margin for clock rounding
    for batch in batches:
        try:
            crawl(batch)
        except CrawlFailed as exc:
            failures.append(str(exc))
            reasons.update((entry["source_id"], f"crawl failed: {exc}") for entry in batch)
    for capture_ids in plan_batches(source_ids=None, batch_size=settings.analysis_batch_size):
        report.add(analyse_batch(capture_ids))
    planned = [entry["source_id"] for batch in batches for entry in batch]
    not_checked = unchecked_sources(planned, since=started, reasons=reasons)
    summary = MonitorSummary.from_report(len(planned), report, not_checked)
    summary.crawl_failures = failures
    delivery = deliver_due()
    summary.alerts_sent, summary.alerts_pending = delivery.sent, delivery.pending
    return summary
