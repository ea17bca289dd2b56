"""Boilerplate-only edits make no version; a one-sentence edit makes exactly one text change.

Every fixture page (tests/analysis/page_variants.py: the theme pages and the blog fixtures) is
extracted as served, then again after each boilerplate variant its theme could make — a comment,
ten comments, a sidebar widget, related posts, an ad or a bare "Read more" link after the first
paragraph, a newsletter box, a tip line, sponsored links, a cookie banner, a footer line, a menu
item, a dated top bar, a comment-policy notice, new nonces and timestamps, all of them at once,
or the same DOM written out again. The verdict is the pipeline's own (`assess_capture`).
"""

from __future__ import annotations

import hashlib
from functools import cache

import pytest

from analysis.assess import ArticleState, CaptureFacts, assess_capture
from analysis.compare import compare_articles
from analysis.document import Article
from analysis.extract import extract_article
from tests.analysis.page_variants import (
    EDIT,
    FixturePage,
    all_pages,
    applicable,
    body_text,
    sentence_edit,
    variant,
)

PAGES = {page.name: page for page in all_pages()}
CASES = [(name, v) for name, page in PAGES.items() for v in applicable(page)]
EDIT_WORDS = len(EDIT.replace("(", "").replace(")", "").split())


def extract(page: FixturePage, body: bytes) -> Article:
    extraction = extract_article(body, url=page.url, content_type=page.content_type)
    assert extraction.article is not None, extraction.error
    return extraction.article


@cache
def served(name: str) -> Article:
    """The page as served: the version the variants are compared with."""
    page = PAGES[name]
    return extract(page, page.path.read_bytes())


def assess(page: FixturePage, body: bytes) -> tuple[str, Article | None]:
    base = page.path.read_bytes()
    state = ArticleState(served(page.name), hashlib.sha256(base).hexdigest(), 200)
    facts = CaptureFacts(200, "", hashlib.sha256(body).hexdigest())
    extraction = extract_article(body, url=page.url, content_type=page.content_type)
    assessment = assess_capture(state, facts, extraction)
    return assessment.outcome, extraction.article


def test_the_suite_is_the_size_it_says() -> None:
    assert len(PAGES) >= 30
    assert len(CASES) >= 10 * len(PAGES)


@pytest.mark.parametrize(("name", "kind"), CASES)
def test_boilerplate_variant_makes_no_version(name: str, kind: str) -> None:
    page = PAGES[name]
    body = variant(page, kind)
    assert body is not None
    outcome, article = assess(page, body)
    assert outcome == "unchanged"
    assert article is not None
    before = served(name)
    assert (article.title, article.published, article.author, article.sitename) == (
        before.title,
        before.published,
        before.author,
        before.sitename,
    )
    assert article.text == before.text


@pytest.mark.parametrize("name", PAGES)
def test_one_sentence_edit_is_one_text_change(name: str) -> None:
    page = PAGES[name]
    body, before, after = sentence_edit(page)
    outcome, article = assess(page, body)
    assert outcome == "new_version"
    assert article is not None
    comparison = compare_articles(served(name), article)
    assert "text" in comparison.kinds
    assert "metadata" not in comparison.kinds
    assert comparison.text is not None
    assert (comparison.text.added_words, comparison.text.removed_words) == (EDIT_WORDS, 0)
    assert before[:-1] in served(name).text
    assert after in article.text


@pytest.mark.parametrize("name", PAGES)
def test_page_declarations_are_read(name: str) -> None:
    page, article = PAGES[name], served(name)
    assert article.title == page.title
    assert article.published == page.published


@pytest.mark.parametrize("name", PAGES)
def test_same_bytes_extract_the_same(name: str) -> None:
    page = PAGES[name]
    again = extract(page, page.path.read_bytes())
    assert again == served(name)


@pytest.mark.parametrize("name", [n for n, p in PAGES.items() if p.truth is not None])
def test_variants_leave_the_article_alone(name: str) -> None:
    # The suite's own premise: every block of the article is still in the varied page.
    page = PAGES[name]
    assert page.truth is not None
    body = variant(page, "all")
    assert body is not None
    text = body_text(body)
    for line in page.truth.read_text(encoding="utf-8").splitlines():
        for cell in line.split(" | "):
            assert cell in text
