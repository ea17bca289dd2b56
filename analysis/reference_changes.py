"""Reference changes between two versions: added, removed, and modified (which fields).

References align by key, then by any shared identifier, then by fuzzy text with identifiers
removed, so "PMC8254750 → PMC8254751" or a reference gaining a DOI is one modified reference.
Markers (footnote numbers) are not compared: renumbering alone is not a change.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from rapidfuzz import fuzz

from analysis.pairing import align_pairs, counted
from analysis.references import ID_KINDS, Reference, normalize_reference_text

REFERENCE_THRESHOLD = 80.0
REFERENCE_FIELDS = ("text", *ID_KINDS, "journal", "year", "volume", "first_page", "first_author")


@dataclass(frozen=True)
class RefChange:
    """One reference present in both versions whose fields changed."""

    before: Reference
    after: Reference
    fields: tuple[str, ...]


@dataclass(frozen=True)
class RefChanges:
    """References added, removed and modified between two versions."""

    added: tuple[Reference, ...] = ()
    removed: tuple[Reference, ...] = ()
    modified: tuple[RefChange, ...] = ()
    kept: tuple[tuple[str, str], ...] = ()  # (before key, after key) of every aligned pair

    def __bool__(self) -> bool:
        return bool(self.added or self.removed or self.modified)

    def to_json(self) -> dict[str, Any]:
        """Plain-JSON form: {added: [Ref], removed: [Ref], modified: [{before, after, fields}]}."""
        return {
            "added": [reference_json(r) for r in self.added],
            "removed": [reference_json(r) for r in self.removed],
            "modified": [
                {
                    "before": reference_json(m.before),
                    "after": reference_json(m.after),
                    "fields": list(m.fields),
                }
                for m in self.modified
            ],
        }

    def summary(self) -> str:
        """One line such as "1 reference removed, 1 reference modified"; "" when nothing changed."""
        counts = {
            "added": len(self.added),
            "removed": len(self.removed),
            "modified": len(self.modified),
        }
        return counted("reference", counts)

    @property
    def mapping(self) -> dict[str, str]:
        """Before key → after key for every reference kept, changed or not."""
        return dict(self.kept)


def reference_json(r: Reference) -> dict[str, Any]:
    """A reference as JSON: text, ids, key."""
    return {"text": r.text, "ids": r.ids, "key": r.key}


def compare_references(before: Sequence[Reference], after: Sequence[Reference]) -> RefChanges:
    """Align two versions' references by key, shared identifier, then fuzzy text."""
    pairs = align_pairs(before, after, lambda r: r.key, _ref_score, REFERENCE_THRESHOLD)
    matched_b, matched_a = {i for i, _ in pairs}, {j for _, j in pairs}
    modified = []
    for i, j in sorted(pairs):
        fields = changed_fields(before[i], after[j])
        if fields:
            modified.append(RefChange(before[i], after[j], fields))
    return RefChanges(
        added=tuple(r for j, r in enumerate(after) if j not in matched_a),
        removed=tuple(r for i, r in enumerate(before) if i not in matched_b),
        modified=tuple(modified),
        kept=tuple((before[i].key, after[j].key) for i, j in sorted(pairs)),
    )


def changed_fields(a: Reference, b: Reference) -> tuple[str, ...]:
    """Names of the fields that differ; "text" only when it differs beyond the identifiers."""
    ids_a, ids_b = a.ids, b.ids
    out = []
    for name in REFERENCE_FIELDS:
        if name == "text":
            differs = _bare(a) != _bare(b)
        elif name in ID_KINDS:
            differs = ids_a.get(name) != ids_b.get(name)
        else:
            differs = getattr(a, name) != getattr(b, name)
        if differs:
            out.append(name)
    return tuple(out)


def _bare(r: Reference) -> str:
    text = r.text
    for _, value in r.id_pairs:
        text = text.replace(value, " ")
    text = text.lower()
    for prefix in ("https://doi.org/", "http://dx.doi.org/", "doi:", "pmid:", "pmcid:"):
        text = text.replace(prefix, " ")
    return normalize_reference_text(text)


def _ref_score(a: Reference, b: Reference) -> float:
    shared = set(a.id_pairs) & set(b.id_pairs)
    if any(kind != "url" for kind, _ in shared):
        return 100.0
    return max(fuzz.ratio(_bare(a), _bare(b)), fuzz.token_sort_ratio(_bare(a), _bare(b)))
