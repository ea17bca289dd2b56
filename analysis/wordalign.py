"""Align two texts token by token: the exact, fast engine under analysis.textdiff.

Each distinct token (word, number, whitespace run or punctuation mark) is mapped to one
character, the `diff_linesToChars` technique of diff-match-patch applied to tokens, so edits can
never split a word. The alignment itself is an exact longest common subsequence (rapidfuzz's
bit-parallel Indel, in C++): diff-match-patch's Myers `diff_main` with `Diff_Timeout = 0` took
1.1–1.5 s for a full rewrite of an 8 KB article even at word level (bench/diff_speed.py), and
with its default timeout it degrades to delete-all/insert-all. diff-match-patch then merges and
applies its semantic cleanup, so a rewrite reads as whole replaced phrases.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from diff_match_patch import diff_match_patch
from rapidfuzz.distance import Indel

DELETE, EQUAL, INSERT = -1, 0, 1

# Numbers keep their decimal/thousands separators and words their inner apostrophes, so
# "3.5 mg" → "3.8 mg" reads as one replaced number, not a replaced digit.
_TOKEN = re.compile(r"\d+(?:[.,]\d+)+|[^\W_]+(?:['’][^\W_]+)*|\s+|[^\w\s]|_")
WORD = re.compile(r"[^\W_]")  # a token that matches is a word or a number
_MAX_SYMBOLS = 0x10FFFF
# The alignment keeps a bit matrix of len(a) × len(b) bits: 3e8 cells ≈ 40 MB, ~80 ms. Larger
# texts are aligned paragraph by paragraph first.
_MAX_CELLS = 300_000_000

Diffs = list[tuple[int, str]]


def tokenize(text: str) -> list[str]:
    """Split text into word, number, whitespace and punctuation tokens that join back to it."""
    return _TOKEN.findall(text)


def align(before: str, after: str) -> list[tuple[int, str]]:
    """Return the ops (-1 | 0 | 1, text) turning `before` into `after`, cleaned up for reading."""
    symbols: dict[str, str] = {}
    vocabulary: list[str] = []
    encoded1, encoded2 = _encode_pair(before, after, symbols, vocabulary)
    breaks = frozenset(char for token, char in symbols.items() if "\n" in token)
    diffs = _align(encoded1, encoded2, breaks)
    dmp = _TokenDMP(vocabulary)
    dmp.diff_cleanupMerge(diffs)
    diffs = _drop_small_equalities(diffs)
    dmp.diff_cleanupMerge(diffs)
    dmp.diff_cleanupSemantic(diffs)
    lookup = vocabulary.__getitem__
    return list(_join_runs((op, "".join(map(lookup, map(ord, chars)))) for op, chars in diffs))


class _TokenDMP(diff_match_patch):
    """diff-match-patch over token symbols, sliding edits to readable boundaries by token."""

    def __init__(self, vocabulary: list[str]) -> None:
        super().__init__()
        self.vocabulary = vocabulary

    def diff_cleanupSemanticLossless(self, diffs: Diffs) -> None:
        """The library's lossless pass, scoring the tokens that the symbols stand for.

        The library scores a boundary by the class of the characters on either side; here
        each character is a whole token, so it looks the tokens up instead.
        """
        pointer = 1
        while pointer < len(diffs) - 1:
            if diffs[pointer - 1][0] != EQUAL or diffs[pointer + 1][0] != EQUAL:
                pointer += 1
                continue
            equality1, edit, equality2 = (
                diffs[pointer - 1][1],
                diffs[pointer][1],
                diffs[pointer + 1][1],
            )
            common = self.diff_commonSuffix(equality1, edit)
            if common:  # first shift the edit as far left as it goes
                equality1, edit, equality2 = (
                    equality1[:-common],
                    edit[-common:] + edit[:-common],
                    edit[-common:] + equality2,
                )
            best = (equality1, edit, equality2)
            best_score = self._score(equality1, edit) + self._score(edit, equality2)
            while edit and equality2 and edit[0] == equality2[0]:
                equality1, edit, equality2 = equality1 + edit[0], edit[1:] + edit[0], equality2[1:]
                score = self._score(equality1, edit) + self._score(edit, equality2)
                if score >= best_score:  # >= prefers trailing whitespace, as the library does
                    best, best_score = (equality1, edit, equality2), score
            if diffs[pointer - 1][1] != best[0]:
                replacement = [(EQUAL, best[0]), (diffs[pointer][0], best[1]), (EQUAL, best[2])]
                diffs[pointer - 1 : pointer + 2] = [(op, text) for op, text in replacement if text]
                pointer -= 0 if best[0] else 1
            pointer += 1

    def _score(self, one: str, two: str) -> int:
        # 6 edge, 5 blank line, 4 line break, 3 end of sentence, 2 space, 1 punctuation, 0 word
        if not one or not two:
            return 6
        left, right = self.vocabulary[ord(one[-1])], self.vocabulary[ord(two[0])]
        if "\n\n" in left or "\n\n" in right:
            return 5
        if "\n" in left or "\n" in right:
            return 4
        if not left.isspace() and not WORD.match(left) and right.isspace():
            return 3
        if left.isspace() or right.isspace():
            return 2
        if not WORD.match(left) or not WORD.match(right):
            return 1
        return 0


def _join_runs(ops: Iterable[tuple[int, str]]) -> Iterator[tuple[int, str]]:
    # Sliding an edit can empty an equality and leave two inserts (or deletes) side by side.
    pending: tuple[int, str] | None = None
    for op, text in ops:
        if pending is not None and pending[0] == op:
            pending = (op, pending[1] + text)
            continue
        if pending is not None:
            yield pending
        pending = (op, text)
    if pending is not None:
        yield pending


def _encode_pair(
    before: str, after: str, symbols: dict[str, str], vocabulary: list[str]
) -> tuple[str, str]:
    """Both texts as symbols: the same as encoding the tokens of `before`, then of `after`.

    A new version mostly repeats the old one: the text they share at the start and at the
    end is tokenized once, and its symbols are copied into the second text's.
    """
    start = _token_cut(before, after, _common_prefix(before, after))
    end = _common_suffix(before[start:], after[start:])
    # Counted from the end; the cut must leave at least one character of the shared end
    # before it, and is pulled back to the start of the token that character ends.
    tail = _token_cut(before[::-1], after[::-1], end, reverse=True) if end else 0
    head_tokens = tokenize(before[:start])
    tail_tokens = tokenize(before[len(before) - tail :]) if tail else []
    middle1 = tokenize(before[start : len(before) - tail])
    middle2 = tokenize(after[start : len(after) - tail])
    tokens1 = head_tokens + middle1 + tail_tokens
    encoded1 = _encode(tokens1, symbols, vocabulary)
    if len(encoded1) != len(tokens1):  # out of code points: not one symbol per token
        return encoded1, _encode(head_tokens + middle2 + tail_tokens, symbols, vocabulary)
    # The shared tokens all have their symbols already: only the middle can add new ones.
    head = encoded1[: len(head_tokens)]
    end_symbols = encoded1[len(encoded1) - len(tail_tokens) :] if tail_tokens else ""
    return encoded1, head + _encode(middle2, symbols, vocabulary) + end_symbols


def _common_prefix(a: str, b: str) -> int:
    """Length of the longest common prefix (slices compare in C: a binary search)."""
    low, high = 0, min(len(a), len(b))
    while low < high:
        middle = (low + high + 1) // 2
        if a[:middle] == b[:middle]:
            low = middle
        else:
            high = middle - 1
    return low


def _common_suffix(a: str, b: str) -> int:
    low, high = 0, min(len(a), len(b))
    while low < high:
        middle = (low + high + 1) // 2
        if a[len(a) - middle :] == b[len(b) - middle :]:
            low = middle
        else:
            high = middle - 1
    return low


def _token_cut(a: str, b: str, common: int, *, reverse: bool = False) -> int:
    """The largest cut within the first `common` characters (shared by `a` and `b`) where no
    token of either text straddles it: a whitespace character before it and none after.

    With `reverse` (the texts reversed, to cut their shared end) the condition is mirrored: no
    whitespace before the cut, whitespace after it, both inside the shared part.
    """
    for cut in range(common - 1, 0, -1):
        if reverse:
            if not a[cut - 1].isspace() and a[cut].isspace():
                return cut
        elif a[cut - 1].isspace() and not a[cut].isspace():
            return cut
    return 0


def _encode(tokens: list[str], symbols: dict[str, str], vocabulary: list[str]) -> str:
    if len(vocabulary) + len(tokens) <= _MAX_SYMBOLS:
        # Every token can get a code point: give the new ones theirs in one pass over the
        # distinct tokens, then map the text in C (a Python loop per token cost 4× as much).
        for token in dict.fromkeys(tokens):
            if token not in symbols:
                symbols[token] = chr(len(vocabulary))
                vocabulary.append(token)
        return "".join(map(symbols.__getitem__, tokens))
    chars = []
    for i, token in enumerate(tokens):
        char = symbols.get(token)
        if char is None:
            if len(vocabulary) >= _MAX_SYMBOLS:
                # Out of code points (a >1M-word vocabulary): the rest becomes one symbol.
                vocabulary.append("".join(tokens[i:]))
                chars.append(chr(len(vocabulary) - 1))
                break
            char = symbols[token] = chr(len(vocabulary))
            vocabulary.append(token)
        chars.append(char)
    return "".join(chars)


def _align(a: str, b: str, breaks: frozenset[str]) -> Diffs:
    if len(a) * len(b) <= _MAX_CELLS:
        return _lcs(a, b)
    # Too large for one alignment: align paragraphs, then the words of each changed region.
    pa, pb = _paragraphs(a, breaks), _paragraphs(b, breaks)
    if len(pa) * len(pb) > _MAX_CELLS:
        return [(DELETE, a), (INSERT, b)]
    diffs: Diffs = []
    removed, added = "", ""
    for op in Indel.opcodes(pa, pb):
        if op.tag == "equal":
            diffs += _lcs(removed, added)
            removed, added = "", ""
            diffs.append((EQUAL, "".join(pa[op.src_start : op.src_end])))
        else:
            removed += "".join(pa[op.src_start : op.src_end])
            added += "".join(pb[op.dest_start : op.dest_end])
    return diffs + _lcs(removed, added)


def _lcs(a: str, b: str) -> Diffs:
    if len(a) * len(b) > _MAX_CELLS:
        return [(op, text) for op, text in ((DELETE, a), (INSERT, b)) if text]
    diffs: Diffs = []
    for op in Indel.opcodes(a, b):
        if op.tag in ("delete", "replace"):
            diffs.append((DELETE, a[op.src_start : op.src_end]))
        if op.tag in ("insert", "replace"):
            diffs.append((INSERT, b[op.dest_start : op.dest_end]))
        if op.tag == "equal":
            diffs.append((EQUAL, a[op.src_start : op.src_end]))
    return diffs


def _drop_small_equalities(diffs: Diffs) -> Diffs:
    """The first pass of `diff_cleanupSemantic`, in linear time instead of quadratic.

    An equality no longer than the edits on both sides of it becomes part of the edit (each
    merge re-examines the equality before it). dmp's own loop re-scans the list after every
    merge: 1.3 s on a rewritten 8 KB article. Running dmp's merge and cleanup afterwards gives
    the same result as dmp alone, at the cost of its linear passes.
    """
    # Each group: [op, deleted pieces, inserted pieces, deleted length, inserted length];
    # equalities keep their text in the deleted slot.
    groups: list[list] = []
    for op, text in diffs:
        if op == EQUAL:
            groups.append([EQUAL, [text], [], len(text), 0])
            continue
        if not groups or groups[-1][0] == EQUAL:
            groups.append([DELETE, [], [], 0, 0])
        slot = 1 if op == DELETE else 2
        groups[-1][slot].append(text)
        groups[-1][slot + 2] += len(text)
        while len(groups) >= 3 and groups[-2][0] == EQUAL and groups[-3][0] != EQUAL:
            left, equality, right = groups[-3:]
            size = equality[3]
            if size > max(left[3], left[4]) or size > max(right[3], right[4]):
                break
            del groups[-2:]
            left[1] += equality[1] + right[1]
            left[2] += equality[1] + right[2]
            left[3] += size + right[3]
            left[4] += size + right[4]
    out: Diffs = []
    for op, deleted, inserted, _, _ in groups:
        if op == EQUAL:
            out.append((EQUAL, "".join(deleted)))
            continue
        if deleted:
            out.append((DELETE, "".join(deleted)))
        if inserted:
            out.append((INSERT, "".join(inserted)))
    return out


def _paragraphs(encoded: str, breaks: frozenset[str]) -> list[str]:
    pieces, start = [], 0
    for i, char in enumerate(encoded):
        if char in breaks:
            pieces.append(encoded[start : i + 1])
            start = i + 1
    if start < len(encoded):
        pieces.append(encoded[start:])
    return pieces
