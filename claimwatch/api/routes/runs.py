"""Passes: trigger one for given URLs (or every due source), follow it, and the service's
schedule."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from pydantic import BaseModel, Field

from claimwatch.api.deps import answering
from claimwatch.api.security import require_write
from claimwatch.runner import PassRunner
from storage.db import session
from storage.sources import find

router = APIRouter(tags=["runs"])
MAX_WAIT = 30.0  # seconds a GET /runs/{id}?wait= may hold its request


class RunIn(BaseModel):
    """What to check: these tracked URLs (empty: every tracked source), only due ones, a tag."""

    urls: list[str] = Field(default_factory=list, max_length=1000)
    due: bool = False
    tag: str = ""


def runner_of(request: Request) -> PassRunner:
    """The app's pass runner (made on first use when the app is served bare)."""
    runner = getattr(request.app.state, "runner", None)
    if runner is None:
        runner = request.app.state.runner = PassRunner()
    return runner


@router.post("/runs", status_code=202, dependencies=[Depends(require_write)])
def trigger_run(body: RunIn, request: Request) -> dict[str, Any]:
    """Queue a pass; `id` is the Prefect flow run id under `claimwatch serve` (also in
    `flow_run_id`), a run id of this process otherwise. Poll GET /runs/{id}."""
    with answering(), session() as db:
        for url in body.urls:
            source = find(db, url=url)
            if source is None or not source.active:
                raise HTTPException(422, f"not tracked: {url}")
    return runner_of(request).request(urls=body.urls, due_only=body.due, tag=body.tag).to_json()


@router.get("/runs/{run_id}")
def read_run(
    run_id: str, request: Request, wait: float = Query(0, ge=0, le=MAX_WAIT)
) -> dict[str, Any]:
    """A pass: state (queued, running, completed, failed, cancelled) and, once done, its
    summary (the counts `claimwatch run` prints). With `wait` (seconds, at most 30), answer
    as soon as the pass ends, or after that long if it has not."""
    runner = runner_of(request)
    found = runner.wait_for_end(run_id, timeout=wait) if wait else runner.runs.get(run_id)
    if found is None:
        raise HTTPException(404, f"no run {run_id}")
    return found.to_json()


@router.get("/service")
def service_status(request: Request) -> dict[str, Any]:
    """The service: schedule, next scheduled pass, running and recent passes."""
    return runner_of(request).status()
