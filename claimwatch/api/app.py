"""The FastAPI application served by `claimwatch serve`: REST API under /api/v1, the Atom
feed under /feeds, the web UI at /."""

from __future__ import annotations

from fastapi import APIRouter, Depends, FastAPI

from claimwatch.api.routes import alerts, articles, changes, feeds, runs, sources, triage
from claimwatch.api.security import Access, TokenGate, require_write
from claimwatch.runner import PassRunner
from claimwatch.web import router as web_router
from storage.settings import get_settings

api_router = APIRouter()
api_router.include_router(sources.router)
api_router.include_router(articles.router)
api_router.include_router(changes.router)
api_router.include_router(runs.router)
api_router.include_router(alerts.router)


def _triage_router() -> APIRouter:
    # Triage writes need the token like every other write; its reads stay open on loopback.
    guarded = APIRouter()
    for route in triage.router.routes:
        methods = getattr(route, "methods", set()) or set()
        deps = [Depends(require_write)] if methods - {"GET", "HEAD"} else []
        guarded.add_api_route(
            route.path,  # type: ignore[attr-defined]
            route.endpoint,  # type: ignore[attr-defined]
            methods=list(methods),
            response_model=route.response_model,  # type: ignore[attr-defined]
            status_code=route.status_code,  # type: ignore[attr-defined]
            dependencies=deps,
            tags=["triage"],
        )
    return guarded


def create_app(*, access: Access | None = None, runner: PassRunner | None = None) -> FastAPI:
    """The application: the REST API (/api/v1, /openapi.json, /docs), the Atom feed and the
    web UI. Default access: loopback rules with CLAIMWATCH_API_TOKEN for writes."""
    app = FastAPI(title="claimwatch", openapi_url="/openapi.json", docs_url="/docs")
    app.state.access = access or Access(token=get_settings().api_token)
    app.state.runner = runner
    app.add_middleware(TokenGate)
    app.include_router(api_router, prefix="/api/v1")
    app.include_router(_triage_router(), prefix="/api/v1")
    app.include_router(feeds.router)
    app.include_router(web_router)
    return app
