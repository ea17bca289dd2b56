"""A small logistic regression that reads claims with the rules: words, word meanings, shapes and
rule evidence.

The weights ship in analysis/claim_model.json (read once with importlib.resources) and are
trained by bench/train_claim_model.py on the development sentences only (docs/claims.md §7, §8).
`features` turns a sentence and the predicates the rules found in it into feature names. Since
round 4 the model also reads the mean of the sentence's static word vectors (distilled from a
pretrained sentence encoder at training time); a linear weight on a mean of vectors is the mean
of one number per word, so the file holds that number per word ("word_scores") and no vectors,
and `meaning_log_odds` costs a dict lookup per word. `text_probability` is the model's
probability that the sentence is a claim, and `setting` gives the two thresholds
analysis/claims.py combines it with the rules by; `at_least` answers "is the probability at or
above this threshold?" without reading the costly shapes when they could not change the answer.
No weights file, no model: `available()` says so and the rules decide alone.
"""

from __future__ import annotations

import itertools
import json
import math
import re
from collections.abc import Iterable, Sequence
from functools import cache
from importlib import resources
from typing import Any

from analysis import claim_shape
from analysis.claim_shape import shape_features

_WORD = re.compile(r"[a-z][a-z'-]*|\d+")
MODEL_FILE = "claim_model.json"


def features(text: str, evidence: Iterable[str] = ()) -> list[str]:
    """Feature names of one sentence: bias, length, words, shapes and the rules' `evidence`.

    The word meanings are no feature names: text_probability adds them (meaning_log_odds).
    """
    return [*_text_features(text), *shape_features(text), *(f"r:{e}" for e in evidence)]


def _text_features(text: str) -> list[str]:
    words = _model_words(text)
    return [
        "bias",
        f"len:{min(len(words) // 6, 8)}",
        *{f"w:{w}" for w in words},
    ]


def _model_words(text: str) -> list[str]:
    low = text.replace("’", "'").replace("‘", "'").lower()
    return ["<n>" if w[0].isdigit() else w for w in _WORD.findall(low)]


def _text_log_odds(weights: dict[str, float], text: str) -> float:
    """linear(weights, _text_features(text)) + meaning_log_odds(text) up to rounding, without
    building the names."""
    words = _model_words(text)
    return (
        weights.get("bias", 0.0)
        + weights.get(f"len:{min(len(words) // 6, 8)}", 0.0)
        + sum(map(_word_table(weights).get, set(words), itertools.repeat(0.0)))
        + _mean_score(words)
    )


def meaning_log_odds(text: str) -> float:
    """What the meanings of the sentence's words add to the log-odds: the mean of their scores.

    Each score is the trained weight vector dotted with the word's static vector; words the
    table does not hold do not count, and a sentence with none of them adds nothing.
    """
    return _mean_score(_model_words(text))


def _mean_score(words: Sequence[str]) -> float:
    scores: dict[str, float] = _model().get("word_scores", {})
    found = [score for score in map(scores.get, words) if score is not None]
    return sum(found) / len(found) if found else 0.0


Bounds = tuple[tuple[float, float], tuple[float, float]]
# What at_least derives from the weights once: the "w:" weights keyed by word (a sentence's
# words are looked up without formatting a name for each) and the unread shapes' bounds. Held
# with the weights object they came from, and rebuilt if another one is loaded.
_DERIVED: dict[str, Any] = {}


def _derived(weights: dict[str, float]) -> dict[str, Any]:
    if _DERIVED.get("weights") is not weights:
        by_word = {name[2:]: w for name, w in weights.items() if name.startswith("w:")}
        _DERIVED.clear()
        _DERIVED.update(
            weights=weights,
            table=by_word,
            bounds={verb: _bounds(weights, verb) for verb in (False, True)},
        )
    return _DERIVED


def _word_table(weights: dict[str, float]) -> dict[str, float]:
    table: dict[str, float] = _derived(weights)["table"]
    return table


# Log-odds are summed in another order by the stages of at_least than by text_probability: a bound
# this close to a threshold is not trusted, and the sentence is read in full.
_ROUNDING = 1e-9


def at_least(text: str, evidence: Sequence[str], threshold: float) -> bool:
    """Whether `text_probability(text, evidence) >= threshold`, the same answer, cheaper.

    The shapes are read in three parts of rising cost (analysis/claim_shape.py). After each part
    the log-odds of the features read so far, plus the most and the least the unread shapes could
    add, bound the probability; once both bounds fall on the same side of the threshold the
    answer is known and the costly parts are never read. A pattern shape whose needles the
    sentence lacks (claim_shape.PATTERN_NEEDLES) cannot be present and leaves the bound.
    """
    weights: dict[str, float] = _model()["weights"]
    low, words = claim_shape.prepare(text)
    if not words:
        return text_probability(text, evidence) >= threshold
    plain = claim_shape.plain_shapes(text, low, words)
    known = _text_log_odds(weights, text) + linear(weights, [*plain, *(f"r:{e}" for e in evidence)])
    verb = "shape:effect-verb" in plain
    pattern_up, pattern_down = _pattern_bounds(weights, low)
    outcome_up, outcome_down = _unread_bounds(verb)[1]
    decided = _side(known + pattern_down + outcome_down, known + pattern_up + outcome_up, threshold)
    if decided is not None:
        return decided
    known += linear(weights, claim_shape.pattern_shapes(low))
    decided = _side(known + outcome_down, known + outcome_up, threshold)
    if decided is not None:
        return decided
    known += linear(weights, claim_shape.outcome_shapes(low, words))
    decided = _side(known, known, threshold)
    if decided is not None:
        return decided
    return text_probability(text, evidence) >= threshold  # within rounding of the threshold


def _pattern_bounds(weights: dict[str, float], low: str) -> tuple[float, float]:
    """The most and the least (log-odds) the pattern shapes this sentence may have can add."""
    found = [weights.get(name, 0.0) for name in claim_shape.possible_pattern_shapes(low)]
    return sum(w for w in found if w > 0), sum(w for w in found if w < 0)


def _side(low_z: float, high_z: float, threshold: float) -> bool | None:
    """True when every log-odds in [low_z, high_z] is at or above `threshold`, False when none
    is, None when the range straddles it."""
    if sigmoid(low_z - _ROUNDING) >= threshold:
        return True
    if sigmoid(high_z + _ROUNDING) < threshold:
        return False
    return None


def _unread_bounds(verb: bool) -> Bounds:
    """The most and the least (log-odds) that the pattern shapes, and the outcome shapes, of a
    sentence can add: each shape is present at most once."""
    bounds: Bounds = _derived(_model()["weights"])["bounds"][verb]
    return bounds


def _bounds(weights: dict[str, float], verb: bool) -> Bounds:
    outcome = (*claim_shape.OUTCOME_SHAPES, *(claim_shape.VERB_OUTCOME_SHAPES if verb else ()))

    def bounds(names: Iterable[str]) -> tuple[float, float]:
        found = [weights.get(name, 0.0) for name in names]
        return sum(w for w in found if w > 0), sum(w for w in found if w < 0)

    return bounds(claim_shape.PATTERN_SHAPE_NAMES), bounds(outcome)


def linear(weights: dict[str, float], feats: Iterable[str]) -> float:
    """The model's log-odds for a feature list."""
    return sum(map(weights.get, feats, itertools.repeat(0.0)))


def sigmoid(z: float) -> float:
    """Log-odds to probability, clamped against overflow."""
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


@cache
def _model() -> dict[str, Any]:
    try:
        raw = resources.files("analysis").joinpath(MODEL_FILE).read_text(encoding="utf-8")
    except (FileNotFoundError, OSError):
        return {}
    data: dict[str, Any] = json.loads(raw)
    return data


def available() -> bool:
    """Whether a trained model ships with the package."""
    return bool(_model())


def text_probability(text: str, evidence: Sequence[str] = ()) -> float:
    """The shipped model's probability that a sentence is a claim, given the rules' evidence."""
    weights: dict[str, float] = _model()["weights"]
    return sigmoid(linear(weights, features(text, evidence)) + meaning_log_odds(text))


def setting(name: str) -> float:
    """A decision threshold chosen when the model was trained: "keep" or "add"."""
    return float(_model()[name])
