"""The web UI's form posts: track, bulk-track, pause/resume and configure sources; review,
label and annotate changes. Each checks the CSRF token and redirects back (303)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session, col, select

from analysis.urls import InvalidURL, normalize_url
from claimwatch.durations import parse_duration
from claimwatch.web.render import check_csrf, render
from service.articles import source_health
from storage.browse import feed_choices, sources_health
from storage.db import session
from storage.models import Source
from storage.settings import get_settings
from storage.sources import configure, track
from storage.triage import UnknownChange, add_note, set_labels, set_reviewed

router = APIRouter()
CSRF = [Depends(check_csrf)]
MAX_BULK = 500


def trackable_url(url: str) -> str:
    """The normalized URL if it may be tracked, else InvalidURL (including the private-address
    guard's refusal of loopback, private and link-local IP literals)."""
    refusal = get_settings().address_policy.url_refusal(url)
    if refusal is not None:
        raise InvalidURL(refusal)
    return normalize_url(url)


def _interval(text: str) -> int:
    seconds = int(parse_duration(text or "6h").total_seconds())
    if seconds < 60:
        raise ValueError("the interval must be at least 1 minute")
    return seconds


def _tags(text: str) -> list[str]:
    return sorted({t.strip() for t in text.replace(",", " ").split() if t.strip()})


PAGE = 100


def sources_page(
    request: Request, *, message: str = "", errors: list[str] | None = None, status_code: int = 200
) -> HTMLResponse:
    """The sources page (also re-rendered with the outcome of a form post)."""
    site = request.query_params.get("site", "")
    try:
        page = max(1, int(request.query_params.get("page", "1")))
    except ValueError:
        page = 1
    with session() as db:
        found = sources_health(db, site=site, offset=(page - 1) * PAGE, limit=PAGE)
        _with_attempt_health(db, found.rows)
        choices = feed_choices(db)
    return render(
        request,
        "sources.html",
        status_code=status_code,
        rows=found.rows,
        sites=found.sites,
        total=found.total,
        site=site,
        page=page,
        pages=max(1, -(-found.total // PAGE)),
        tags=choices["tags"],
        message=message,
        errors=errors or [],
    )


def _with_attempt_health(db: Session, rows: list[dict[str, Any]]) -> None:
    """Show the health `claimwatch sources` and the API show: the last *attempt*'s status,
    outcome and error (a URL failing every pass shows its failure, not its last success),
    failures in a row, and the next check after back-off and Retry-After."""
    ids = [row["id"] for row in rows]
    sources = list(db.exec(select(Source).where(col(Source.id).in_(ids)))) if ids else []
    health = source_health(db, sources=sources)
    for row in rows:
        last = health.get(row["id"])
        if last is not None:
            row.update(asdict(last))


@router.get("/sources", response_class=HTMLResponse)
def list_sources(request: Request) -> HTMLResponse:
    """Tracked sources with their health, grouped by site."""
    return sources_page(request)


@router.post("/sources", response_class=HTMLResponse, dependencies=CSRF)
def add_sources(
    request: Request,
    urls: Annotated[str, Form()],
    interval: Annotated[str, Form()] = "6h",
    tags: Annotated[str, Form()] = "",
) -> HTMLResponse:
    """Track one URL or a pasted list (one per line); invalid lines are listed, none added."""
    lines = [line.strip() for line in urls.splitlines() if line.strip()]
    errors = []
    if not lines:
        errors.append("Paste at least one URL.")
    if len(lines) > MAX_BULK:
        errors.append(f"At most {MAX_BULK} URLs at once.")
    try:
        seconds = _interval(interval)
    except ValueError as exc:
        errors.append(str(exc))
    for line in lines:
        try:
            trackable_url(line)
        except InvalidURL as exc:
            errors.append(str(exc))
    if errors:
        return sources_page(request, errors=errors, status_code=400)
    with session() as db:
        results = track(db, urls=lines, interval_seconds=seconds, tags=_tags(tags))
        added = sum(created for _, created in results)
    return sources_page(request, message=f"{len(results)} tracked ({added} new).")


@router.post("/sources/{source_id}", dependencies=CSRF)
def update_source(
    request: Request,
    source_id: int,
    action: Annotated[str, Form()] = "save",
    interval: Annotated[str, Form()] = "",
    tags: Annotated[str | None, Form()] = None,
) -> Response:
    """Pause, resume, or set the interval and tags of one source."""
    try:
        seconds = _interval(interval) if interval else None
    except ValueError as exc:
        return sources_page(request, errors=[str(exc)], status_code=400)
    active = {"pause": False, "resume": True}.get(action)
    with session() as db:
        source = configure(
            db,
            source_id=source_id,
            interval_seconds=seconds if action == "save" else None,
            tags=_tags(tags) if action == "save" and tags is not None else None,
            active=active,
        )
    if source is None:
        return sources_page(request, errors=[f"No source {source_id}."], status_code=404)
    return RedirectResponse(f"/sources#source-{source_id}", status_code=303)


def _back(change_id: int) -> RedirectResponse:
    return RedirectResponse(f"/changes/{change_id}#triage", status_code=303)


def _missing(request: Request, change_id: int) -> HTMLResponse:
    return render(
        request, "error.html", status_code=404, message=f"There is no change {change_id}."
    )


@router.post("/changes/{change_id}/review", dependencies=CSRF)
def review(request: Request, change_id: int, reviewed: Annotated[str, Form()] = "yes") -> Response:
    """Mark a change reviewed (or not)."""
    try:
        with session() as db:
            set_reviewed(db, change_id=change_id, reviewed=reviewed == "yes")
    except UnknownChange:
        return _missing(request, change_id)
    return _back(change_id)


@router.post("/changes/{change_id}/labels", dependencies=CSRF)
def labels(
    request: Request,
    change_id: int,
    label: Annotated[list[str] | None, Form()] = None,
    new_labels: Annotated[str, Form()] = "",
) -> Response:
    """Set a change's labels: the ticked ones plus any typed (comma-separated)."""
    wanted = [*(label or []), *new_labels.split(",")]
    try:
        with session() as db:
            set_labels(db, change_id=change_id, labels=[w for w in wanted if w.strip()])
    except UnknownChange:
        return _missing(request, change_id)
    return _back(change_id)


@router.post("/changes/{change_id}/notes", dependencies=CSRF)
def notes(request: Request, change_id: int, text: Annotated[str, Form()] = "") -> Response:
    """Add a note to a change."""
    try:
        with session() as db:
            add_note(db, change_id=change_id, text=text)
    except UnknownChange:
        return _missing(request, change_id)
    except ValueError as exc:
        return render(request, "error.html", status_code=400, message=str(exc))
    return _back(change_id)
