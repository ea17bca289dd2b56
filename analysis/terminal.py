"""Scraped text made inert for a terminal: no escape sequences, control or bidi characters.

A page's title or sentence can carry ESC sequences (colours, cursor moves, OSC hyperlinks and
window titles) and bidi overrides that reorder what an analyst reads; every string from an
archive passes through here before it is printed (alerts use it too).
"""

from __future__ import annotations

import re

# CSI (colours, cursor moves), OSC (window titles, hyperlinks) and two-character escapes.
_ANSI = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[@-Z\\-_])")
# C0 and C1 controls but tab and newline; bidi embeddings, overrides, isolates and marks.
_INVISIBLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def terminal_text(text: str) -> str:
    """`text` without terminal escape sequences, control characters (but tab and newline) or
    bidi controls."""
    if not _INVISIBLE.search(text):  # ESC is a C0 control: one search finds every case
        return text
    return _INVISIBLE.sub("", _ANSI.sub("", text))
