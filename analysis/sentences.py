"""Sentence splitting for article blocks, with footnote markers detached from the sentences.

Blog text renders citations in many ways: `pair bonding.1 That’s`, `cheat!2`, `stress [1].`,
`together.3,4`, `shown.3–5`, `calm (5).`, `healing¹`. A splitter that does not know them either
glues `1` onto the next sentence or reads `bonding.1` as one token. Abbreviations (`Dr.`,
`J Neurosci.`, `et al.`, `e.g.`, initials `T. V.`), decimals and ellipses must not end a sentence.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

_SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")
_NUM_LIST = r"\d{1,3}(?:\s?[,–—-]\s?\d{1,3})*"
# A candidate end: terminal punctuation, closing quotes/brackets, then an optional marker that is
# glued to it (digits, [n], superscripts), then whitespace or the end of the text.
_END = re.compile(
    r"(?P<punct>\.{3}|…|[.!?]+)(?P<close>[”’\"')\]]*)"
    rf"(?P<marker>{_NUM_LIST}|\s?\[{_NUM_LIST}\]|[⁰¹²³⁴⁵⁶⁷⁸⁹]+)?"
    r"(?=\s|$)"
)
_BRACKET = re.compile(rf"\s?\[({_NUM_LIST})\]")
_SUPER = re.compile(r"[⁰¹²³⁴⁵⁶⁷⁸⁹]+(?:[,–-][⁰¹²³⁴⁵⁶⁷⁸⁹]+)*")
_TRAILING_PAREN = re.compile(rf"\s\(({_NUM_LIST})\)(?=[.!?]?[”’\"]?$)")
# `stress,3 and` — digits glued to a comma/semicolon right after a word.
_AFTER_COMMA = re.compile(rf"(?<=[^\W\d_][,;:])({_NUM_LIST})(?=\s)")
_WORD_BEFORE = re.compile(r"([^\s(\[“\"‘']*)$")
_WS = re.compile(r"\s+")
_HAS_SUPER = re.compile("[⁰¹²³⁴⁵⁶⁷⁸⁹]")
_HAS_DIGIT = re.compile(r"\d")
_SPACE = re.compile(r"\s*")

# Tokens that end in a period without ending the sentence (compared lower-cased, dot removed).
_ABBREVIATIONS = (
    "dr mr mrs ms prof sr jr st vs al e.g eg i.e ie fig figs eq vol vols pp ch ed eds approx "
    "ca cf ph no nos resp dept univ ref refs sect viz incl"
)
ABBREVIATIONS = frozenset(_ABBREVIATIONS.split(" "))


@dataclass(frozen=True)
class Sentence:
    """One sentence: its text without footnote markers, and the markers it carried."""

    text: str
    markers: tuple[str, ...] = ()
    start: int = 0  # offsets of the sentence in the block text, markers included
    end: int = 0


def split_markers(raw: str) -> tuple[str, ...]:
    """Split a rendered marker ("[1]", "3,4", "3–5", "¹") into labels: ("1",), ("3", "4")."""
    raw = raw.translate(_SUPERSCRIPTS).strip().strip("[]()")
    return tuple(p.strip() for p in re.split(r"\s*,\s*", raw) if p.strip())


def split_sentences(text: str, hints: Iterable[str] = ()) -> tuple[Sentence, ...]:
    """Split `text` into sentences, detaching footnote markers.

    `hints` are markers the HTML identified structurally (Block.markers); only those are
    detached where they are glued to a word without punctuation (`bonding1 and`).
    """
    sentences: list[Sentence] = []
    start = 0
    for m in _END.finditer(text):
        if not _is_boundary(text, m):
            continue
        end_text = m.end("close")
        markers: tuple[str, ...] = ()
        marker = m.group("marker")
        if marker and not _decimal(text, m):
            markers = split_markers(marker)
        elif marker:
            continue  # "in 2012.5 patients" is a number, not a marker
        sent = _make(text[start:end_text], markers, start, m.end(), hints)
        if sent:
            sentences.append(sent)
        start = _SPACE.match(text, m.end()).end()  # type: ignore[union-attr]
    tail = _make(text[start:], (), start, len(text), hints)
    if tail:
        sentences.append(tail)
    return tuple(sentences)


def _decimal(text: str, m: re.Match[str]) -> bool:
    marker = m.group("marker") or ""
    digit_before = text[m.start() - 1 : m.start()].isdigit()
    return m.group("punct") == "." and marker[:1].isdigit() and digit_before


def _is_boundary(text: str, m: re.Match[str]) -> bool:
    rest = text[m.end() :].lstrip()
    if not rest:
        return True
    nxt = rest[0]
    if nxt in "“\"‘'([":
        nxt = rest[1:2] or nxt
    if not nxt.isupper():
        return False
    if m.group("punct") != "." or m.group("close"):
        return True
    word = _WORD_BEFORE.search(text[: m.start()])
    token = word.group(1) if word else ""
    if token.isdigit() and not text[: m.start() - len(token)].strip():
        return False  # "2. What is ..." numbers a list entry or question
    return not _abbreviation(token, text[: m.start() - len(token)])


def _abbreviation(token: str, before: str) -> bool:
    low = token.lower()
    if low in ABBREVIATIONS or low.rstrip(".") in ABBREVIATIONS:
        return True
    if re.fullmatch(r"(?:[A-Za-z]\.)+[A-Za-z]", token):  # e.g  i.e  M.D  U.S
        return low in {"e.g", "i.e"}
    if len(token) == 1 and token.isupper():
        # Initials: "Miller T. V. Caldwell", "John F. Kennedy"; but "vitamin D. It" ends.
        prev = before.rstrip().split(" ")[-1] if before.strip() else ""
        return not prev or prev[:1].isupper() or bool(re.fullmatch(r"[A-Z]\.", prev))
    return False


def _make(
    chunk: str, markers: tuple[str, ...], start: int, end: int, hints: Iterable[str]
) -> Sentence | None:
    inner: list[str] = []

    def take(m: re.Match[str]) -> str:
        inner.extend(split_markers(m.group(1) if m.groups() else m.group(0)))
        return ""

    # Each marker form needs a bracket, a superscript, a parenthesis or a digit: most sentences
    # hold none of them and skip the patterns.
    body = _BRACKET.sub(take, chunk) if "[" in chunk else chunk
    if _HAS_SUPER.search(body):
        body = _SUPER.sub(take, body)
    if "(" in body:
        body = _TRAILING_PAREN.sub(take, body)
    if _HAS_DIGIT.search(body):
        body = _AFTER_COMMA.sub(take, body)
    for hint in hints:
        if hint in inner or hint in markers or not hint.isdigit() or hint not in body:
            continue
        body = _glued(hint).sub(take, body, count=1)
    body = _WS.sub(" ", body).strip()
    if not body:
        return None
    return Sentence(text=body, markers=tuple(inner) + markers, start=start, end=end)


@lru_cache(maxsize=256)
def _glued(hint: str) -> re.Pattern[str]:
    """A structural marker glued to the word before it (`bonding1 and`)."""
    return re.compile(rf"(?<=[a-z\)”’\"])({re.escape(hint)})(?=[\s,;:.!?]|$)")
