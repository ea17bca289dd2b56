"""Prefect side of site discovery: one task that discovers every followed site of a pass."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from prefect import task

from service.discovery import discover


@task(retries=2, retry_delay_seconds=[5, 15])
def discover_sites(*, due_only: bool, tag: str, urls: list[str]) -> dict[str, Any]:
    """Discover new articles of the followed sites (one crawl subprocess for all of them);
    none when the pass checks only given URLs."""
    return asdict(discover(due_only=due_only, tag=tag, urls=urls))
