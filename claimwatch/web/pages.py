"""The reading pages: changes feed, change, article, archived capture, search."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from analysis.vocabulary import ChangeKind, Severity
from claimwatch.web.render import render
from claimwatch.web.safety import CAPTURE_HEADERS
from claimwatch.web.sidebyside import align, fold, word_ops
from claimwatch.web.timeline import chart
from storage.blockstore import unpack_blocks
from storage.browse import (
    Cursor,
    FeedFilter,
    PayloadMissing,
    article_view,
    capture_payload,
    change_feed,
    change_view,
    feed_choices,
)
from storage.db import session
from storage.search import search as run_search
from storage.triage import SUGGESTED_LABELS, label_counts

router = APIRouter()
_CHARSET = re.compile(r"charset=\"?([A-Za-z0-9_.:-]{1,40})", re.I)
_NONE_CHANGED: dict[str, list[Any]] = {"added": [], "removed": [], "modified": []}
ID_ORDER = ("doi", "pmid", "pmcid", "arxiv", "isbn", "url")


class BadInput(ValueError):
    """A query parameter the page cannot use (shown as a 400 page)."""


def parse_day(value: str, *, end: bool = False) -> datetime | None:
    """A YYYY-MM-DD (or ISO date-time) parameter as UTC; `end` makes a bare date inclusive."""
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise BadInput(f"not a date: {value!r} (use YYYY-MM-DD)") from None
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    if end and len(value.strip()) == 10:
        moment += timedelta(days=1)
    return moment


def feed_filter(params: dict[str, str]) -> FeedFilter:
    """The feed's (and the exports') filters from query parameters."""
    reviewed = {"yes": True, "no": False}.get(params.get("reviewed", ""))
    try:
        return FeedFilter(
            site=params.get("site", ""),
            tag=params.get("tag", ""),
            kind=params.get("kind", ""),
            severity=params.get("severity", ""),
            since=parse_day(params.get("since", "")),
            until=parse_day(params.get("until", ""), end=True),
            reviewed=reviewed,
            label=params.get("label", ""),
        )
    except ValueError as exc:
        raise BadInput(str(exc)) from None


FILTER_KEYS = ("site", "tag", "kind", "severity", "since", "until", "reviewed", "label")


def bad_request(request: Request, message: str, status_code: int = 400) -> HTMLResponse:
    """The error page."""
    return render(request, "error.html", status_code=status_code, message=message)


@router.get("/", response_class=HTMLResponse)
def feed(request: Request, before: str = "") -> HTMLResponse:
    """The changes feed, newest first, with filters."""
    params = {k: request.query_params.get(k, "") for k in FILTER_KEYS}
    try:
        filters = feed_filter(params)
        cursor = Cursor.decode(before) if before else None
    except (BadInput, ValueError) as exc:
        return bad_request(request, str(exc))
    with session() as db:
        page = change_feed(db, filters=filters, before=cursor)
        choices = feed_choices(db)
        labels = label_counts(db)
    return render(
        request,
        "feed.html",
        page=page,
        params=params,
        choices=choices,
        labels=labels,
        kinds=list(ChangeKind),
        severities=list(Severity),
        filtered=any(params.values()),
        first_page=cursor is None,
    )


@router.get("/changes/{change_id}", response_class=HTMLResponse)
def change_page(
    request: Request,
    change_id: int,
    view: Annotated[str, Query(pattern="^(side|inline)$")] = "side",
    all: bool = False,
) -> HTMLResponse:
    """One change: claims and references first, then the text diff, metadata, versions."""
    with session() as db:
        found = change_view(db, change_id=change_id)
    if found is None:
        return bad_request(request, f"There is no change {change_id}.", 404)
    details: dict[str, Any] = found.change.details or {}
    rows = (
        align(
            unpack_blocks(found.before.blocks, found.before.text),
            unpack_blocks(found.after.blocks, found.after.text),
        )
        if found.before is not None and found.after is not None
        else []
    )
    # An unchanged member is null in the stored comparison.
    claims = {**_NONE_CHANGED, **(details.get("claims") or {})}
    references = {**_NONE_CHANGED, **(details.get("references") or {})}
    return render(
        request,
        "change.html",
        v=found,
        details=details,
        claims=claims,
        modified_claims=[_claim_pair(m) for m in claims.get("modified", [])],
        references=references,
        modified_refs=[_ref_pair(m) for m in references.get("modified", [])],
        rows=rows if all else fold(rows),
        changed_rows=sum(1 for r in rows if r.state != "same"),
        view=view,
        show_all=all,
        suggested_labels=SUGGESTED_LABELS,
        id_order=ID_ORDER,
    )


def _claim_pair(m: dict[str, Any]) -> dict[str, Any]:
    before, after = m.get("before") or {}, m.get("after") or {}
    left, right = word_ops(before.get("text", ""), after.get("text", ""))
    reasons = m.get("reasons")
    if isinstance(reasons, dict):
        reasons = [f"{k}: {v}" for k, v in reasons.items()]
    elif isinstance(reasons, str):
        reasons = [reasons]
    return {**m, "left": left, "right": right, "reasons": list(reasons or [])}


def _ref_pair(m: dict[str, Any]) -> dict[str, Any]:
    before, after = m.get("before") or {}, m.get("after") or {}
    left, right = word_ops(before.get("text", ""), after.get("text", ""))
    b_ids, a_ids = before.get("ids") or {}, after.get("ids") or {}
    ids = [
        (kind, b_ids.get(kind), a_ids.get(kind), b_ids.get(kind) != a_ids.get(kind))
        for kind in ID_ORDER
        if b_ids.get(kind) or a_ids.get(kind)
    ]
    return {**m, "left": left, "right": right, "ids": ids}


@router.get("/articles/{source_id}", response_class=HTMLResponse)
def article_page(
    request: Request, source_id: int, version: int | None = None, at: str = ""
) -> HTMLResponse:
    """An article: timeline, versions, one version's claims and references, its capture."""
    try:
        moment = parse_day(at, end=True)
    except BadInput as exc:
        return bad_request(request, str(exc))
    with session() as db:
        found = article_view(db, source_id=source_id, number=version, at=moment)
    if found is None:
        return bad_request(request, f"There is no article {source_id}.", 404)
    first_seen = found.versions[0].captured_at if found.versions else None
    missing = ""
    if found.selected_info is None and found.versions:
        missing = (
            f"No version {version}." if version is not None else f"No version existed by {at}."
        )
    return render(
        request,
        "article.html",
        a=found,
        chart=chart(found.timeline, first_seen),
        at=at,
        missing=missing,
        id_order=ID_ORDER,
    )


@router.get("/captures/{capture_id}")
def capture(request: Request, capture_id: int, text: bool = False) -> Response:
    """An archived response body, inert: a sandbox CSP (no scripts, no network, an opaque
    origin), or as plain text with `?text=1`. Never live HTML on the app's origin."""
    return capture_response(capture_id, text=text)


def capture_response(capture_id: int, *, text: bool) -> Response:
    """An archived response body under the sandbox CSP, as text/plain when `text` (or when
    it is not HTML); 404 when it archived none."""
    with session() as db:
        try:
            found, body = capture_payload(db, capture_id=capture_id)
        except PayloadMissing as exc:
            return Response(str(exc), status_code=404, media_type="text/plain")
    content_type = found.content_type.split(";")[0].strip().lower()
    declared = _CHARSET.search(found.content_type)
    charset = declared.group(1).lower() if declared else ""
    if text or content_type not in ("text/html", "application/xhtml+xml"):
        try:
            decoded = body.decode(charset or "utf-8", errors="replace")
        except LookupError:
            decoded = body.decode("utf-8", errors="replace")
        return Response(decoded, media_type="text/plain; charset=utf-8", headers=CAPTURE_HEADERS)
    media = "text/html" + (f"; charset={charset}" if charset else "")
    return Response(body, media_type=media, headers=CAPTURE_HEADERS)


@router.get("/search", response_class=HTMLResponse)
def search_page(request: Request, q: str = "", page: int = 1) -> HTMLResponse:
    """Full-text search over claims and article texts of every version."""
    page = max(1, page)
    results = None
    if q.strip():
        with session() as db:
            results = run_search(db, query=q[:500], limit=20, offset=(page - 1) * 20)
    return render(request, "search.html", q=q, results=results, page=page)
