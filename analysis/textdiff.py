"""Word-level text diff: exact, and fast even when the whole text was rewritten.

`diff_words` aligns token by token (analysis.wordalign: every token one symbol, an exact
longest-common-subsequence, diff-match-patch's merge and semantic cleanup), so a full rewrite
of an 8 KB article takes milliseconds and edits never split a word. Renderers turn a TextDiff
into inline text, terminal colours, an HTML page or a short excerpt for alerts.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

from analysis.wordalign import DELETE, EQUAL, INSERT, WORD, align, tokenize

__all__ = [
    "DELETE",
    "EQUAL",
    "INSERT",
    "TextDiff",
    "count_words",
    "diff_words",
    "excerpt",
    "render_ansi",
    "render_html",
    "render_text",
    "tokenize",
]


@dataclass(frozen=True)
class TextDiff:
    """A word-level diff: ops in order, (-1 deleted | 0 equal | 1 inserted, text)."""

    ops: tuple[tuple[int, str], ...]
    added_words: int
    removed_words: int

    @property
    def changed(self) -> bool:
        """True when any op is an insertion or a deletion."""
        return any(op != EQUAL for op, _ in self.ops)


def count_words(text: str) -> int:
    """Count word and number tokens in `text`."""
    return sum(1 for t in tokenize(text) if WORD.match(t))


def diff_words(before: str, after: str) -> TextDiff:
    """Diff two texts word by word; exact for any amount of change."""
    ops = tuple(align(before, after))
    added = sum(count_words(text) for op, text in ops if op == INSERT)
    removed = sum(count_words(text) for op, text in ops if op == DELETE)
    return TextDiff(ops=ops, added_words=added, removed_words=removed)


def render_text(diff: TextDiff, context_words: int = 8) -> str:
    """Render inline as `[-removed-]{+added+}`, unchanged runs cut to `context_words` a side."""
    if not diff.changed:
        return ""
    parts = []
    last = len(diff.ops) - 1
    for i, (op, text) in enumerate(diff.ops):
        if op == EQUAL:
            parts.append(_context(text, context_words, lead=i > 0, trail=i < last))
        elif op == DELETE:
            parts.append(f"[-{text}-]")
        else:
            parts.append(f"{{+{text}+}}")
    return "".join(parts)


def render_ansi(diff: TextDiff, context_words: int | None = None) -> str:
    """Render for a terminal: deletions red and struck through, insertions green."""
    parts = []
    last = len(diff.ops) - 1
    for i, (op, text) in enumerate(diff.ops):
        if op == EQUAL:
            parts.append(
                text
                if context_words is None
                else _context(text, context_words, lead=i > 0, trail=i < last)
            )
        elif op == DELETE:
            parts.append(f"\x1b[9;31m{text}\x1b[0m")
        else:
            parts.append(f"\x1b[32m{text}\x1b[0m")
    return "".join(parts)


_HTML_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<style>
body {{ font: 16px/1.5 system-ui, sans-serif; max-width: 46em; margin: 2em auto; }}
.diff {{ white-space: pre-wrap; }}
del {{ background: #fdd; color: #900; }}
ins {{ background: #dfd; color: #060; text-decoration: none; }}
</style></head>
<body><h1>{title}</h1>
<p>+{added} / −{removed} words</p>
<div class="diff">{body}</div>
</body></html>
"""


def render_html(diff: TextDiff, title: str = "Changes") -> str:
    """Render a small standalone HTML document with <del>/<ins>, all text escaped."""
    parts = []
    for op, text in diff.ops:
        escaped = html.escape(text)
        if op == DELETE:
            escaped = f"<del>{escaped}</del>"
        elif op == INSERT:
            escaped = f"<ins>{escaped}</ins>"
        parts.append(escaped)
    return _HTML_PAGE.format(
        title=html.escape(title),
        added=diff.added_words,
        removed=diff.removed_words,
        body="".join(parts),
    )


def excerpt(diff: TextDiff, max_chars: int = 600, context_words: int = 6) -> str:
    """Return the changed lines only, marked inline, cut to `max_chars` (for alerts)."""
    lines: list[list[tuple[int, str]]] = [[]]
    for op, text in diff.ops:
        for j, piece in enumerate(text.split("\n")):
            if j:
                lines.append([])
            if piece:
                lines[-1].append((op, piece))
    changed = [line for line in lines if any(op != EQUAL for op, _ in line)]
    rendered = [render_text(_line_diff(line), context_words).strip() for line in changed]
    out = "\n".join(r for r in rendered if r)
    if len(out) > max_chars:
        out = out[: max_chars - 1].rstrip() + "…"
    return out


def _line_diff(line: list[tuple[int, str]]) -> TextDiff:
    return TextDiff(ops=tuple(line), added_words=0, removed_words=0)


def _context(text: str, n: int, *, lead: bool, trail: bool) -> str:
    # `lead`: a change precedes this run, keep its first n words; `trail`: one follows, keep
    # its last n words. Whatever is cut becomes "…".
    tokens = tokenize(text)
    word_at = [i for i, t in enumerate(tokens) if WORD.match(t)]
    keep = n * (int(lead) + int(trail))
    if len(word_at) <= keep + 1:
        return text
    head = "".join(tokens[: word_at[n]]).rstrip() if lead and n else ""
    tail = "".join(tokens[word_at[-n] :]).lstrip() if trail and n else ""
    return " ".join(part for part in (head, "…", tail) if part)
