"""Jinja2 rendering for the web UI: autoescaping, visible control characters, security
headers on every page and the CSRF token (double submit: a SameSite cookie and a form field)."""

from __future__ import annotations

import hmac
import secrets
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

from fastapi import HTTPException, Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from claimwatch.web.safety import PAGE_HEADERS, http_url, identifier_url, visible

TEMPLATES = Path(__file__).parent / "templates"
CSRF_COOKIE = "claimwatch_csrf"
CSRF_FIELD = "csrf"


def _finalize(value: Any) -> Any:
    # Every {{ expression }} passes here before autoescaping: scraped strings cannot carry
    # terminal escapes or bidi overrides into the page. Markup is only ever our own HTML.
    if isinstance(value, str) and not isinstance(value, Markup):
        return visible(value)
    return "" if value is None else value


def _when(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M UTC") -> str:
    return value.strftime(fmt) if value else ""


def _site(url: str) -> str:
    return (urlsplit(url).hostname or "") if url else ""


def _query(params: dict[str, Any], **changes: Any) -> str:
    merged = {**params, **changes}
    return urlencode({k: v for k, v in merged.items() if v not in (None, "", False)})


env = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(default=True, default_for_string=True),
    finalize=_finalize,
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
env.filters.update(
    when=_when,
    site=_site,
    http_url=http_url,
    visible=visible,
)
env.globals.update(identifier_url=identifier_url, query=_query)


def csrf_token(request: Request) -> tuple[str, bool]:
    """The browser's CSRF token and whether it is new (then the response sets the cookie)."""
    token = request.cookies.get(CSRF_COOKIE, "")
    if len(token) == 43:
        return token, False
    return secrets.token_urlsafe(32), True


def render(
    request: Request, template: str, *, status_code: int = 200, **context: Any
) -> HTMLResponse:
    """Render a page with the security headers and a CSRF token for its forms."""
    token, new = csrf_token(request)
    body = env.get_template(template).render(
        request_path=request.url.path, csrf_field=CSRF_FIELD, csrf_token=token, **context
    )
    response = HTMLResponse(body, status_code=status_code, headers=PAGE_HEADERS)
    if new:
        response.set_cookie(
            CSRF_COOKIE,
            token,
            httponly=True,
            samesite="strict",
            secure=request.url.scheme == "https",
            path="/",
        )
    return response


async def check_csrf(request: Request) -> None:
    """Refuse a form post whose CSRF field does not match its cookie, or that comes from
    another origin (FastAPI dependency for every state-changing web route)."""
    origin = request.headers.get("origin")
    if origin and origin != "null" and urlsplit(origin).netloc != request.headers.get("host"):
        raise HTTPException(403, "cross-origin form post refused")
    cookie = request.cookies.get(CSRF_COOKIE, "")
    sent = (await request.form()).get(CSRF_FIELD, "")
    if not cookie or not isinstance(sent, str) or not hmac.compare_digest(cookie, sent):
        raise HTTPException(403, "missing or wrong CSRF token: reload the page and try again")
