"""HTML bytes to an Article: trafilatura finds the article, its XML becomes Blocks.

The page is decoded (analysis.decode) and parsed once. `extract_page` first asks of that tree
whether it is an index of several posts (analysis.pagekind) and whether it calls itself "not
found" (analysis.availability); then, in order:
analysis.metadata reads the title, dates, author and site from what the page declares (the
furniture marked by analysis.boilerplate never counts); analysis.boilerplate removes the
furniture; the article's container (the nearest ancestor of the title heading holding the
article, and within it a platform's whole-post body) is isolated; trafilatura extracts from
that alone, with no fallback extractor. Nothing here depends on how much furniture a page
has, so a boilerplate edit cannot switch what is extracted. Text trafilatura leaves outside
any block is kept as paragraphs, and a one-paragraph article is an article: in both cases
bare `trafilatura.extract` returns the text, and claimwatch used to answer "no article found".

Block text keeps footnote markers inline exactly as a reader sees them ("pair bonding.1 That's",
"resilient [1]."), and `Block.markers` lists, in the order they appear in the text, the markers
the HTML identified structurally: a superscript that looks like a footnote number ("1", "3,4",
"3–5", "[1]", "*") or a link with such text to a #fn/#ref/#cite anchor. Powers of ten
("10<sup>6</sup>") and ordinals ("1<sup>st</sup>") are not markers.

`Block.level` is the heading level (1–6) for headings and the list depth (1 = top level) for
items. `Article.text` renders one line per block, blank-line separated: "## Heading" (one "#"
per level), "- item" / "1. item" (numbered within its list), "> quote", "| cell | cell |" per
table row. The title is metadata only: it is not in `text`, and a first block repeating it
(a heading, or a paragraph on pages that set the title in plain text) is dropped.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from copy import deepcopy
from dataclasses import replace
from typing import Any, Literal

import lxml.html
import trafilatura
from lxml import etree
from trafilatura.core import determine_returnstring
from trafilatura.settings import Extractor
from trafilatura.utils import load_html

from analysis import boilerplate
from analysis.availability import not_found_in, says_not_found
from analysis.decode import decode_html, non_html_reason
from analysis.document import Article, Block, Extraction
from analysis.metadata import byline_author, read_metadata
from analysis.normalize import content_hash, normalize_text
from analysis.pagekind import index_error_in, may_be_index

EXTRACTOR = f"trafilatura {trafilatura.__version__}"
MAX_BYTES = 15_000_000
MIN_BLOCKS = 1
MIN_WORDS = 25

_TRAFILATURA_OPTIONS: dict[str, Any] = {
    "output_format": "xml",
    "include_comments": False,  # trafilatura includes reader comments by default
    "include_formatting": True,  # keeps <hi rend="#sup"> footnote markers
    "include_links": True,  # keeps <ref target="#ref-1">
    "include_tables": True,
    "include_images": False,
    # Title, dates, author and site come from analysis.metadata: trafilatura's own search
    # takes dates from comments and page chrome (and its extensive date search is slow).
    "with_metadata": False,
    "deduplicate": False,
    # No readability/jusText fallback: on the 43 fixture pages it changes nothing once the
    # furniture is gone (only the blog index, not an article, differs), it costs ~25 %, and
    # its length contest could flip between two extractors on a sidebar edit.
    "fast": True,
}
# "1", "12", "3,4", "3–5", "1, 2", "[1]", "(2)", "*", "†"
_MARKER = re.compile(r"^[\[(]?(?:\d{1,3}(?:\s*[,–—-]\s*\d{1,3})*|[*†‡§¶])[\])]?$")
# #fn1, #ref-1, #cite_note-3, #_ftn2, #footnote-4, #endnote5, #bib7, #r1 ...
_FOOTNOTE_TARGET = re.compile(
    r"#(?:(?:_?ftn|fn|footnote|endnote|note|ref|cite|citation|bib)[\w:.-]*|r\d+)$", re.I
)
# "10<sup>6</sup>" is a power of ten, not footnote 6.
_POWER_OF_TEN = re.compile(r"(?:^|[\s×x·*^(])10$")
_HEADING_REND = re.compile(r"^h([1-6])$")
_WORD = re.compile(r"[^\W_]+")
_BLOCK_TAGS = frozenset(
    {"p", "head", "list", "item", "quote", "table", "row", "cell", "code", "div", "ab"}
)


def extract_article(body: bytes, *, url: str = "", content_type: str = "") -> Extraction:
    """Extract the article from an HTML response body; never raises."""
    try:
        return _extract(body, url=url, content_type=content_type, page_checks=False)
    except Exception as exc:  # lxml and trafilatura can fail in many ways on hostile bytes
        return Extraction(None, error=_failure(exc))


def extract_page(body: bytes, *, url: str = "", content_type: str = "") -> Extraction:
    """What analysis records for a captured page; never raises.

    An index of several posts is an error (analysis.pagekind: trafilatura would extract it as
    one run-on article); otherwise `extract_article`, with `not_found` set when the page calls
    itself "not found" (analysis.availability: assessment decides if it is a soft 404). The
    page is parsed once for all three.
    """
    try:
        return _extract(body, url=url, content_type=content_type, page_checks=True)
    except Exception as exc:  # lxml and trafilatura can fail in many ways on hostile bytes
        return Extraction(None, error=_failure(exc), not_found=says_not_found(body))


def _failure(exc: Exception) -> str:
    message = normalize_text(str(exc))[:200]
    return f"extraction failed: {type(exc).__name__}: {message}"


def _extract(body: bytes, *, url: str, content_type: str, page_checks: bool) -> Extraction:
    refusal = _refusal(body, content_type)
    if refusal:
        not_found = says_not_found(body) if page_checks else ""
        return Extraction(None, error=refusal, not_found=not_found)
    decoded = decode_html(body, content_type)
    tree = load_html(decoded.text)
    if tree is None:
        not_found = says_not_found(body) if page_checks else ""
        return Extraction(
            None, error="no article found", warnings=decoded.warnings, not_found=not_found
        )
    not_found = ""
    if page_checks:
        # Both read the whole page, so before its furniture goes; the bytes say cheaply
        # whether it can be an index at all.
        if may_be_index(body):
            index_error = index_error_in(tree, url)
            if index_error:
                return Extraction(None, error=index_error)
        not_found = not_found_in(tree)
    extraction = _extract_tree(tree, url=url, warnings=decoded.warnings)
    return replace(extraction, not_found=not_found) if not_found else extraction


def _refusal(body: bytes, content_type: str) -> str:
    """Why the body is not extracted at all ("" when it is)."""
    if not body or not body.strip():
        return "empty page"
    if len(body) > MAX_BYTES:
        return f"page too large to extract ({len(body) / 1e6:.1f} MB)"
    reason = non_html_reason(body, content_type)
    return f"not an HTML page ({reason})" if reason else ""


def _extract_tree(tree: etree._Element, *, url: str, warnings: tuple[str, ...]) -> Extraction:
    """The article of a parsed page (the tree is modified: its furniture is removed)."""
    # The page is parsed once: metadata is read from the tree with its furniture marked, the
    # furniture is removed, and trafilatura extracts from what is left.
    furniture = boilerplate.find(tree)
    meta = read_metadata(tree, furniture, url)
    boilerplate.clean(furniture, protect=[meta.title_element])
    author = meta.author or byline_author(tree)
    if meta.title_element is not None:
        tree = _isolated(tree, boilerplate.article_container(meta.title_element))
    xml = _trafilatura_xml(tree, url)
    if not xml:
        return Extraction(None, error="no article found", warnings=warnings)
    doc = etree.fromstring(xml.encode("utf-8"), etree.XMLParser(huge_tree=True))
    title = meta.title
    blocks, lines = _parse_main(doc.find("main"))
    if blocks and blocks[0].text.casefold() == title.casefold():
        blocks, lines = _drop_title_heading(blocks, lines)
    words = sum(len(_WORD.findall(b.text)) for b in blocks)
    if len(blocks) < MIN_BLOCKS or words < MIN_WORDS:
        return Extraction(None, error="no article found", warnings=warnings)
    text = "\n\n".join(lines)
    article = Article(
        title=title,
        blocks=tuple(blocks),
        author=author,
        published=meta.published,
        modified=meta.modified,
        sitename=meta.sitename,
        extractor=EXTRACTOR,
        text=text,
        content_hash=content_hash(title, text),
    )
    return Extraction(article, warnings=warnings if title else (*warnings, "no title found"))


def _isolated(tree: etree._Element, container: etree._Element | None) -> etree._Element:
    """A page holding only the article's body (or its container), or `tree` when none is found."""
    if container is None:
        return tree
    # Whatever lies outside the article's container is furniture, recognised or not: a menu
    # column, a promo box, a footer line; within it, what lies beside a marked post body is
    # the theme's too. trafilatura then looks nowhere else.
    parts = boilerplate.article_body(container) or [container]
    page = lxml.html.document_fromstring("<html><body></body></html>")
    holder = page.find("body")
    if not any(p.tag == "article" or p.find(".//article") is not None for p in parts):
        # trafilatura looks for the body in an <article> (among others) before it falls back
        # to collecting loose paragraphs, which drops headings and lists.
        holder = lxml.html.Element("article")
        page.find("body").append(holder)
    for part in parts:
        part.tail = None
        holder.append(part)
    return page


def _trafilatura_xml(tree: etree._Element, url: str) -> str | None:
    """What `trafilatura.extract(tree, **_TRAFILATURA_OPTIONS)` returns, without its fingerprint.

    extract() computes a simhash of every XML result for its metadata header (~10 ms a page),
    which nothing here reads; the body and its serialization are trafilatura's own.
    """
    o = _TRAFILATURA_OPTIONS
    options = Extractor(
        output_format=o["output_format"],
        fast=o["fast"],
        comments=o["include_comments"],
        formatting=o["include_formatting"],
        links=o["include_links"],
        images=o["include_images"],
        tables=o["include_tables"],
        dedup=o["deduplicate"],
        with_metadata=o["with_metadata"],
        url=url or None,
    )
    document = trafilatura.bare_extraction(tree, options=options)
    if not isinstance(document, trafilatura.settings.Document):
        return None
    return determine_returnstring(document, options) or None


def _drop_title_heading(blocks: list[Block], lines: list[str]) -> tuple[list[Block], list[str]]:
    # The title heading was the root of every following section path: remove it there too.
    title = blocks[0].text
    rest = [
        replace(b, section=b.section[1:]) if b.section[:1] == (title,) else b for b in blocks[1:]
    ]
    return rest, lines[1:]


def _parse_main(main: etree._Element | None) -> tuple[list[Block], list[str]]:
    """Walk trafilatura's <main> into blocks and their text lines (one line per block/row)."""
    blocks: list[Block] = []
    lines: list[str] = []
    if main is None:
        return blocks, lines
    path: list[tuple[int, str]] = []  # (level, heading text) of the headings above
    for block, line in _top_level(main):
        if block.kind == "heading":
            while path and path[-1][0] >= block.level:
                path.pop()
            section = tuple(t for _, t in path)
            block = Block("heading", block.text, section=section, level=block.level)
            path.append((block.level, block.text))
        else:
            # Built anew rather than by dataclasses.replace, which costs ~10× as much.
            block = Block(
                block.kind,
                block.text,
                section=tuple(t for _, t in path),
                markers=block.markers,
                list_kind=block.list_kind,
                level=block.level,
            )
        blocks.append(block)
        if line is not None:
            lines.append(line)
    return blocks, lines


def _top_level(main: etree._Element) -> Iterator[tuple[Block, str | None]]:
    """The blocks of <main>, with the text trafilatura leaves outside any block as paragraphs."""
    # Loose text (main's own text, a block's tail, inline elements between blocks) is article
    # text that plain-text output shows: each run of it between two blocks is a paragraph.
    run = etree.Element("p")
    run.text = main.text
    for child in main:
        if child.tag in _BLOCK_TAGS:
            yield from _walk([run], depth=0)
            run = etree.Element("p")
            run.text = child.tail
            yield from _walk([child], depth=0)
        else:
            run.append(deepcopy(child))  # an inline element, with the text that follows it
    yield from _walk([run], depth=0)


def _walk(elements: Iterable[etree._Element], depth: int) -> Iterator[tuple[Block, str | None]]:
    # Yields each block with the line it contributes to Article.text; table cells yield None
    # except the last of a row, which carries the whole row.
    for el in elements:
        tag = el.tag
        if tag == "head":
            match = _HEADING_REND.match(el.get("rend", ""))
            level = int(match.group(1)) if match else 2
            text, markers = _inline(el)
            if text:
                yield Block("heading", text, markers=markers, level=level), "#" * level + " " + text
        elif tag == "list":
            yield from _list(el, depth + 1)
        elif tag == "quote":
            yield from _quote(el)
        elif tag == "table":
            yield from _table(el)
        elif tag == "code":
            text = normalize_text("".join(el.itertext()))
            if text:
                yield Block("code", text), text
        elif tag in ("p", "div", "ab"):
            text, markers = _inline(el)
            if text:
                yield Block("paragraph", text, markers=markers), text
            # a list or table nested inside a paragraph follows it as its own blocks
            yield from _walk((c for c in el if c.tag in _BLOCK_TAGS), depth)
        # graphic, lb and stray inline elements between blocks carry no article text


def _list(el: etree._Element, depth: int) -> Iterator[tuple[Block, str | None]]:
    kind: Literal["ol", "ul"] = "ol" if el.get("rend", "") == "ol" else "ul"
    for number, item in enumerate(el.iterchildren("item"), start=1):
        text, markers = _inline(item)
        if text:
            bullet = f"{number}. " if kind == "ol" else "- "
            yield Block("item", text, markers=markers, list_kind=kind, level=depth), bullet + text
        for child in item:
            if child.tag == "list":
                yield from _list(child, depth + 1)
            elif child.tag in _BLOCK_TAGS:
                yield from _walk([child], depth)


def _quote(el: etree._Element) -> Iterator[tuple[Block, str | None]]:
    # Every text block inside a quotation becomes a quote block, whatever its own kind.
    own, markers = _inline(el)
    if own:
        yield Block("quote", own, markers=markers), "> " + own
    inner = _walk((c for c in el if c.tag in _BLOCK_TAGS), depth=0)
    for block, _ in inner:
        yield Block("quote", block.text, markers=block.markers), "> " + block.text


def _table(el: etree._Element) -> Iterator[tuple[Block, str | None]]:
    for row in el.iterchildren("row"):
        cells = []
        for cell in row.iterchildren("cell"):
            text, markers = _inline(cell, include_blocks=True)
            if text:
                cells.append(Block("cell", text, markers=markers))
        for i, cell in enumerate(cells):
            last = i == len(cells) - 1
            yield cell, ("| " + " | ".join(c.text for c in cells) + " |") if last else None


def _inline(el: etree._Element, include_blocks: bool = False) -> tuple[str, tuple[str, ...]]:
    """Text of an element without its nested block children, and its footnote markers."""
    parts: list[str] = []
    markers: list[str] = []
    _collect(el, parts, markers, include_blocks, in_marker=False)
    return normalize_text("".join(parts)), tuple(markers)


def _collect(
    el: etree._Element, parts: list[str], markers: list[str], include_blocks: bool, in_marker: bool
) -> None:
    parts.append(el.text or "")
    for child in el:
        if child.tag == "lb" or (child.tag in _BLOCK_TAGS and not include_blocks):
            parts.append(" ")
        else:
            marker = "" if in_marker else _marker(child, "".join(parts))
            if marker:
                markers.append(marker)
            _collect(child, parts, markers, include_blocks, in_marker or bool(marker))
            if child.tag in _BLOCK_TAGS:
                parts.append(" ")
        parts.append(child.tail or "")


def _marker(el: etree._Element, before: str) -> str:
    text = normalize_text("".join(el.itertext()))
    if not _MARKER.match(text):
        return ""
    if el.tag == "hi" and el.get("rend") == "#sup":
        return "" if _POWER_OF_TEN.search(before.rstrip()) else text
    if el.tag == "ref" and _FOOTNOTE_TARGET.search(el.get("target", "")):
        return text
    return ""


def blocks_to_json(blocks: Iterable[Block]) -> list[dict[str, Any]]:
    """Blocks as JSON-ready dicts (tuples become lists), for a JSON column."""
    return [
        {
            "kind": b.kind,
            "text": b.text,
            "section": list(b.section),
            "markers": list(b.markers),
            "list_kind": b.list_kind,
            "level": b.level,
        }
        for b in blocks
    ]


def blocks_from_json(data: Iterable[dict[str, Any]]) -> tuple[Block, ...]:
    """Blocks back from `blocks_to_json` output; exact round trip."""
    return tuple(
        Block(
            kind=d["kind"],
            text=d["text"],
            section=tuple(d.get("section", ())),
            markers=tuple(d.get("markers", ())),
            list_kind=d.get("list_kind", ""),
            level=d.get("level", 0),
        )
        for d in data
    )
