"""Align the claims and references of two versions and classify what changed.

Claims align by exact normalized text first, then by fuzzy similarity (rapidfuzz) one-to-one:
all candidate pairs above the threshold are taken best-first, so a pair never loses its partner
to a worse match. A matched pair is `reversed` (negation flipped, or increase ↔ decrease),
`weakened`/`strengthened` (certainty down/up, or scope narrowed/broadened: population, outcomes,
time-frame, magnitude, dose — analysis/claim_scope.py), `reworded` (text differs), or
`citations` — same sentence, different citations (attached/detached are listed on the change).
Every change lists its `reasons`: the cue words or numbers that moved.

compare_references and its result types live in analysis/reference_changes.py and are
re-exported here; compare_blocks runs both comparisons on two versions' blocks.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from rapidfuzz import fuzz

from analysis.claim_scope import certainty_moves, claim_scope, scope_moves
from analysis.claims import Claim, ClaimType, expand_marker, find_claims, link_citations
from analysis.document import Block
from analysis.pairing import align_pairs, counted
from analysis.reference_changes import (
    RefChange,
    RefChanges,
    changed_fields,
    compare_references,
    reference_json,
)
from analysis.references import Reference, find_references
from analysis.vocabulary import ClaimChangeKind

__all__ = [
    "ClaimChange",
    "ClaimChanges",
    "RefChange",
    "RefChanges",
    "changed_fields",
    "claim_json",
    "compare_blocks",
    "compare_claims",
    "compare_references",
    "reference_json",
]

# "negated" is no longer produced (a negation flip is "reversed"); it stays for stored changes.
CLAIM_THRESHOLD = 72.0
FINDINGS_CACHED = 1024  # versions: five batches of 200 new versions


@dataclass(frozen=True)
class ClaimChange:
    """One claim present in both versions that changed."""

    before: Claim
    after: Claim
    change: ClaimChangeKind
    citations_attached: tuple[str, ...] = ()  # markers of the after version
    citations_detached: tuple[str, ...] = ()  # markers of the before version
    reasons: tuple[str, ...] = ()  # the cue words or numbers that moved


@dataclass(frozen=True)
class ClaimChanges:
    """Claims added, removed and modified between two versions."""

    added: tuple[Claim, ...] = ()
    removed: tuple[Claim, ...] = ()
    modified: tuple[ClaimChange, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.added or self.removed or self.modified)

    def to_json(self) -> dict[str, Any]:
        """Plain JSON: {added: [Claim], removed: [Claim], modified: [{before, after, change}]}."""
        return {
            "added": [claim_json(c) for c in self.added],
            "removed": [claim_json(c) for c in self.removed],
            "modified": [
                {
                    "before": claim_json(m.before),
                    "after": claim_json(m.after),
                    "change": m.change,
                    "citations_attached": list(m.citations_attached),
                    "citations_detached": list(m.citations_detached),
                    "reasons": list(m.reasons),
                }
                for m in self.modified
            ],
        }

    def summary(self) -> str:
        """One line such as "1 claim weakened, 1 claim added"; "" when nothing changed."""
        counts = {"added": len(self.added), "removed": len(self.removed)}
        for m in self.modified:
            label = "with citations changed" if m.change == ClaimChangeKind.citations else m.change
            counts[label] = counts.get(label, 0) + 1
        return counted("claim", counts)


def claim_json(c: Claim) -> dict[str, Any]:
    """A claim as JSON: text, certainty, cites (markers), section, type."""
    return {
        "text": c.text,
        "certainty": c.certainty,
        "cites": list(c.cites),
        "section": list(c.section),
        "type": str(c.type),
    }


def findings(blocks: Sequence[Block]) -> tuple[tuple[Claim, ...], tuple[Reference, ...]]:
    """The claims (linked to the references they cite) and the references of one version."""
    return _findings(tuple(blocks))


# Assessing a new version needs its findings twice (to store, and to compare), and the next
# change of the article needs them again as the previous version's (its blocks read back from
# storage compare equal): computed once while this process holds them. By value, so never
# stale; ~25 KB an entry (the blocks and what was found in them).
@lru_cache(maxsize=FINDINGS_CACHED)
def _findings(blocks: tuple[Block, ...]) -> tuple[tuple[Claim, ...], tuple[Reference, ...]]:
    references = find_references(blocks)
    return tuple(link_citations(find_claims(blocks), references)), tuple(references)


def compare_blocks(
    before: Sequence[Block], after: Sequence[Block]
) -> tuple[ClaimChanges, RefChanges]:
    """Find, link and compare the claims and references of two versions' blocks."""
    claims_before, refs_before = findings(before)
    claims_after, refs_after = findings(after)
    ref_changes = compare_references(refs_before, refs_after)
    mapping = ref_changes.mapping
    return compare_claims(claims_before, claims_after, reference_map=mapping), ref_changes


def compare_claims(
    before: Sequence[Claim], after: Sequence[Claim], *, reference_map: dict[str, str] | None = None
) -> ClaimChanges:
    """Align two versions' claims and classify each change.

    With `reference_map` (before key → after key, from compare_references) citations compare by
    the reference they resolve to, so renumbered footnotes or an edited reference entry are not
    claim changes; without it, by marker.
    """
    pairs = align_pairs(before, after, lambda c: c.normalized, _claim_score, CLAIM_THRESHOLD)
    matched_b, matched_a = {i for i, _ in pairs}, {j for _, j in pairs}
    modified = []
    for i, j in sorted(pairs):
        change = _claim_change(before[i], after[j], reference_map)
        if change:
            modified.append(change)
    return ClaimChanges(
        added=tuple(c for j, c in enumerate(after) if j not in matched_a),
        removed=tuple(c for i, c in enumerate(before) if i not in matched_b),
        modified=tuple(modified),
    )


def _claim_change(b: Claim, a: Claim, reference_map: dict[str, str] | None) -> ClaimChange | None:
    attached, detached = _citation_delta(b, a, reference_map)
    change: ClaimChangeKind | None
    if b.normalized == a.normalized:
        # the same sentence (most pairs): only its citations can have moved
        return (
            ClaimChange(b, a, ClaimChangeKind.citations, attached, detached)
            if attached or detached
            else None
        )
    reasons = certainty_moves(b.text, a.text)
    if b.negated != a.negated:
        change = ClaimChangeKind.reversed
        reasons = ["negation added" if a.negated else "negation removed"]
    elif b.direction and a.direction and b.direction != a.direction:
        change = ClaimChangeKind.reversed
        reasons = [f"direction: {b.direction} → {a.direction}"]
    else:
        safety = ClaimType.safety in (a.type, b.type)
        scope, scope_reasons = scope_moves(claim_scope(b.text), claim_scope(a.text), safety=safety)
        certainty = a.certainty_score - b.certainty_score
        strength = (certainty > 0) - (certainty < 0) + scope
        reasons += scope_reasons
        if strength < 0:
            change = ClaimChangeKind.weakened
        elif strength > 0:
            change = ClaimChangeKind.strengthened
        else:
            change = ClaimChangeKind.reworded
    return ClaimChange(b, a, change, attached, detached, tuple(reasons))


def _citation_delta(
    b: Claim, a: Claim, reference_map: dict[str, str] | None
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    before_ids = _cited(b, reference_map, before=True)
    after_ids = _cited(a, reference_map, before=False)
    return (
        tuple(label for ident, label in after_ids.items() if ident not in before_ids),
        tuple(label for ident, label in before_ids.items() if ident not in after_ids),
    )


def _cited(claim: Claim, reference_map: dict[str, str] | None, *, before: bool) -> dict[str, str]:
    """Identity of each cited label → the label: the (after-version) reference key when the
    label resolved and references are being compared, else the label itself."""
    resolved = dict(claim.references)
    out: dict[str, str] = {}
    for marker in claim.cites:
        for label in expand_marker(marker):
            key = resolved.get(label)
            if key and reference_map is not None:
                ident = "key:" + (reference_map.get(key, "gone:" + key) if before else key)
            else:
                ident = "marker:" + label
            out.setdefault(ident, label)
    return out


# Words that change a claim's certainty or polarity, not its subject: dropped before fuzzy
# matching so "Oxytocin lowers cortisol" still finds "Oxytocin is clinically proven to lower
# cortisol" (a short claim gains or loses a large share of its characters).
_FILLER_WORDS = (
    "may might could can will would should must just is are was were be been being to the a an "
    "does do did not no never doesnt dont didnt isnt clinically proven definitely literally "
    "always perhaps possibly potentially probably likely maybe also even very really shown "
    "research shows studies show suggests suggest seems seem appears appear that"
)
_FILLER = frozenset(_FILLER_WORDS.split(" "))


def _core(normalized: str) -> str:
    words = (w for w in normalized.split() if w not in _FILLER)
    return " ".join(w[:-1] if len(w) > 3 and w.endswith("s") else w for w in words)


def _claim_score(a: Claim, b: Claim) -> float:
    core_a, core_b = _core(a.normalized), _core(b.normalized)
    if core_a and core_a == core_b:
        return 100.0
    return max(
        fuzz.ratio(a.normalized, b.normalized),
        fuzz.token_sort_ratio(a.normalized, b.normalized),
        fuzz.ratio(core_a, core_b),
        # a claim extended in place ("cures insomnia" → "cures insomnia and anxiety in just one
        # week") keeps every word of the shorter one: a match, though shorter ratios miss it
        0.9 * fuzz.token_set_ratio(core_a, core_b),
    )
