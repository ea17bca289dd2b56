"""Alert messages from change JSON: headline, body contents, one format per channel kind."""

from __future__ import annotations

from functools import cache
from typing import Any

import pytest

from analysis.alert_message import article_message, digest_message, headline
from analysis.alert_message import test_message as channel_test_message
from analysis.compare import compare_articles, compare_status
from analysis.extract import extract_article
from tests.alerts.changes import page

URL = "https://deepher.example/2025/oxytocin-superpower/"
TITLE = "Oxytocin: The Love Hormone That Might Be Your Body’s Real Superpower"


@cache
def _article(version: str) -> Any:
    article = extract_article(page(version), url=URL).article
    assert article is not None
    return article


def change(after: str = "v5-claims-edited", **extra: Any) -> dict[str, Any]:
    """A change as `changes --format json` gives it (with the diff and the title)."""
    details = compare_articles(_article("v1"), _article(after)).to_json()
    return {
        "id": 1,
        "url": URL,
        "detected_at": "2026-03-04T05:06:07.123456Z",
        "from_version": 1,
        "to_version": 2,
        "title": TITLE,
        **{k: details[k] for k in ("kinds", "severity", "summary", "text", "status")},
        "metadata": details["metadata"],
        "claims": details["claims"] or {"added": [], "removed": [], "modified": []},
        "references": details["references"] or {"added": [], "removed": [], "modified": []},
        **extra,
    }


def status_change(before: int, after: int) -> dict[str, Any]:
    details = compare_status(before, after).to_json()
    return change(**{k: details[k] for k in ("kinds", "severity", "summary", "status")}, text=None)


@pytest.mark.parametrize(
    ("item", "expected"),
    [
        (
            lambda: change(),
            f"Article edited: {TITLE} — 1 claim added, 1 claim removed, 1 claim weakened, "
            "text: +12/−9 words",
        ),
        (lambda: change("v3-text-edit"), f"Article edited: {TITLE} — text: +9/−6 words"),
        (lambda: change("v4-title-edit"), f"Article edited: {TITLE} — title changed"),
        (lambda: status_change(200, 404), f"Article removed (404): {TITLE}"),
        (lambda: status_change(200, 410), f"Article removed (410): {TITLE}"),
        (lambda: status_change(404, 200), f"Article restored: {TITLE}"),
        (
            lambda: change(title=""),
            f"Article edited: {URL} — 1 claim added, 1 claim removed, "
            "1 claim weakened, text: +12/−9 words",
        ),
    ],
)
def test_headline(item: Any, expected: str) -> None:
    assert headline(item()) == expected


def test_restored_with_edits_names_both() -> None:
    restored = change("v3-text-edit", status={"before": 404, "after": 200})
    restored["summary"] = "page restored (404 → 200); text: +9/−6 words"
    assert headline(restored) == f"Article restored: {TITLE} — text: +9/−6 words"


@pytest.mark.parametrize("fmt", ["text", "markdown", "html"])
@pytest.mark.parametrize(
    "needle",
    [
        URL,
        "2026-03-04 05:06 UTC",
        "1 claim added, 1 claim removed, 1 claim weakened; text: +12/−9 words",
        "major (text, claims)",
        "1 → 2",
        "weakened (hedge added: may): “Here’s another superpower: Oxytocin lowers cortisol",
        "→ “Here’s another superpower: Oxytocin may lower cortisol",
        "removed: “It boosts osteoblasts",
        "added: “Regular hugging strengthens the immune system",
        "Oxytocin ",
    ],
)
def test_body_names_everything_in_every_format(fmt: str, needle: str) -> None:
    body = getattr(article_message([change()]), fmt)
    assert needle in body


def test_text_body_marks_the_diff_excerpt() -> None:
    text = article_message([change()]).text
    assert "Oxytocin [-lowers-]{+may lower+} cortisol" in text
    assert text.index("Claims") < text.index("Text")


def test_markdown_fences_the_diff_and_bolds_labels() -> None:
    markdown = article_message([change()]).markdown
    assert "**URL:** " + URL in markdown
    assert "```\n" in markdown and "[-lowers-]{+may lower+}" in markdown


def test_html_uses_del_and_ins_and_links_the_url() -> None:
    body = article_message([change()]).html
    assert "Oxytocin <del>lowers</del><ins>may lower</ins> cortisol" in body
    assert f'<a href="{URL}">' in body
    assert "<h3>Claims</h3>" in body


def test_references_are_listed() -> None:
    text = article_message([change("v6-references-edited")]).text
    assert "References" in text
    assert "removed: Jurek B et al. Is Oxytocin Nature’s Medicine?" in text
    assert "modified (pmcid PMC8254750 → PMC8254751)" in text


def test_metadata_lines() -> None:
    text = article_message([change("v4-title-edit")]).text
    assert "title: “" + TITLE + "” → “" in text


def test_status_change_body() -> None:
    message = article_message([status_change(200, 404)])
    assert message.title == f"Article removed (404): {TITLE}"
    assert "Status: 200 → 404" in message.text
    assert "Text" not in message.text


def test_markup_in_article_text_is_escaped() -> None:
    item = change(title="<b>Bold</b> *claims*", summary="x_y")
    message = article_message([item])
    assert "<b>Bold</b>" not in message.html
    assert "&lt;b&gt;Bold&lt;/b&gt;" in article_message([item, item]).html  # in a heading
    assert "x\\_y" in message.markdown


def test_several_changes_of_one_article_make_one_message() -> None:
    message = article_message([change("v3-text-edit"), change()])
    assert message.title.endswith("(and 1 earlier change)")
    assert message.title.startswith(f"Article edited: {TITLE} — 1 claim added")
    assert message.text.count(URL) == 2
    assert "text: +9/−6 words" in message.text


def test_long_lists_are_capped() -> None:
    item = change()
    item["claims"] = {
        "added": [{"text": f"claim {n}"} for n in range(12)],
        "removed": [],
        "modified": [],
    }
    text = article_message([item]).text
    assert "claim 7" in text and "claim 8" not in text
    assert "… and 4 more" in text


def test_digest_groups_by_article() -> None:
    other = change("v3-text-edit", url="https://other.example/post/", title="Other post")
    message = digest_message([change(), other, change("v4-title-edit")], day="2026-03-04")
    assert message.title == "claimwatch daily digest 2026-03-04: 2 articles changed"
    assert message.text.count(f"Article edited: {TITLE}") == 1
    assert "Article edited: Other post — text: +9/−6 words" in message.text
    assert "2026-03-04 05:06 UTC: title changed" in message.text
    assert "weakened (hedge added: may): “Here’s another superpower" in message.text


def test_test_message() -> None:
    message = channel_test_message()
    assert message.title == "claimwatch test alert"
    assert "claimwatch alerts" in message.text
