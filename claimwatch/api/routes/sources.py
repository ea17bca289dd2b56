"""Sources: list with their health, add (through the private-address guard), set the
interval and tags, remove."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Response
from pydantic import BaseModel, Field

from claimwatch.api.deps import answer, answering
from claimwatch.api.security import require_write
from claimwatch.durations import parse_duration
from storage.db import session
from storage.queries import sources_overview
from storage.sources import configure, track

router = APIRouter(tags=["sources"])
WRITE = [Depends(require_write)]
MIN_INTERVAL = 60
MAX_BULK = 500


class SourcesIn(BaseModel):
    """URLs to track (all or none are added), how often to check them and their tags."""

    urls: list[str] = Field(min_length=1, max_length=MAX_BULK)
    interval: str = "6h"
    tags: list[str] = Field(default_factory=list, max_length=50)


class SourceUpdate(BaseModel):
    """A new interval and/or the complete set of tags (absent: unchanged)."""

    interval: str | None = None
    tags: list[str] | None = Field(default=None, max_length=50)
    active: bool | None = None


def _seconds(interval: str) -> int:
    try:
        seconds = int(parse_duration(interval).total_seconds())
    except ValueError as exc:
        raise HTTPException(422, str(exc)) from None
    if seconds < MIN_INTERVAL:
        raise HTTPException(422, "the interval must be at least 1 minute")
    return seconds


def _rows(ids: set[int]) -> list[dict[str, Any]]:
    with session() as db:
        return [r for r in sources_overview(db, include_inactive=True) if r["id"] in ids]


@router.get("/sources")
def list_sources(all: bool = False, site: str | None = None) -> list[dict[str, Any]]:
    """Tracked sources (`all`: untracked ones too) with counts and health: the last attempt's
    status, outcome and error, consecutive failures, next check. Same fields as
    `claimwatch sources --format json`."""
    with session() as db:
        return answer(lambda: sources_overview(db, include_inactive=all, site=site))


@router.post("/sources", status_code=201, dependencies=WRITE)
def add_sources(body: SourcesIn, response: Response) -> list[dict[str, Any]]:
    """Track URLs (or update the interval and add tags of tracked ones), as `claimwatch track`
    does: an invalid URL or a private address refuses the whole request."""
    seconds = _seconds(body.interval)
    with answering(), session() as db:
        results = track(db, urls=body.urls, interval_seconds=seconds, tags=body.tags)
        ids = {source.id for source, _ in results if source.id is not None}
        if not any(created for _, created in results):
            response.status_code = 200
    return _rows(ids)


@router.patch("/sources/{source_id}", dependencies=WRITE)
def update_source(source_id: int, body: SourceUpdate) -> dict[str, Any]:
    """Set a source's interval, tags or active flag."""
    seconds = _seconds(body.interval) if body.interval else None
    with session() as db:
        source = configure(
            db, source_id=source_id, interval_seconds=seconds, tags=body.tags, active=body.active
        )
        if source is None:
            raise HTTPException(404, f"no source {source_id}")
    return _rows({source_id})[0]


@router.delete("/sources/{source_id}", dependencies=WRITE)
def remove_source(source_id: int) -> dict[str, Any]:
    """Stop monitoring a source (its archive and history are kept), as `claimwatch untrack`."""
    with session() as db:
        if configure(db, source_id=source_id, active=False) is None:
            raise HTTPException(404, f"no source {source_id}")
    return _rows({source_id})[0]
