"""Two versions' blocks aligned for the side-by-side and inline views of a change.

Blocks align by exact text (difflib over the block texts); inside a replaced stretch, blocks
pair by similarity so an edited paragraph sits beside its new wording, and each pair gets a
word diff. Runs of unchanged blocks can fold away ("changes only").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from typing import Any

from rapidfuzz import fuzz

from analysis.textdiff import DELETE, EQUAL, INSERT, diff_words

PAIR_THRESHOLD = 50.0
Ops = list[tuple[int, str]]


@dataclass
class Row:
    """One line of the aligned view: a block before, after, or both."""

    state: str  # same | changed | removed | added
    kind: str  # the block kind (heading, paragraph, item…), for styling
    left: Ops = field(default_factory=list)  # before, with deletions marked
    right: Ops = field(default_factory=list)  # after, with insertions marked
    inline: Ops = field(default_factory=list)  # both, deletions and insertions marked


@dataclass
class Fold:
    """Unchanged rows folded away in "changes only" mode."""

    rows: list[Row]


def _block(b: dict[str, Any]) -> tuple[str, str]:
    return str(b.get("kind", "paragraph")), str(b.get("text", ""))


def align(before: Sequence[dict[str, Any]], after: Sequence[dict[str, Any]]) -> list[Row]:
    """Align two versions' blocks (Version.blocks JSON) into rows."""
    left = [_block(b) for b in before]
    right = [_block(b) for b in after]
    matcher = SequenceMatcher(None, [t for _, t in left], [t for _, t in right], autojunk=False)
    rows: list[Row] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            for (kind, text), _ in zip(left[i1:i2], right[j1:j2], strict=True):
                ops = [(EQUAL, text)]
                rows.append(Row("same", kind, ops, ops, ops))
        else:
            rows.extend(_pair(left[i1:i2], right[j1:j2]))
    return rows


def _pair(old: list[tuple[str, str]], new: list[tuple[str, str]]) -> list[Row]:
    # Pair in order: each old block takes the most similar new block at or after the last
    # one paired, so rows never cross.
    rows: list[Row] = []
    j = 0
    for kind, text in old:
        best, score = None, PAIR_THRESHOLD
        for k in range(j, len(new)):
            s = fuzz.ratio(text, new[k][1])
            if s >= score:
                best, score = k, s
        if best is None:
            rows.append(Row("removed", kind, [(DELETE, text)], [], [(DELETE, text)]))
            continue
        for kind_new, added in new[j:best]:
            rows.append(Row("added", kind_new, [], [(INSERT, added)], [(INSERT, added)]))
        diff = list(diff_words(text, new[best][1]).ops)
        rows.append(
            Row(
                "changed",
                new[best][0],
                [(op, t) for op, t in diff if op != INSERT],
                [(op, t) for op, t in diff if op != DELETE],
                diff,
            )
        )
        j = best + 1
    for kind_new, added in new[j:]:
        rows.append(Row("added", kind_new, [], [(INSERT, added)], [(INSERT, added)]))
    return rows


def fold(rows: list[Row], *, context: int = 1) -> list[Row | Fold]:
    """Keep changed rows and `context` unchanged rows around each; fold the other runs."""
    keep = [row.state != "same" for row in rows]
    for i, row in enumerate(rows):
        if row.state != "same":
            for k in range(max(0, i - context), min(len(rows), i + context + 1)):
                keep[k] = True
    out: list[Row | Fold] = []
    run: list[Row] = []
    for row, kept in zip(rows, keep, strict=True):
        if kept:
            if run:
                out.append(Fold(run))
                run = []
            out.append(row)
        else:
            run.append(row)
    if run:
        out.append(Fold(run))
    return out


def word_ops(before: str, after: str) -> tuple[Ops, Ops]:
    """A claim's or reference's two wordings with what changed marked on each side."""
    diff = diff_words(before, after).ops
    return [(o, t) for o, t in diff if o != INSERT], [(o, t) for o, t in diff if o != DELETE]
