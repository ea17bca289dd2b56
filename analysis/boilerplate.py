"""Page furniture that must never count as article: found in the tree and removed before extraction.

Two kinds of evidence, in this order:

1. **Markup**: the class, id and `data-hook`/`data-testid`/`data-component-name` values themes
   give their furniture — comment sections (WordPress, Disqus, Blogger, Drupal, Substack, Wix),
   sidebars, rails and widgets, newsletter/subscribe/tip boxes, related and sponsored posts
   (Jetpack, YARPP, Outbrain, Taboola), ad slots (AdSense, GPT, Ad Inserter, Mediavine), cookie
   banners, site headers, footers, menus, share bars, author boxes, tag lists, tables of
   contents, feedback widgets and text hidden from readers. Each class token is matched on its
   own, so `elementor-widget` is not a `widget` and `read-more-content` is not a related-posts
   block. `<aside>`, `<nav>`, `<footer>`, `<header>`, `<form>` and friends are furniture by tag.
2. **Text**, for blocks with no such markup (at most 60 words; an inline element only when
   no text runs around it): an ad label ("Advertisement", "Story continues below
   advertisement"), a tip or newsletter line ("Have a tip? … Subscribe to …"), a recirculation
   line ("Read more: <link>"), a comment-policy, cookie or copyright notice, an affiliate
   disclosure, a byline, a date or relative time alone, a counter ("24", "1.2K", "5 min read").

Nothing that contains the article is ever removed: the element holding the title, the body
containers (`itemprop=articleBody`, `.entry-content` and the like, outside comment sections),
`<main>`, a `<form>` or hidden element wrapping the page, and their ancestors are kept. Tables
that lay out the page become plain blocks. `article_container` and `article_body` then name
the part of the cleaned page that holds the article, which extraction isolates.

Every decision depends on an element's own markup and text (and, for the container, on the
article's own text), never on how much other text the page has: adding or removing furniture
elsewhere cannot change what is kept around the article.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from lxml import etree
from lxml.html import HtmlElement

# Tags that are furniture wherever they are (unless they hold the article).
_FURNITURE_TAGS = frozenset(
    {"aside", "nav", "footer", "header", "form", "button", "select", "textarea", "noscript"}
)
_NEVER = frozenset({"html", "head", "body", "main", "title", "meta", "link", "script", "style"})
# Attributes whose values name what an element is, besides class and id.
_NAMING_ATTRIBUTES = ("data-hook", "data-testid", "data-component-name", "data-el")

_KINDS: dict[str, str] = {
    "comments": r"""
        comments? | comment-?list | comments?-(?:area|section|wrapper|list|block.*|content
        |header|inner|title|count|link|policy|note|holder|root) | comment-(?:wrap|respond
        |form.*|section|thread|holder|policy|replybox.*|reply-title|footer|timestamp)
        | (?:div-)?comment-\d+
        | respond | reply-title | disqus_thread | dsq-.* | discussion-(?:area|section|list|thread)
        | commentary-list
        | (?:article|post|entry|squarespace|blog-item)-comments | wp-block-comments.*
        | wp-block-post-comments.* | giscus | utterances | fb-comments | comment-holder
        | c\d{4,}(?:-\w+)? | top-ra | top-continue | comment-editor.*
    """,
    "sidebar": r"""
        sidebar.* | .*-sidebar | .*_sidebar | secondary | widget-?area | widgets? | widget-?title
        | widgettitle | (?:left|right)-?rail.* | rail | .*__rail | .*-rail | col-side | side-?bar
        | .*-widget-area | footer-widgets.* | et_pb_widget | layout__side
    """,
    "newsletter": r"""
        .*newsletter.* | .*subscri(?:be(?!r)|ption).* | .*sign-?up.* | .*opt-?in.* | mc_embed.*
        | .*mailchimp.* | .*convertkit.* | .*mailing-list.* | email-capture.* | .*footer-cta.*
        | tip-?box.* | tips?-line | cta-caption | .*lead-?gen.*
    """,
    "related": r"""
        .*related.* | yarpp.* | crp_.* | read-more-wrap | more-stories.* | .*recommend.*
        | you-may-like | .*also-like.* | .*popular.* | .*trending.* | most-read.* | top-table-list
        | read-next.* | post-navigation | nav-links | paginav | pagination.* | blog-pager.*
        | item-pagination.* | post-nav.* | prev-next.* | elementor-post-navigation | post-card
        | post-list-item | recent-posts.* | recentcomments
    """,
    "sponsored": r"""
        .*sponsor.* | .*outbrain.* | .*taboola.* | trc_.* | ob-widget.* | ob-dynamic.* | promoted
        | native-ad.* | partner-content | paid-content | advertorial.* | zergnet.* | revcontent.*
        | mgid.* | videocube | products-and-services
    """,
    "ads": r"""
        ad | ads | adv | advert.* | adsense.* | adsbygoogle | adslot.* | ad[-_].* | .*[-_]ads?
        | .*[-_]ads?[-_].* | dfp.* | .*gpt-ad.* | arcad.* | mv-ad.* | code-block-\d+ | ezoic.*
        | adthrive.* | banner-ad.* | .*ad-?container.* | ad\d+ | google_ads.*
    """,
    "cookies": r"""
        .*cookie.* | .*consent.* | .*gdpr.* | cmplz.* | .*onetrust.* | cky-.* | cookiebot.*
        | cc-(?:window|banner) | cli-(?:bar|modal).*
    """,
    "chrome": r"""
        .*footer.* | site-header | masthead | top-?bar.* | .*topbar.* | breaking-banner | skip-link
        | skip-navigation | .*breadcrumb.* | nav | navbar.* | .*-nav | nav-.* | .*navigation.*
        | .*menu.* | header-(?:inner|main|nav.*|wrapper|titles.*|navigation.*) | site-branding
        | site-title | site-description | logo.*
    """,
    "furniture": r"""
        .*share.* | sharing.* | sharedaddy | .*social.* | addtoany | a2a_.* | post-ufi.*
        | like-button.* | author-(?:bio|box|info|description|title) | about-author | .*author-bio.*
        | post-tags | tags-links | cat-links | cat-tags-links | entry-categories.* | story__tags
        | post-labels | .*feedback.* | affiliate-disclosure | disclosure | disclaimer | toc
        | ez-toc.* | table-of-contents | wp-block-table-of-contents | reading-time
        | byline-reading-time
        | post-meta-tags | field--name-field-tags | entry-comments-link | comments-number
    """,
    "hidden": r"""
        hidden | hide | screen-reader-text | screen-reader-shortcut | sr-only | visually-hidden
        | .*-visually-hidden | assistive-text | d-none | invisible | visuallyhidden
    """,
}
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)

# Body containers: what holds the article text on most platforms.
_BODY_TOKENS = re.compile(
    r"^(?:entry-content|post-content|article-content|article-body|articlebody|post-body"
    r"|story-body|story__body|entry-body|post-entry|blog-content|blog-post-content|gh-content"
    r"|post-text|article-text|article__body|article__content|body-text|c-article-body"
    r"|b-article-body|field--name-body|e-content|blog-item-content|post-body-container"
    r"|available-content|post-content__body|td-post-content|single-content|content-body|entry"
    r"|elementor-widget-theme-post-content)$",
    re.I,
)

# --- text evidence ------------------------------------------------------------------------------

_MAX_TEXT_RULE_WORDS = 60
_AD_LABEL = re.compile(
    r"^(?:advertisements?|advertisment|advert|ads?|sponsored(?: content)?|paid (?:content|post)"
    r"|(?:story|article|content) continues (?:below|after)(?: this)? (?:advertisement|ad)"
    r"|continue reading (?:below|the main story)|scroll to continue(?: with content)?)$",
    re.I,
)
_TEXT_RULES = {
    "newsletter": re.compile(
        r"^(?:have|got) an? (?:news )?tip\b|^thanks for reading\b.*\bsubscribe\b"
        r"|^(?:sign up|subscribe) (?:for|to) (?:our|the|my)\b.*\b(?:newsletters?|briefing|updates"
        r"|emails?)\b|^get (?:our|the) .{0,40}newsletter\b|^want more\b.*\bsubscribe\b"
        r"|\bsubscribe to (?:our|the|my)\b.{0,60}\b(?:newsletters?|briefing|podcast)\b",
        re.I,
    ),
    "comment policy": re.compile(
        r"^comment(?:s|ing)? policy\b|^comments are (?:closed|moderated|welcome)\b"
        r"|^please (?:read|see|follow) our (?:community|comment|commenting) (?:guidelines|policy)"
        r"|^comments? (?:that|which) .{0,60}\bwill (?:not )?be (?:published|removed|deleted)",
        re.I,
    ),
    "cookie notice": re.compile(
        r"\b(?:we|this (?:web)?site) uses? cookies\b"
        r"|\bby (?:clicking|continuing)\b.{0,80}\bcookies\b|^cookies on (?:the|this)\b",
        re.I,
    ),
    "footer": re.compile(r"^(?:copyright\b|©|\(c\) \d{4}|all rights reserved\b)", re.I),
    "disclosure": re.compile(
        r"^this (?:post|article|page) (?:may )?contains? affiliate links\b", re.I
    ),
}
# "Related: <link>", "Read more: <link>", "See also - <link>" ...
_RECIRCULATION = re.compile(
    r"^(?:related(?: (?:stories|articles|posts|reading|coverage|content))?|read (?:more|also|next)"
    r"|also read|more(?: on this| from [^:|]{1,40})?|see also|don'?t miss|recommended|trending"
    r"|watch|listen|must read|you (?:might|may) also like|editor'?s picks?|popular)\s*[:|»›]",
    re.I,
)
_MONTHS = "(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)"
_DATE = (
    r"(?:(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*,? )?"
    r"(?:" + _MONTHS + r"[a-z]*\.? \d{1,2}(?:st|nd|rd|th)?,? \d{4}"
    r"|\d{1,2}(?:st|nd|rd|th)? " + _MONTHS + r"[a-z]*\.?,? \d{4}"
    r"|\d{4}-\d{2}-\d{2}|\d{1,2}[/.]\d{1,2}[/.]\d{2,4})"
)
# A block that is only a date, a time or a relative time, with its label: byline furniture.
_DATE_ONLY = re.compile(
    r"^(?:(?:published|posted|updated|last updated|modified|reviewed|first published)"
    r"(?: on)?:? ?)?(?:" + _DATE + r"(?:,? (?:at )?\d{1,2}[:.]\d{2} ?(?:[ap]\.?m\.?)?"
    r"(?: [a-z]{2,4})?)?|\d{1,2}[:.]\d{2} ?(?:[ap]\.?m\.?)?(?: [a-z]{2,4})?"
    r"|\d+ (?:seconds?|minutes?|mins?|hours?|hrs?|days?|weeks?|months?) ago)$",
    re.I,
)
# Counters and reading times change without the article changing: "24", "1.2K", "137 views".
_COUNTER = re.compile(
    r"^(?:\d[\d.,]*[km]?(?: (?:views?|likes?|comments?|shares?|claps?|responses?|reactions?"
    r"|reads?|replies))?|\d+ ?min(?:ute)?s?(?: read)?)$",
    re.I,
)
_CONTAINER_WORDS = 60
_WHOLE_POST = re.compile(
    r"^(?:entry-content|post-content|elementor-widget-theme-post-content|post-body|gh-content"
    r"|blog-item-content|available-content|e-content|entry)$",
    re.I,
)
_UNLINKED_TEXT = etree.XPath(
    "descendant-or-self::text()[not(ancestor::a)][not(ancestor::script)][not(ancestor::style)]"
)
_INLINE = frozenset({"span", "em", "strong", "small", "font"})
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_LAYOUT_BLOCKS = _HEADINGS | {"p", "div", "ul", "ol", "blockquote", "table", "form"}
# "By Ann Lee", "Written by Dr. Jo Reyes, RD": a name, capitalised, no digits.
_BYLINE = re.compile(
    r"^(?i:by|written by|words by|posted by|reviewed by)\s+(?:(?i:dr|prof)\.?\s+)?"
    r"[A-Z][\w.'’-]*(?:\s+(?:[A-Z][\w.'’-]*|and|&|de|van|von|la))*(?:,\s*[A-Z][\w .,]*)?$"
)


_COMPACT = {kind: re.sub(r"\s+", "", pattern) for kind, pattern in _KINDS.items()}
_COMBINED = re.compile(
    "^(?:" + "|".join(f"(?P<{kind}>{pattern})" for kind, pattern in _COMPACT.items()) + ")$", re.I
)
_COMMENTS = re.compile("^(?:" + _COMPACT["comments"] + ")$", re.I)
# Kinds that are never the article or its own furniture: what title and date candidates skip.
FOREIGN_KINDS = frozenset(
    {"comments", "sidebar", "newsletter", "related", "sponsored", "ads", "cookies", "hidden"}
)
# Candidates for the text rules: blocks short enough to be a label, a tip line or a notice
# (string-length is computed by libxml2, far cheaper than text_content() on every block).
_SHORT_BLOCKS = etree.XPath(
    ".//*[self::p or self::div or self::section or self::span or self::em or self::strong"
    " or self::small or self::center or self::font][string-length(normalize-space()) <= 500]"
)
_BODY_CANDIDATES = etree.XPath(
    ".//*[@class or contains(@itemprop, 'articleBody')]"
    "[contains(@itemprop, 'articleBody') or contains(@class, 'content')"
    " or contains(@class, 'body') or contains(@class, 'text') or contains(@class, 'entry')]"
)


@dataclass
class Boilerplate:
    """The furniture found in one page tree: the outermost furniture elements and their kinds."""

    tree: HtmlElement
    found: dict[HtmlElement, str] = field(default_factory=dict)  # element -> kind
    keep: set[HtmlElement] = field(default_factory=set)  # what holds the article body

    def kind_of(self, el: HtmlElement) -> str:
        """The kind of furniture `el` is in ("" when it is in none), its own or an ancestor's."""
        for node in (el, *el.iterancestors()):
            kind = self.found.get(node)
            if kind:
                return kind
        return ""

    def foreign(self, el: HtmlElement) -> bool:
        """Whether `el` sits in furniture that is never the article (comments, widgets, ads...)."""
        return self.kind_of(el) in FOREIGN_KINDS

    def foreign_within(self, root: HtmlElement) -> set[HtmlElement]:
        """Every element under `root` that sits in foreign furniture."""
        inside = set()
        for el, kind in self.found.items():
            if kind in FOREIGN_KINDS and (el is root or root in el.iterancestors()):
                inside.update(el.iter())
        return inside


def find(tree: HtmlElement) -> Boilerplate:
    """Mark the outermost furniture of a page by its markup, never what holds the article body.

    The body containers and `<main>` are kept with their ancestors; furniture inside them is
    still marked.
    """
    keep = _ancestors_and_self([*body_containers(tree), *tree.iter("main")])
    return Boilerplate(tree, _mark(tree, keep), keep)


def clean(furniture: Boilerplate, protect: Iterable[HtmlElement | None] = ()) -> list[str]:
    """Remove the furniture from the tree (by markup, then by text); the kinds removed.

    `protect` (the title heading) is kept with its ancestors: furniture that holds it, such as
    a theme's `<header>` around the article title, is cleaned inside instead of removed.
    """
    keep = furniture.keep | _ancestors_and_self([p for p in protect if p is not None])
    removed: list[str] = []
    for el, kind in furniture.found.items():
        if el in keep:
            inner = _mark(el, keep)
            removed += inner.values()
            for child in inner:
                _drop(child)
        else:
            removed.append(kind)
            _drop(el)
    root = furniture.tree
    unwrap_layout_tables(root)
    for el in _SHORT_BLOCKS(root):
        if el in keep or el.getroottree().getroot() is not root.getroottree().getroot():
            continue  # kept, or inside a block removed just before
        kind = _text_kind(el)
        if kind:
            removed.append(kind)
            _drop(el)
    return removed


def article_container(title: HtmlElement, min_words: int = _CONTAINER_WORDS) -> HtmlElement | None:
    """The nearest ancestor of the title that also holds the article body, on a cleaned tree.

    That is the first ancestor with `min_words` words of text outside the title and outside
    links, in at least two runs of ten words or more: a standfirst or an intro beside the
    title is one run (however long), a byline is short, an article body is both long and
    several paragraphs. None when only <body> qualifies (the title stands apart from any
    container).
    """
    title_texts = set(_UNLINKED_TEXT(title))
    for node in title.iterancestors():
        if node.tag in ("body", "html"):
            return None
        runs = [len(t.split()) for t in _UNLINKED_TEXT(node) if t not in title_texts]
        if sum(runs) >= min_words and sum(1 for n in runs if n >= 10) >= 2:
            return node
    return None


def _words(el: HtmlElement) -> int:
    return sum(len(text.split()) for text in _UNLINKED_TEXT(el))


def article_body(container: HtmlElement, min_words: int = _CONTAINER_WORDS) -> list[HtmlElement]:
    """The whole-post body elements inside the article's container, if they hold the article.

    Blog platforms render the entire post, its references and boxes included, into one marked
    element (WordPress `.entry-content`, Elementor's post-content widget, Blogger `.post-body`,
    Ghost `.gh-content`, Squarespace `.blog-item-content`, Substack `.available-content`,
    h-entry `.e-content`): what the theme puts beside it in the same column (post
    navigation, a promo, a "Popular now" list) is not the article, marked or not. News and
    Drupal body fields are not trusted this way: standfirsts, key points and reference fields
    sit beside them. [] when they hold fewer than `min_words` words (an excerpt's class).
    """
    found = [
        el
        for el in (container, *body_containers(container))
        if any(_WHOLE_POST.match(t) for t in el.get("class", "").split())
        and not is_comment_section(el)
    ]
    chosen = set(found)
    outermost = [el for el in found if not any(a in chosen for a in el.iterancestors())]
    if sum(_words(el) for el in outermost) < min_words:
        return []
    return outermost


def unwrap_layout_tables(tree: HtmlElement) -> int:
    """Turn tables that lay out a page into plain blocks; how many were turned.

    A page laid out in table cells would otherwise be read as one table whose rows hold the
    navigation, the article and the footer side by side. A table is layout when it nests
    another table, has a single cell, is marked `role=presentation`, or has a cell holding a
    heading or two blocks (data tables hold short cells).
    """
    count = 0
    for table in list(tree.iter("table")):
        rows = table.xpath("./tr | ./*/tr")
        cells = [c for row in rows for c in row if c.tag in ("td", "th")]
        if not _is_layout(table, cells):
            continue
        count += 1
        for el in (table, *table.xpath("./thead | ./tbody | ./tfoot"), *rows, *cells):
            el.tag = "div"
            for attr in ("width", "height", "valign", "align", "colspan", "rowspan", "bgcolor"):
                el.attrib.pop(attr, None)
    return count


def _is_layout(table: HtmlElement, cells: list[HtmlElement]) -> bool:
    if table.get("role") == "presentation" or len(cells) == 1:
        return True
    if table.find(".//table") is not None:
        return True
    for cell in cells:
        blocks = [c for c in cell if c.tag in _LAYOUT_BLOCKS]
        if len(blocks) >= 2 or any(c.tag in _HEADINGS for c in blocks):
            return True
    return False


def classify(el: HtmlElement) -> str:
    """The kind of furniture `el` is by its own tag and attributes, or ""."""
    tag = el.tag
    if tag in _NEVER:
        return ""
    if tag in _FURNITURE_TAGS:
        return "chrome"
    if el.get("hidden") is not None or el.get("aria-hidden") == "true":
        return "hidden"
    style = el.get("style")
    if style and _HIDDEN_STYLE.search(style):
        return "hidden"
    for token in _tokens(el):
        match = _COMBINED.match(token)
        if match:
            return match.lastgroup or ""
    return ""


def is_comment_section(el: HtmlElement) -> bool:
    """Whether `el` or an ancestor is marked up as a comment section or a comment."""
    return any(
        _COMMENTS.match(token) for node in (el, *el.iterancestors()) for token in _tokens(node)
    )


def body_containers(tree: HtmlElement) -> list[HtmlElement]:
    """Elements marked up as the article body (outside comment sections)."""
    found = []
    for el in _BODY_CANDIDATES(tree):
        itemprop = el.get("itemprop", "")
        marked = "articleBody" in itemprop.split() or any(
            _BODY_TOKENS.match(t) for t in _tokens(el)
        )
        if marked and not is_comment_section(el):
            found.append(el)
    return found


def _mark(root: HtmlElement, keep: set[HtmlElement]) -> dict[HtmlElement, str]:
    found: dict[HtmlElement, str] = {}
    stack = [root]
    while stack:
        el = stack.pop()
        for child in el:
            if not isinstance(child.tag, str):
                continue
            kind = "" if child in keep else classify(child)
            if kind and (child.tag == "form" or kind == "hidden") and _wraps_a_page(child):
                kind = ""  # ASP.NET wraps whole pages in a <form>; a modal hides the page
            if kind:
                found[child] = kind  # the outermost match goes with everything in it
            else:
                stack.append(child)
    return found


def _wraps_a_page(el: HtmlElement) -> bool:
    return el.find(".//h1") is not None or el.find(".//article") is not None


def _tokens(el: HtmlElement) -> Iterator[str]:
    classes = el.get("class", "").split()
    # Generated class soup ("ab ca ad fr lq") says nothing about what an element is.
    if len(classes) < 4 or any(len(c) > 3 for c in classes):
        yield from classes
    ident = el.get("id")
    if ident:
        yield ident
    for name in _NAMING_ATTRIBUTES:
        value = el.get(name)
        if value:
            yield value


def _ancestors_and_self(anchors: Iterable[HtmlElement]) -> set[HtmlElement]:
    keep: set[HtmlElement] = set()
    for anchor in anchors:
        keep.add(anchor)
        keep.update(anchor.iterancestors())
    return keep


def _drop(el: HtmlElement) -> None:
    # The tail is text of the parent that follows the element: keep it.
    parent = el.getparent()
    if parent is None:
        return
    tail = el.tail
    if tail and tail.strip():
        previous = el.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    parent.remove(el)


def _in_list_or_table(el: HtmlElement) -> bool:
    return any(a.tag in ("table", "ul", "ol", "dl") for a in el.iterancestors())


def _stands_alone(el: HtmlElement) -> bool:
    # An inline element is judged on its own only when no text runs around it: "24" inside
    # "walked <span>24</span> minutes" is article text, a lone "<span>24</span>" a counter.
    parent = el.getparent()
    if parent is None:
        return False
    if (parent.text or "").strip() or (el.tail or "").strip():
        return False
    return not any((sibling.tail or "").strip() for sibling in parent if sibling is not el)


def _text_kind(el: HtmlElement) -> str:
    if el.tag in _INLINE and not _stands_alone(el):
        return ""
    text = " ".join(el.text_content().split())
    if not text or len(text.split()) > _MAX_TEXT_RULE_WORDS:
        return ""
    bare = text.strip(" .:·•|-–—")
    if _AD_LABEL.match(bare):
        return "ads"
    if _DATE_ONLY.match(bare):
        return "dateline"
    if _COUNTER.match(bare) and not _in_list_or_table(el):
        return "counter"
    if _BYLINE.match(bare) and len(bare.split()) <= 8:
        return "byline"
    for kind, pattern in _TEXT_RULES.items():
        if pattern.search(text):
            return kind
    label = _RECIRCULATION.match(text)
    if label:
        rest = text[label.end() :].strip()
        linked = " ".join(" ".join(a.text_content() for a in el.iter("a")).split())
        if rest and len(linked) >= len(rest) / 2:
            return "related"
    return ""
