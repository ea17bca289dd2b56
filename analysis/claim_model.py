"""A small logistic regression that reads claims with the rules: words, shapes and rule evidence.

The weights ship in analysis/claim_model.json (read once with importlib.resources) and are
trained by bench/train_claim_model.py on the development sentences only (docs/claims.md §7).
`features` turns a sentence and the predicates the rules found in it into feature names;
`probability` is the model's probability that the sentence is a claim, and `setting` gives the
two thresholds analysis/claims.py combines it with the rules by. No weights file, no model:
`available()` says so and the rules decide alone.
"""

from __future__ import annotations

import itertools
import json
import math
import re
from collections.abc import Iterable
from functools import cache
from importlib import resources
from typing import Any

from analysis.claim_shape import shape_features

_WORD = re.compile(r"[a-z][a-z'-]*|\d+")
MODEL_FILE = "claim_model.json"


def features(text: str, evidence: Iterable[str] = ()) -> list[str]:
    """Feature names of one sentence: bias, words, bigrams, shapes and the rules' `evidence`."""
    low = text.replace("’", "'").replace("‘", "'").lower()
    words = ["<n>" if w[0].isdigit() else w for w in _WORD.findall(low)]
    return [
        "bias",
        f"len:{min(len(words) // 6, 8)}",
        *{f"w:{w}" for w in words},
        *{f"b:{a}_{b}" for a, b in itertools.pairwise(words)},
        *shape_features(text),
        *(f"r:{e}" for e in evidence),
    ]


def linear(weights: dict[str, float], feats: Iterable[str]) -> float:
    """The model's log-odds for a feature list."""
    return sum(weights.get(f, 0.0) for f in feats)


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


def probability(feats: Iterable[str]) -> float:
    """The shipped model's probability that a sentence with these features is a claim."""
    weights: dict[str, float] = _model()["weights"]
    return sigmoid(linear(weights, feats))


def setting(name: str) -> float:
    """A decision threshold chosen when the model was trained: "keep" or "add"."""
    return float(_model()[name])
