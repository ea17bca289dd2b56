"""Title and dates from what the page declares about itself, never from its furniture.

Sources, and which wins:

- **Title**: the JSON-LD `headline` of the page's article node (Article, NewsArticle,
  BlogPosting and their kin; several article nodes: the one whose headline agrees with
  og:title or an `<h1>`), then `og:title` (`twitter:title`), then the article's `<h1>`, then
  `<title>`. A JSON-LD headline that disagrees with an og:title and an `<h1>` that agree with
  each other loses to them (the JSON-LD then describes some other article). Site-name
  prefixes and suffixes ("Title - Site", "Site: Title", "Title | Site") are stripped when the
  site name is known from og:site_name, the JSON-LD publisher or website, `application-name`
  or the page's own site-title element; a `<title>` with an unknown suffix loses its shorter
  side. Headings inside comment sections, widgets, sidebars, related and sponsored lists are
  never candidates ("3 thoughts on …", "Trending in Health"), nor is the site's own logo
  heading.
- **Published / modified**: JSON-LD `datePublished` / `dateModified` of the article node (of a
  WebPage node when there is no article node), then the head's meta declarations
  (`article:published_time`, `pubdate`, `dc.date`, `parsely-pub-date`, … /
  `article:modified_time`, `og:updated_time`, …), then inside the article only (the nearest
  `<article>`, `<main>` or post container around the title heading, comment sections and
  other foreign furniture skipped): `itemprop=datePublished`, a `<time datetime>`, then
  htmldate's non-extensive search of that container. Dates are kept as the page states them,
  `YYYY-MM-DD` (no time-zone conversion). A page that declares none has "" — never a date from
  a top bar, a comment or a copyright line.
- **Author and site name**: trafilatura's readers of the head's meta tags and of JSON-LD
  (`trafilatura.metadata.examine_meta`, `extract_meta_json`), then its byline search run on
  the page after furniture removal, so a commenter is never the author.

extruct is not used: it would parse the page a second time and brings rdflib with it, and
trafilatura already covers the meta and JSON-LD readers this module needs beyond its own.
"""

from __future__ import annotations

import contextlib
import html
import json
import logging
import re
from collections.abc import Iterator
from copy import deepcopy
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from htmldate import find_date
from lxml import etree
from lxml.html import HtmlElement
from trafilatura.metadata import META_URL, examine_meta, extract_author, extract_meta_json

from analysis.boilerplate import Boilerplate
from analysis.normalize import normalize_text

logging.getLogger("htmldate").setLevel(logging.WARNING)

_ARTICLE_TYPES = frozenset(
    {
        "article",
        "newsarticle",
        "blogposting",
        "report",
        "scholarlyarticle",
        "medicalscholarlyarticle",
        "techarticle",
        "satiricalarticle",
        "analysisnewsarticle",
        "askpublicnewsarticle",
        "backgroundnewsarticle",
        "opinionnewsarticle",
        "reportagenewsarticle",
        "reviewnewsarticle",
        "liveblogposting",
        "socialmediaposting",
        "posting",
    }
)
_PAGE_TYPES = frozenset({"webpage", "medicalwebpage", "itempage", "faqpage", "qapage"})
_SITE_TYPES = frozenset({"website", "organization", "newsmediaorganization", "corporation"})

_PUBLISHED_META = frozenset(
    {
        "article:published_time",
        "og:published_time",
        "article:published",
        "published_time",
        "pubdate",
        "publishdate",
        "publish-date",
        "publish_date",
        "date",
        "dc.date",
        "dc.date.issued",
        "dc.date.created",
        "dcterms.date",
        "dcterms.created",
        "dcterms.issued",
        "parsely-pub-date",
        "sailthru.date",
        "article.published",
        "cxenseparse:recs:publishtime",
        "originalpublicationdate",
        "datepublished",
    }
)
_MODIFIED_META = frozenset(
    {
        "article:modified_time",
        "og:updated_time",
        "article:updated_time",
        "last-modified",
        "lastmod",
        "dcterms.modified",
        "dc.date.modified",
        "article.updated",
        "datemodified",
    }
)
_SITE_META = frozenset({"og:site_name", "application-name", "apple-mobile-web-app-title"})

_ISO_DATE = re.compile(r"^\s*(\d{4})-?(\d{2})-?(\d{2})(?:$|[T\s])")
# "Title - Site", "Title | Site", "Site: Title" ...
_SEPARATOR = re.compile(r"\s+[|\-–—·•»/:]{1,2}\s+|:\s+")
_SITE_TOKENS = re.compile(
    r"^(?:site-title|site-name|site-branding.*|logo.*|.*-logo|navbar-title.*|blog-name|"
    r"header-title.*|masthead.*|title-area|titlewrapper)$",
    re.I,
)
_ROOT_TOKENS = re.compile(
    r"^(?:post|hentry|type-post|h-entry|blog-item|post-outer|post-single|single-post|entry"
    r"|node--type-article|article|story|blog-post|post-single-content)$",
    re.I,
)
# Elements of the body whose class or id contains one of these: the XPath selects the elements
# with either attribute, Python's regex does the substring tests (libxml2's nine contains() on
# every element cost twice as much).
_CLASS_OR_ID = etree.XPath("//body//*[@class or @id]")
_SITE_CLASS = re.compile("site|logo|title|brand|masthead|name")
_SITE_ID = re.compile("logo|site|masthead")
_HOME = re.compile(r"^(?:/|\./|\.\./|https?://[^/?#]+/?)$")
_UPDATED = re.compile(r"updated|modified|reviewed", re.I)
_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"
_TEXT_DATE = re.compile(
    rf"\b{_MONTH} \d{{1,2}}(?:st|nd|rd|th)?,? \d{{4}}\b"
    rf"|\b\d{{1,2}}(?:st|nd|rd|th)? {_MONTH},? \d{{4}}\b",
    re.I,
)
_MAX_DATE = "2100-01-01"  # fixed, so that a page's dates never depend on the day it is read


@dataclass(frozen=True)
class PageMetadata:
    """What a page declares about its article, and where the article is."""

    title: str = ""
    published: str = ""  # YYYY-MM-DD, "" when the page states none
    modified: str = ""
    author: str = ""
    sitename: str = ""
    title_element: HtmlElement | None = None  # the heading (or element) showing the title
    article_root: HtmlElement | None = None  # the container of the article around it


def read_metadata(tree: HtmlElement, furniture: Boilerplate, url: str = "") -> PageMetadata:
    """Title, dates, author and site name of the page in `tree` (furniture marked, not removed)."""
    head = _head_meta(tree)
    nodes = list(_json_ld_nodes(tree))
    sites = _declared_sites(tree, head, nodes)
    og = head.get("og:title") or head.get("twitter:title", "")
    if _SEPARATOR.search(og) or _SEPARATOR.search(head.get("title", "")):
        sites += _shown_sites(tree, sites)  # only needed to strip a suffix, and not cheap
    h1s = _h1_texts(tree, furniture)
    og = _strip_site(og, sites) if og else ""
    article_node = _article_node(nodes, [og, *h1s])
    page_node = next((n for n in nodes if _types(n) & _PAGE_TYPES), None)
    headline = (
        _text(article_node.get("headline") or article_node.get("name")) if article_node else ""
    )
    title = _choose_title(_strip_site(headline, sites), og, h1s, head.get("title", ""), sites)
    element = _title_element(tree, title, furniture) if title else None
    root = _article_root(element) if element is not None else None

    dated = article_node or page_node or {}
    published = _iso(dated.get("datePublished") or dated.get("dateCreated"))
    published = published or next(filter(None, map(_iso, head.get("published", []))), "")
    modified = _iso(dated.get("dateModified"))
    modified = modified or next(filter(None, map(_iso, head.get("modified", []))), "")
    if root is not None and not (published and modified):
        # A page that declares when it was modified but not when it was published states no
        # publication date: a text search would only find the update or review date again.
        in_article, updated = _article_dates(root, element, furniture, search=not modified)
        published = published or in_article
        modified = modified or updated
    author, sitename = _author_and_site(tree, url)
    return PageMetadata(title, published, modified, author, sitename, element, root)


def byline_author(cleaned: HtmlElement) -> str:
    """The author named in the page's byline (trafilatura's search), on a furniture-free tree."""
    return normalize_text(extract_author(cleaned) or "")


# --- declarations --------------------------------------------------------------------------------


def _head_meta(tree: HtmlElement) -> dict[str, Any]:
    found: dict[str, Any] = {"published": [], "modified": [], "sites": []}
    head = tree.find("head")
    if head is None:
        return found
    title = head.find("title")
    if title is not None:
        found["title"] = normalize_text(title.text_content())
    for meta in head.iter("meta"):
        key = (meta.get("property") or meta.get("name") or meta.get("itemprop") or "").lower()
        content = normalize_text(html.unescape(meta.get("content") or ""))
        if not key or not content:
            continue
        if key in ("og:title", "twitter:title") and key not in found:
            found[key] = content
        elif key in _PUBLISHED_META:
            found["published"].append(content)
        elif key in _MODIFIED_META:
            found["modified"].append(content)
        elif key in _SITE_META:
            found["sites"].append(content)
    return found


def _json_ld_nodes(tree: HtmlElement) -> Iterator[dict[str, Any]]:
    for script in tree.iter("script"):
        if (script.get("type") or "").strip().lower() != "application/ld+json" or not script.text:
            continue
        text = script.text.strip().removeprefix("<!--").removesuffix("-->").strip().rstrip(";")
        try:
            data = json.loads(text, strict=False)
        except ValueError:
            continue
        yield from _walk_json_ld(data)


def _walk_json_ld(data: Any, depth: int = 0) -> Iterator[dict[str, Any]]:
    if depth > 3:
        return
    if isinstance(data, list):
        for item in data:
            yield from _walk_json_ld(item, depth + 1)
    elif isinstance(data, dict):
        yield data
        yield from _walk_json_ld(data.get("@graph"), depth + 1)
        if isinstance(data.get("mainEntity"), dict):
            yield from _walk_json_ld(data["mainEntity"], depth + 1)


def _types(node: dict[str, Any]) -> set[str]:
    kind = node.get("@type")
    kinds = kind if isinstance(kind, list) else [kind]
    return {k.rsplit("/", 1)[-1].lower() for k in kinds if isinstance(k, str)}


def _text(value: Any) -> str:
    if isinstance(value, list):
        value = value[0] if value else ""
    return normalize_text(html.unescape(value)) if isinstance(value, str) else ""


def _article_node(nodes: list[dict[str, Any]], others: list[str]) -> dict[str, Any] | None:
    articles = [n for n in nodes if _types(n) & _ARTICLE_TYPES]
    if len(articles) > 1:
        for node in articles:
            headline = _text(node.get("headline") or node.get("name"))
            if any(_agree(headline, other) for other in others if other):
                return node
    return articles[0] if articles else None


def _declared_sites(
    tree: HtmlElement, head: dict[str, Any], nodes: list[dict[str, Any]]
) -> list[str]:
    """Site names the page declares (og:site_name, JSON-LD) or shows as a heading linking home."""
    sites = list(head["sites"])
    for node in nodes:
        if _types(node) & _SITE_TYPES:
            sites.append(_text(node.get("name")))
        publisher = node.get("publisher")
        if isinstance(publisher, dict):
            sites.append(_text(publisher.get("name")))
    for h1 in tree.iter("h1"):
        if _is_site_heading(h1):
            sites.append(normalize_text(h1.text_content()))
    return [s for s in dict.fromkeys(sites) if s]


def _shown_sites(tree: HtmlElement, known: list[str]) -> list[str]:
    """Site names shown in elements marked as the site's title or logo."""
    sites = []
    for el in _site_candidates(tree):
        if any(_SITE_TOKENS.match(t) for t in _classes(el)):
            text = normalize_text(el.text_content())
            if text and len(text.split()) <= 8 and text not in known:
                sites.append(text)
    return list(dict.fromkeys(sites))


def _site_candidates(tree: HtmlElement) -> list[HtmlElement]:
    """Elements of the body that may hold the site's name (by their class or id)."""
    found = []
    for el in _CLASS_OR_ID(tree):
        classes, ident = el.get("class"), el.get("id")
        if (classes and _SITE_CLASS.search(classes)) or (ident and _SITE_ID.search(ident)):
            found.append(el)
    return found


def _classes(el: HtmlElement) -> list[str]:
    return [*el.get("class", "").split(), *([el.get("id")] if el.get("id") else [])]


# --- title ---------------------------------------------------------------------------------------


def _h1_texts(tree: HtmlElement, furniture: Boilerplate) -> list[str]:
    texts = []
    for h1 in tree.iter("h1"):
        if furniture.foreign(h1) or _is_site_heading(h1):
            continue
        text = normalize_text(h1.text_content())
        if text:
            texts.append(text)
    return list(dict.fromkeys(texts))


def _is_site_heading(el: HtmlElement) -> bool:
    # The site's name set as a heading: marked as a logo or site title, or a link home.
    links = el.findall(".//a")
    if links and all(_HOME.match(a.get("href", "").strip()) for a in links):
        return True
    return any(_SITE_TOKENS.match(t) for node in (el, *el.iterancestors()) for t in _classes(node))


def _choose_title(headline: str, og: str, h1s: list[str], html_title: str, sites: list[str]) -> str:
    """The title most sources agree on; ties go to JSON-LD, og:title, the <h1>, <title>."""
    page_title = _strip_site(html_title, sites)
    if page_title == html_title:
        page_title = _shorter_side_dropped(page_title)
    names = {s.casefold() for s in sites}
    sources = [("ld", headline), ("og", og), *(("h1", h) for h in h1s), ("title", page_title)]
    # A source that only names the site ("Home", the site name as og:title) is no title.
    sources = [(k, t) for k, t in sources if t and t.casefold() not in names] or [
        (k, t) for k, t in sources if t
    ]
    best, support = "", -1
    for kind, text in sources:
        agreeing = {k for k, other in sources if k != kind and _agree(text, other)}
        if len(agreeing) > support:
            best, support = text, len(agreeing)
    return best


def _agree(a: str, b: str) -> bool:
    a, b = a.casefold(), b.casefold()
    return a == b or (min(len(a), len(b)) >= 20 and (a.startswith(b) or b.startswith(a)))


def _strip_site(title: str, sites: list[str]) -> str:
    folded = title.casefold()
    for site in sites:
        name = site.casefold()
        if not name or name == folded:
            continue
        for match in _SEPARATOR.finditer(title):
            before, after = title[: match.start()], title[match.end() :]
            if after.casefold() == name and before:
                return before.strip()
            if before.casefold() == name and after:
                return after.strip()
    return title


def _shorter_side_dropped(title: str) -> str:
    # "Title - Some Site" with the site name unknown: the site is the shorter end.
    matches = [m for m in _SEPARATOR.finditer(title) if not m.group().startswith(":")]
    if not matches:
        return title
    last = matches[-1]
    before, after = title[: last.start()].strip(), title[last.end() :].strip()
    return before if len(before) >= len(after) else after


def _title_element(tree: HtmlElement, title: str, furniture: Boilerplate) -> HtmlElement | None:
    folded = title.casefold()
    body = tree.find("body")
    if body is None:
        return None
    for level in ("h1", "h2", "h3"):
        for heading in body.iter(level):
            shown = normalize_text(heading.text_content()).casefold()
            if shown == folded and not furniture.foreign(heading):
                return heading
    # No heading shows the title (legacy pages set it in <font><b>): the first element that does.
    for el in body.iter("b", "strong", "font", "span", "p", "div", "a", "td"):
        text = el.text_content()
        short = len(text) <= 3 * len(title)
        if short and normalize_text(text).casefold() == folded and not furniture.foreign(el):
            return el
    return None


# --- dates ---------------------------------------------------------------------------------------


def _iso(value: Any) -> str:
    if isinstance(value, list):
        value = value[0] if value else ""
    if not isinstance(value, str):
        return ""
    match = _ISO_DATE.match(value)
    if not match:
        return ""
    try:
        day = date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return ""
    return day.isoformat() if 1990 <= day.year <= 2100 else ""


def _article_root(element: HtmlElement) -> HtmlElement | None:
    for node in element.iterancestors():
        if node.tag == "body":
            return None
        itemtype = (node.get("itemtype") or "").rsplit("/", 1)[-1].lower()
        if (
            node.tag in ("article", "main")
            or node.get("role") == "main"
            or itemtype in _ARTICLE_TYPES
            or any(_ROOT_TOKENS.match(t) for t in node.get("class", "").split())
        ):
            return node
    return None


def _article_dates(
    root: HtmlElement, title: HtmlElement | None, furniture: Boilerplate, *, search: bool
) -> tuple[str, str]:
    own = set(title.iterancestors()) if title is not None else set()
    # Another article nested in this one (a comment, a card) does not date this one.
    skip = furniture.foreign_within(root)
    skip.update(
        el
        for nested in root.iter("article")
        if nested is not root and nested not in own
        for el in nested.iter()
    )
    published = modified = ""
    for el in root.iter():
        if not isinstance(el.tag, str) or el in skip:
            continue
        itemprop = el.get("itemprop") or el.get("property") or ""
        if "datePublished" in itemprop or "dateCreated" in itemprop:
            published = published or _iso(_stated(el))
        elif "dateModified" in itemprop:
            modified = modified or _iso(_stated(el))
        elif el.tag in ("time", "abbr") and (el.get("datetime") or el.get("title")):
            stamp = _iso(el.get("datetime") or el.get("title"))
            if _UPDATED.search(el.get("class", "")):
                modified = modified or stamp
            else:
                published = published or stamp
    if not published and title is not None:
        published = _dateline(title, skip)
    if not published and search:
        published = _searched_date(root, furniture)
    return published, modified


def _dateline(title: HtmlElement, skip: set[HtmlElement]) -> str:
    # "Posted May 28, 2014 by …" between the title and the first paragraph of the body.
    seen = 0
    for el in title.itersiblings():
        for node in el.iter():
            if not isinstance(node.tag, str) or node in skip:
                continue
            for text in (node.text, node.tail):
                if not text or not text.strip():
                    continue
                if len(text.split()) > 25 or seen > 400:
                    return ""
                seen += len(text)
                match = _TEXT_DATE.search(text)
                if match and not _UPDATED.search(text[: match.start()]):
                    return _parse_text_date(match.group())
    return ""


def _parse_text_date(text: str) -> str:
    cleaned = re.sub(r"(\d)(?:st|nd|rd|th)\b", r"\1", text.replace(",", " ").replace(".", " "))
    cleaned = re.sub(r"\bsept\b", "Sep", " ".join(cleaned.split()), flags=re.I)
    for layout in ("%B %d %Y", "%b %d %Y", "%d %B %Y", "%d %b %Y"):
        try:
            return datetime.strptime(cleaned, layout).date().isoformat()
        except ValueError:
            continue
    return ""


def _stated(el: HtmlElement) -> str:
    return el.get("content") or el.get("datetime") or el.get("title") or el.text_content()


def _searched_date(root: HtmlElement, furniture: Boilerplate) -> str:
    # htmldate reads the whole document through absolute XPaths: give it a detached copy of the
    # article without its foreign furniture.
    copy = deepcopy(root)
    for original, clone in zip(root.iter(), copy.iter(), strict=True):
        if furniture.found.get(original) in ("comments", "related", "sponsored", "sidebar"):
            clone.tag = "drop-me"
    for el in list(copy.iter("drop-me")):
        parent = el.getparent()
        if parent is not None:
            parent.remove(el)
    try:
        found = find_date(copy, extensive_search=False, original_date=True, max_date=_MAX_DATE)
    except Exception:  # htmldate fails on odd markup; an unknown date is the honest answer
        return ""
    return _iso(found or "")


# --- author and site -----------------------------------------------------------------------------


def _author_and_site(tree: HtmlElement, url: str) -> tuple[str, str]:
    document = examine_meta(tree)
    if document.author and " " not in document.author:
        document.author = None  # trafilatura's rule: a one-word author is a handle, not a name
    # trafilatura's JSON-LD reader fails on some malformed graphs: keep the meta tags' reading.
    with contextlib.suppress(Exception):
        document = extract_meta_json(tree, document)
    sitename = (document.sitename or "").lstrip("@")
    if sitename and "." not in sitename and not sitename[0].isupper():
        sitename = sitename.title()
    if not sitename and url:
        match = META_URL.match(url)
        sitename = match[1] if match else ""
    return normalize_text(document.author or ""), normalize_text(sitename)
