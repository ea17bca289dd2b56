"""Alert messages built from stored changes (`changes --format json` objects plus a `title`).

Each message comes in plain text, Markdown and HTML, so every channel gets the format it
renders. The body is a small list of blocks rendered three ways; nothing here sends anything.

Channels that take JSON (webhooks) get `data` instead: the change as `changes --format json`
gives it, plus its title and the `claimwatch diff` command that shows it (a list of them for a
digest, or when one message carries several changes of an article).

Titles, claims, references, metadata and diff text are scraped from pages anyone can write, so
every string is made inert before it reaches a channel: terminal escapes, control and bidi
characters removed; `@channel`/`@here`/`@everyone` broken with a zero-width space (Slack,
Mattermost, Discord and Teams notify whole channels for them); then escaped for the format
(HTML entities; Markdown backslash escapes, so no link, image, raw HTML or code span can be
formed). Links in titles are defused too: a title is shown as a heading, never as a link.
"""

from __future__ import annotations

import html
import re
import shlex
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

from analysis.report import claim_change_lines, reference_change_lines
from analysis.terminal import terminal_text
from analysis.textdiff import TextDiff, excerpt
from analysis.vocabulary import ChangeKind

CLAIM_WIDTH = 200
MAX_LINES = 8  # per section; the rest is counted
_STATUS_PIECE = re.compile(r"^(page removed|page restored|status changed) \(")
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>&|~])")
_MENTION = re.compile(r"@(?=(?:channel|here|everyone|all|group|room)\b)", re.I)
_SCHEME = re.compile(r"\b([a-z][a-z0-9+.-]*):(?=//)", re.I)
_SPACES = re.compile(r"\s+")
ZWSP = "\u200b"
_URL_SAFE = "/:@!$&'()*+,;=%~-._?"  # RFC 3986 characters a URL keeps; others are escaped
_DELETED = re.compile(r"\[-(.*?)-\]", re.S)
_INSERTED = re.compile(r"\{\+(.*?)\+\}", re.S)


@dataclass(frozen=True)
class AlertMessage:
    """A title and one body per format."""

    title: str
    text: str
    markdown: str
    html: str
    # For JSON channels: a change object, a list of them, or the test message's object.
    data: Any = None

    def title_for(self, fmt: str, *, in_body: bool) -> str:
        """The title for a channel of format `fmt` ("text", "markdown", "html"). `in_body`:
        the channel has no title field and pastes the title into the body."""
        title = inert(self.title, one_line=True)
        if fmt == "markdown":
            return _md(title)
        if fmt == "html" and in_body:
            return html.escape(title)
        return title  # a title field (an e-mail subject, a JSON "title") is plain text


def inert(text: str, *, one_line: bool = False) -> str:
    """Scraped text without terminal escapes, control or bidi characters, and with channel-wide
    mentions (@channel, @here, @everyone…) broken by a zero-width space."""
    text = terminal_text(text)
    if one_line:
        text = _SPACES.sub(" ", text).strip()
    return _MENTION.sub("@" + ZWSP, text)


def _defused(title: str) -> str:
    # "https://evil.example" in a title must not become a link: break the scheme separator.
    return _SCHEME.sub(r"\1:" + ZWSP, title)


def _link(url: str) -> str | None:
    """An http(s) URL with every character that could end it or start markup escaped."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    netloc = quote(parts.netloc, safe=_URL_SAFE + "[]")
    path, query = quote(parts.path, safe=_URL_SAFE), quote(parts.query, safe=_URL_SAFE)
    return urlunsplit((parts.scheme, netloc, path, query, ""))


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
    data = [change_data(c) for c in changes]
    return _render(title, blocks, data=data[0] if len(data) == 1 else data)


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
    return _render(title, blocks, data=[change_data(c) for c in changes])


def test_message() -> AlertMessage:
    """The message `claimwatch alerts test` sends."""
    title, text = (
        "claimwatch test alert",
        "this channel will receive claimwatch alerts about edited articles.",
    )
    data = {"test": True, "title": title, "message": text}
    return _render(title, [("field", "Test", text)], data=data)


def change_data(change: Mapping[str, Any]) -> dict[str, Any]:
    """A change for a program: the `changes --format json` fields (text counts without the
    diff), then `title` and `diff_command`, the command line that shows the change."""
    data = {key: value for key, value in change.items() if key != "title"}
    if isinstance(data.get("text"), Mapping):
        data["text"] = {k: v for k, v in data["text"].items() if k != "ops"}
    data["title"] = change.get("title") or ""
    data["diff_command"] = diff_command(change)
    return data


def diff_command(change: Mapping[str, Any]) -> str | None:
    """`claimwatch diff URL --from N --to M` for a change between versions, else None."""
    before, after = change.get("from_version"), change.get("to_version")
    if not before or not after or before == after:
        return None  # a status change: no text to compare
    return f"claimwatch diff {shlex.quote(change['url'])} --from {before} --to {after}"


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


def _render(title: str, blocks: list[Block], *, data: Any = None) -> AlertMessage:
    blocks = [_inert_block(block) for block in blocks]
    return AlertMessage(
        title=_defused(inert(title, one_line=True)),
        text=_join(_text(b) for b in blocks),
        markdown=_join(_markdown(b) for b in blocks),
        html="\n".join(_html(b) for b in blocks),
        data=data,
    )


def _inert_block(block: Block) -> Block:
    kind = block[0]
    if kind == "field":
        return ("field", block[1], inert(block[2], one_line=True))
    if kind == "heading":  # headlines carry article titles
        return ("heading", _defused(inert(block[1], one_line=True)))
    if kind == "items":
        return ("items", [inert(line, one_line=True) for line in block[1]])
    if kind == "diff":
        return ("diff", inert(block[1]))
    return block


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
        link = _link(block[2]) if block[1] == "URL" else None
        return f"**{block[1]}:** {link or _md(block[2])}  "
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
        link = _link(block[2]) if block[1] == "URL" else None
        if link:
            value = f'<a href="{html.escape(link)}">{value}</a>'
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
