"""Version blocks stored as spans of the version's text: exact round trip, old rows readable."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from analysis.extract import blocks_to_json, extract_article
from storage.blockstore import pack_blocks, unpack_blocks

FIXTURES = Path(__file__).parents[1] / "fixtures"
PAGES = sorted((FIXTURES / "deepher").glob("*.html")) + sorted(
    (FIXTURES / "lifeext").glob("*.html")
)


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_packed_blocks_unpack_to_the_extracted_ones(page: Path) -> None:
    article = extract_article(page.read_bytes(), url="https://example.org/a/").article
    if article is None:
        pytest.skip("no article in this page")
    full = blocks_to_json(article.blocks)
    packed = pack_blocks(full, article.text)
    assert unpack_blocks(packed, article.text) == full
    assert all(len(block) == 3 or "text" not in block[3] for block in packed)  # all spans
    assert len(json.dumps(packed)) < len(json.dumps(full)) / 4


def test_blocks_stored_before_packing_read_the_same() -> None:
    full = [
        {"kind": "heading", "text": "Dose", "section": [], "markers": [], "list_kind": "",
         "level": 2},
        {"kind": "paragraph", "text": "Take 5 mg.", "section": ["Dose"], "markers": ["1"],
         "list_kind": "", "level": 0},
    ]  # fmt: skip
    assert unpack_blocks(full, "## Dose\n\nTake 5 mg.") == full


def test_a_block_not_found_in_the_text_keeps_its_text() -> None:
    full = [{"kind": "paragraph", "text": "elsewhere", "section": [], "markers": [],
             "list_kind": "", "level": 0}]  # fmt: skip
    packed = pack_blocks(full, "other text")
    assert packed == [["paragraph", -1, -1, {"text": "elsewhere"}]]
    assert unpack_blocks(packed, "other text") == full
