"""Articles: the tracked articles a page at a time; their versions, a version's text, claims
and references (by number or as current at a date), and the archived raw capture of a version
(inert: never live HTML)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Query, Response

from analysis.timestamps import utc_z
from claimwatch.api.deps import answer, moment
from claimwatch.web.pages import capture_response
from service.articles import ArticleCursor, articles_page
from storage.browse import source_for_id
from storage.db import session
from storage.models import Capture
from storage.queries import claims, get_version, history, references

router = APIRouter(tags=["articles"])


def _url(db: Any, source_id: int) -> str:
    source = source_for_id(db, source_id=source_id)
    if source is None:
        raise HTTPException(404, f"no article {source_id}")
    return source.normalized_url


@router.get("/articles")
def list_articles(
    site: str = "",
    tag: str = "",
    url: str = "",
    all: bool = False,
    cursor: str | None = None,
    limit: int = Query(100, ge=1, le=1000),
) -> dict[str, Any]:
    """Tracked articles by id: `articles` in the `claimwatch articles --format json` shape
    (site, latest version and its title and capture time, counts, the last attempt's status,
    outcome and error, consecutive failures, next check) and `next_cursor` (pass it as
    `cursor` for the next page; null on the last). `site`: a followed site's URL or a host
    name; `tag`; `url`: that article (404 when not tracked); `all`: untracked ones too."""
    try:
        after = ArticleCursor.decode(cursor) if cursor else None
    except ValueError as exc:
        raise HTTPException(422, str(exc)) from None
    with session() as db:
        rows, following = answer(
            lambda: articles_page(db, site=site, tag=tag, url=url, include_inactive=all,
                                  after=after, limit=limit)
        )  # fmt: skip
    return {"articles": rows, "next_cursor": following.encode() if following else None}


@router.get("/articles/{source_id}/versions")
def list_versions(source_id: int) -> list[dict[str, Any]]:
    """An article's versions, oldest first (as `claimwatch history --format json`)."""
    with session() as db:
        url = _url(db, source_id)
        return answer(lambda: history(db, url=url))


@router.get("/articles/{source_id}/text")
def version_text(
    source_id: int, version: int | None = None, at: str | None = None
) -> dict[str, Any]:
    """The extracted text of a version: number `version`, the one current `at` a date/time,
    or the latest."""
    when = moment(at, name="at", end_of_day=True)
    with session() as db:
        url = _url(db, source_id)
        found = answer(lambda: get_version(db, url=url, number=version, at=when))
        capture = db.get(Capture, found.capture_id)
        return {
            "url": url,
            "version": found.number,
            "captured_at": utc_z(capture.fetched_at) if capture else None,
            "capture_id": found.capture_id,
            "title": found.title,
            "author": found.author,
            "published": found.published,
            "content_hash": found.content_hash,
            "text": found.text,
        }


@router.get("/articles/{source_id}/claims")
def version_claims(
    source_id: int, version: int | None = None, at: str | None = None
) -> list[dict[str, Any]]:
    """A version's health claims (as `claimwatch claims --format json`)."""
    when = moment(at, name="at", end_of_day=True)
    with session() as db:
        url = _url(db, source_id)
        return answer(lambda: claims(db, url=url, number=version, at=when))


@router.get("/articles/{source_id}/references")
def version_references(
    source_id: int, version: int | None = None, at: str | None = None
) -> list[dict[str, Any]]:
    """A version's references (as `claimwatch references --format json`)."""
    when = moment(at, name="at", end_of_day=True)
    with session() as db:
        url = _url(db, source_id)
        return answer(lambda: references(db, url=url, number=version, at=when))


@router.get("/articles/{source_id}/versions/{number}/capture")
def version_capture(source_id: int, number: int, text: bool = False) -> Response:
    """The raw response archived for a version: under `Content-Security-Policy: sandbox`
    (no script, no network, an opaque origin), or as text/plain with `?text=true`."""
    with session() as db:
        url = _url(db, source_id)
        capture_id = answer(lambda: get_version(db, url=url, number=number)).capture_id
    return capture_response(capture_id, text=text)
