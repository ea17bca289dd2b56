"""extract_article on the fixture blog pages and on small inline pages (decoding, junk, markers)."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
import trafilatura

from analysis.document import Article, Block
from analysis.extract import EXTRACTOR, blocks_from_json, blocks_to_json, extract_article

FIXTURES = Path(__file__).parents[1] / "fixtures"
DEEPHER = FIXTURES / "deepher"
LIFEEXT = FIXTURES / "lifeext"
FILLER = (
    "Researchers measured salivary cortisol in forty couples before and after a discussion, "
    "and reported the averages for each group in a table at the end of the paper."
)


def deepher(version: str) -> Article:
    body = (DEEPHER / f"oxytocin-superpower.{version}.html").read_bytes()
    extraction = extract_article(
        body,
        url="https://deepherwhealth.example/oxytocin-superpower/",
        content_type="text/html; charset=UTF-8",
    )
    assert extraction.article is not None, extraction.error
    return extraction.article


def lifeext(name: str, content_type: str = "text/html; charset=UTF-8") -> Article:
    extraction = extract_article((LIFEEXT / name).read_bytes(), content_type=content_type)
    assert extraction.article is not None, extraction.error
    return extraction.article


def page(body: str, title: str = "Oxytocin and Stress", charset: str = "utf-8") -> str:
    """A small blog page around `body` with navigation, sidebar, comments and footer."""
    return f"""<!DOCTYPE html><html><head><meta charset="{charset}"><title>{title}</title>
<meta property="og:title" content="{title}"><meta name="author" content="Ann Lee"></head>
<body><nav class="main-navigation"><a href="/">Home</a> <a href="/about">About</a></nav>
<main><article class="post"><h1 class="entry-title">{title}</h1>
<div class="entry-content"><p>{FILLER}</p>{body}<p>{FILLER}</p></div></article>
<div id="comments" class="comments-area"><ol class="comment-list"><li class="comment">
<div class="comment-content"><p>Oxytocin cured my insomnia overnight, clinically proven!</p></div>
</li></ol></div></main>
<aside class="widget-area"><h2 class="widget-title">Recent posts</h2><ul><li><a href="/x">Sleep</a>
</li></ul></aside><footer class="site-footer">© 2025 Example Health</footer></body></html>"""


def only(blocks: tuple[Block, ...], needle: str) -> Block:
    found = [b for b in blocks if needle in b.text]
    assert len(found) == 1, found
    return found[0]


# --- fixture pages ---------------------------------------------------------------------------


def test_deepher_metadata() -> None:
    article = deepher("v1")
    assert article.title == "Oxytocin: The Love Hormone That Might Be Your Body’s Real Superpower"
    assert article.author == "Naomi Ellery"
    assert article.published == "2025-07-14"
    assert article.sitename == "DeepHer WHealth"
    assert article.extractor == EXTRACTOR
    assert EXTRACTOR.startswith("trafilatura ")


@pytest.mark.parametrize("version", ["v2-boilerplate-only", "v7-comment-claim"])
def test_boilerplate_and_comment_edits_keep_the_hash(version: str) -> None:
    assert deepher(version).content_hash == deepher("v1").content_hash


@pytest.mark.parametrize("version", ["v3-text-edit", "v4-title-edit", "v5-claims-edited"])
def test_article_edits_change_the_hash(version: str) -> None:
    assert deepher(version).content_hash != deepher("v1").content_hash


@pytest.mark.parametrize(
    "comment",
    [
        "Oxytocin cures anxiety and reverses ageing",
        "clinically proven",
        "Lovely piece",
        "NaturalVitalityCoach",
        "Leave a Reply",
    ],
)
def test_comments_are_excluded(comment: str) -> None:
    assert comment not in deepher("v7-comment-claim").text


@pytest.mark.parametrize("boilerplate", ["Recent", "Cycle Syncing", "SleepWell", "© 2025", "Skip"])
def test_boilerplate_is_excluded(boilerplate: str) -> None:
    assert boilerplate not in deepher("v1").text


def test_title_is_not_repeated_as_first_block() -> None:
    article = deepher("v1")
    assert article.blocks[0].kind == "paragraph"
    assert article.title not in article.text


def test_blocks_render_into_text() -> None:
    text = deepher("v1").text
    assert text.startswith("When you think of oxytocin, you probably picture something soft")
    assert "\n\n## Wait — A Hormone That Heals?\n\n" in text
    assert "\n\n### What the Research Shows:\n\n- It activates cardiac stem cells" in text
    assert "\n\n> A hormone triggered by emotional connection" in text
    assert "\n\n1. Engert V, et al. Oxytocin dampens stress reactivity" in text


def test_headings_build_section_paths() -> None:
    blocks = deepher("v1").blocks
    item = only(blocks, "It boosts osteoblasts")
    assert item.section == (
        "Oxytocin + Regeneration = Your Internal Repair System",
        "What the Research Shows:",
    )
    heading = only(blocks, "What the Research Shows:")
    assert (heading.kind, heading.level) == ("heading", 3)
    assert heading.section == ("Oxytocin + Regeneration = Your Internal Repair System",)
    assert only(blocks, "Oxytocin lowers cortisol").section == (
        "Oxytocin: Your Stress-Soothing Switch",
    )


def test_deepher_reference_list_survives() -> None:
    items = [b for b in deepher("v1").blocks if b.section == ("References:",)]
    assert len(items) == 5
    assert all((b.kind, b.list_kind, b.level) == ("item", "ol", 1) for b in items)
    assert items[0].text.startswith("Engert V, et al. Oxytocin dampens stress reactivity")
    assert items[0].text.endswith("PMC8254750")


def test_deepher_bracket_markers_linked_to_references() -> None:
    blocks = deepher("v1").blocks
    block = only(blocks, "lower cortisol spikes")
    assert block.markers == ("[1]",)
    assert block.text.endswith("more resilient [1].")
    assert only(blocks, "biomarker of stress resilience").markers == ("[2]",)


def test_lifeext_superscript_markers() -> None:
    blocks = lifeext("could-your-relationship-use-more-oxytocin.v1.html").blocks
    block = only(blocks, "necessary for pair bonding")
    assert "necessary for pair bonding.1 That’s why" in block.text
    assert block.markers == ("1", "2")
    assert only(blocks, "stood farther away").markers == ("3",)
    assert only(blocks, "positive communication").markers == ("4",)
    assert sum(len(b.markers) for b in blocks) == 4


@pytest.mark.parametrize(
    "comment", ["My wife says I need the spray", "GP can prescribe", "Leave a Reply"]
)
def test_lifeext_comments_are_excluded(comment: str) -> None:
    assert comment not in lifeext("could-your-relationship-use-more-oxytocin.v1.html").text


def test_lifeext_reference_list_survives() -> None:
    article = lifeext("could-your-relationship-use-more-oxytocin.v1.html")
    references = [b.text for b in article.blocks if b.list_kind == "ol"]
    assert references == [
        "Adv Exp Med Biol. 1995;395:227-34.",
        "Nature. 2008 Feb 7;451(7179):617.",
        "J Neurosci. 2012 Nov 14;32(46):16074-9.",
        "Biol Psychiatry. 2009 May 1;65(9):728-31.",
    ]
    assert "\n\n4. Biol Psychiatry. 2009 May 1;65(9):728-31." in article.text


@pytest.mark.parametrize("content_type", ["text/html", ""])
def test_latin1_page_without_header_charset_decodes(content_type: str) -> None:
    article = lifeext("latin1.v1.html", content_type=content_type)
    assert article.author == "Lena Håkansson"
    assert article.title == "The world’s expert talks about this calming hormone"
    assert "Uväs-Moberg" in article.text
    assert "café table in Stockholm" in article.text
    assert "Ã" not in article.text


def test_broken_legacy_html_still_extracts() -> None:
    article = lifeext("broken.v1.html", content_type="text/html")
    assert article.title == "Oxytocin therapy now available at Boston Testosterone"
    assert "The Oxytocin drug is a safe and potent supplement" in article.text
    assert "pageTracker" not in article.text
    assert len(article.blocks) >= 5


@pytest.mark.parametrize(
    ("name", "content_type", "error"),
    [
        ("no-article.html", "text/html; charset=UTF-8", "no article found"),
        ("report.pdf", "application/pdf", "not an HTML page (application/pdf)"),
        ("report.pdf", "", "not an HTML page (application/pdf)"),
        ("report.pdf", "text/html", "not an HTML page (application/pdf)"),
    ],
)
def test_fixture_pages_without_article(name: str, content_type: str, error: str) -> None:
    extraction = extract_article((LIFEEXT / name).read_bytes(), content_type=content_type)
    assert extraction.article is None
    assert extraction.error == error


def test_blocks_json_round_trip() -> None:
    other = lifeext("could-your-relationship-use-more-oxytocin.v1.html")
    blocks = deepher("v1").blocks + other.blocks
    stored = json.loads(json.dumps(blocks_to_json(blocks)))
    assert blocks_from_json(stored) == blocks
    assert stored[0] == {
        "kind": "paragraph",
        "text": blocks[0].text,
        "section": [],
        "markers": [],
        "list_kind": "",
        "level": 0,
    }


# --- inline pages ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("html", "text", "markers"),
    [
        ("bonding.<sup>1</sup> Then", "bonding.1 Then", ("1",)),
        ("bonding.<sup>3,4</sup> Then", "bonding.3,4 Then", ("3,4",)),
        ("bonding.<sup>3–5</sup> Then", "bonding.3–5 Then", ("3–5",)),
        ('bonding <a href="#fn2">[2]</a>. Then', "bonding [2]. Then", ("[2]",)),
        ('bonding.<sup><a href="#ref-1">1</a></sup> Then', "bonding.1 Then", ("1",)),
        ('bonding.<a href="#cite_note-7"><sup>7</sup></a> Then', "bonding.7 Then", ("7",)),
        ("about 10<sup>6</sup> cells", "about 106 cells", ()),
        ("the 1<sup>st</sup> trial", "the 1st trial", ()),
        ('see <a href="https://example.org/study">the study</a>', "see the study", ()),
        ('see <a href="#reviews">1</a> review', "see 1 review", ()),
        ('see <a href="#methods">Methods</a>', "see Methods", ()),
        ('bonding <a href="#_ftn3">(3)</a>.', "bonding (3).", ("(3)",)),
    ],
)
def test_footnote_markers(html: str, text: str, markers: tuple[str, ...]) -> None:
    body = page(f"<p>Prairie voles show {html} and more.</p>").encode()
    article = extract_article(body, url="https://example.org/post").article
    assert article is not None
    block = only(article.blocks, "Prairie voles")
    assert block.text == f"Prairie voles show {text} and more."
    assert block.markers == markers


def test_inline_page_structure() -> None:
    body = page(
        "<h2>How it works</h2><blockquote><p>Calm is contagious.</p></blockquote>"
        "<h3>Ways</h3><ol><li>Hug<ul><li>Long hugs</li></ul></li><li>Laugh</li></ol>"
        "<table><tr><th>Study</th><th>Year</th></tr><tr><td>Voles</td><td>1995</td></tr></table>"
    )
    article = extract_article(body.encode()).article
    assert article is not None
    kinds = [(b.kind, b.text, b.list_kind, b.level) for b in article.blocks[1:-1]]
    assert kinds == [
        ("heading", "How it works", "", 2),
        ("quote", "Calm is contagious.", "", 0),
        ("heading", "Ways", "", 3),
        ("item", "Hug", "ol", 1),
        ("item", "Long hugs", "ul", 2),
        ("item", "Laugh", "ol", 1),
        ("cell", "Study", "", 0),
        ("cell", "Year", "", 0),
        ("cell", "Voles", "", 0),
        ("cell", "1995", "", 0),
    ]
    assert article.blocks[-1].section == ("How it works", "Ways")
    assert "\n\n1. Hug\n\n- Long hugs\n\n2. Laugh\n\n| Study | Year |\n\n| Voles | 1995 |\n\n" in (
        article.text
    )
    assert "clinically proven" not in article.text
    assert "Recent posts" not in article.text
    assert article.author == "Ann Lee"


CAFE = "<p>Un café crème, naïve “quotes” and an em dash — on a Håkansson page.</p>"


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (page(CAFE).encode("utf-8"), "text/html; charset=utf-8"),
        (page(CAFE).encode("utf-8"), "text/html"),
        (page(CAFE).encode("utf-8"), "text/html; charset=ISO-8859-1"),  # server lies
        (page(CAFE, charset="windows-1252").encode("cp1252"), "text/html"),
        (page(CAFE, charset="iso-8859-1").encode("cp1252"), "text/html"),  # cp1252 quotes
        (page(CAFE, charset="windows-1252").encode("cp1252"), "text/html; charset=utf-8"),
        (page(CAFE, charset="utf-8").encode("cp1252"), "text/html"),  # meta lies
        (page(CAFE, charset="bogus-charset").encode("utf-8"), "text/html; charset=nonsense"),
        (b"\xef\xbb\xbf" + page(CAFE).encode("utf-8"), "text/html; charset=cp1252"),
        (page(CAFE).encode("utf-16"), "text/html"),  # BOM
    ],
)
def test_charsets_decode_without_mojibake(body: bytes, content_type: str) -> None:
    extraction = extract_article(body, content_type=content_type)
    assert extraction.article is not None, extraction.error
    assert "Un café crème, naïve “quotes” and an em dash — on a Håkansson page." in (
        extraction.article.text
    )


def test_lying_header_charset_is_reported() -> None:
    body = page(CAFE).encode("utf-8")
    warnings = extract_article(body, content_type="text/html; charset=ISO-8859-1").warnings
    assert warnings == ("header charset 'ISO-8859-1' ignored: the bytes are UTF-8",)


JUNK = random.Random(3).randbytes(200_000)


@pytest.mark.parametrize(
    ("body", "content_type", "error"),
    [
        (b"", "text/html", "empty page"),
        (b"  \n ", "text/html", "empty page"),
        (b"%PDF-1.7\n...", "", "not an HTML page (application/pdf)"),
        (b"\x89PNG\r\n\x1a\n....", "text/html", "not an HTML page (image/png)"),
        (b'{"title": "not html"}', "application/json", "not an HTML page (application/json)"),
        (b'{"title": "not html"}', "", "not an HTML page (application/json)"),
        (b"<html>...</html>", "image/jpeg; charset=binary", "not an HTML page (image/jpeg)"),
        (b"Just a line of plain text.", "text/plain", "not an HTML page (text/plain)"),
        (b"\x1f\x8b\x08\x00compressed", "text/html", "not an HTML page (application/gzip)"),
        (JUNK, "", "not an HTML page (binary data)"),
        (JUNK, "text/html", "no article found"),
        (b"<html><body><p>Hello.</p></body></html>", "text/html", "no article found"),
        (b"<html><body><p>Unclosed <b><i>tags <div><table><tr><td>", "", "no article found"),
        (b"<" * 5000, "text/html", "no article found"),
        (b"<div>" * 20_000 + b"deep", "text/html", "no article found"),
    ],
)
def test_bad_input_gives_an_error_not_an_exception(
    body: bytes, content_type: str, error: str
) -> None:
    extraction = extract_article(body, content_type=content_type)
    assert extraction.article is None
    assert extraction.error == error


def test_oversize_page_is_refused_before_parsing() -> None:
    extraction = extract_article(b"<p>" + b"x" * 16_000_000, content_type="text/html")
    assert extraction.article is None
    assert extraction.error == "page too large to extract (16.0 MB)"


def test_short_page_is_not_an_article() -> None:
    body = b"<html><head><title>Gone</title></head><body><p>Not found.</p><p>Sorry.</p></body>"
    assert extract_article(body).error == "no article found"


# --- never less than bare trafilatura ---------------------------------------------------------

BRIEF = (
    "Researchers in Denmark followed 4,200 adults for twelve years. Those who walked briskly for "
    "at least twenty minutes a day had fewer heart attacks than those who did not. The authors "
    "caution that the study was observational and cannot prove cause and effect."
)
SENTENCES = [s.strip() + "." for s in BRIEF.split(".") if s.strip()]


def brief_page(body: str) -> bytes:
    return (
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>Brisk walking | Heart Notes"
        "</title></head><body><header><a href='/'>Heart Notes</a><nav><a href='/a'>About</a>"
        f"</nav></header><main><article><h1>Brisk walking</h1>{body}</article></main><aside>"
        "<h3>Recent</h3><ul><li><a href='/x'>Salt</a></li></ul></aside></body></html>"
    ).encode()


@pytest.mark.parametrize(
    "body",
    [
        f"<p>{BRIEF}</p>",  # a one-paragraph brief: one block is an article
        "<font size=2>" + "<br><br>".join(SENTENCES) + "</font>",  # text left outside blocks
        "".join(f"<span>{s}</span><br><br>" for s in SENTENCES),
        BRIEF,  # text straight inside <article>
        "<div class='post-body'>" + "<br><br>".join(SENTENCES) + "</div>",
    ],
)
def test_articles_bare_trafilatura_finds_are_found(body: str) -> None:
    page = brief_page(body)
    bare = trafilatura.extract(page) or ""
    assert all(s in " ".join(bare.split()) for s in SENTENCES)
    article = extract_article(page, content_type="text/html").article
    assert article is not None
    assert all(s in " ".join(article.text.split()) for s in SENTENCES)
    assert article.title == "Brisk walking"


def test_modified_date_is_read_but_not_hashed() -> None:
    head = (
        '<meta property="article:published_time" content="2024-03-12T08:00:00Z">'
        '<meta property="article:modified_time" content="{}">'
    )
    pages = [
        brief_page(f"<p>{BRIEF}</p>").replace(b"<title>", head.format(day).encode() + b"<title>")
        for day in ("2024-06-02T10:00:00Z", "2024-07-01T10:00:00Z")
    ]
    first, second = (extract_article(p, content_type="text/html").article for p in pages)
    assert first is not None and second is not None
    assert (first.published, first.modified, second.modified) == (
        "2024-03-12",
        "2024-06-02",
        "2024-07-01",
    )
    assert first.content_hash == second.content_hash
