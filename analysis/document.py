"""Plain dataclasses for an extracted article: the shape every analysis module reads."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

BlockKind = Literal["heading", "paragraph", "item", "quote", "cell", "code"]


@dataclass(frozen=True)
class Block:
    """One structural unit of the article body, in reading order.

    `text` is normalized (NFC, single spaces) with footnote markers kept inline as they were
    rendered (e.g. "pair bonding.1" or "stress [1]"); `markers` lists the footnote markers that
    the HTML identified structurally (<sup>, links to #fn/#ref anchors), in order.
    """

    kind: BlockKind
    text: str
    section: tuple[str, ...] = ()
    markers: tuple[str, ...] = ()
    list_kind: Literal["ol", "ul", ""] = ""
    level: int = 0


@dataclass(frozen=True)
class Article:
    """The extracted article: metadata plus its body as blocks."""

    title: str
    blocks: tuple[Block, ...]
    author: str = ""
    published: str = ""  # ISO date as the page states it, "" when unknown
    sitename: str = ""
    extractor: str = ""
    text: str = ""  # normalized rendering of the blocks: what is diffed and hashed
    content_hash: str = ""  # sha256 of normalized title + text
    # Last modification date the page declares ("" when none). Informative only: not compared
    # and not hashed, since a site bumps it on edits it already reports as text changes.
    modified: str = ""


@dataclass(frozen=True)
class Extraction:
    """Result of extracting one capture: an article, or the reason there is none."""

    article: Article | None
    error: str = ""  # "" when article is set; a one-line reason otherwise
    warnings: tuple[str, ...] = field(default_factory=tuple)
    not_found: str = ""  # the page's title/heading when it says "not found" (a soft 404?)
