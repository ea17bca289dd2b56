"""Readable lines for the claim and reference changes of a stored comparison (its JSON form)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

_ID_ORDER = ("doi", "pmid", "pmcid", "arxiv", "isbn", "url")


def claim_change_lines(claims: dict[str, Any] | None, *, width: int = 0) -> list[str]:
    """One line per claim change: `weakened (hedge added: may): “before” → “after”`,
    `removed (safety claim): “…”`, `added: “…”`; effect claims go unnamed, other types are named."""
    if not claims:
        return []
    lines = [
        f"{m['change']}{_detail(m['after'], m.get('reasons', ()))}: "
        f"{_quote(m['before']['text'], width)} → {_quote(m['after']['text'], width)}"
        for m in claims.get("modified", [])
    ]
    lines += [f"removed{_detail(c)}: {_quote(c['text'], width)}" for c in claims.get("removed", [])]
    lines += [f"added{_detail(c)}: {_quote(c['text'], width)}" for c in claims.get("added", [])]
    return lines


def _detail(claim: dict[str, Any], reasons: Sequence[str] = ()) -> str:
    """The parenthesis after a change kind: the claim type unless an effect, then the reasons."""
    kind = claim.get("type", "effect")
    parts = ([] if kind in ("", "effect") else [f"{kind} claim"]) + list(reasons)
    return f" ({'; '.join(parts)})" if parts else ""


def reference_change_lines(references: dict[str, Any] | None, *, width: int = 0) -> list[str]:
    """One line per reference change, naming the identifiers that changed."""
    if not references:
        return []
    lines = []
    for m in references.get("modified", []):
        before_ids, after_ids = m["before"].get("ids", {}), m["after"].get("ids", {})
        changed_ids = [
            f"{k} {before_ids.get(k) or '—'} → {after_ids.get(k) or '—'}"
            for k in _ID_ORDER
            if before_ids.get(k) != after_ids.get(k)
        ]
        what = "; ".join(changed_ids) or "text edited"
        lines.append(f"modified ({what}): {_shorten(m['after']['text'], width)}")
    lines += [f"removed: {_cited(r, width)}" for r in references.get("removed", [])]
    lines += [f"added: {_cited(r, width)}" for r in references.get("added", [])]
    return lines


def _cited(ref: dict[str, Any], width: int) -> str:
    ids = ref.get("ids", {})
    named = ", ".join(f"{k} {ids[k]}" for k in _ID_ORDER if ids.get(k))
    return _shorten(ref["text"], width) + (f" [{named}]" if named else "")


def _quote(text: str, width: int) -> str:
    return f"“{_shorten(text, width)}”"


def _shorten(text: str, width: int) -> str:
    if width <= 0 or len(text) <= width:
        return text
    return text[: width - 1].rstrip() + "…"
