"""Render the comparison of two stored versions as terminal text, JSON or HTML."""

from __future__ import annotations

import html
import json
from dataclasses import replace
from typing import Any

from sqlmodel import Session, col, select

from analysis.compare import Comparison, compare_articles
from analysis.report import claim_change_lines, reference_change_lines
from analysis.terminal import terminal_text
from analysis.textdiff import render_ansi, render_html, render_text
from storage.models import Change, Version
from storage.queries import changes_by_id, get_version, source_for
from storage.recording import version_article


def render_diff(
    db: Session,
    *,
    url: str,
    from_number: int | None,
    to_number: int | None,
    fmt: str,
    color: bool,
) -> str:
    """Compare version `from_number` (default: the one before `to_number`) with `to_number`
    (default: latest) and render it."""
    if from_number is None and to_number is None:
        last = _last_change(db, url=url)
        # The latest change concerns no new version (the page went away or came back): show it.
        if last is not None and last["from_version"] == last["to_version"]:
            return render_change(db, change=last, fmt=fmt, color=color)
    after = get_version(db, url=url, number=to_number)
    if from_number is None and after.number == 1:
        raise ValueError(f"{url} has only one version so far: nothing to compare")
    before = get_version(db, url=url, number=from_number or after.number - 1)
    comparison = compare_articles(version_article(before), version_article(after))
    if fmt == "json":
        payload = {"url": url, "from_version": before.number, "to_version": after.number}
        return json.dumps({**payload, **comparison.to_json()}, indent=2, ensure_ascii=False)
    header = _header_lines(url, before, after, comparison)
    if fmt == "html":
        title = f"{after.title} — v{before.number} → v{after.number}"
        summary = "".join(f"<p>{html.escape(line)}</p>" for line in header if line)
        if comparison.text is None:
            return f"<!doctype html><title>{html.escape(title)}</title><body>\n{summary}</body>"
        return render_html(comparison.text, title=title).replace("<body>", f"<body>\n{summary}", 1)
    body = ""
    if comparison.text is not None and comparison.text.changed:
        # Scraped words are made inert before the diff's own colours are added.
        text = replace(
            comparison.text, ops=tuple((op, terminal_text(t)) for op, t in comparison.text.ops)
        )
        body = render_ansi(text) if color else render_text(text)
    return "\n".join([*map(terminal_text, header), "", body]).rstrip() + "\n"


def _header_lines(url: str, before: Version, after: Version, comparison: Comparison) -> list[str]:
    lines = [
        url,
        f"v{before.number} ({before.created_at:%Y-%m-%d %H:%M} UTC) → "
        f"v{after.number} ({after.created_at:%Y-%m-%d %H:%M} UTC)",
        comparison.summary or "no change",
    ]
    for field, (old, new) in comparison.metadata.items():
        lines.append(f"{field}: {old!r} → {new!r}")
    details = comparison.to_json()
    for heading, found in (
        ("Claims", claim_change_lines(details["claims"])),
        ("References", reference_change_lines(details["references"])),
    ):
        if found:
            lines += ["", heading, *(f"  {line}" for line in found)]
    return lines


def _last_change(db: Session, *, url: str) -> dict[str, Any] | None:
    source = source_for(db, url=url)
    query = (
        select(Change.id)
        .where(Change.source_id == source.id)
        .order_by(col(Change.detected_at).desc(), col(Change.id).desc())
    )
    change_id = db.exec(query).first()
    found = changes_by_id(db, ids=[change_id]) if change_id is not None else []
    return found[0] if found else None


def render_change(db: Session, *, change: dict[str, Any], fmt: str, color: bool) -> str:
    """One recorded change (`claimwatch show`): the diff of its two versions, or for a change
    without a new version (status, a discovered article) what was recorded."""
    before, after = change["from_version"], change["to_version"]
    if before is not None and after is not None and before != after:
        return render_diff(
            db, url=change["url"], from_number=before, to_number=after, fmt=fmt, color=color
        )
    status = change.get("status") or {}
    lines = [
        change["url"],
        f"change {change['id']} detected {change['detected_at']}"
        + (f" (version {after} current)" if after is not None else ""),
        f"{', '.join(change['kinds'])} ({change['severity']}): {change['summary']}",
    ]
    if status:
        lines.append(f"status: {status.get('before')} → {status.get('after')}")
    if fmt == "json":
        return json.dumps(change, indent=2, ensure_ascii=False)
    if fmt == "html":
        body = "".join(f"<p>{html.escape(line)}</p>" for line in lines)
        title = html.escape(f"change {change['id']}")
        return f"<!doctype html><title>{title}</title><body>\n{body}</body>"
    return "\n".join(map(terminal_text, lines)) + "\n"
