"""The claim model: its shipped weights, its features, and how it combines with the rules."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import pytest

from analysis import claim_model, claim_shape
from analysis.claim_shape import shape_features
from analysis.claims import MODEL_MAY_ADD, claim_features, rule_evidence, rule_features


def test_the_model_ships_inside_the_package_and_is_small() -> None:
    path = resources.files("analysis").joinpath(claim_model.MODEL_FILE)
    assert claim_model.available()
    assert len(path.read_bytes()) < 20 * 1024 * 1024


def test_the_thresholds_keep_rule_claims_more_easily_than_they_add_new_ones() -> None:
    assert 0 <= claim_model.setting("keep") < claim_model.setting("add") < 1


@pytest.mark.parametrize(
    ("sentence", "shape"),
    [
        ("We searched Medline and Embase.", "shape:method"),
        ("We searched Medline and Embase.", "shape:we-subject"),
        ("Calcium supports bone health.", "shape:verb-then-outcome"),
        ("The aim of this study was to evaluate acupuncture.", "shape:aim"),
        ("Researchers found that fiber lowers cholesterol.", "shape:report-frame"),
        ("Adults need 700mg of calcium a day.", "shape:amount"),
        ("helping build strong bones and teeth", "shape:no-final-stop"),
        ("Are supplements safe?", "shape:question"),
    ],
)
def test_shape_features(sentence: str, shape: str) -> None:
    assert shape in shape_features(sentence)


def test_features_name_words_shapes_and_rule_evidence() -> None:
    feats = claim_model.features("Calcium supports bone health.", ["effect:verb"])
    assert {"bias", "w:calcium", "w:bone", "r:effect:verb"} <= set(feats)


def test_word_meanings_ship_as_one_number_per_word() -> None:
    # the linear weight on the mean word vector, folded into each word's score at export
    scores = claim_model._model()["word_scores"]
    assert len(scores) > 20_000
    assert {"calcium", "lowers", "the", "insomnia"} <= set(scores)
    assert all(isinstance(v, float) for v in scores.values())


def test_the_meaning_term_is_the_mean_score_of_the_known_words() -> None:
    scores = claim_model._model()["word_scores"]
    expected = (scores["calcium"] + scores["lowers"] + scores["cholesterol"]) / 3
    assert claim_model.meaning_log_odds("Calcium lowers cholesterol 10 qwzxv.") == pytest.approx(
        expected
    )
    assert claim_model.meaning_log_odds("qwzxv 12") == 0.0


def test_words_the_training_sentences_never_held_still_move_the_probability() -> None:
    # what the word vectors are for: "safeguards" and "shields" are read as protecting
    unseen = "Green tea safeguards against lacunar infarction."
    plain = "Green tea against lacunar infarction."
    assert claim_model.meaning_log_odds(unseen) != claim_model.meaning_log_odds(plain)


def test_rule_evidence_names_predicates_not_decisions() -> None:
    assert rule_evidence("Vitamin D lowers blood pressure.") == ["effect:verb"]
    assert rule_evidence("We searched Medline.") == []


@pytest.mark.parametrize(
    "sentence",
    [
        "Further studies are needed to confirm that vitamin D prevents falls.",
        "It has been unclear how coffee lowers the risk of cancer.",
        "Does oxytocin lower cortisol?",
    ],
)
def test_the_model_does_not_overrule_structural_rejections(sentence: str) -> None:
    rules = rule_features(sentence)
    assert rules.reason not in MODEL_MAY_ADD
    assert claim_features(sentence) == rules


def test_every_pattern_shape_found_was_possible() -> None:
    # the model leaves a shape out of its bound when the sentence lacks the shape's needles
    for text in _labelled_texts():
        low, _ = claim_shape.prepare(text)
        assert set(claim_shape.pattern_shapes(low)) <= set(
            claim_shape.possible_pattern_shapes(low)
        ), text


def _labelled_texts() -> list[str]:
    labelled = Path(__file__).parent / "labelled"
    return [
        s["text"]
        for name in ("claims-dev", "claims-dev2", "claims-dev3", "claims-test", "heldout")
        for s in json.loads((labelled / f"{name}.json").read_text("utf-8"))["sentences"]
    ]


def test_probability_is_a_probability() -> None:
    p = claim_model.text_probability("Calcium supports bone health.")
    assert 0.0 < p < 1.0


def test_the_staged_decision_answers_as_the_full_probability() -> None:
    # at_least skips the costly shapes when they cannot move the answer: it must give the answer
    # of the full computation for every sentence and threshold, the thresholds shipped included.
    texts = _labelled_texts()
    thresholds = (0.05, claim_model.setting("keep"), 0.4, claim_model.setting("add"), 0.9)
    assert len(texts) > 400
    for text in texts:
        evidence = rule_evidence(text)
        p = claim_model.text_probability(text, evidence)
        for threshold in (*thresholds, p, min(1.0, p + 1e-6), max(0.0, p - 1e-6)):
            assert claim_model.at_least(text, evidence, threshold) == (p >= threshold), text
