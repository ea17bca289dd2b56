"""Reference lists: finding them, parsing entries (labelled set), identifiers and keys."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from analysis.document import Block
from analysis.references import (
    Reference,
    find_ids,
    find_references,
    looks_like_citation,
    parse_reference,
    reference_block_indices,
    reference_key,
)

LABELLED = json.loads(
    (Path(__file__).parent / "labelled" / "references.json").read_text(encoding="utf-8")
)["references"]
FIELDS = ("journal", "year", "volume", "first_page", "first_author")


def entry_id(entry: dict[str, Any]) -> str:
    return entry["text"][:40]


@pytest.mark.parametrize("entry", LABELLED, ids=entry_id)
def test_labelled_ids(entry: dict[str, Any]) -> None:
    assert parse_reference(entry["text"]).ids == entry["ids"]


@pytest.mark.parametrize("entry", LABELLED, ids=entry_id)
def test_labelled_key(entry: dict[str, Any]) -> None:
    assert parse_reference(entry["text"]).key == entry["key"]


@pytest.mark.parametrize("entry", LABELLED, ids=entry_id)
def test_labelled_fields(entry: dict[str, Any]) -> None:
    ref = parse_reference(entry["text"])
    assert {f: getattr(ref, f) for f in FIELDS if f in entry} == {
        f: entry[f] for f in FIELDS if f in entry
    }


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("doi:10.1016/S0306-4530(98)00056-0", {"doi": "10.1016/s0306-4530(98)00056-0"}),
        ("doi: 10.1016/S0306-4530(98)00056-0.", {"doi": "10.1016/s0306-4530(98)00056-0"}),
        ("(https://doi.org/10.1000/ABC.12)", {"doi": "10.1000/abc.12"}),
        ("http://dx.doi.org/10.1000/xyz;", {"doi": "10.1000/xyz"}),
        ("PMID: 23152592", {"pmid": "23152592"}),
        ("PMID 23152592", {"pmid": "23152592"}),
        ("PMC 8254750", {"pmcid": "PMC8254750"}),
        ("pmc8254750", {"pmcid": "PMC8254750"}),
        ("arXiv:2101.01234", {"arxiv": "2101.01234"}),
        (
            "https://arxiv.org/abs/2101.01234v3",
            {"arxiv": "2101.01234v3", "url": "https://arxiv.org/abs/2101.01234v3"},
        ),
        ("ISBN-13: 978-0-7382-0771-0", {"isbn": "9780738207710"}),
        ("ISBN 0-7382-0771-X", {"isbn": "073820771X"}),
        ("See https://example.org/a_(b).", {"url": "https://example.org/a_(b)"}),
        ("Nature. 2008 Feb 7;451(7179):617.", {}),
    ],
)
def test_find_ids(text: str, expected: dict[str, str]) -> None:
    assert find_ids(text) == expected


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("A. doi:10.1000/X PMID: 1 PMC2000 https://a.example", "doi:10.1000/x"),
        ("A. PMID: 1 PMC2000 https://a.example", "pmid:1"),
        ("A. PMC2000 https://a.example", "pmcid:PMC2000"),
        ("Nature. 2008 Feb 7;451(7179):617. https://a.example", "cite:nature|2008|451|617"),
        ("Nature, 2008. https://a.example", "url:https://a.example"),
    ],
)
def test_key_priority(text: str, key: str) -> None:
    assert parse_reference(text).key == key


def test_text_key_is_sha1_of_normalized_text() -> None:
    text = "Jurek B et al. Is Oxytocin Nature’s Medicine? Pharmacological Reviews, 2022."
    digest = hashlib.sha1(
        b"jurek b et al is oxytocin nature s medicine pharmacological reviews 2022"
    )
    assert parse_reference(text).key == "text:" + digest.hexdigest()


def test_text_key_ignores_case_and_punctuation() -> None:
    assert parse_reference("Jurek B, Title; 2022").key == parse_reference("jurek b title 2022.").key


@pytest.mark.parametrize(
    ("text", "marker", "rest"),
    [
        ("1. Nature. 2008;451:617.", "1", "Nature. 2008;451:617."),
        ("[12] Nature. 2008;451:617.", "12", "Nature. 2008;451:617."),
        ("3) Nature. 2008;451:617.", "3", "Nature. 2008;451:617."),
    ],
)
def test_explicit_marker_is_stripped(text: str, marker: str, rest: str) -> None:
    ref = parse_reference(text)
    assert (ref.marker, ref.text) == (marker, rest)


def test_ids_property_is_a_fresh_dict() -> None:
    ref = parse_reference("PMID: 5")
    ref.ids["pmid"] = "6"
    assert ref.ids == {"pmid": "5"}


def test_reference_key_function_matches_parse() -> None:
    ref = Reference(text="x", id_pairs=(("pmcid", "PMC1"),))
    assert reference_key(ref) == "pmcid:PMC1"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Nature, 2008.", True),
        ("Smith J et al. Title.", True),
        ("PMC1234", True),
        ("https://a.example/x", True),
        ("Boston Testosterone Partners", False),
        ("“The Greatest Health of Your Life”℠", False),
    ],
)
def test_looks_like_citation(text: str, expected: bool) -> None:
    assert looks_like_citation(text) is expected


def p(text: str, section: tuple[str, ...] = ()) -> Block:
    return Block("paragraph", text, section)


def h(text: str, level: int = 2) -> Block:
    return Block("heading", text, level=level)


def li(text: str, kind: str = "ol") -> Block:
    return Block("item", text, list_kind=kind, level=1)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "title",
    [
        "References",
        "References:",
        "Sources",
        "Citations",
        "Bibliography",
        "Footnotes",
        "SOURCES:",
        "Works Cited",
    ],
)
def test_reference_heading_titles(title: str) -> None:
    blocks = (p("Oxytocin lowers cortisol."), h(title), p("Nature. 2008;451:617."))
    assert [r.key for r in find_references(blocks)] == ["cite:nature|2008|451|617"]


def test_lead_paragraph_starts_a_section_until_the_next_heading() -> None:
    blocks = (
        p("Article Source:"),
        p("Nature, 2008. https://a.example"),
        h("Next"),
        p("Smith J et al. Title. Journal, 2020."),
    )
    assert [r.text for r in find_references(blocks)] == ["Nature, 2008. https://a.example"]


def test_branding_lines_under_article_source_are_not_references() -> None:
    blocks = (
        p("Article Source:"),
        p("“The Greatest Health of Your Life”℠"),
        p("Boston Testosterone Partners"),
    )
    assert find_references(blocks) == ()


def test_section_ends_at_a_heading_of_the_same_level() -> None:
    blocks = (
        h("References", 2),
        h("Journals", 3),
        p("Nature, 2008."),
        h("Comments", 2),
        p("Great post, 2024 was a good year."),
    )
    assert [r.text for r in find_references(blocks)] == ["Nature, 2008."]


def test_trailing_ordered_list_of_citations_without_heading() -> None:
    blocks = (
        p("Oxytocin is necessary for pair bonding.1"),
        li("Adv Exp Med Biol. 1995;395:227-34."),
        li("Nature. 2008 Feb 7;451(7179):617."),
    )
    assert [(r.marker, r.journal) for r in find_references(blocks)] == [
        ("1", "Adv Exp Med Biol"),
        ("2", "Nature"),
    ]


def test_ordered_list_of_claims_is_not_a_reference_list() -> None:
    blocks = (li("It activates cardiac stem cells"), li("It boosts osteoblasts in 2025"))
    assert find_references(blocks) == ()


def test_unnumbered_entries_get_their_position_as_marker() -> None:
    blocks = (
        h("References:"),
        p("Engert V, et al. Title. Journal, 2021. PMC8254750"),
        p("Miller TV, Caldwell HK. Title. Journal, 2020. PMC6442937"),
    )
    assert [r.marker for r in find_references(blocks)] == ["1", "2"]


def test_explicit_numbers_win_over_position() -> None:
    blocks = (h("Notes"), p("[4] Nature, 2008."), p("[7] Science, 2010."))
    assert [r.marker for r in find_references(blocks)] == ["4", "7"]


def test_numbered_entries_run_together_in_one_paragraph_are_split() -> None:
    blocks = (h("Sources"), p("1. Nature, 2008. 2. Science, 2010. 3. Cell, 2012."))
    assert [(r.marker, r.journal) for r in find_references(blocks)] == [
        ("1", "Nature"),
        ("2", "Science"),
        ("3", "Cell"),
    ]


def test_reference_block_indices() -> None:
    blocks = (p("Claim text here."), h("References"), li("Nature, 2008."), h("About", 2), p("Bio."))
    assert reference_block_indices(blocks) == frozenset({1, 2})


def test_no_reference_section() -> None:
    assert find_references((p("Oxytocin lowers cortisol."),)) == ()
