"""read_metadata: title and dates from the page's declarations, never from its furniture."""

from __future__ import annotations

import json

import pytest
from trafilatura.utils import load_html

from analysis import boilerplate
from analysis.metadata import PageMetadata, read_metadata

BODY = (
    "<p>Researchers followed 4,200 adults for twelve years and found that brisk walkers had "
    "fewer heart attacks.</p><p>The study was observational and cannot prove cause and effect, "
    "the authors wrote in their conclusion.</p>"
)


def read(head: str = "", body: str = "", url: str = "") -> PageMetadata:
    html = (
        f"<!DOCTYPE html><html><head><meta charset='utf-8'>{head}</head><body>{body}</body></html>"
    )
    tree = load_html(html)
    return read_metadata(tree, boilerplate.find(tree), url)


def ld(data: dict) -> str:
    return f'<script type="application/ld+json">{json.dumps(data)}</script>'


def article(title: str = "Brisk Walking and Heart Attacks", meta: str = "") -> str:
    return f"<article><header><h1>{title}</h1>{meta}</header>{BODY}</article>"


COMMENTS = (
    '<div id="comments" class="comments-area"><h2 class="comments-title">3 thoughts on '
    '“Brisk Walking and Heart Attacks”</h2><ol class="comment-list"><li class="comment">'
    '<b class="fn">Troll King</b> <time datetime="2019-11-19T10:00:00+00:00">November 19, 2019'
    "</time><p>Walking cured my diabetes!</p></li></ol></div>"
)
WIDGET = (
    '<aside class="left-sidebar"><div class="widget"><h3 class="widget-title">Trending in Health'
    "</h3><ul><li><a href='/x'>Salt</a></li></ul></div></aside>"
)


# --- title -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("head", "body", "title"),
    [
        (  # JSON-LD headline, og:title and <title> agree: the headline as declared
            ld({"@type": "NewsArticle", "headline": "Walking Cuts Heart Risk"})
            + '<meta property="og:title" content="Walking Cuts Heart Risk - Heart Notes">'
            + '<meta property="og:site_name" content="Heart Notes">'
            + "<title>Walking Cuts Heart Risk | Heart Notes</title>",
            article("Walking Cuts Heart Risk"),
            "Walking Cuts Heart Risk",
        ),
        (  # Yoast: the Article node of the @graph, not the WebPage's suffixed name
            ld(
                {
                    "@graph": [
                        {"@type": "WebPage", "name": "Walking Cuts Heart Risk - Heart Notes"},
                        {"@type": "Article", "headline": "Walking Cuts Heart Risk"},
                        {"@type": "WebSite", "name": "Heart Notes"},
                    ]
                }
            ),
            article("Walking Cuts Heart Risk"),
            "Walking Cuts Heart Risk",
        ),
        (  # og:title's site suffix stripped using og:site_name
            '<meta property="og:title" content="Walking Cuts Heart Risk — Heart Notes">'
            '<meta property="og:site_name" content="Heart Notes">',
            article("Walking Cuts Heart Risk"),
            "Walking Cuts Heart Risk",
        ),
        (  # Blogger's "Blog: Post" <title>, the blog name known from its header
            "<title>Step by Step: Where Did 10,000 Steps Come From?</title>",
            "<div class='header'><h1 class='title'><a href='https://stepbystep.example/'>"
            "Step by Step</a></h1></div>"
            "<div class='post'><h3 class='post-title'>Where Did 10,000 Steps Come From?</h3>"
            f"{BODY}</div>",
            "Where Did 10,000 Steps Come From?",
        ),
        (  # no declarations, a site h1 and a left widget before the article: the article h1
            "<title>Five Myths About Fasting | The Lean Plate</title>",
            "<header><h1 class='logo'><a href='/'>The Lean Plate</a></h1></header>"
            + WIDGET
            + "<article><h1 class='single-title'>Five Myths About Fasting</h1>"
            + BODY
            + "</article>"
            + COMMENTS,
            "Five Myths About Fasting",
        ),
        (  # no h1 at all: <title>, never the comment section's "3 thoughts on …"
            "<title>Brisk Walking and Heart Attacks – Heart Notes</title>",
            f"<div class='post'>{BODY}</div>{COMMENTS}",
            "Brisk Walking and Heart Attacks",
        ),
        (  # Divi heads its comments with a second h1
            "<title>Turmeric and Inflammation | Spice Health</title>",
            "<article><h1 class='entry-title'>Turmeric and Inflammation</h1>"
            + BODY
            + "<section id='comment-wrap'><h1 id='comments' class='page_title'>3 Comments</h1>"
            + "</section></article>",
            "Turmeric and Inflammation",
        ),
        (  # a JSON-LD headline of some other article loses to og:title and h1 agreeing
            ld({"@type": "Article", "headline": "Ten Best Running Shoes"})
            + '<meta property="og:title" content="Walking Cuts Heart Risk">',
            article("Walking Cuts Heart Risk"),
            "Walking Cuts Heart Risk",
        ),
        (  # an og:title that only names the site is no title
            '<meta property="og:title" content="Heart Notes">'
            '<meta property="og:site_name" content="Heart Notes">',
            article("Walking Cuts Heart Risk"),
            "Walking Cuts Heart Risk",
        ),
        (  # unknown site name in <title>: the shorter end goes
            "<title>Alkaline Water Will Not Change Your pH - Dr. Morgan's Page</title>",
            "<table><tr><td><font size=5><b>Alkaline Water Will Not Change Your pH</b></font>"
            f"{BODY}</td></tr></table>",
            "Alkaline Water Will Not Change Your pH",
        ),
        (  # HTML entities in JSON-LD
            ld({"@type": "BlogPosting", "headline": "Salt &amp; Blood Pressure"}),
            article("Salt &amp; Blood Pressure"),
            "Salt & Blood Pressure",
        ),
    ],
)
def test_title(head: str, body: str, title: str) -> None:
    assert read(head, body).title == title


def test_title_element_is_the_article_heading_not_the_widget() -> None:
    meta = read(
        "<title>Five Myths About Fasting</title>", WIDGET + article("Five Myths About Fasting")
    )
    assert meta.title_element is not None
    assert meta.title_element.tag == "h1"
    assert meta.article_root is not None
    assert meta.article_root.tag == "article"


# --- dates -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("head", "body", "published", "modified"),
    [
        (  # JSON-LD, as stated (no time-zone conversion)
            ld(
                {
                    "@type": "BlogPosting",
                    "headline": "Brisk Walking and Heart Attacks",
                    "datePublished": "2023-12-18T22:12:00-08:00",
                    "dateModified": "2024-01-02T10:15:41-08:00",
                }
            ),
            article() + COMMENTS,
            "2023-12-18",
            "2024-01-02",
        ),
        (  # OpenGraph article times
            '<meta property="article:published_time" content="2024-09-05T07:00:00.000Z">'
            '<meta property="article:modified_time" content="2024-09-06T09:14:22.000Z">',
            article() + COMMENTS,
            "2024-09-05",
            "2024-09-06",
        ),
        (  # a <time> in the article; the comment's <time> comes later and never counts
            "",
            article(
                meta='<time class="entry-date published" datetime="2024-03-12T08:30:00+00:00">'
                'March 12, 2024</time><time class="updated" datetime="2024-06-02">June 2</time>'
            )
            + COMMENTS,
            "2024-03-12",
            "2024-06-02",
        ),
        (  # itemprop=datePublished in the article, not the one in a comment
            "",
            '<article itemscope itemtype="https://schema.org/CreativeWork">'
            "<h1 itemprop='headline'>Brisk Walking and Heart Attacks</h1><p class='entry-meta'>"
            "<time itemprop='datePublished' datetime='2024-07-22T07:15:00+00:00'>July 22</time>"
            f"</p>{BODY}<ol class='comment-list'><li itemprop='comment'><time "
            "itemprop='datePublished' datetime='2025-01-01'>Jan 1</time></li></ol></article>",
            "2024-07-22",
            "",
        ),
        (  # only the comments are dated: no date
            "",
            article() + COMMENTS,
            "",
            "",
        ),
        (  # a dated top bar and a copyright line are page chrome: no date
            "",
            '<div class="top-bar"><time datetime="2019-11-19">Tuesday, November 19, 2019</time>'
            f"</div>{article()}<footer>© 2025 Heart Notes</footer>",
            "",
            "",
        ),
        (  # a dateline under the title, as text
            "",
            "<div class='post'><h1>Brisk Walking and Heart Attacks</h1><font size=1>Posted May "
            f"28, 2014 by BTP Staff</font>{BODY}</div>",
            "2014-05-28",
            "",
        ),
        (  # a page that declares only when it was modified states no publication date
            ld({"@type": "MedicalWebPage", "dateModified": "2024-07-01T10:00:00+00:00"}),
            f"<main><h1>Brisk Walking and Heart Attacks</h1>{BODY}<p>Page last reviewed: "
            "1 July 2024</p></main>",
            "",
            "2024-07-01",
        ),
    ],
)
def test_dates(head: str, body: str, published: str, modified: str) -> None:
    meta = read(head, body)
    assert (meta.published, meta.modified) == (published, modified)


def test_impossible_dates_are_no_dates() -> None:
    head = '<meta property="article:published_time" content="2024-13-45T00:00:00Z">'
    assert read(head, article()).published == ""


# --- author and site --------------------------------------------------------------------------


def test_author_is_never_a_commenter() -> None:
    assert read("", article() + COMMENTS).author != "Troll King"


def test_author_and_site_from_declarations() -> None:
    head = (
        '<meta name="author" content="Ann Lee"><meta property="og:site_name" content="Heart Notes">'
    )
    meta = read(head, article())
    assert (meta.author, meta.sitename) == ("Ann Lee", "Heart Notes")


def test_site_from_the_url_when_undeclared() -> None:
    assert read("", article(), url="https://heartnotes.example/walking/").sitename == (
        "heartnotes.example"
    )
