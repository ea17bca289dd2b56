"""The `monitor` flow: select sources → crawl (subprocess, batched) → analyse → events and
alerts → summary."""

from __future__ import annotations

import time
from dataclasses import asdict
from datetime import timedelta

from prefect import flow
from prefect.artifacts import create_markdown_artifact

from flows.alerts import deliver_alerts, emit_change_events
from flows.discovery import discover_sites
from flows.tasks import (
    analyse_captures,
    claim_crawl,
    crawl_batch,
    find_unchecked,
    plan_analysis,
    prepare_database,
)
from service.analyse import AnalysisReport
from service.leasing import holding, new_holder
from service.passes import LEASE_POLL_SECONDS, MonitorSummary, check_not_fresh_and_empty
from service.progress import report as report_progress
from storage.models import utcnow
from storage.settings import get_settings


@flow(name="monitor", log_prints=True)
def monitor(
    urls: list[str] | None = None,
    due_only: bool = False,
    tag: str = "",
    crawl_batch_size: int | None = None,
    analysis_batch_size: int | None = None,
) -> dict:
    """One monitoring pass over the tracked sources (all, or only those that are due)."""
    settings = get_settings()
    created = prepare_database()
    # A worker without CLAIMWATCH_DATABASE_URL/CLAIMWATCH_HOME monitors a fresh empty SQLite
    # file: that must be a failed run, not a "Completed" one that checked nothing.
    check_not_fresh_and_empty(created=created)
    discover_sites(due_only=due_only, tag=tag, urls=urls or [])
    batch_size = analysis_batch_size or settings.analysis_batch_size
    report, crawl_failures = AnalysisReport(), []
    reasons: dict[int, str] = {}  # source id -> why its batch's crawl failed
    # Several workers may run this flow at once on one database: each leases a few hosts at a
    # time (service/passes.py), so that no host is fetched by two of them at once.
    # Captures fetched from here on are this pass's (a second of margin for clock rounding).
    holder, started, tried = new_holder(), utcnow() - timedelta(seconds=1), []
    previous: list[int] = []
    number = 0
    while True:
        claim = claim_crawl(
            holder=holder,
            due_only=due_only,
            urls=urls or [],
            tag=tag,
            started=started,
            tried=tried,
            batch_size=crawl_batch_size or settings.crawl_batch_size,
        )
        if not claim.hosts:
            if previous:
                report.add(_analyse(source_ids=previous, batch_size=batch_size))
                previous = []
            if not claim.wait:
                break
            time.sleep(LEASE_POLL_SECONDS)  # the hosts left are held by other workers
            continue
        ids = [entry["source_id"] for entry in claim.entries]
        tried += ids
        with holding(holder, claim.hosts):
            future = crawl_batch.submit(claim.entries, batch_number=number) if ids else None
            # The previous batch is analysed here while this one crawls in its own process:
            # one core each (measured faster than a process pool for extraction on 2 cores).
            if previous:
                report.add(_analyse(source_ids=previous, batch_size=batch_size))
            if future is not None:
                future.wait()
                # A batch that failed after its retries must not stop the pass: what the
                # others fetched is analysed, and these sources are checked again next time.
                if future.state.is_failed():
                    crawl_failures.append(f"{future.state.name}: {future.state.message}")
                    reasons.update(
                        (entry["source_id"], f"crawl failed: {future.state.message}")
                        for entry in claim.entries
                    )
        previous = ids
        number += 1
        report_progress("crawl", number, number + 1)
    report_progress("crawl", number, number)
    # Everything still pending: captures an interrupted run left behind.
    report.add(_analyse(source_ids=None, batch_size=batch_size))
    source_ids = tried
    # Every planned source ends the pass with a capture or a named error.
    not_checked = find_unchecked(source_ids, since=started, reasons=reasons)
    summary = MonitorSummary.from_report(len(source_ids), report, not_checked)
    summary.crawl_failures = crawl_failures
    report_progress("alerts", 0, 1)
    emit_change_events()
    delivery = deliver_alerts()
    summary.alerts_sent, summary.alerts_pending = delivery["sent"], delivery["pending"]
    report_progress("alerts", 1, 1)
    create_markdown_artifact(summary.to_markdown(), key="monitor-summary")
    return asdict(summary)


def _analyse(*, source_ids: list[int] | None, batch_size: int) -> AnalysisReport:
    """Analyse the pending captures of these sources (all sources: None), batch by batch."""
    report = AnalysisReport()
    plans = plan_analysis(source_ids=source_ids, batch_size=batch_size)
    for number, capture_ids in enumerate(plans):
        report.add(analyse_captures(capture_ids, batch_number=number))
        report_progress("analyse", number + 1, len(plans))
    return report
