"""boilerplate: furniture found by its markup or text and removed, never the article."""

from __future__ import annotations

import pytest
from lxml.html import HtmlElement
from trafilatura.utils import load_html

from analysis import boilerplate

PARAGRAPH = (
    "Researchers followed 4,200 adults for twelve years and found that brisk walkers had fewer "
    "heart attacks than people who walked slowly, even after accounting for smoking and income."
)


def cleaned(body: str, protect_xpath: str = "") -> HtmlElement:
    tree = load_html(f"<html><head><title>t</title></head><body>{body}</body></html>")
    furniture = boilerplate.find(tree)
    protect = tree.xpath(protect_xpath) if protect_xpath else []
    boilerplate.clean(furniture, protect=protect)
    return tree


def text(tree: HtmlElement) -> str:
    """The body's text, one space between text nodes."""
    body = tree.find("body")
    return " ".join(" ".join(t.split()) for t in body.itertext() if t.strip())


def post(inside: str = "", after: str = "") -> str:
    return (
        f"<article><h1>Walking and the heart</h1><div class='entry-content'><p>{PARAGRAPH}</p>"
        f"{inside}<p>{PARAGRAPH}</p></div></article>{after}"
    )


@pytest.mark.parametrize(
    ("furniture", "leak"),
    [
        (
            '<div id="comments" class="comments-area"><p>Great post, walking cured me</p></div>',
            "cured",
        ),
        ('<div id="disqus_thread"><p>Loading Disqus comments</p></div>', "Disqus"),
        ("<dl id='comments-block'><dd class='comment-body'><p>Cured me</p></dd></dl>", "Cured"),
        ('<section class="left-rail"><h3>Most Read</h3><p>Salt and you</p></section>', "Most Read"),
        ('<div class="widget"><h3 class="widget-title">Trending in Health</h3></div>', "Trending"),
        ('<div class="newsletter-signup"><h3>Get our free newsletter</h3></div>', "newsletter"),
        ('<div id="jp-relatedposts" class="jp-relatedposts"><h3>Related</h3></div>', "Related"),
        ('<div class="OUTBRAIN"><a href="x">Doctors stunned by this fruit</a></div>', "stunned"),
        ('<div class="ad-slot"><span>Advertisement</span></div>', "Advertisement"),
        ('<div class="code-block code-block-3"><p>ADVERTISEMENT</p></div>', "ADVERTISEMENT"),
        ('<div id="cookie-law-info-bar"><span>This site uses cookies.</span></div>', "cookies"),
        ('<div id="webui-footer"><p>© 2025 The Daily Ledger Ltd.</p></div>', "Ledger"),
        ('<div class="author-bio"><p>Ann writes about hearts.</p></div>', "writes about"),
        ('<p style="display:none">Hidden promo text</p>', "promo"),
        ("<aside><p>Pull-out promo box</p></aside>", "Pull-out"),
    ],
)
def test_furniture_by_markup_is_removed(furniture: str, leak: str) -> None:
    assert leak not in text(cleaned(post(inside=furniture)))
    assert leak not in text(cleaned(post(after=furniture)))
    assert PARAGRAPH in text(cleaned(post(inside=furniture)))


@pytest.mark.parametrize(
    "line",
    [
        "<p><em>Have a tip? Send it to <a href='mailto:t@x.example'>t@x.example</a>. Subscribe "
        "to our weekly newsletter.</em></p>",
        "<p>Thanks for reading Food Facts! Subscribe for free to receive new posts.</p>",
        "<p><strong>Read more:</strong> <a href='/x'>Why you wake up at 3 a.m.</a></p>",
        "<p>RELATED: <a href='/y'>Salt and blood pressure</a></p>",
        "<div>Story continues below advertisement</div>",
        "<p>Comment policy: we welcome thoughtful comments.</p>",
        "<p>This post may contain affiliate links. Read our disclosure.</p>",
        "<span>2 min read</span>",
        "<div>Updated 4:40 PM GMT</div>",
        "<p>By Ann Lee</p>",
    ],
)
def test_furniture_by_text_is_removed(line: str) -> None:
    tree = cleaned(post(inside=line))
    assert text(tree).count(PARAGRAPH) == 2
    assert text(tree) == f"Walking and the heart {PARAGRAPH} {PARAGRAPH}"


@pytest.mark.parametrize(
    "kept",
    [
        # a paragraph longer than any tip line that mentions subscribing is article text
        "<p>Subscribe to our newsletter, the trial's authors told participants, and they would "
        + "receive weekly reminders to walk; " * 10
        + "</p>",
        # a "Read more" sentence without links is prose
        "<p>Read more: the full trial report lists every outcome the researchers measured.</p>",
        # numbers in a table or a list are data, not counters
        "<table><tr><td>Steps</td><td>8000</td></tr><tr><td>Risk</td><td>24</td></tr></table>",
        "<ol><li><span>24</span></li></ol>",
        # numbers and phrases inside running text
        "<div>Participants walked <span>24</span> minutes a day on average.</div>",
        "<p><strong>By 2030,</strong> half of adults will be inactive.</p>",
        "<p>By 2030 half of adults will be inactive.</p>",
        # a scientific article's Discussion section and paywalled paragraphs
        f"<section id='discussion'><h2>Discussion</h2><p>{PARAGRAPH}</p></section>",
        f"<div class='subscriber-content'><p>Subscriber paragraph: {PARAGRAPH}</p></div>",
    ],
)
def test_article_text_is_kept(kept: str) -> None:
    before = text(load_html(f"<html><body>{post(inside=kept)}</body></html>"))
    assert text(cleaned(post(inside=kept))) == before


@pytest.mark.parametrize(
    "wrapper",
    [
        "<div class='widget Blog' id='Blog1'>{}</div>",  # Blogger wraps every post in a widget
        "<div class='elementor-widget elementor-widget-theme-post-content'>{}</div>",
        "<div class='content hidden-xs'>{}</div>",
        "<main class='site-main nav-open'>{}</main>",
        "<form id='aspnetForm' action='./page.aspx' method='post'>{}</form>",  # ASP.NET pages
        "<div id='page' aria-hidden='true'>{}</div>",  # the page behind an open modal
    ],
)
def test_containers_of_the_article_are_never_removed(wrapper: str) -> None:
    assert PARAGRAPH in text(cleaned(wrapper.format(post())))


def test_the_title_heading_is_kept_inside_furniture() -> None:
    # A theme's <header> holds the article title: cleaned inside, not removed.
    body = (
        "<header class='entry-header'><h1>Walking and the heart</h1><div class='share'>Share"
        f"</div></header><div class='post-body'><p>{PARAGRAPH}</p></div>"
    )
    tree = cleaned(body, protect_xpath="//h1")
    assert text(tree) == f"Walking and the heart {PARAGRAPH}"


def test_generated_class_soup_names_nothing() -> None:
    body = f"<div class='ab ca ad fr lq'><p>{PARAGRAPH}</p></div>"
    assert PARAGRAPH in text(cleaned(body))


def test_layout_tables_become_blocks_and_data_tables_stay() -> None:
    body = (
        "<table><tr><td><a href='/'>Home</a><br><a href='/a'>About</a></td><td>"
        f"<p>{PARAGRAPH}</p><p>{PARAGRAPH}</p><table><tr><th>Steps</th><th>Risk</th></tr>"
        "<tr><td>8000</td><td>0.8</td></tr></table></td></tr></table>"
    )
    tree = load_html(f"<html><body>{body}</body></html>")
    assert boilerplate.unwrap_layout_tables(tree) == 1
    assert len(tree.xpath("//table")) == 1
    assert tree.xpath("//table//th/text()") == ["Steps", "Risk"]


@pytest.mark.parametrize(
    ("body", "container"),
    [
        # a short standfirst beside the title is not the article: the <article> is
        (
            f"<article><header><h1>T</h1><p>A short standfirst of a dozen words about walking "
            f"and hearts.</p></header><p>{PARAGRAPH}</p><p>{PARAGRAPH}</p></article>",
            "article",
        ),
        (
            f"<div class='x'><font><b>T</b></font><p>{PARAGRAPH}</p>{PARAGRAPH}<p>{PARAGRAPH}</p>"
            "</div>",
            "x",
        ),
        # the title stands apart from any container long enough to be the article
        (f"<h1>T</h1><p>{PARAGRAPH}</p>", None),
        # a long intro beside the title is one run of text: the article holds several
        (
            f"<div class='page'><div class='hero'><h1>T</h1><p>{PARAGRAPH} {PARAGRAPH}</p></div>"
            f"<div class='content'><p>{PARAGRAPH}</p><p>{PARAGRAPH}</p></div></div>",
            "page",
        ),
    ],
)
def test_article_container(body: str, container: str | None) -> None:
    tree = load_html(f"<html><body>{body}</body></html>")
    title = tree.xpath("//h1 | //b")[0]
    found = boilerplate.article_container(title)
    assert (found.get("class") or found.tag if found is not None else None) == container


@pytest.mark.parametrize(
    "wrapper",
    [
        "<form id='aspnetForm' action='./page.aspx' method='post'>{}</form>",
        "<div id='page' aria-hidden='true'>{}</div>",
    ],
)
def test_a_page_wrapped_in_a_form_or_hidden_behind_a_modal_is_kept(wrapper: str) -> None:
    # No body container, no title heading to protect: the wrapper's own h1 keeps it.
    body = wrapper.format(f"<h1>Walking and the heart</h1><p>{PARAGRAPH}</p>")
    assert text(cleaned(body)) == f"Walking and the heart {PARAGRAPH}"
