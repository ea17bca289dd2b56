"""How a version's blocks are stored: each block's text as a span of the version's text.

Article.text is the blocks' texts joined into lines (with heading, list and quote marks), so
storing every block's text again in the blocks JSON doubled what a version costs. A stored
block is a list `[kind, start, end]` (its text is `Version.text[start:end]`), with a fourth
member holding what differs from the defaults: `section` only where it differs from the
previous block's, `markers`, `list_kind`, `level`, and `text` for a block whose text is not
found in order in the version's text (then start = end = -1). Versions stored before this
keep their blocks as dicts with the text, and read the same.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

_DEFAULTS: dict[str, Any] = {"markers": [], "list_kind": "", "level": 0}


def pack_blocks(blocks: Iterable[dict[str, Any]], text: str) -> list[list[Any]]:
    """Blocks (analysis.extract.blocks_to_json output) as stored beside `text`."""
    packed: list[list[Any]] = []
    cursor = 0
    section: list[str] = []
    for block in blocks:
        extras = {k: block[k] for k, v in _DEFAULTS.items() if k in block and block[k] != v}
        if block.get("section", []) != section:
            section = list(block.get("section", []))
            extras["section"] = section
        body = block.get("text", "")
        start = text.find(body, cursor) if body else -1
        if start >= 0:
            end = cursor = start + len(body)
        else:
            start = end = -1
            extras["text"] = body
        packed.append(
            [block["kind"], start, end, extras] if extras else [block["kind"], start, end]
        )
    return packed


def unpack_blocks(stored: Iterable[Any], text: str) -> list[dict[str, Any]]:
    """The full blocks of a stored version (either form), as `pack_blocks` was given them."""
    blocks: list[dict[str, Any]] = []
    section: list[str] = []
    for block in stored:
        if isinstance(block, dict):  # stored whole, before packing
            blocks.append(
                {
                    "kind": block["kind"],
                    "text": block.get("text", ""),
                    "section": block.get("section", []),
                }
                | {k: block.get(k, v) for k, v in _DEFAULTS.items()}
            )
            continue
        kind, start, end, *rest = block
        extras = rest[0] if rest else {}
        section = extras.get("section", section)
        body = extras["text"] if "text" in extras else text[start:end]
        blocks.append(
            {"kind": kind, "text": body, "section": list(section)}
            | {k: extras.get(k, v) for k, v in _DEFAULTS.items()}
        )
    return blocks
