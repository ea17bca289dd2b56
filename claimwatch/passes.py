"""Run a monitoring pass in-process with a progress display, and print its summary."""

from __future__ import annotations

import os
import time
from dataclasses import asdict
from typing import Any

import httpx
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn

from analysis.terminal import terminal_text
from claimwatch.output import console, err_console
from claimwatch.service_state import ServeState, auth_headers, read_state

RUN_WAIT = 10  # seconds the service may hold each request for a pass's end
STAGES = {"crawl": "crawling (batches)", "analyse": "analysing (batches)", "alerts": "alerts"}


class PassFailed(RuntimeError):
    """The monitoring pass itself failed (not just some pages)."""


class BadTargets(PassFailed):
    """The service refused the pass's URLs (not tracked)."""


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
    lines = [f"  crawl batch failed: {failure}" for failure in summary.get("crawl_failures", [])]
    lines += [f"  {'not checked':<12} {url}  {why}" for url, why in summary.get("not_checked", [])]
    lines += [f"  {outcome:<12} {url}  {why}" for url, outcome, why in summary["failures"]]
    for line in lines:
        # A reason can quote the server (an error page's text): printed as text, inert.
        console.print(terminal_text(line), markup=False, highlight=False, soft_wrap=True)


def run_through_service(
    state: ServeState, *, urls: list[str], due_only: bool, tag: str = ""
) -> dict[str, Any]:
    """Have the running `claimwatch serve` run the pass (no Prefect start-up here) and wait
    for its summary."""
    headers = auth_headers()
    body = {"urls": urls, "due": due_only, "tag": tag}
    try:
        with httpx.Client(base_url=state.api_url, headers=headers, timeout=30) as client:
            response = client.post("/api/v1/runs", json=body)
            if response.status_code == 422:
                raise BadTargets(_detail(response))
            if response.status_code != 202:
                raise PassFailed(f"the service refused the pass: {_detail(response)}")
            run = response.json()
            err_console.print(f"pass {run['id']} queued on {state.api_url}", highlight=False)
            while run["state"] in ("queued", "running"):
                # The service answers as soon as the pass ends (or after `wait` seconds).
                asked = time.monotonic()
                run = client.get(f"/api/v1/runs/{run['id']}", params={"wait": RUN_WAIT}).json()
                if run["state"] in ("queued", "running") and time.monotonic() - asked < 1:
                    time.sleep(0.2)  # a service that does not wait: poll it
    except httpx.HTTPError as exc:
        raise PassFailed(f"lost the service at {state.api_url}: {exc}") from exc
    if run["state"] != "completed":
        raise PassFailed(run.get("error") or run["state"])
    return dict(run["summary"])


def _detail(response: httpx.Response) -> str:
    try:
        return str(response.json().get("detail"))
    except ValueError:
        return f"HTTP {response.status_code}"


def service_status() -> dict[str, Any]:
    """The running service (from its state file and its API), or {"running": False}."""
    state = read_state()
    if state is None:
        return {"running": False}
    try:
        found = httpx.get(
            state.api_url + "/api/v1/service", headers=auth_headers(), timeout=15
        ).json()
    except (httpx.HTTPError, ValueError):
        return {"running": False}
    return {"running": True, **asdict(state), **found}
