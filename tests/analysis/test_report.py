"""Readable claim-change lines: the kind, the claim type where it is not an effect, the reasons."""

from __future__ import annotations

from typing import Any

import pytest

from analysis.report import claim_change_lines


def claim(text: str, kind: str = "effect") -> dict[str, Any]:
    return {"text": text, "certainty": "assertive", "cites": [], "section": [], "type": kind}


def modified(
    before: str, after: str, change: str, reasons: list[str], kind: str = "effect"
) -> dict[str, Any]:
    return {
        "before": claim(before, kind),
        "after": claim(after, kind),
        "change": change,
        "citations_attached": [],
        "citations_detached": [],
        "reasons": reasons,
    }


@pytest.mark.parametrize(
    ("claims", "line"),
    [
        (
            {
                "modified": [
                    modified(
                        "Oxytocin lowers cortisol.",
                        "Oxytocin may lower cortisol.",
                        "weakened",
                        ["hedge added: may"],
                    )
                ]
            },
            "weakened (hedge added: may): “Oxytocin lowers cortisol.”"
            " → “Oxytocin may lower cortisol.”",
        ),
        (
            {
                "modified": [
                    modified(
                        "Taking 4000 IU per day is safe.",
                        "Taking 10000 IU per day is safe.",
                        "strengthened",
                        ["dose: 4000 iu → 10000 iu"],
                        "safety",
                    )
                ]
            },
            "strengthened (safety claim; dose: 4000 iu → 10000 iu): "
            "“Taking 4000 IU per day is safe.” → “Taking 10000 IU per day is safe.”",
        ),
        (
            {
                "modified": [
                    modified("It cures insomnia.", "It cures insomnia fast.", "reworded", [])
                ]
            },
            "reworded: “It cures insomnia.” → “It cures insomnia fast.”",
        ),
        (
            {
                "removed": [
                    claim("Taking 4000 IU per day is completely safe for everyone.", "safety")
                ]
            },
            "removed (safety claim): “Taking 4000 IU per day is completely safe for everyone.”",
        ),
        (
            {"added": [claim("Take 4,000 IU a day.", "dosage")]},
            "added (dosage claim): “Take 4,000 IU a day.”",
        ),
        ({"added": [claim("Hugs lower stress.")]}, "added: “Hugs lower stress.”"),
    ],
)
def test_claim_change_line(claims: dict[str, Any], line: str) -> None:
    assert claim_change_lines(claims) == [line]


def test_stored_changes_without_type_or_reasons_still_read() -> None:
    old = {"before": {"text": "a"}, "after": {"text": "b"}, "change": "weakened"}
    assert claim_change_lines({"modified": [old]}) == ["weakened: “a” → “b”"]


def test_no_claims_no_lines() -> None:
    assert claim_change_lines(None) == []
