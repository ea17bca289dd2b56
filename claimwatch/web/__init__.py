"""The analyst's web UI: server-rendered pages over the service layer."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
