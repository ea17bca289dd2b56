"""The FastAPI application served by `claimwatch serve`: REST API under /api/v1, web UI at /."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI

from claimwatch.api.routes import triage
from claimwatch.web import router as web_router

api_router = APIRouter()


def create_app() -> FastAPI:
    """The application: the REST API (/api/v1, /openapi.json, /docs) and the web UI."""
    app = FastAPI(title="claimwatch", openapi_url="/openapi.json", docs_url="/docs")
    app.include_router(api_router, prefix="/api/v1")
    app.include_router(triage.router, prefix="/api/v1")
    app.include_router(web_router)
    return app
