"""The analyst's web UI: server-rendered pages over the storage queries (Jinja2, no build)."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse, Response

from claimwatch.web import exports, forms, pages

STATIC = Path(__file__).parent / "static"
_STATIC_TYPES = {".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8"}

router = APIRouter(include_in_schema=False)
router.include_router(pages.router)
router.include_router(forms.router)
router.include_router(exports.router)


@router.get("/static/{name}")
def static(name: str) -> Response:
    """The UI's own CSS and JS (only files directly in static/)."""
    path = STATIC / name
    if (
        "/" in name
        or name.startswith(".")
        or path.suffix not in _STATIC_TYPES
        or not path.is_file()
    ):
        return Response("not found", status_code=404, media_type="text/plain")
    return FileResponse(
        path,
        media_type=_STATIC_TYPES[path.suffix],
        headers={"Cache-Control": "public, max-age=300", "X-Content-Type-Options": "nosniff"},
    )
