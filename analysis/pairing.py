"""One-to-one alignment of two versions' items: exact keys first, then fuzzy pairs best-first."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

T = TypeVar("T")


def align_pairs(
    before: Sequence[T],
    after: Sequence[T],
    exact: Callable[[T], str],
    score: Callable[[T, T], float],
    threshold: float,
) -> list[tuple[int, int]]:
    """Index pairs (before, after): equal `exact` keys in order, then fuzzy pairs best-first.

    Every candidate pair scoring at least `threshold` is considered at once, highest score first
    (ties: closer relative position), so an item never loses its partner to a worse match.
    """
    pairs: list[tuple[int, int]] = []
    free_a = list(range(len(after)))
    by_key: dict[str, list[int]] = {}
    for j in free_a:
        by_key.setdefault(exact(after[j]), []).append(j)
    free_b = []
    for i, item in enumerate(before):
        queue = by_key.get(exact(item))
        if queue:
            pairs.append((i, queue.pop(0)))
        else:
            free_b.append(i)
    taken = {j for _, j in pairs}
    free_a = [j for j in free_a if j not in taken]
    n_b, n_a = max(len(before), 1), max(len(after), 1)
    candidates = []
    for i in free_b:
        for j in free_a:
            s = score(before[i], after[j])
            if s >= threshold:
                # ties go to the pair whose relative positions are closer
                candidates.append((-s, abs(i / n_b - j / n_a), i, j))
    used_b: set[int] = set()
    used_a: set[int] = set()
    for _, _, i, j in sorted(candidates):
        if i not in used_b and j not in used_a:
            pairs.append((i, j))
            used_b.add(i)
            used_a.add(j)
    return pairs


def counted(noun: str, counts: dict[str, int]) -> str:
    """Join counts as "1 claim added, 2 claims weakened"; "" when every count is zero."""
    parts = [f"{n} {noun}{'s' if n != 1 else ''} {label}" for label, n in counts.items() if n]
    return ", ".join(parts)
