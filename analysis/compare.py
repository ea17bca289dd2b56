"""One result shape for every comparison (as EDGI's web-monitoring-diff does).

A Comparison holds one member per kind of change that can be detected (text, claims,
references, metadata, status). `Comparison.build` derives `changed`, `kinds`, `severity` and
`summary` from the members, so adding a kind means: a field, a line in `build`, a key in
`to_json`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from analysis.align import ClaimChanges, RefChanges, compare_blocks
from analysis.document import Article
from analysis.textdiff import TextDiff, diff_words
from analysis.vocabulary import ChangeKind, Severity

KINDS = tuple(ChangeKind)
# Analysts read the summary left to right: what was asserted and cited matters most.
SUMMARY_ORDER = (
    ChangeKind.claims,
    ChangeKind.references,
    ChangeKind.status,
    ChangeKind.metadata,
    ChangeKind.text,
)
MAJOR_KINDS = frozenset({ChangeKind.claims, ChangeKind.references, ChangeKind.status})
METADATA_FIELDS = ("title", "author", "published", "sitename")
_NETWORK_ERROR = re.compile(
    r"time[ds]? ?out|connect|dns|resolv|refused|reset|unreachable|lost|tls|ssl|temporar|network",
    re.I,
)


@dataclass(frozen=True)
class Comparison:
    """What changed between two versions of an article, or in its HTTP status."""

    changed: bool
    kinds: tuple[ChangeKind, ...]  # ordered subset of KINDS
    severity: Severity  # major when claims, references or status changed
    summary: str  # one line, e.g. "text: +12/−9 words; title changed"
    text: TextDiff | None = None  # None when the text is unchanged
    metadata: dict[str, tuple[str, str]] = field(default_factory=dict)  # field -> (before, after)
    status: tuple[int | None, int | None] | None = None  # (before, after) when the status changed
    claims: ClaimChanges | None = None  # None when no claim changed
    references: RefChanges | None = None  # None when no reference changed

    @classmethod
    def build(
        cls,
        *,
        text: TextDiff | None = None,
        metadata: dict[str, tuple[str, str]] | None = None,
        status: tuple[int | None, int | None] | None = None,
        claims: ClaimChanges | None = None,
        references: RefChanges | None = None,
    ) -> Comparison:
        """Assemble a Comparison from its members; unchanged members are dropped."""
        text = text if text is not None and text.changed else None
        claims = claims if claims else None
        references = references if references else None
        metadata = {f: metadata[f] for f in METADATA_FIELDS if metadata and f in metadata}
        pieces: dict[ChangeKind, str] = {}
        if text is not None:
            pieces[ChangeKind.text] = f"text: +{text.added_words}/−{text.removed_words} words"
        if metadata:
            pieces[ChangeKind.metadata] = ", ".join(metadata) + " changed"
        if status is not None:
            pieces[ChangeKind.status] = _status_summary(*status)
        if claims is not None:
            pieces[ChangeKind.claims] = claims.summary()
        if references is not None:
            pieces[ChangeKind.references] = references.summary()
        kinds = tuple(kind for kind in KINDS if kind in pieces)
        return cls(
            changed=bool(kinds),
            kinds=kinds,
            severity=Severity.major if MAJOR_KINDS.intersection(kinds) else Severity.minor,
            summary="; ".join(pieces[k] for k in SUMMARY_ORDER if k in pieces) or "no change",
            text=text,
            metadata=metadata,
            status=status,
            claims=claims,
            references=references,
        )

    def merge(self, other: Comparison) -> Comparison:
        """Combine two comparisons of the same capture (say, a text change and a restore)."""
        return Comparison.build(
            text=self.text if self.text is not None else other.text,
            metadata={**other.metadata, **self.metadata},
            status=self.status if self.status is not None else other.status,
            claims=self.claims if self.claims is not None else other.claims,
            references=self.references if self.references is not None else other.references,
        )

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict of the comparison (what Change.details stores)."""
        text = None
        if self.text is not None:
            text = {
                "added_words": self.text.added_words,
                "removed_words": self.text.removed_words,
                "ops": [[op, chunk] for op, chunk in self.text.ops],
            }
        status = None
        if self.status is not None:
            status = {"before": self.status[0], "after": self.status[1]}
        return {
            "changed": self.changed,
            "kinds": list(self.kinds),
            "severity": self.severity,
            "summary": self.summary,
            "text": text,
            "metadata": {f: {"before": b, "after": a} for f, (b, a) in self.metadata.items()},
            "status": status,
            "claims": self.claims.to_json() if self.claims is not None else None,
            "references": self.references.to_json() if self.references is not None else None,
        }


def compare_articles(before: Article, after: Article) -> Comparison:
    """Compare two extracted versions: claims, references, body text word by word, metadata."""
    text = diff_words(before.text, after.text) if before.text != after.text else None
    claims, references = compare_blocks(before.blocks, after.blocks)
    metadata = {
        f: (getattr(before, f), getattr(after, f))
        for f in METADATA_FIELDS
        if getattr(before, f) != getattr(after, f)
    }
    return Comparison.build(text=text, metadata=metadata, claims=claims, references=references)


def _state(status: int | None) -> str:
    # In a recorded change a 403 is one that persisted (analysis.assess): the page is gone.
    return "gone" if status == 403 else classify_status(status)


def compare_status(before: int | None, after: int | None) -> Comparison:
    """Compare two HTTP statuses: a change only when the article disappears or comes back."""
    states = classify_status(before), classify_status(after)
    if states in (("ok", "gone"), ("gone", "ok")):
        return Comparison.build(status=(before, after))
    return Comparison.build()


def classify_status(status: int | None, error: str = "") -> str:
    """Classify a fetch: "ok", "gone", "transient" (retry later) or "error"."""
    if status in (200, 304):
        return "ok"
    if status in (404, 410, 451):  # 451: unavailable for legal reasons
        return "gone"
    if status is None:
        return "transient" if not error or _NETWORK_ERROR.search(error) else "error"
    if status >= 500 or status in (408, 429):
        return "transient"
    return "error"


def _status_summary(before: int | None, after: int | None) -> str:
    states = _state(before), _state(after)
    label = {("ok", "gone"): "page removed", ("gone", "ok"): "page restored"}.get(
        states, "status changed"
    )
    return f"{label} ({before or 'none'} → {after or 'none'})"
