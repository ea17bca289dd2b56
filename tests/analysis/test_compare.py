"""Comparison: one shape for text, metadata and status changes; fixture versions compared."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from analysis.compare import Comparison, classify_status, compare_articles, compare_status
from analysis.document import Article, Block
from analysis.extract import extract_article
from analysis.normalize import content_hash
from analysis.textdiff import DELETE, EQUAL, INSERT

FIXTURES = Path(__file__).parents[1] / "fixtures"
DEEPHER = FIXTURES / "deepher"


def deepher(version: str) -> Article:
    body = (DEEPHER / f"oxytocin-superpower.{version}.html").read_bytes()
    article = extract_article(body, content_type="text/html; charset=UTF-8").article
    assert article is not None
    return article


def article(text: str, title: str = "Oxytocin", **meta: str) -> Article:
    blocks = tuple(Block("paragraph", t) for t in text.split("\n\n"))
    return Article(title, blocks, text=text, content_hash=content_hash(title, text), **meta)


BASE = article(
    "Oxytocin lowers cortisol.\n\nHugs help.", author="Ann", published="2025-01-02", sitename="S"
)


# --- fixture versions ------------------------------------------------------------------------


def test_v3_text_edit_is_the_reworded_words() -> None:
    comparison = compare_articles(deepher("v1"), deepher("v3-text-edit"))
    assert comparison.kinds == ("text",)
    assert comparison.severity == "minor"
    assert comparison.metadata == {}
    assert comparison.text is not None
    edits = [(op, text) for op, text in comparison.text.ops if op != EQUAL]
    assert edits == [
        (DELETE, "bounce back like we used to"),
        (INSERT, "recover as quickly as we did in our twenties"),
    ]
    assert comparison.summary == "text: +9/−6 words"


def test_v4_title_edit_is_metadata_only() -> None:
    comparison = compare_articles(deepher("v1"), deepher("v4-title-edit"))
    assert comparison.kinds == ("metadata",)
    assert comparison.text is None
    assert comparison.metadata == {
        "title": (
            "Oxytocin: The Love Hormone That Might Be Your Body’s Real Superpower",
            "Oxytocin: The Love Hormone That Could Be Your Body’s Hidden Healer",
        )
    }
    assert comparison.summary == "title changed"
    assert comparison.severity == "minor"


def test_lifeext_strengthened_claim() -> None:
    def extract(name: str) -> Article:
        body = FIXTURES / "lifeext" / f"could-your-relationship-use-more-oxytocin.{name}.html"
        article = extract_article(body.read_bytes(), content_type="text/html").article
        assert article is not None
        return article

    comparison = compare_articles(extract("v1"), extract("v2-strengthened"))
    assert comparison.text is not None
    assert [(op, text) for op, text in comparison.text.ops if op != EQUAL] == [
        (DELETE, "may just be"),
        (INSERT, "is"),
    ]
    assert comparison.summary == "1 claim strengthened; text: +1/−3 words"
    assert comparison.claims is not None
    assert [m.change for m in comparison.claims.modified] == ["strengthened"]


@pytest.mark.parametrize("version", ["v2-boilerplate-only", "v7-comment-claim"])
def test_boilerplate_versions_compare_unchanged(version: str) -> None:
    comparison = compare_articles(deepher("v1"), deepher(version))
    assert not comparison.changed
    assert comparison.kinds == ()
    assert comparison.summary == "no change"


# --- articles --------------------------------------------------------------------------------


def test_identical_articles() -> None:
    comparison = compare_articles(BASE, BASE)
    assert comparison == Comparison(False, (), "minor", "no change")


def test_text_and_metadata_change_together() -> None:
    after = replace(
        article("Oxytocin may lower cortisol.\n\nHugs help.", title="Oxytocin, revisited"),
        author="Ann Lee",
        published="2025-01-02",
        sitename="S",
    )
    comparison = compare_articles(BASE, after)
    assert comparison.kinds == ("text", "claims", "metadata")
    assert comparison.summary == "1 claim weakened; title, author changed; text: +2/−1 words"
    assert comparison.metadata == {
        "title": ("Oxytocin", "Oxytocin, revisited"),
        "author": ("Ann", "Ann Lee"),
    }
    assert comparison.severity == "major"


@pytest.mark.parametrize(
    ("field", "value"),
    [("title", "New"), ("author", ""), ("published", "2025-02-01"), ("sitename", "T")],
)
def test_each_metadata_field(field: str, value: str) -> None:
    comparison = compare_articles(BASE, replace(BASE, **{field: value}))
    assert comparison.kinds == ("metadata",)
    assert comparison.metadata == {field: (getattr(BASE, field), value)}
    assert comparison.summary == f"{field} changed"


def test_extractor_and_hash_are_not_metadata() -> None:
    comparison = compare_articles(BASE, replace(BASE, extractor="trafilatura 9", content_hash="x"))
    assert not comparison.changed


# --- status ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "error", "expected"),
    [
        (200, "", "ok"),
        (304, "", "ok"),
        (404, "", "gone"),
        (410, "", "gone"),
        (500, "", "transient"),
        (503, "", "transient"),
        (429, "", "transient"),
        (408, "", "transient"),
        (None, "TimeoutError: timed out after 30 s", "transient"),
        (None, "ConnectionRefusedError: Connection was refused", "transient"),
        (None, "DNS lookup failed: no results for hostname lookup", "transient"),
        (None, "", "transient"),
        (None, "Forbidden by robots.txt", "error"),
        (403, "", "error"),
        (401, "", "error"),
        (400, "", "error"),
        (301, "", "error"),
        (204, "", "error"),
    ],
)
def test_classify_status(status: int | None, error: str, expected: str) -> None:
    assert classify_status(status, error) == expected


@pytest.mark.parametrize(
    ("before", "after", "summary"),
    [
        (200, 404, "page removed (200 → 404)"),
        (200, 410, "page removed (200 → 410)"),
        (304, 404, "page removed (304 → 404)"),
        (404, 200, "page restored (404 → 200)"),
        (410, 200, "page restored (410 → 200)"),
    ],
)
def test_status_changes(before: int, after: int, summary: str) -> None:
    comparison = compare_status(before, after)
    assert comparison.changed
    assert comparison.kinds == ("status",)
    assert comparison.severity == "major"
    assert comparison.summary == summary
    assert comparison.status == (before, after)


@pytest.mark.parametrize(
    ("before", "after"),
    [(200, 200), (404, 410), (200, 503), (None, 200), (200, None), (200, 403), (None, None)],
)
def test_status_non_changes(before: int | None, after: int | None) -> None:
    comparison = compare_status(before, after)
    assert not comparison.changed
    assert comparison.status is None


def test_merge_text_change_with_restore() -> None:
    text = compare_articles(BASE, article("Oxytocin lowers cortisol in adults.\n\nHugs help."))
    merged = text.merge(compare_status(404, 200))
    assert merged.kinds == ("text", "claims", "metadata", "status")
    assert merged.severity == "major"
    assert merged.summary == (
        "1 claim reworded; page restored (404 → 200); author, published, sitename changed; "
        "text: +2/−0 words"
    )
    assert merged.text == text.text


# --- JSON ------------------------------------------------------------------------------------


def test_to_json_shape() -> None:
    comparison = compare_articles(BASE, replace(BASE, title="New", text="Oxytocin lowers stress."))
    data = json.loads(json.dumps(comparison.to_json()))
    assert data == {
        "changed": True,
        "kinds": ["text", "metadata"],
        "severity": "minor",
        "summary": "title changed; text: +1/−3 words",
        "text": {
            "added_words": 1,
            "removed_words": 3,
            "ops": [
                [0, "Oxytocin lowers "],
                [-1, "cortisol.\n\nHugs help"],
                [1, "stress"],
                [0, "."],
            ],
        },
        "metadata": {"title": {"before": "Oxytocin", "after": "New"}},
        "status": None,
        "claims": None,
        "references": None,
    }


def test_status_to_json() -> None:
    data = compare_status(200, 410).to_json()
    assert data["status"] == {"before": 200, "after": 410}
    assert data["text"] is None
    assert data["metadata"] == {}
    assert data["kinds"] == ["status"]
