"""Fixture pages and the ways live sites change them without touching the article.

Every page the suite knows (the theme pages of tests/fixtures/themes/ and the blog fixtures of
tests/fixtures/deepher and lifeext) comes with XPaths of its regions: the article body, the
comment list and its count, the sidebar, the footer and the menu. A *variant* is a
boilerplate-only edit made in the page's own markup the way a live site makes it (a comment
added, a widget inserted, an ad slot after the first paragraph, a cookie banner, new nonces...);
`sentence_edit` rewrites one sentence in the middle of the article. The edits are made on the
parsed page and serialized back in the page's own encoding.
"""

# ruff: noqa: E501 -- HTML markup as themes and plugins emit it, kept on one line per element

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import lxml.html
from lxml.html import HtmlElement

FIXTURES = Path(__file__).parents[1] / "fixtures"
THEMES = FIXTURES / "themes"


@dataclass(frozen=True)
class FixturePage:
    """A fixture page, what it declares, and where its regions are."""

    name: str
    path: Path
    title: str
    published: str  # the publication date the page states, "" when it states none
    article: str  # XPath of the container of the article body
    footer: str
    comments: str | None = None  # the list whose last child is a comment
    comments_count: str | None = None  # element whose text holds the comment count
    sidebar: str | None = None  # container whose children are widgets
    nav: str | None = None  # menu list
    truth: Path | None = None  # article text, one block per line (theme pages)
    content_type: str = "text/html; charset=UTF-8"

    @property
    def url(self) -> str:
        return f"https://fixtures.example/{self.name}/"


_BLOG_FIXTURES = [
    FixturePage(
        "deepher.oxytocin-superpower.v1",
        FIXTURES / "deepher" / "oxytocin-superpower.v1.html",
        "Oxytocin: The Love Hormone That Might Be Your Body’s Real Superpower",
        "2025-07-14",
        article="//div[@class='entry-content']",
        footer="//footer[@id='colophon']",
        comments="//ol[@class='commentlist']",
        comments_count="//h2[@class='comments-title']",
        sidebar="//aside[@id='secondary']",
        nav="//ul[@id='primary-menu']",
    ),
    *(
        FixturePage(
            f"lifeext.{slug}.v1",
            FIXTURES / "lifeext" / f"{slug}.v1.html",
            title,
            published,
            article="//div[@class='entry-content']",
            footer="//footer[@id='colophon']/div[@class='site-info']",
            comments="//ol[@class='commentlist']",
            comments_count="//h2[@class='comments-title']",
            sidebar="//div[@id='secondary']",
            nav="//ul[@id='menu-main-menu']",
        )
        for slug, title, published in [
            (
                "could-your-relationship-use-more-oxytocin",
                "Could Your Relationship Use More Oxytocin?",
                "2015-02-16",
            ),
            (
                "trust-hormone-oxytocin-muscle",
                "‘Trust hormone’ oxytocin helps old muscle work like new, study finds",
                "2014-06-12",
            ),
        ]
    ),
    FixturePage(
        "lifeext.broken.v1",
        FIXTURES / "lifeext" / "broken.v1.html",
        "Oxytocin therapy now available at Boston Testosterone",
        "2014-05-28",
        article="//div[@class='entry']",
        footer="//div[@id='footer']",
        sidebar="//td[@class='sidebar']",
        nav="//ul[@class='nav']",
        content_type="text/html",
    ),
    FixturePage(
        "lifeext.latin1.v1",
        FIXTURES / "lifeext" / "latin1.v1.html",
        "The world’s expert talks about this calming hormone",
        "2014-05-02",
        article="//div[@class='entry-content']",
        footer="//footer[@class='site-footer']",
        sidebar="//aside[@class='widget-area']",
        nav="//nav[@class='main-navigation']",
        content_type="text/html",
    ),
]


def theme_pages() -> list[FixturePage]:
    """The pages of tests/fixtures/themes/pages.json, with their ground truth."""
    manifest = json.loads((THEMES / "pages.json").read_text(encoding="utf-8"))
    pages = []
    for entry in manifest:
        name = Path(entry["page"]).stem
        pages.append(
            FixturePage(
                name,
                THEMES / entry["page"],
                entry["title"],
                entry["published"],
                article=entry["article"],
                footer=entry["footer"],
                comments=entry["comments"],
                comments_count=entry["comments_count"],
                sidebar=entry["sidebar"],
                nav=entry["nav"],
                truth=THEMES / entry["truth"],
                content_type="text/html",
            )
        )
    return pages


def all_pages() -> list[FixturePage]:
    """Every page of the stability suite: theme pages, then the blog fixtures."""
    return [*theme_pages(), *_BLOG_FIXTURES]


# --- parsing and serializing ---------------------------------------------------------------------


def _encoding(body: bytes) -> str:
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return "cp1252"
    return "utf-8"


def body_text(body: bytes) -> str:
    """The text of the page's <body> in `body`, whitespace collapsed."""
    root = lxml.html.document_fromstring(body.decode(_encoding(body), errors="replace"))
    return " ".join(root.find("body").text_content().split())


def parse(page: FixturePage) -> tuple[HtmlElement, str, str]:
    """The page as a tree, its doctype and the encoding its bytes are in."""
    body = page.path.read_bytes()
    encoding = _encoding(body)
    root = lxml.html.document_fromstring(body.decode(encoding, errors="replace"))
    return root, root.getroottree().docinfo.doctype, encoding


def serialize(root: HtmlElement, doctype: str, encoding: str) -> bytes:
    """The tree as bytes in the page's encoding (unencodable characters as references)."""
    return lxml.html.tostring(root, encoding=encoding, doctype=doctype or None)


def _one(root: HtmlElement, xpath: str | None) -> HtmlElement | None:
    found = root.xpath(xpath) if xpath else []
    return found[0] if found else None


def _fragment(markup: str) -> HtmlElement:
    return lxml.html.fragment_fromstring(markup)


def _text_slots(el: HtmlElement) -> list[tuple[HtmlElement, str]]:
    """(element, "text" | "tail") for every text node inside `el`, in document order."""
    slots: list[tuple[HtmlElement, str]] = []
    for node in el.iter():
        if not isinstance(node.tag, str):
            continue
        if node.text and node.text.strip():
            slots.append((node, "text"))
        if node is not el and node.tail and node.tail.strip():
            slots.append((node, "tail"))
    return slots


def _first_paragraph(article: HtmlElement) -> HtmlElement | None:
    for p in article.iter("p"):
        if len(p.text_content().split()) >= 8:
            return p
    return None


def _after_first_paragraph(article: HtmlElement, block: HtmlElement) -> None:
    paragraph = _first_paragraph(article)
    if paragraph is None:
        article.insert(0, block)
        return
    block.tail = paragraph.tail
    paragraph.tail = None
    paragraph.addnext(block)


# --- boilerplate variants ------------------------------------------------------------------------

NEW_COMMENT = (
    "Update: my doctor says this cured my insomnia in March 2026. Clinically proven, "
    "everyone should try it!"
)
NEW_DATE_TEXT = "March 4, 2026 at 7:41 am"
NEW_DATETIME = "2026-03-04T07:41:00+00:00"
_DATE_TEXT = re.compile(
    r"\b(?:\d{1,2} )?(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.? "
    r"(?:\d{1,2},? )?\d{4}(?: at [\d:]+ ?[AaPp]\.?[Mm]\.?)?"
)
_YEAR = re.compile(r"\b(20[12]\d)\b")
_TOKEN = re.compile(r"\b(?=[A-Za-z0-9_-]*\d)[A-Za-z0-9_-]{8,}\b")
_VERSION = re.compile(r"([?&](?:ver|v|d)=)([\w.-]+)")


_COUNT_PHRASE = re.compile(
    r"\b(\d+)(\s+(?:comments?|thoughts?|repl(?:y|ies)|responses?|reactions?))\b", re.I
)


def _add_comments(page: FixturePage, root: HtmlElement, count: int) -> bool:
    changed = _bump_count(root, page.comments_count, count)
    # Every other "3 Comments" on the page (the header's comment link) moves with it.
    article = _one(root, page.article)
    inside = set(article.iter()) if article is not None else set()
    counter = _one(root, page.comments_count)
    skip = set(counter.iter()) if counter is not None else set()
    for node, slot in _text_slots(root):
        if node not in inside and node not in skip:
            text = getattr(node, slot)
            bumped = _COUNT_PHRASE.sub(lambda m: f"{int(m[1]) + count}{m[2]}", text)
            if bumped != text:
                setattr(node, slot, bumped)
                changed = True
    comments = _one(root, page.comments)
    if comments is None:
        return changed
    children = [c for c in comments if isinstance(c.tag, str)]
    # Blogger's classic template writes each comment as a <dt> and two <dd>s.
    size = 3 if comments.tag == "dl" else 1
    template = children[-size:]
    for n in range(count):
        for el in template:
            clone = copy.deepcopy(el)
            _rewrite_comment(clone, n)
            comments.append(clone)
    return True


def _rewrite_comment(el: HtmlElement, n: int) -> None:
    for node in el.iter():
        if not isinstance(node.tag, str):
            continue
        for attr in ("id", "data-comment-id"):
            if node.get(attr):
                node.set(
                    attr, re.sub(r"\d+", lambda m: str(int(m.group()) + 500 + n), node.get(attr))
                )
        if node.tag == "time" and node.get("datetime"):
            node.set("datetime", NEW_DATETIME)
    slots = _text_slots(el)
    if slots:
        longest = max(slots, key=lambda s: len(getattr(s[0], s[1])))
        setattr(longest[0], longest[1], NEW_COMMENT + (f" ({n + 1})" if n else ""))
    for node, slot in _text_slots(el):
        setattr(node, slot, _DATE_TEXT.sub(NEW_DATE_TEXT, getattr(node, slot)))


def _bump_count(root: HtmlElement, xpath: str | None, by: int) -> bool:
    el = _one(root, xpath)
    if el is None:
        return False
    for node, slot in _text_slots(el):
        text = getattr(node, slot)
        match = re.search(r"\d+", text)
        if match:
            bumped = str(int(match.group()) + by)
            setattr(node, slot, text[: match.start()] + bumped + text[match.end() :])
            return True
    return False


def comment_added(page: FixturePage, root: HtmlElement) -> bool:
    """A reader comment appears (a copy of the last one, newer date, a claim in it)."""
    return _add_comments(page, root, 1)


def comments_grow(page: FixturePage, root: HtmlElement) -> bool:
    """The comment section grows by ten comments (the count passes into two digits)."""
    return _add_comments(page, root, 10)


TRENDING = [
    "Is Intermittent Fasting Safe After 60?",
    "The Truth About Collagen Gummies",
    "Why You Wake Up at 3 a.m.",
]


def sidebar_widget(page: FixturePage, root: HtmlElement) -> bool:
    """A “Trending in Health” widget at the top of the sidebar, in the theme's widget markup."""
    sidebar = _one(root, page.sidebar)
    if sidebar is None:
        return False
    children = [c for c in sidebar if isinstance(c.tag, str)]
    headed = [c for c in children if c.find(".//h2") is not None or c.find(".//h3") is not None]
    headed += [c for c in children if c.find(".//h4") is not None]
    template = headed[0] if headed else children[0]
    widget = copy.deepcopy(template)
    for node in widget.iter():
        if isinstance(node.tag, str) and node.get("id"):
            node.set("id", node.get("id") + "-trending")
    headings = [h for h in widget.iter("h2", "h3", "h4")]
    for i, heading in enumerate(headings):
        for child in list(heading):
            heading.remove(child)
        heading.text = "Trending in Health" if i == 0 else TRENDING[i % len(TRENDING)]
    for i, link in enumerate(widget.iter("a")):
        for child in list(link):
            link.remove(child)
        link.text = TRENDING[i % len(TRENDING)]
        link.set("href", f"/trending-{i}/")
    for p in widget.iter("p"):
        if p.find(".//a") is None:
            p.text = "Our editors’ picks for this week, updated every Monday."
            for child in list(p):
                p.remove(child)
    sidebar.insert(0, widget)
    widget.tail = "\n"
    return True


_RELATED = [
    """<div id="jp-relatedposts" class="jp-relatedposts"><h3 class="jp-relatedposts-headline"><em>Related</em></h3>
<div class="jp-relatedposts-items jp-relatedposts-items-visual">
<div class="jp-relatedposts-post jp-relatedposts-post0"><h4 class="jp-relatedposts-post-title"><a class="jp-relatedposts-post-a" href="/collagen-gummies/">The Truth About Collagen Gummies</a></h4><p class="jp-relatedposts-post-excerpt">Gummies are the fastest-growing supplement format, but what is actually in them?</p><p class="jp-relatedposts-post-date">March 2, 2026</p><p class="jp-relatedposts-post-context">In "Supplements"</p></div>
<div class="jp-relatedposts-post jp-relatedposts-post1"><h4 class="jp-relatedposts-post-title"><a class="jp-relatedposts-post-a" href="/3am/">Why You Wake Up at 3 a.m.</a></h4><p class="jp-relatedposts-post-date">February 20, 2026</p><p class="jp-relatedposts-post-context">In "Sleep"</p></div>
</div></div>""",
    """<div class="related-posts"><h3 class="related-posts__title">You may also like</h3><ul><li><a href="/collagen-gummies/">The Truth About Collagen Gummies</a></li><li><a href="/3am/">Why You Wake Up at 3 a.m.</a></li><li><a href="/fasting-60/">Is Intermittent Fasting Safe After 60?</a></li></ul></div>""",
    """<aside class="crp_related"><h3>Readers also enjoyed:</h3><ul><li><a href="/collagen-gummies/" class="crp_link"><span class="crp_title">The Truth About Collagen Gummies</span></a></li><li><a href="/3am/" class="crp_link"><span class="crp_title">Why You Wake Up at 3 a.m.</span></a></li></ul></aside>""",
]


def _pick(page: FixturePage, choices: list[str]) -> str:
    return choices[sum(map(ord, page.name)) % len(choices)]


def related_posts(page: FixturePage, root: HtmlElement) -> bool:
    """A related-posts block inserted after the article's first paragraph (plugin markup)."""
    article = _one(root, page.article)
    if article is None:
        return False
    _after_first_paragraph(article, _fragment(_pick(page, _RELATED)))
    return True


def read_more_link(page: FixturePage, root: HtmlElement) -> bool:
    """A bare “Read more: <link>” paragraph after the first paragraph, no class to go by."""
    article = _one(root, page.article)
    if article is None:
        return False
    block = _fragment(
        '<p><strong>Read more:</strong> <a href="/3am/">Why You Wake Up at 3 a.m.</a></p>'
    )
    _after_first_paragraph(article, block)
    return True


_ADS = [
    """<div class="advertisement"><span class="ad-label">Advertisement</span><ins class="adsbygoogle" style="display:block" data-ad-client="ca-pub-1234567890" data-ad-slot="5678901234" data-ad-format="auto"></ins><script>(adsbygoogle = window.adsbygoogle || []).push({});</script></div>""",
    """<div class="code-block code-block-3" style="margin: 8px auto; text-align: center; display: block; clear: both;"><p style="text-align: center;">ADVERTISEMENT</p><div id="ezoic-pub-ad-placeholder-112"></div></div>""",
    """<div class="article-ad" data-ad-position="inline-1"><p class="article-ad__label">Story continues below advertisement</p><div id="div-gpt-ad-1712345678901-0" style="min-width: 300px; min-height: 250px;"></div></div>""",
]


def ad_slot(page: FixturePage, root: HtmlElement) -> bool:
    """An ad slot after the article's first paragraph (AdSense, Ad Inserter or GPT markup)."""
    article = _one(root, page.article)
    if article is None:
        return False
    _after_first_paragraph(article, _fragment(_pick(page, _ADS)))
    return True


_NEWSLETTER = [
    """<div class="newsletter-signup"><h3>Get our free newsletter</h3><p>Evidence-based health news in your inbox every Friday. No spam, unsubscribe any time.</p><form action="/subscribe"><input type="email" name="email" placeholder="Your email"/><button type="submit">Subscribe</button></form></div>""",
    """<p><em>Have a tip? Send it to <a href="mailto:tips@fixtures.example">tips@fixtures.example</a>. Subscribe to our weekly newsletter for more stories like this.</em></p>""",
    """<div id="mc_embed_signup"><form action="https://list-manage.example/subscribe/post" method="post" id="mc-embedded-subscribe-form" name="mc-embedded-subscribe-form" class="validate"><div id="mc_embed_signup_scroll"><h2>Subscribe to our mailing list</h2><div class="mc-field-group"><label for="mce-EMAIL">Email Address</label><input type="email" name="EMAIL" id="mce-EMAIL"/></div><input type="submit" value="Subscribe" name="subscribe" id="mc-embedded-subscribe" class="button"/></div></form></div>""",
]


def newsletter_box(page: FixturePage, root: HtmlElement) -> bool:
    """A newsletter or tip box at the end of the article body (“Have a tip? … Subscribe …”)."""
    article = _one(root, page.article)
    if article is None:
        return False
    article.append(_fragment(_pick(page, _NEWSLETTER)))
    return True


def tip_line(page: FixturePage, root: HtmlElement) -> bool:
    """A bare “Have a tip? … Subscribe to …” paragraph ending the article body."""
    article = _one(root, page.article)
    if article is None:
        return False
    article.append(_fragment(_NEWSLETTER[1]))
    return True


_SPONSORED = [
    """<div class="OUTBRAIN" data-src="https://fixtures.example/a" data-widget-id="AR_1"><div class="ob-widget-header"><span class="ob_about">Sponsored</span></div><ul class="ob-widget-items-container"><li class="ob-dynamic-rec-container"><a class="ob-dynamic-rec-link" href="https://ads.example/1"><span class="ob-rec-text">Doctors stunned: this one fruit melts belly fat overnight</span><span class="ob-rec-source">HealthyLifeTips</span></a></li><li class="ob-dynamic-rec-container"><a class="ob-dynamic-rec-link" href="https://ads.example/2"><span class="ob-rec-text">Seniors are switching to this cheaper insurance plan</span><span class="ob-rec-source">InsureNow</span></a></li></ul></div>""",
    """<div id="taboola-below-article-thumbnails-2" class="trc_related_container"><div class="trc_rbox_header"><span class="trc_rbox_header_span">You May Like</span></div><div class="videoCube"><a href="https://ads.example/3"><span class="video-label video-title">The one vitamin nutritionists say you are missing</span><span class="branding">Sponsored | VitaBoost</span></a></div></div>""",
]


def sponsored_posts(page: FixturePage, root: HtmlElement) -> bool:
    """An Outbrain or Taboola block of sponsored links after the article."""
    article = _one(root, page.article)
    if article is None:
        return False
    block = _fragment(_pick(page, _SPONSORED))
    block.tail = article.tail
    article.tail = None
    article.addnext(block)
    return True


_COOKIES = [
    """<div class="cky-consent-container cky-box-bottom-left" tabindex="0"><div class="cky-consent-bar"><div class="cky-notice"><p class="cky-title" role="heading" aria-level="1">We value your privacy</p><div class="cky-notice-group"><div class="cky-notice-des"><p>We use cookies to enhance your browsing experience, serve personalised ads or content, and analyse our traffic. By clicking "Accept All", you consent to our use of cookies.</p></div><div class="cky-notice-btn-wrapper"><button class="cky-btn cky-btn-customize">Customise</button><button class="cky-btn cky-btn-reject">Reject All</button><button class="cky-btn cky-btn-accept">Accept All</button></div></div></div></div></div>""",
    """<div id="cookie-law-info-bar" data-nosnippet="true"><span>This website uses cookies to improve your experience. We'll assume you're ok with this, but you can opt-out if you wish.<a role="button" data-cli_action="accept" id="cookie_action_close_header" class="medium cli-plugin-button cli-plugin-main-button cookie_action_close_header cli_action_button">Accept</a> <a href="/privacy/" id="CONSTANT_OPEN_URL" target="_blank" class="cli-plugin-main-link">Read More</a></span></div>""",
    """<div id="onetrust-consent-sdk"><div class="onetrust-pc-dark-filter ot-hide ot-fade-in"></div><div id="onetrust-banner-sdk" class="otFlat" role="region" aria-label="Cookie banner"><div class="ot-sdk-container"><div class="ot-sdk-row"><div id="onetrust-group-container" class="ot-sdk-eight ot-sdk-columns"><div id="onetrust-policy"><h2 id="onetrust-policy-title">Your privacy</h2><div id="onetrust-policy-text">By clicking “Accept all cookies”, you agree that this site can store cookies on your device and disclose information in accordance with our Cookie Policy.</div></div></div><div id="onetrust-button-group-parent"><button id="onetrust-accept-btn-handler">Accept all cookies</button></div></div></div></div></div>""",
]


def cookie_banner(page: FixturePage, root: HtmlElement) -> bool:
    """A cookie-consent banner (CookieYes, GDPR Cookie Consent or OneTrust) opens the body."""
    body = root.find("body")
    if body is None:
        return False
    body.insert(0, _fragment(_pick(page, _COOKIES)))
    return True


def footer_line(page: FixturePage, root: HtmlElement) -> bool:
    """A line added to the site footer."""
    footer = _one(root, page.footer)
    if footer is None:
        return False
    line = _fragment(
        "<p>Registered charity no. 1234567. Every article is reviewed annually by our "
        "medical panel.</p>"
    )
    if footer.tag in ("p", "span", "font", "a"):
        line.tail = footer.tail
        footer.tail = None
        footer.addnext(line)
    else:
        footer.append(line)
    return True


def nav_item(page: FixturePage, root: HtmlElement) -> bool:
    """A new item in the main menu."""
    nav = _one(root, page.nav)
    if nav is None:
        return False
    if nav.tag in ("ul", "ol"):
        nav.append(
            _fragment('<li class="menu-item"><a href="/wellbeing-hub/">Wellbeing Hub</a></li>')
        )
    else:
        nav.append(_fragment('<a href="/wellbeing-hub/">Wellbeing Hub</a>'))
    return True


def top_bar_date(page: FixturePage, root: HtmlElement) -> bool:
    """Today's date in a top bar above the header, as a <time> with a datetime."""
    body = root.find("body")
    if body is None:
        return False
    bar = _fragment(
        '<div class="top-bar"><time datetime="2026-03-04">Wednesday, March 4, 2026</time>'
        ' · <a href="/e-edition/">Today’s paper</a></div>'
    )
    body.insert(0, bar)
    return True


_POLICY = [
    """<div class="comment-policy"><p><strong>Comment policy:</strong> We welcome thoughtful comments from readers. Comments are moderated and may take up to 24 hours to appear; comments that give medical advice will be removed.</p></div>""",
    """<p class="comments-note">Comments are moderated. Please read our <a href="/community-guidelines/">community guidelines</a> before posting.</p>""",
]


def comment_policy(page: FixturePage, root: HtmlElement) -> bool:
    """A comment-policy notice, above the comments or, without comments, after the article."""
    notice = _fragment(_pick(page, _POLICY))
    comments = _one(root, page.comments)
    if comments is not None:
        comments.addprevious(notice)
        return True
    article = _one(root, page.article)
    if article is None:
        return False
    notice.tail = article.tail
    article.tail = None
    article.addnext(notice)
    return True


def timestamps_and_nonces(page: FixturePage, root: HtmlElement) -> bool:
    """New nonces, tokens, cache-busting versions and render times; next year in the chrome."""
    article = _one(root, page.article)
    inside = set(article.iter()) if article is not None else set()
    for el in root.iter():
        if not isinstance(el.tag, str) or el in inside:
            continue
        for name, value in el.attrib.items():
            if name in ("nonce", "value", "data-timestamp", "data-updated-on") or (
                name in ("src", "href") and _VERSION.search(value)
            ):
                el.set(name, _VERSION.sub(lambda m: m.group(1) + m.group(2)[::-1], _shift(value)))
        # JSON-LD is the page's own declaration of its dates: not boilerplate.
        if el.tag == "script" and el.text and el.get("type") != "application/ld+json":
            el.text = _shift(el.text)
    for region in (page.footer, page.sidebar):
        el = _one(root, region)
        if el is None:
            continue
        for node, slot in _text_slots(el):
            setattr(node, slot, _YEAR.sub(lambda m: str(int(m.group()) + 1), getattr(node, slot)))
    return True


def _shift(text: str) -> str:
    # A token with a digit in it (nonce, hash, id, epoch) becomes a different token of the
    # same shape; ISO timestamps move a year on.
    text = re.sub(r"\b(20[12]\d)-(\d\d)-(\d\d)T", lambda m: f"{int(m[1]) + 1}-{m[2]}-{m[3]}T", text)
    return _TOKEN.sub(
        lambda m: m.group()[::-1] if m.group()[::-1] != m.group() else m.group() + "x", text
    )


def post_stats(page: FixturePage, root: HtmlElement) -> bool:
    """View, like and reading-time counters and a relative update time next to the article."""
    article = _one(root, page.article)
    if article is None:
        return False
    stats = _fragment(
        '<div class="post-stats"><span>1,024 views</span> <span>37</span> '
        "<span>5 min read</span> <span>Updated 12 minutes ago</span></div>"
    )
    article.addprevious(stats)
    return True


def unmarked_sidebar(page: FixturePage, root: HtmlElement) -> bool:
    """A “Popular now” list with a paragraph, no class or id, after the article's container."""
    article = _one(root, page.article)
    if article is None:
        return False
    block = _fragment(
        "<div><h3>Popular now</h3><ul><li><a href='/3am/'>Why You Wake Up at 3 a.m.</a></li>"
        "<li><a href='/gummies/'>The Truth About Collagen Gummies</a></li></ul><p>Our most-read "
        "stories this week, chosen by what readers like you clicked on most.</p></div>"
    )
    holder = article.getparent()
    while holder is not None and holder.tag not in ("article", "main", "body"):
        holder = holder.getparent()
    target = holder if holder is not None and holder.tag != "body" else article
    block.tail = target.tail
    target.tail = None
    target.addnext(block)
    return True


def popup(page: FixturePage, root: HtmlElement) -> bool:
    """An exit-intent pop-up (OptinMonster-like markup) at the end of the body."""
    body = root.find("body")
    if body is None:
        return False
    body.append(
        _fragment(
            '<div id="om-holder" class="om-popup"><div class="om-popup-content"><h2>Wait! '
            "Before you go…</h2><p>Get our free 7-day gut reset plan and 10% off your first "
            'order.</p><form><input type="email"/><button>Send me the plan</button></form>'
            "</div></div>"
        )
    )
    return True


def reserialized(page: FixturePage, root: HtmlElement) -> bool:
    """The same DOM written out again (quoting, void tags and whitespace change)."""
    return True


Variant = Callable[[FixturePage, HtmlElement], bool]
BOILERPLATE: dict[str, Variant] = {
    "reserialized": reserialized,
    "comment-added": comment_added,
    "comments-grow": comments_grow,
    "sidebar-widget": sidebar_widget,
    "related-posts": related_posts,
    "read-more-link": read_more_link,
    "ad-slot": ad_slot,
    "newsletter-box": newsletter_box,
    "tip-line": tip_line,
    "sponsored-posts": sponsored_posts,
    "cookie-banner": cookie_banner,
    "footer-line": footer_line,
    "nav-item": nav_item,
    "top-bar-date": top_bar_date,
    "comment-policy": comment_policy,
    "timestamps-and-nonces": timestamps_and_nonces,
    "post-stats": post_stats,
    "unmarked-sidebar": unmarked_sidebar,
    "popup": popup,
}


def variant(page: FixturePage, name: str) -> bytes | None:
    """The page with one boilerplate variant applied ("all" applies every one); None if n/a."""
    root, doctype, encoding = parse(page)
    names = [n for n in BOILERPLATE if n != "reserialized"] if name == "all" else [name]
    applied = [BOILERPLATE[n](page, root) for n in names]
    if not any(applied):
        return None
    return serialize(root, doctype, encoding)


def applicable(page: FixturePage) -> list[str]:
    """The variants that apply to `page` (a page without comments gets no comment variants)."""
    needs = {
        "comment-added": page.comments or page.comments_count,
        "comments-grow": page.comments or page.comments_count,
        "sidebar-widget": page.sidebar,
        "nav-item": page.nav,
    }
    return [name for name in BOILERPLATE if needs.get(name, True)] + ["all"]


# --- the article edit ----------------------------------------------------------------------------

EDIT = " (see the table below)"
_SENTENCE_END = re.compile(r"[a-z](\.)(\s|$)")


def sentence_edit(page: FixturePage) -> tuple[bytes, str, str]:
    """The page with one sentence in the middle of the article reworded; (bytes, before, after)."""
    root, doctype, encoding = parse(page)
    article = _one(root, page.article)
    assert article is not None, page.name
    # A long text run with a full stop after a word: its first sentence gets a parenthesis.
    truth = " ".join(page.truth.read_text(encoding="utf-8").split()) if page.truth else None
    slots = [
        s
        for s in _text_slots(article)
        if len(getattr(*s).split()) >= 12
        and _SENTENCE_END.search(getattr(*s))
        and (truth is None or " ".join(getattr(*s).split()) in truth)
    ]
    assert slots, page.name
    node, slot = slots[len(slots) // 2]
    text = getattr(node, slot)
    match = _SENTENCE_END.search(text)
    assert match is not None
    cut = match.start(1)
    sentence_start = text.rfind(". ", 0, cut) + 2 if ". " in text[:cut] else 0
    before = text[sentence_start : cut + 1].strip()
    after = before[:-1] + EDIT + "."
    setattr(node, slot, text[:cut] + EDIT + text[cut:])
    return serialize(root, doctype, encoding), before, after
