"""Alert messages built from stored changes (`changes --format json` objects plus a `title`).

Each message comes in plain text, Markdown and HTML, so every channel gets the format it
renders. The body is a small list of blocks rendered three ways; nothing here sends anything.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from analysis.report import claim_change_lines, reference_change_lines
from analysis.textdiff import TextDiff, excerpt
from analysis.vocabulary import ChangeKind

CLAIM_WIDTH = 200
MAX_LINES = 8  # per section; the rest is counted
_STATUS_PIECE = re.compile(r"^(page removed|page restored|status changed) \(")
_MD_SPECIAL = re.compile(r"([\\`*_])")
_DELETED = re.compile(r"\[-(.*?)-\]", re.S)
_INSERTED = re.compile(r"\{\+(.*?)\+\}", re.S)


@dataclass(frozen=True)
class AlertMessage:
    """A title and one body per format."""

    title: str
    text: str
    markdown: str
    html: str


# Blocks: ("field", label, value) | ("heading", text) | ("items", [line]) | ("diff", excerpt)
# | ("rule",)
Block = tuple[Any, ...]


def headline(change: Mapping[str, Any]) -> str:
    """ "Article edited: <title> — 1 claim weakened, …", "Article removed (404): <title>", …"""
    title = change.get("title") or change["url"]
    rest = ", ".join(
        piece for piece in change["summary"].split("; ") if not _STATUS_PIECE.match(piece)
    )
    if ChangeKind.new_article in change["kinds"]:
        return f"New article: {title}"  # found by a followed site's discovery
    status = change.get("status")
    if status and status.get("after") in (404, 410):
        return f"Article removed ({status['after']}): {title}"
    if status:
        return f"Article restored: {title}" + (f" — {rest}" if rest else "")
    return f"Article edited: {title} — {rest}"


def article_message(changes: Sequence[Mapping[str, Any]]) -> AlertMessage:
    """One message for one article's changes (oldest first; usually just one)."""
    title = headline(changes[-1])
    if len(changes) > 1:
        title += f" (and {len(changes) - 1} earlier change{'s' if len(changes) > 2 else ''})"
    blocks: list[Block] = []
    for n, change in enumerate(changes):
        if n:
            blocks.append(("rule",))
            blocks.append(("heading", headline(change)))
        blocks += _change_blocks(change, excerpt_chars=600 if len(changes) == 1 else 300)
    return _render(title, blocks)


def digest_message(changes: Sequence[Mapping[str, Any]], *, day: str) -> AlertMessage:
    """One message for a day's changes on a digest channel, grouped by article."""
    by_url: dict[str, list[Mapping[str, Any]]] = {}
    for change in changes:
        by_url.setdefault(change["url"], []).append(change)
    count = len(by_url)
    title = f"claimwatch daily digest {day}: {count} article{'s' if count != 1 else ''} changed"
    blocks: list[Block] = []
    for n, article_changes in enumerate(by_url.values()):
        if n:
            blocks.append(("rule",))
        last = article_changes[-1]
        blocks.append(("heading", headline(last)))
        blocks.append(("field", "URL", last["url"]))
        blocks.append(
            ("items", [f"{_when(c['detected_at'])}: {c['summary']}" for c in article_changes])
        )
        lines = [
            line
            for c in article_changes
            for line in _claim_lines(c) + _reference_lines(c, prefix="reference ")
        ]
        if lines:
            blocks.append(("items", _capped(lines)))
    return _render(title, blocks)


def test_message() -> AlertMessage:
    """The message `claimwatch alerts test` sends."""
    return _render(
        "claimwatch test alert",
        [("field", "Test", "this channel will receive claimwatch alerts about edited articles.")],
    )


def _change_blocks(change: Mapping[str, Any], *, excerpt_chars: int) -> list[Block]:
    blocks: list[Block] = [
        ("field", "URL", change["url"]),
        ("field", "Detected", _when(change["detected_at"])),
        ("field", "Summary", change["summary"]),
        ("field", "Severity", f"{change['severity']} ({', '.join(change['kinds'])})"),
    ]
    if change.get("from_version") and change.get("to_version") != change.get("from_version"):
        blocks.append(("field", "Versions", f"{change['from_version']} → {change['to_version']}"))
    status = change.get("status")
    if status:
        blocks.append(("field", "Status", f"{status['before']} → {status['after']}"))
    for heading, lines in (
        ("Claims", _claim_lines(change)),
        ("References", _reference_lines(change)),
        ("Metadata", _metadata_lines(change)),
    ):
        if lines:
            blocks += [("heading", heading), ("items", _capped(lines))]
    ops = (change.get("text") or {}).get("ops")
    if ops:
        diff = TextDiff(ops=tuple((op, chunk) for op, chunk in ops), added_words=0, removed_words=0)
        blocks += [("heading", "Text"), ("diff", excerpt(diff, max_chars=excerpt_chars))]
    return blocks


def _claim_lines(change: Mapping[str, Any]) -> list[str]:
    return claim_change_lines(change.get("claims"), width=CLAIM_WIDTH)


def _reference_lines(change: Mapping[str, Any], prefix: str = "") -> list[str]:
    lines = reference_change_lines(change.get("references"), width=CLAIM_WIDTH)
    return [prefix + line for line in lines]


def _metadata_lines(change: Mapping[str, Any]) -> list[str]:
    return [
        f"{name}: “{values['before']}” → “{values['after']}”"
        for name, values in (change.get("metadata") or {}).items()
    ]


def _capped(lines: list[str]) -> list[str]:
    if len(lines) <= MAX_LINES:
        return lines
    return [*lines[:MAX_LINES], f"… and {len(lines) - MAX_LINES} more"]


def _when(iso: str) -> str:
    return datetime.fromisoformat(iso).strftime("%Y-%m-%d %H:%M UTC")


def _render(title: str, blocks: list[Block]) -> AlertMessage:
    return AlertMessage(
        title=title,
        text=_join(_text(b) for b in blocks),
        markdown=_join(_markdown(b) for b in blocks),
        html="\n".join(_html(b) for b in blocks),
    )


def _join(parts: Any) -> str:
    return "\n".join(parts).strip() + "\n"


def _text(block: Block) -> str:
    kind = block[0]
    if kind == "field":
        return f"{block[1]}: {block[2]}"
    if kind == "heading":
        return f"\n{block[1]}"
    if kind == "items":
        return "\n".join(f"- {line}" for line in block[1])
    if kind == "diff":
        return block[1]
    return "\n---"


def _markdown(block: Block) -> str:
    kind = block[0]
    if kind == "field":
        value = block[2] if block[1] == "URL" else _md(block[2])
        return f"**{block[1]}:** {value}  "
    if kind == "heading":
        return f"\n**{_md(block[1])}**"
    if kind == "items":
        return "\n".join(f"- {_md(line)}" for line in block[1])
    if kind == "diff":
        return f"```\n{block[1].replace('```', '`‵`')}\n```"
    return "\n---"


def _html(block: Block) -> str:
    kind = block[0]
    if kind == "field":
        value = html.escape(block[2])
        if block[1] == "URL":
            value = f'<a href="{value}">{value}</a>'
        return f"<p><b>{html.escape(block[1])}:</b> {value}</p>"
    if kind == "heading":
        return f"<h3>{html.escape(block[1])}</h3>"
    if kind == "items":
        return "<ul>" + "".join(f"<li>{html.escape(line)}</li>" for line in block[1]) + "</ul>"
    if kind == "diff":
        marked = _INSERTED.sub(
            r"<ins>\1</ins>", _DELETED.sub(r"<del>\1</del>", html.escape(block[1]))
        )
        return f"<pre>{marked}</pre>"
    return "<hr>"


def _md(text: str) -> str:
    return _MD_SPECIAL.sub(r"\\\1", text)
