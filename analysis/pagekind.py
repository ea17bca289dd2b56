"""What an HTML page is to discovery: its canonical URL, feeds, pagination, post links, and
whether it is an index page (several posts) rather than one article.

An index page (a blog's home, page 2, a category) shows several posts, each an `<article>` (or
`.hentry`, `.post`, `.h-entry`) headed by a link to the post; an article page has one post whose
title is not a link, perhaps followed by comments or related-post teasers. Trafilatura extracts
an index page as one run-on "article", so analysis asks `index_page_error` first.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import lxml.html
from lxml import etree

from analysis.decode import decode_html, non_html_reason

FEED_TYPES = frozenset({"application/rss+xml", "application/atom+xml"})
# A post block's text must be most of the page's post text for the page to be an index.
INDEX_TEXT_SHARE = 0.5
MIN_INDEX_POSTS = 2

# Post blocks: <article>, and elements with one of these classes. The XPath selects the
# candidates, Python splits their classes (at XML whitespace, as normalize-space does):
# libxml2's concat/normalize-space tests on every element cost three times as much.
_ARTICLES_AND_CLASSED = etree.XPath("//article | //*[@class]")
_POST_CLASSES = frozenset({"hentry", "h-entry", "post", "type-post"})
_XML_SPACE = re.compile(r"[ \t\r\n]+")
_TITLE_LINKS = etree.XPath(
    ".//*[self::h1 or self::h2 or self::h3 or self::h4]//a[@href] | .//a[@href][@rel='bookmark']"
)
_READ_MORE = re.compile(
    r"^\s*(read more|continue reading|read the (full )?(post|article)|keep reading|more)\b", re.I
)
_PAGER_TEXT = re.compile(
    r"^\W*(older|newer|next|previous|prev|earlier|later)( (posts|entries|articles|page))?\W*$"
    r"|^\W*(page \d+|\d+)\W*$",
    re.I,
)
_ONWARD_TEXT = re.compile(r"^\W*(older|next|earlier)\b", re.I)
_PAGER_RELS = frozenset({"next", "prev", "previous"})
_PAGE_URL = re.compile(r"/page/\d+/?$|[?&](paged|page)=\d+", re.I)
_BOILERPLATE = {"nav", "header", "footer", "aside", "form"}
_MAIN_XPATH = etree.XPath(
    "//main | //*[@role='main'] | //*[@id='content'] | //*[@id='main'] | //*[@id='primary']"
)
# Only pages that look like this can be index pages: parsing costs ~2 ms a page otherwise.
_CHEAP_HINTS = (b"<article", b"hentry", b"h-entry", b'class="post', b"bookmark")


@dataclass(frozen=True)
class PageLinks:
    """The links of an HTML page that discovery follows, and what kind of page it is."""

    canonical: str = ""  # absolute, "" when the page names none
    feeds: tuple[str, ...] = ()  # <link rel="alternate" type="application/rss+xml|atom+xml">
    pagination: tuple[str, ...] = ()  # next/previous pages of an index
    onward: tuple[str, ...] = ()  # the pagination links that lead on (next, older)
    posts: tuple[str, ...] = ()  # title and "read more" links of post blocks
    content_links: tuple[str, ...] = ()  # other links of the main content (no nav, footer...)
    post_blocks: int = 0  # post blocks headed by a link to a post
    is_index: bool = False


def inspect_page(html: str | bytes, url: str, content_type: str = "") -> PageLinks:
    """Read the discovery links of an HTML page (absolute URLs, fragments dropped, in order)."""
    if isinstance(html, bytes):
        html = decode_html(html, content_type).text
    try:
        doc = lxml.html.document_fromstring(html)
    except (etree.ParserError, ValueError):
        return PageLinks()
    href, here = _resolver(doc, url)
    heads = list(doc.iter("link"))
    canonical = next((href(el) for el in heads if "canonical" in _rels(el)), "")
    feeds = [
        href(el)
        for el in heads
        if "alternate" in _rels(el)
        and (el.get("type") or "").strip().lower() in FEED_TYPES
        and "comments" not in (el.get("href", "") + (el.get("title") or "")).lower()
    ]
    pagination = [href(el) for el in heads if _rels(el) & _PAGER_RELS]
    onward = [href(el) for el in heads if "next" in _rels(el)]
    for anchor in doc.iter("a"):
        target = href(anchor)
        text = anchor.text_content()
        pager_text = _PAGER_TEXT.match(text) and _same_host(target, here)
        if target and (_rels(anchor) & _PAGER_RELS or _PAGE_URL.search(target) or pager_text):
            pagination.append(target)
            if "next" in _rels(anchor) or (pager_text and _ONWARD_TEXT.match(text)):
                onward.append(target)
    posts, titled, is_index = _post_blocks(doc, href, here)
    paged = set(pagination)
    content: list[str] = []
    for anchor in _content_anchors(doc):
        target = href(anchor)
        if not target or target == here or target in paged:
            continue
        if _READ_MORE.match(anchor.text_content()) or "more-link" in (anchor.get("class") or ""):
            posts.append(target)
        else:
            content.append(target)
    return PageLinks(
        canonical=canonical,
        feeds=_unique(feeds),
        pagination=_unique(p for p in pagination if p != here),
        onward=_unique(onward),
        posts=_unique(posts),
        content_links=_unique(content),
        post_blocks=titled,
        is_index=is_index,
    )


def index_page_error(body: bytes, *, url: str, content_type: str = "") -> str:
    """The recorded error for a page tracked as an article that is an index of several posts
    ("" when it is not one): what it is and the command that follows it as a site instead."""
    if not may_be_index(body) or non_html_reason(body, content_type):
        return ""
    page = inspect_page(body, url, content_type)
    return _index_error(page.post_blocks, url) if page.is_index else ""


def may_be_index(body: bytes) -> bool:
    """Whether the page's bytes show any mark of a post block (else it is no index page)."""
    return any(hint in body for hint in _CHEAP_HINTS)


def index_error_in(doc: lxml.html.HtmlElement, url: str) -> str:
    """`index_page_error` for a page already parsed (`doc`, not modified): only the post
    blocks are read, not the rest of the page's links."""
    _, titled, is_index = _post_blocks(doc, *_resolver(doc, url))
    return _index_error(titled, url) if is_index else ""


def _index_error(post_blocks: int, url: str) -> str:
    return (
        f"index page listing {post_blocks} posts, not an article: "
        f"follow it as a site with `claimwatch track --site {url}`"
    )


def _resolver(doc: lxml.html.HtmlElement, url: str) -> tuple[Callable[[etree._Element], str], str]:
    """The page's link resolver (against its <base>) and its own absolute URL."""
    base = next((el.get("href", "") for el in doc.iter("base") if el.get("href")), "")
    base = urljoin(url, base.strip()) if base else url

    def href(element: etree._Element) -> str:
        return _absolute(base, element.get("href", ""))

    return href, _absolute(base, url)


def _post_blocks(
    doc: lxml.html.HtmlElement, href: Callable[[etree._Element], str], here: str
) -> tuple[list[str], int, bool]:
    """The title links of the page's post blocks, how many blocks have one, and whether that
    makes the page an index (such blocks hold most of the post text)."""
    posts: list[str] = []
    titled_text = all_text = titled = 0
    blocks = [
        b for b in _post_block_elements(doc) if "comment" not in (b.get("class") or "").lower()
    ]
    block_set = set(blocks)
    for block in blocks:
        if any(a in block_set for a in block.iterancestors()):
            continue  # nested in a post block already counted
        size = len(block.text_content())
        all_text += size
        links = [link for link in map(href, _TITLE_LINKS(block)) if link and link != here]
        if links:
            titled += 1
            titled_text += size
            posts.append(links[0])
    is_index = titled >= MIN_INDEX_POSTS and titled_text >= INDEX_TEXT_SHARE * all_text
    return posts, titled, is_index


def _post_block_elements(doc: lxml.html.HtmlElement) -> list[lxml.html.HtmlElement]:
    """Every <article>, and every element marked as a post by its class, in document order."""
    return [
        el
        for el in _ARTICLES_AND_CLASSED(doc)
        if el.tag == "article" or not _POST_CLASSES.isdisjoint(_XML_SPACE.split(el.get("class")))
    ]


def _content_anchors(doc: lxml.html.HtmlElement) -> list[lxml.html.HtmlElement]:
    """Anchors of the main content, or of the whole page without its navigation and footer."""
    roots = _MAIN_XPATH(doc) or [doc]
    root_set = set(roots)
    outer = [r for r in roots if not any(a in root_set for a in r.iterancestors())]
    anchors = []
    for root in outer:
        for anchor in root.iter("a"):
            if anchor.get("href") and not any(
                a.tag in _BOILERPLATE or a.get("role") == "navigation"
                for a in anchor.iterancestors()
                if a is not root
            ):
                anchors.append(anchor)
    return anchors


def _rels(element: lxml.html.HtmlElement) -> set[str]:
    return set((element.get("rel") or "").lower().split())


def _absolute(base: str, href: str) -> str:
    """`href` resolved against `base`, without its fragment; "" unless it is http(s)."""
    href = href.strip()
    if not href or href.startswith("#"):
        return ""
    try:
        resolved = urljoin(base, href)
    except ValueError:
        return ""
    if not resolved.startswith(("http://", "https://")):
        return ""
    return resolved.split("#", 1)[0]


def _same_host(a: str, b: str) -> bool:
    return urlsplit(a).hostname == urlsplit(b).hostname


def _unique(urls: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(u for u in urls if u))
