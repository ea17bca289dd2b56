"""The one timestamp form claimwatch writes everywhere: ISO 8601 in UTC with a `Z`."""

from __future__ import annotations

from datetime import UTC, datetime


def utc_z(moment: datetime | None) -> str | None:
    """`moment` as `2026-11-29T17:10:24.123456Z` (naive datetimes are taken as UTC)."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")
