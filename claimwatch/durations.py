"""Parse the durations and times the CLI accepts (6h, 7d, 2026-03-03, ISO 8601)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
_DURATION = re.compile(r"^\s*(\d+)\s*([smhdw])\s*$", re.IGNORECASE)


def parse_duration(text: str) -> timedelta:
    """'90s', '30m', '6h', '7d', '2w' → timedelta; ValueError otherwise."""
    match = _DURATION.match(text)
    if not match or int(match.group(1)) == 0:
        raise ValueError(f"not a duration: {text!r} (use e.g. 30m, 6h, 7d)")
    return timedelta(seconds=int(match.group(1)) * _UNITS[match.group(2).lower()])


def parse_since(text: str, *, now: datetime | None = None) -> datetime:
    """A duration back from now ('7d') or an ISO date/time (naive means UTC)."""
    now = now or datetime.now(UTC)
    try:
        return now - parse_duration(text)
    except ValueError:
        pass
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(
            f"not a duration or ISO date: {text!r} (use e.g. 7d or 2026-03-03)"
        ) from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
