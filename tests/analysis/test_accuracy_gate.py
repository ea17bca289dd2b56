"""Accuracy gates over the labelled set (tests/analysis/labelled/README.md), with pinned floors.

Floors sit just under the scores measured when they were pinned (in the comments), so a
regression fails; raise them when the analysis improves. The seed sets are in-sample (the rules
were written while reading them, and the claim model of analysis/claim_model.py is trained on
them); heldout2 was written after the rules and never tuned or trained on.
"""

from __future__ import annotations

from functools import cache

import pytest

from analysis.claims import claim_features, rule_features
from bench.accuracy import (
    ClaimScore,
    change_scores,
    claim_scores,
    reference_scores,
    sentence_scores,
)

MEASURES = ("f1", "precision", "recall", "certainty")
# set: floors for F1, precision, recall, certainty accuracy — measured when pinned in comments
CLAIM_FLOORS = {
    "seed-003": (0.95, 0.95, 0.95, 0.95),  # 1.000 / 1.000 / 1.000 / 1.000
    # round 3 (rules + model, trained on it): 1.000 / 1.000 / 1.000 / 0.927 (round 2: 0.957 F1)
    "seed-000": (0.98, 0.98, 0.98, 0.92),
    "heldout": (0.95, 0.95, 0.95, 0.95),  # 1.000 ×4, after tuning on its first-run misses
    # never tuned or trained on: 0.824 / 0.933 / 0.737 / 0.929 (rules alone: 0.774 / 1.000 /
    # 0.632 / 1.000; the model adds 3 claims and 1 false one, and 1 of 14 certainties is wrong)
    "heldout2": (0.80, 0.92, 0.72, 0.92),
    "fixtures end to end": (0.98, 0.98, 0.98, 0.93),  # 1.000 ×3 / 0.940 (round 2: 0.964 F1)
}
CASES = [
    (name, measure, floor)
    for name, floors in CLAIM_FLOORS.items()
    for measure, floor in zip(MEASURES, floors, strict=True)
]


# Out-of-sample sentences (docs/claims.md): detection over all types, by the shipped detector
# (rules + model) and by the rules alone. claims-dev2, claims-dev3 and claims-test are the test
# parts of rounds 1, 2 and 3 (development data since; the model is trained on all four parts, so
# its scores there are in-sample: regression gates, not evidence). Round 4's model (word vectors,
# no bigrams, stronger L2) fits its training data less tightly than round 3's did; its
# cross-validated figures are in docs/claims.md §8. claims-test4 was scored once (bench/accuracy.py
# --test, docs/claims.md §8): its floors keep that result from slipping.
SENTENCE_FLOORS = {
    # round 4, in-sample: F1 / P / R / certainty (round 3's in-sample or scored-once figures)
    "claims-dev": (0.97, 0.96, 0.98, 0.93),  # 0.989 / 0.978 / 1.000 / 0.944 (1.000 ×3 / 0.944)
    "claims-dev2": (0.92, 0.88, 0.96, 0.94),  # 0.938 / 0.898 / 0.981 / 0.962 (1.000 ×3 / 0.963)
    "claims-dev3": (0.88, 0.82, 0.95, 0.86),  # 0.900 / 0.839 / 0.971 / 0.879 (0.990 / 1 / 0.98)
    "claims-test": (0.93, 0.89, 0.97, 0.87),  # 0.948 / 0.911 / 0.989 / 0.891 (scored once: 0.707)
    "claims-test4": (0.68, 0.70, 0.66, 0.80),  # 0.701 / 0.721 / 0.681 / 0.823, round 4's test
}
RULE_FLOORS = {
    "claims-dev": (0.91, 0.95, 0.87, 0.94),  # 0.930 / 0.976 / 0.889 / 0.963
    "claims-dev2": (0.82, 0.83, 0.81, 0.96),  # 0.841 / 0.849 / 0.833 / 0.978
    # certainty since round 4's hedges ("linked with", "relation to", "corresponded to"), found
    # in these two parts' errors: in-sample (0.863 and 0.917 before)
    "claims-dev3": (0.56, 0.66, 0.48, 0.86),  # 0.576 / 0.680 / 0.500 / 0.882, round 2's test
    "claims-test": (0.60, 0.76, 0.50, 0.94),  # 0.619 / 0.774 / 0.516 / 0.958, round 3's test
    "claims-test4": (0.64, 0.73, 0.57, 0.87),  # 0.663 / 0.750 / 0.593 / 0.889, round 4's test
}
SENTENCE_CASES = [
    (detector, name, measure, floor)
    for detector, table in (("shipped", SENTENCE_FLOORS), ("rules", RULE_FLOORS))
    for name, floors in table.items()
    for measure, floor in zip(MEASURES, floors, strict=True)
]


@cache
def scores() -> dict[str, ClaimScore]:
    return claim_scores()


@cache
def sentence_set(detector: str, name: str) -> dict[str, ClaimScore]:
    return sentence_scores(name, rule_features if detector == "rules" else claim_features)


@pytest.mark.parametrize(("detector", "name", "measure", "floor"), SENTENCE_CASES)
def test_out_of_sample_floor(detector: str, name: str, measure: str, floor: float) -> None:
    assert getattr(sentence_set(detector, name)["all"], measure) >= floor


def test_claim_detection_f1_on_both_seed_pages_is_at_least_090() -> None:
    assert (scores()["seed-003"] + scores()["seed-000"]).f1 >= 0.90


@pytest.mark.parametrize(("name", "measure", "floor"), CASES)
def test_claim_floor(name: str, measure: str, floor: float) -> None:
    assert getattr(scores()[name], measure) >= floor


@pytest.mark.parametrize(
    "measure", ["ids", "key", "fields", "seed lists found (text, marker, key)"]
)
def test_reference_parsing_is_exact(measure: str) -> None:
    assert reference_scores()[measure] == 1.0


def test_change_classification_is_exact_on_every_fixture_pair() -> None:
    rate, misses = change_scores()
    assert (rate, misses) == (1.0, [])
