"""CSV and JSONL exports of changes and claim changes, with their triage (web and CLI)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response, StreamingResponse

from claimwatch.web.pages import FILTER_KEYS, BadInput, feed_filter
from claimwatch.web.render import render
from storage.browse import FeedFilter, export_changes, export_claim_changes
from storage.db import session

router = APIRouter()

CHANGE_COLUMNS = [
    "id",
    "detected_at",
    "url",
    "title",
    "from_version",
    "to_version",
    "kinds",
    "severity",
    "summary",
    "highlights",
    "added_words",
    "removed_words",
    "reviewed",
    "reviewed_at",
    "labels",
    "notes",
    "claims",
    "references",
]
CLAIM_COLUMNS = [
    "change_id",
    "detected_at",
    "url",
    "title",
    "from_version",
    "to_version",
    "change",
    "before",
    "after",
    "certainty_before",
    "certainty_after",
    "section",
    "type",
    "reasons",
    "reviewed",
    "labels",
    "notes",
]
WHAT = {
    "changes": (export_changes, CHANGE_COLUMNS),
    "claims": (export_claim_changes, CLAIM_COLUMNS),
}


def rows_for(what: str, filters: FeedFilter) -> Iterator[dict[str, Any]]:
    """Stream the export rows of `what` ("changes" or "claims") in their own session."""
    produce = WHAT[what][0]
    with session() as db:
        yield from produce(db, filters=filters)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        text = "; ".join(value)
    elif isinstance(value, dict | list):
        text = json.dumps(value, ensure_ascii=False)
    else:
        text = str(value)
    # A cell a spreadsheet would run as a formula is written as text (OWASP CSV injection).
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def csv_lines(rows: Iterable[dict[str, Any]], columns: list[str]) -> Iterator[str]:
    """CSV text, a header line then one line per row; lists joined with "; "."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(row.get(c)) for c in columns])
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    yield buffer.getvalue()


def jsonl_lines(rows: Iterable[dict[str, Any]]) -> Iterator[str]:
    """One JSON object per line."""
    for row in rows:
        yield json.dumps(row, ensure_ascii=False, default=str) + "\n"


def lines(what: str, fmt: str, filters: FeedFilter) -> Iterator[str]:
    """The export of `what` in `fmt` ("csv" or "jsonl")."""
    rows = rows_for(what, filters)
    return csv_lines(rows, WHAT[what][1]) if fmt == "csv" else jsonl_lines(rows)


@router.get("/export/{what}.{fmt}", response_model=None)
def export(request: Request, what: str, fmt: str) -> Response | HTMLResponse:
    """Download changes or claim changes (the feed's filters apply) as CSV or JSONL."""
    if what not in WHAT or fmt not in ("csv", "jsonl"):
        return render(request, "error.html", status_code=404, message="No such export.")
    try:
        filters = feed_filter({k: request.query_params.get(k, "") for k in FILTER_KEYS})
    except BadInput as exc:
        return render(request, "error.html", status_code=400, message=str(exc))
    media = "text/csv; charset=utf-8" if fmt == "csv" else "application/x-ndjson; charset=utf-8"
    return StreamingResponse(
        lines(what, fmt, filters),
        media_type=media,
        headers={
            "Content-Disposition": f'attachment; filename="claimwatch-{what}.{fmt}"',
            "X-Content-Type-Options": "nosniff",
        },
    )
