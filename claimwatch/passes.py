"""Run a monitoring pass in-process with a progress display, and print its summary."""

from __future__ import annotations

import os
from typing import Any

from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn

from claimwatch.output import console, err_console

STAGES = {"crawl": "crawling (batches)", "analyse": "analysing (batches)", "alerts": "alerts"}


class PassFailed(RuntimeError):
    """The monitoring pass itself failed (not just some pages)."""


def run_pass(*, urls: list[str], due_only: bool, tag: str = "") -> dict[str, Any]:
    """Run the monitor flow (starting Prefect's temporary server unless PREFECT_API_URL is set),
    showing each stage's progress on stderr."""
    from flows.monitor import monitor
    from service.progress import listening

    where = os.environ.get("PREFECT_API_URL") or "a temporary Prefect server"
    progress = Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        console=err_console,
        transient=True,
    )
    task_ids: dict[str, Any] = {}
    starting = progress.add_task(f"starting the flow on {where}", total=None)

    def show(stage: str, done: int, total: int) -> None:
        if stage not in task_ids:
            progress.update(starting, visible=False)
            task_ids[stage] = progress.add_task(STAGES.get(stage, stage), total=max(total, 1))
        progress.update(task_ids[stage], completed=done if total else 1)

    with progress, listening(show):
        try:
            return monitor(urls=urls, due_only=due_only, tag=tag)
        except Exception as exc:
            raise PassFailed(str(exc).splitlines()[0] if str(exc) else repr(exc)) from exc


def print_summary(summary: dict[str, Any]) -> None:
    """Print a pass's counts, alert delivery, and the pages or batches that failed."""
    counts = ("checked", "new", "changed", "unchanged", "errors")
    console.print(
        "  ".join([f"planned: {summary['sources']}", *(f"{k}: {summary[k]}" for k in counts)]),
        highlight=False,
    )
    if summary.get("alerts_sent") or summary.get("alerts_pending"):
        console.print(
            f"alerts: {summary['alerts_sent']} sent, {summary['alerts_pending']} pending",
            highlight=False,
        )
    for failure in summary.get("crawl_failures", []):
        console.print(f"  crawl batch failed: {failure}", highlight=False, soft_wrap=True)
    for url, reason in summary.get("not_checked", []):
        console.print(f"  {'not checked':<12} {url}  {reason}", highlight=False, soft_wrap=True)
    for failed_url, outcome, reason in summary["failures"]:
        console.print(f"  {outcome:<12} {failed_url}  {reason}", highlight=False, soft_wrap=True)
