"""The article timeline: a small SVG bar chart of when an article changed and by how much."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

from storage.browse import TimelinePoint

WIDTH, HEIGHT, PAD = 720, 120, 24


@dataclass(frozen=True)
class Bar:
    """One change drawn as a bar (coordinates in the SVG's viewBox)."""

    x: float
    y: float
    height: float
    css: str  # severity and, for status changes, "status"
    label: str  # tooltip
    change_id: int


@dataclass(frozen=True)
class Chart:
    """Bars and the two end dates of the axis."""

    bars: list[Bar]
    start: datetime | None
    end: datetime | None
    width: int = WIDTH
    height: int = HEIGHT
    pad: int = PAD


def chart(points: list[TimelinePoint], first_seen: datetime | None) -> Chart:
    """Bars placed by time (first capture to last change), height by words changed on a
    square-root scale, so a one-word edit still shows beside a rewrite."""
    if not points:
        return Chart([], first_seen, first_seen)
    start = min([first_seen or points[0].detected_at, points[0].detected_at])
    end = points[-1].detected_at
    span = max((end - start).total_seconds(), 1.0)
    top = max(math.sqrt(max(p.words, 1)) for p in points)
    usable = HEIGHT - 2 * PAD
    bars = []
    for p in points:
        x = PAD + (WIDTH - 2 * PAD) * (p.detected_at - start).total_seconds() / span
        h = max(4.0, usable * math.sqrt(max(p.words, 1)) / top)
        css = "status" if "status" in p.kinds else p.severity
        label = f"{p.detected_at:%Y-%m-%d %H:%M} · {p.summary}"
        bars.append(
            Bar(round(x, 1), round(HEIGHT - PAD - h, 1), round(h, 1), css, label, p.change_id)
        )
    return Chart(bars, start, end)
