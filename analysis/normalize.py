"""Text normalization shared by extraction, hashing and diffing.

Only changes that a reader cannot see are normalized away: Unicode composition, whitespace,
zero-width characters and soft hyphens. Quotes, dashes and punctuation are kept as they are,
because swapping them is an edit the author made.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

# Zero-width space/non-joiner/joiner, word joiner, BOM used as ZWNBSP, soft hyphen, LTR/RTL marks
# are invisible: a page re-rendered with or without them must hash the same.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad\u200e\u200f"))
_HAS_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad\u200e\u200f]")


def normalize_text(s: str) -> str:
    """Return `s` in NFC with invisible characters removed and whitespace runs collapsed."""
    if not s.isascii():  # ASCII text is in NFC and holds no invisible character
        s = unicodedata.normalize("NFC", s)
        if _HAS_INVISIBLE.search(s):  # str.translate is slow: only when there is one to drop
            s = s.translate(_INVISIBLE)
    # str.split() without arguments splits on every Unicode whitespace (NBSP, thin space, ...),
    # the code points the regex \s matches (all checked), and faster than a substitution.
    return " ".join(s.split())


def content_hash(title: str, text: str) -> str:
    """Return the sha256 hex digest of the normalized title and text, joined by a blank line."""
    payload = normalize_text(title) + "\n\n" + _normalize_lines(text)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _normalize_lines(text: str) -> str:
    # Article.text keeps "\n\n" between blocks; normalize each block, keep the structure.
    blocks = (normalize_text(b) for b in text.split("\n\n"))
    return "\n\n".join(b for b in blocks if b)
