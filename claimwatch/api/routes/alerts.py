"""Alert channels, their secrets masked (as `claimwatch alerts list --format json`)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from storage.alerts import channels_overview
from storage.db import session

router = APIRouter(tags=["alerts"])


@router.get("/alerts/channels")
def list_channels(all: bool = False) -> list[dict[str, Any]]:
    """Alert channels with their alerts by state; `channel` is the URL with its secrets
    masked when it was added (the stored URL is never returned)."""
    with session() as db:
        return channels_overview(db, include_inactive=all)
