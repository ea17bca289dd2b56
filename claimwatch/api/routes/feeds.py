"""An Atom feed of changes per filter (`/feeds/changes.atom?kind=claims`): each entry carries
the claim and reference changes and the text diff, escaped."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode
from xml.etree import ElementTree as ET

from fastapi import APIRouter, Depends, Query, Request, Response

from analysis.timestamps import utc_z
from claimwatch.api.deps import ChangeFilters
from claimwatch.api.routes.changes import diff_fragment
from claimwatch.web.safety import http_url, visible
from storage.browse import change_ids
from storage.db import session
from storage.models import utcnow
from storage.queries import changes_by_id

router = APIRouter(tags=["feeds"])
ATOM = "http://www.w3.org/2005/Atom"


@router.get("/feeds/changes.atom")
def changes_feed(
    request: Request,
    wanted: Annotated[ChangeFilters, Depends()],
    limit: int = Query(50, ge=1, le=500),
) -> Response:
    """The newest changes the filters select (those of /api/v1/changes) as Atom."""
    with session() as db:
        filters = wanted.resolve(db)
        ids, _ = change_ids(db, filters=filters, limit=limit)
        rows = changes_by_id(db, ids=ids, include_diff=True)
    base = str(request.base_url).rstrip("/")
    query = urlencode({k: v for k, v in request.query_params.items()})
    return Response(
        atom(
            rows, base=base, self_url=f"{base}/feeds/changes.atom" + (f"?{query}" if query else "")
        ),
        media_type="application/atom+xml; charset=utf-8",
        headers={"X-Content-Type-Options": "nosniff"},
    )


def atom(rows: list[dict[str, Any]], *, base: str, self_url: str) -> bytes:
    """The feed document; every scraped string is XML text (escaped by the serializer, with
    control characters made visible so that the document stays well-formed)."""
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed")
    _text(feed, "title", "claimwatch changes")
    _text(feed, "id", self_url)
    _text(feed, "updated", rows[0]["detected_at"] if rows else utc_z(utcnow()) or "")
    ET.SubElement(feed, f"{{{ATOM}}}link", rel="self", href=self_url)
    author = ET.SubElement(feed, f"{{{ATOM}}}author")
    _text(author, "name", "claimwatch")
    for row in rows:
        entry = ET.SubElement(feed, f"{{{ATOM}}}entry")
        _text(entry, "id", f"{base}/api/v1/changes/{int(row['id'])}")
        _text(entry, "title", f"[{row['severity']}] {row['summary']} — {row['url']}")
        _text(entry, "updated", row["detected_at"])
        ET.SubElement(
            entry, f"{{{ATOM}}}link", rel="alternate", href=f"{base}/changes/{int(row['id'])}"
        )
        article = http_url(row["url"])
        if article:
            ET.SubElement(entry, f"{{{ATOM}}}link", rel="related", href=article)
        for kind in row["kinds"]:
            ET.SubElement(entry, f"{{{ATOM}}}category", term=str(kind))
        _text(entry, "summary", row["summary"])
        content = _text(entry, "content", diff_fragment(row))
        content.set("type", "html")
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)


def _text(parent: ET.Element, tag: str, value: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM}}}{tag}")
    element.text = visible(str(value))
    return element
