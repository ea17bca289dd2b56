"""Claim and reference changes between versions: the issue's Done-when cases, fixtures, JSON."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from analysis.align import (
    ClaimChanges,
    RefChanges,
    changed_fields,
    compare_blocks,
    compare_claims,
    compare_references,
)
from analysis.claims import Claim, find_claims
from analysis.document import Block
from analysis.extract import extract_article
from analysis.references import parse_reference

FIXTURES = Path(__file__).parents[1] / "fixtures"
CHANGES = json.loads(
    (Path(__file__).parent / "labelled" / "changes.json").read_text(encoding="utf-8")
)["pairs"]
DEEPHER = "deepher/oxytocin-superpower"
LOWERS = "Here’s another superpower: Oxytocin lowers cortisol — your body’s main stress hormone."
MAY_LOWER = (
    "Here’s another superpower: Oxytocin may lower cortisol — your body’s main stress hormone."
)
LIFEEXT = "lifeext/could-your-relationship-use-more-oxytocin"


@cache
def blocks(path: str) -> tuple[Block, ...]:
    article = extract_article((FIXTURES / path).read_bytes(), content_type="text/html").article
    assert article is not None
    return article.blocks


@cache
def changes(before: str, after: str) -> tuple[ClaimChanges, RefChanges]:
    return compare_blocks(blocks(before), blocks(after))


# --- Done-when, on the fixture versions ------------------------------------------------------


def test_weakened_claim_is_one_modified_claim() -> None:
    claims, _ = changes(f"{DEEPHER}.v1.html", f"{DEEPHER}.v5-claims-edited.html")
    assert [(m.before.text, m.after.text, m.change) for m in claims.modified] == [
        (LOWERS, MAY_LOWER, "weakened")
    ]


def test_removed_list_item_claim() -> None:
    claims, _ = changes(f"{DEEPHER}.v1.html", f"{DEEPHER}.v5-claims-edited.html")
    assert [c.text for c in claims.removed] == [
        "It boosts osteoblasts — the builders behind your bones"
    ]


def test_added_claim_paragraph() -> None:
    claims, _ = changes(f"{DEEPHER}.v1.html", f"{DEEPHER}.v5-claims-edited.html")
    assert [c.text for c in claims.added] == [
        "Regular hugging strengthens the immune system and reduces blood pressure."
    ]


def test_claim_edit_reports_no_reference_change() -> None:
    _, refs = changes(f"{DEEPHER}.v1.html", f"{DEEPHER}.v5-claims-edited.html")
    assert not refs


def test_strengthened_claim() -> None:
    claims, _ = changes(f"{LIFEEXT}.v1.html", f"{LIFEEXT}.v2-strengthened.html")
    assert [(m.before.text, m.after.text, m.change) for m in claims.modified] == [
        (
            "Oxytocin may just be the key element that keeps couples together.",
            "Oxytocin is the key element that keeps couples together.",
            "strengthened",
        )
    ]


def test_removed_reference_line() -> None:
    _, refs = changes(f"{DEEPHER}.v1.html", f"{DEEPHER}.v6-references-edited.html")
    assert [r.text for r in refs.removed] == [
        "Jurek B et al. Is Oxytocin Nature’s Medicine? Pharmacological Reviews, 2022."
    ]


def test_pmc_change_is_one_modified_reference() -> None:
    _, refs = changes(f"{DEEPHER}.v1.html", f"{DEEPHER}.v6-references-edited.html")
    assert [(m.before.ids, m.after.ids, m.fields) for m in refs.modified] == [
        ({"pmcid": "PMC8254750"}, {"pmcid": "PMC8254751"}, ("pmcid",))
    ]


def test_added_reference_has_lower_cased_doi() -> None:
    _, refs = changes(f"{DEEPHER}.v1.html", f"{DEEPHER}.v6-references-edited.html")
    assert [r.ids.get("doi") for r in refs.added] == ["10.1016/s0306-4530(98)00056-0"]


def test_reference_only_edit_reports_no_claim_changes() -> None:
    claims, _ = changes(f"{DEEPHER}.v1.html", f"{DEEPHER}.v6-references-edited.html")
    assert not claims


@pytest.mark.parametrize("pair", CHANGES, ids=lambda p: f"{p['before']}→{p['after']}")
def test_labelled_fixture_changes(pair: dict[str, Any]) -> None:
    claims, refs = changes(pair["before"], pair["after"])
    got = {
        "claims": {
            "added": [c.text for c in claims.added],
            "removed": [c.text for c in claims.removed],
            "modified": [
                {"before": m.before.text, "after": m.after.text, "change": m.change}
                for m in claims.modified
            ],
        },
        "references": {
            "added": [r.key for r in refs.added],
            "removed": [r.key for r in refs.removed],
            "modified": [
                {"before": m.before.key, "after": m.after.key, "fields": list(m.fields)}
                for m in refs.modified
            ],
        },
    }
    assert got == {"claims": pair["claims"], "references": pair["references"]}


# --- classification on hand-built claims -----------------------------------------------------


def claims_of(*texts: str) -> tuple[Claim, ...]:
    return find_claims(tuple(Block("paragraph", t) for t in texts))


@pytest.mark.parametrize(
    ("before", "after", "change"),
    [
        ("Oxytocin lowers cortisol.", "Oxytocin may lower cortisol.", "weakened"),
        ("Oxytocin may lower cortisol.", "Oxytocin might possibly lower cortisol.", "weakened"),
        ("Oxytocin may lower cortisol.", "Oxytocin lowers cortisol.", "strengthened"),
        (
            "Oxytocin lowers cortisol.",
            "Oxytocin is clinically proven to lower cortisol.",
            "strengthened",
        ),
        ("Oxytocin lowers cortisol.", "Oxytocin does not lower cortisol.", "reversed"),
        ("Oxytocin lowers cortisol in adults.", "Oxytocin raises cortisol in adults.", "reversed"),
        (
            "Oxytocin lowers cortisol in adults.",
            "Oxytocin lowers cortisol in most adults.",
            "weakened",
        ),
        ("Oxytocin lowers cortisol.", "Oxytocin lowers your cortisol.", "reworded"),
        # issue 11: scope, not only hedges and boosters
        ("Melatonin cures insomnia.", "Melatonin cures insomnia and anxiety.", "strengthened"),
        ("Melatonin cures insomnia and anxiety.", "Melatonin cures insomnia.", "weakened"),
        (
            "Melatonin cures insomnia.",
            "Melatonin cures insomnia and anxiety in just one week.",
            "strengthened",
        ),
        (
            "Magnesium improves sleep in adults.",
            "Magnesium improves sleep in some adults.",
            "weakened",
        ),
        (
            "Magnesium improves sleep in older adults.",
            "Magnesium improves sleep in adults.",
            "strengthened",
        ),
        (
            "Magnesium improves sleep in 8 weeks.",
            "Magnesium improves sleep in 2 weeks.",
            "strengthened",
        ),
        (
            "Walking reduces the risk of stroke by 30%.",
            "Walking reduces the risk of stroke by 50%.",
            "strengthened",
        ),
        (
            "Walking reduces the risk of stroke by 50%.",
            "Walking reduces the risk of stroke by 30%.",
            "weakened",
        ),
        (
            "Taking 2000 IU per day is completely safe.",
            "Taking 4000 IU per day is completely safe.",
            "strengthened",
        ),
        (
            "Taking 4000 IU per day is safe for adults.",
            "Taking 4000 IU per day is safe for everyone.",
            "strengthened",
        ),
        ("Vitamin D prevents rickets.", "Vitamin D does not prevent rickets.", "reversed"),
    ],
)
def test_change_kind(before: str, after: str, change: str) -> None:
    result = compare_claims(claims_of(before), claims_of(after))
    assert [m.change for m in result.modified] == [change]


@pytest.mark.parametrize(
    ("before", "after", "reason"),
    [
        ("Oxytocin lowers cortisol.", "Oxytocin may lower cortisol.", "hedge added: may"),
        (
            "Oxytocin is clinically proven to lower cortisol.",
            "Oxytocin lowers cortisol.",
            "booster removed: clinically",
        ),
        (
            "Melatonin cures insomnia.",
            "Melatonin cures insomnia and anxiety in just one week.",
            "outcome added: anxiety",
        ),
        (
            "Melatonin cures insomnia.",
            "Melatonin cures insomnia and anxiety in just one week.",
            "time-frame added: 7 days",
        ),
        (
            "Walking reduces the risk of stroke by 30%.",
            "Walking reduces the risk of stroke by 50%.",
            "magnitude: 30 % → 50 %",
        ),
        (
            "Magnesium improves sleep in adults.",
            "Magnesium improves sleep in some adults.",
            "population narrowed: some",
        ),
        (
            "Taking 2000 IU per day is completely safe.",
            "Taking 4000 IU per day is completely safe.",
            "dose: 2000 iu → 4000 iu",
        ),
        ("Oxytocin lowers cortisol.", "Oxytocin does not lower cortisol.", "negation added"),
        (
            "Oxytocin lowers cortisol.",
            "Oxytocin raises cortisol.",
            "direction: decrease → increase",
        ),
    ],
)
def test_change_reasons(before: str, after: str, reason: str) -> None:
    (change,) = compare_claims(claims_of(before), claims_of(after)).modified
    assert reason in change.reasons


def test_unchanged_claims_report_nothing() -> None:
    both = claims_of("Oxytocin lowers cortisol.", "Sex releases oxytocin.")
    assert not compare_claims(both, both)


def test_a_better_match_is_not_stolen() -> None:
    before = claims_of(
        "Oxytocin lowers cortisol in stressed adults.",
        "Oxytocin lowers cortisol in stressed older adults living alone.",
    )
    after = claims_of(
        "Oxytocin lowers cortisol in stressed older adults living alone today.",
        "Oxytocin may lower cortisol in stressed adults.",
    )
    pairs = [(m.before.text, m.after.text) for m in compare_claims(before, after).modified]
    assert pairs == [
        (
            "Oxytocin lowers cortisol in stressed adults.",
            "Oxytocin may lower cortisol in stressed adults.",
        ),
        (
            "Oxytocin lowers cortisol in stressed older adults living alone.",
            "Oxytocin lowers cortisol in stressed older adults living alone today.",
        ),
    ]


def test_unrelated_claims_are_removed_and_added() -> None:
    result = compare_claims(
        claims_of("Oxytocin lowers cortisol."),
        claims_of("Regular hugging strengthens the immune system."),
    )
    assert (len(result.added), len(result.removed), result.modified) == (1, 1, ())


def test_duplicate_claims_pair_in_order() -> None:
    before = claims_of("Sex releases oxytocin.", "Sex releases oxytocin.")
    after = claims_of("Sex releases oxytocin.")
    result = compare_claims(before, after)
    assert ([c.block_index for c in result.removed], result.added) == ([1], ())


# --- citations -------------------------------------------------------------------------------


def article(claim: str, markers: tuple[str, ...], refs: list[str]) -> tuple[Block, ...]:
    return (
        Block("paragraph", claim, markers=markers),
        Block("heading", "References", level=2),
        *(Block("item", r, list_kind="ol", level=1) for r in refs),
    )


REFS = [
    "Nature. 2008 Feb 7;451(7179):617.",
    "J Neurosci. 2012 Nov 14;32(46):16074-9.",
    "Biol Psychiatry. 2009 May 1;65(9):728-31.",
]


def test_citation_attached() -> None:
    claims, _ = compare_blocks(
        article("Sex releases oxytocin.", (), REFS),
        article("Sex releases oxytocin.2", ("2",), REFS),
    )
    assert [(m.change, m.citations_attached, m.citations_detached) for m in claims.modified] == [
        ("citations", ("2",), ())
    ]


def test_citation_detached() -> None:
    claims, _ = compare_blocks(
        article("Sex releases oxytocin.2", ("2",), REFS),
        article("Sex releases oxytocin.", (), REFS),
    )
    assert [(m.change, m.citations_detached) for m in claims.modified] == [("citations", ("2",))]


def test_renumbered_footnote_after_a_removed_reference_is_not_a_claim_change() -> None:
    claims, refs = compare_blocks(
        article("Sex releases oxytocin.3", ("3",), REFS),
        article("Sex releases oxytocin.2", ("2",), REFS[1:]),
    )
    assert (bool(claims), [r.journal for r in refs.removed]) == (False, ["Nature"])


def test_citation_moved_to_another_reference_is_reported() -> None:
    claims, _ = compare_blocks(
        article("Sex releases oxytocin.1", ("1",), REFS),
        article("Sex releases oxytocin.3", ("3",), REFS),
    )
    assert [(m.citations_attached, m.citations_detached) for m in claims.modified] == [
        (("3",), ("1",))
    ]


def test_without_references_citations_compare_by_marker() -> None:
    before = claims_of("Sex releases oxytocin [1].")
    after = claims_of("Sex releases oxytocin [1, 2].")
    assert [m.citations_attached for m in compare_claims(before, after).modified] == [("2",)]


# --- references ------------------------------------------------------------------------------


def refs_of(*texts: str) -> tuple:
    return tuple(parse_reference(t, marker=str(i + 1)) for i, t in enumerate(texts))


def test_reference_gaining_a_doi_is_modified_not_replaced() -> None:
    result = compare_references(
        refs_of(
            "Chen Y et al. Injectable Hydrogel Promotes Cartilage Repair. Biofabrication, 2025."
        ),
        refs_of(
            "Chen Y et al. Injectable Hydrogel Promotes Cartilage Repair. Biofabrication, 2025. "
            "doi:10.1088/1758-5090/ad0000"
        ),
    )
    assert ((result.added, result.removed), [m.fields for m in result.modified]) == (
        ((), ()),
        [("doi",)],
    )


def test_reference_sharing_an_identifier_is_the_same_reference() -> None:
    result = compare_references(
        refs_of("Old title. PMID: 19027101"),
        refs_of("A completely new title, doi:10.1016/j.x.2008.10.011. PMID: 19027101"),
    )
    assert [m.fields for m in result.modified] == [("text", "doi")]


def test_renumbering_alone_is_no_reference_change() -> None:
    before = refs_of("Nature, 2008.", "Science, 2010.")
    after = (parse_reference("Science, 2010.", marker="1"),)
    result = compare_references(before, after)
    assert ([r.text for r in result.removed], result.modified) == (["Nature, 2008."], ())


def test_changed_fields_reports_citation_fields() -> None:
    a, b = refs_of("Nature. 2008;451:617.", "Nature. 2009;452:617.")
    assert changed_fields(a, b) == ("text", "year", "volume")


# --- JSON and summaries ----------------------------------------------------------------------


def test_claims_json_shape() -> None:
    claims, _ = changes(f"{DEEPHER}.v1.html", f"{DEEPHER}.v5-claims-edited.html")
    data = claims.to_json()
    assert data["modified"][0] == {
        "before": {
            "text": LOWERS,
            "certainty": "assertive",
            "cites": [],
            "section": ["Oxytocin: Your Stress-Soothing Switch"],
            "type": "effect",
        },
        "after": {
            "text": MAY_LOWER,
            "certainty": "hedged",
            "cites": [],
            "section": ["Oxytocin: Your Stress-Soothing Switch"],
            "type": "effect",
        },
        "change": "weakened",
        "citations_attached": [],
        "citations_detached": [],
        "reasons": ["hedge added: may"],
    }


def test_claims_json_is_serializable() -> None:
    claims, _ = changes(f"{DEEPHER}.v1.html", f"{DEEPHER}.v5-claims-edited.html")
    assert json.loads(json.dumps(claims.to_json())) == claims.to_json()


def test_references_json_shape() -> None:
    _, refs = changes(f"{DEEPHER}.v1.html", f"{DEEPHER}.v6-references-edited.html")
    data = refs.to_json()
    assert (data["added"][0]["ids"], data["added"][0]["key"], data["modified"][0]["fields"]) == (
        {"doi": "10.1016/s0306-4530(98)00056-0"},
        "doi:10.1016/s0306-4530(98)00056-0",
        ["pmcid"],
    )


@pytest.mark.parametrize(
    ("before", "after", "summary"),
    [
        (
            f"{DEEPHER}.v1.html",
            f"{DEEPHER}.v5-claims-edited.html",
            "1 claim added, 1 claim removed, 1 claim weakened",
        ),
        (f"{LIFEEXT}.v1.html", f"{LIFEEXT}.v2-strengthened.html", "1 claim strengthened"),
        (f"{DEEPHER}.v1.html", f"{DEEPHER}.v6-references-edited.html", ""),
    ],
)
def test_claim_summary(before: str, after: str, summary: str) -> None:
    assert changes(before, after)[0].summary() == summary


def test_reference_summary() -> None:
    _, refs = changes(f"{DEEPHER}.v1.html", f"{DEEPHER}.v6-references-edited.html")
    assert refs.summary() == "1 reference added, 1 reference removed, 1 reference modified"


def test_summary_counts_plural() -> None:
    result = compare_claims((), claims_of("Sex releases oxytocin.", "Oxytocin lowers cortisol."))
    assert result.summary() == "2 claims added"
