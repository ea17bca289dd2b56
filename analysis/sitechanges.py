"""The changes site discovery records: an article published after set-up, an article that
moved to a new URL. Same JSON shape as analysis.compare.Comparison.to_json()."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from analysis.vocabulary import ChangeKind, Severity


@dataclass(frozen=True)
class SiteChange:
    """What to store on a Change row."""

    kinds: tuple[ChangeKind, ...]
    severity: Severity
    summary: str
    details: dict[str, Any] = field(default_factory=dict)


def new_article(*, title: str, url: str) -> SiteChange:
    """A followed site published an article (recorded with the article's version 1)."""
    summary = f"new article: {title or url}"
    return _change((ChangeKind.new_article,), summary, metadata={})


def url_moved(*, before: str, after: str, how: str) -> SiteChange:
    """An article's URL changed (`how`: "301", "308" or "canonical"); its history stays."""
    summary = f"url changed ({how}): {before} → {after}"
    return _change(
        (ChangeKind.metadata,), summary, metadata={"url": {"before": before, "after": after}}
    )


def _change(kinds: tuple[ChangeKind, ...], summary: str, *, metadata: dict) -> SiteChange:
    details = {
        "changed": True,
        "kinds": list(kinds),
        "severity": Severity.minor,
        "summary": summary,
        "text": None,
        "metadata": metadata,
        "status": None,
        "claims": None,
        "references": None,
    }
    return SiteChange(kinds, Severity.minor, summary, details)
