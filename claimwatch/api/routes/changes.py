"""Changes: the filters of `claimwatch changes`, newest first with a cursor; one change; its
diff as JSON ops or as an escaped HTML fragment."""

from __future__ import annotations

import html
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Response

from analysis.report import claim_change_lines, reference_change_lines
from claimwatch.api.deps import ChangeFilters
from claimwatch.web.safety import visible
from storage.browse import Cursor
from storage.db import session
from storage.queries import changes_by_id, changes_page

router = APIRouter(tags=["changes"])
FRAGMENT_HEADERS = {
    "Content-Security-Policy": "sandbox; default-src 'none'",
    "X-Content-Type-Options": "nosniff",
}


@router.get("/changes")
def list_changes(
    wanted: Annotated[ChangeFilters, Depends()],
    cursor: str | None = None,
    limit: int = Query(100, ge=1, le=1000),
) -> dict[str, Any]:
    """Changes newest first: `changes` in the `claimwatch changes --format json` shape and
    `next_cursor` (pass it as `cursor` for the next, older page; null on the last page).
    `since` is inclusive and `until` exclusive (7d, 12h or an ISO date/time)."""
    try:
        before = Cursor.decode(cursor) if cursor else None
    except ValueError as exc:
        raise HTTPException(422, str(exc)) from None
    with session() as db:
        filters = wanted.resolve(db)
        rows, following = changes_page(db, filters=filters, before=before, limit=limit)
    return {"changes": rows, "next_cursor": following.encode() if following else None}


def _change(change_id: int, *, include_diff: bool) -> dict[str, Any]:
    with session() as db:
        found = changes_by_id(db, ids=[change_id], include_diff=include_diff)
    if not found:
        raise HTTPException(404, f"no change {change_id}")
    return found[0]


@router.get("/changes/{change_id}")
def read_change(change_id: int) -> dict[str, Any]:
    """One change (as `claimwatch show CHANGE_ID --format json`)."""
    return _change(change_id, include_diff=False)


@router.get("/changes/{change_id}/diff", response_model=None)
def change_diff(change_id: int, format: str = Query("json", pattern="^(json|html)$")) -> Any:
    """The change with its word-level text diff: `text.ops` is a list of [op, text] with op
    -1 deleted, 0 unchanged, 1 inserted; `format=html` gives an HTML fragment (every scraped
    string escaped) with `<del>`/`<ins>` and the claim and reference changes."""
    change = _change(change_id, include_diff=True)
    if format == "json":
        return change
    return Response(diff_fragment(change), media_type="text/html; charset=utf-8",
                    headers=FRAGMENT_HEADERS)  # fmt: skip


def diff_fragment(change: dict[str, Any]) -> str:
    """A change as an HTML fragment: summary, claim and reference lines, inline text diff."""

    def esc(text: Any) -> str:
        return html.escape(visible(str(text)), quote=True)

    parts = [
        f'<div class="claimwatch-change" data-change-id="{int(change["id"])}">',
        f'<p class="summary">{esc(change["summary"])}</p>',
    ]
    for heading, lines in (
        ("Claims", claim_change_lines(change["claims"])),
        ("References", reference_change_lines(change["references"])),
    ):
        if lines:
            items = "".join(f"<li>{esc(line)}</li>" for line in lines)
            parts.append(f"<h3>{heading}</h3><ul>{items}</ul>")
    ops = (change.get("text") or {}).get("ops") or []
    if ops:
        body = []
        for op, chunk in ops:
            tag = {-1: "del", 1: "ins"}.get(int(op))
            body.append(f"<{tag}>{esc(chunk)}</{tag}>" if tag else esc(chunk))
        parts.append(f'<div class="diff">{"".join(body)}</div>')
    parts.append("</div>")
    return "\n".join(parts)
