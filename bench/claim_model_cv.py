"""Would a small statistical model beat the claim rules? Leave-one-document-out cross-validation.

Run: .venv/bin/python bench/claim_model_cv.py
A logistic regression (pure Python, L2, batch gradient descent) over word and bigram features of
each sentence, trained on the development sentences (claims-dev, claims-dev2 by source document,
seed-003, seed-000 and heldout as one document each; headings left out) and scored on the held-out
document, for every document in turn. Printed: the rules alone, the model alone and the rules
filtered by the model, at a few thresholds. claims-test is never read.

Round 2 (docs/claims.md): the model alone reached F1 0.50 at best on the development sentences,
against 0.87 for the rules; as a filter on the rules it cut recall far more than it raised
precision (0.885 / 0.702 at p >= 0.3), so no model ships. Adding the rules' own decision as a
feature only teaches the model to copy it: the rules were written on these same documents, so
such a model cannot be cross-validated here.
"""

from __future__ import annotations

import itertools
import json
import math
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from analysis.claims import claim_features  # noqa: E402

LABELLED = ROOT / "tests" / "analysis" / "labelled"
_WORD = re.compile(r"[a-z']+|\d+")
Row = tuple[str, str, bool]  # (document, sentence, is a claim)


def rows() -> list[Row]:
    """Every development sentence with its document and label."""
    out: list[Row] = []
    for name in ("claims-dev", "claims-dev2"):
        for s in json.loads((LABELLED / f"{name}.json").read_text("utf-8"))["sentences"]:
            out.append((f"{name}:{s['source']}", s["text"], bool(s["claim"])))
    for name in ("seed-003", "seed-000", "heldout"):
        data = json.loads((LABELLED / f"{name}.json").read_text("utf-8"))
        for s in data["sentences"]:
            if data["blocks"][s["block"]]["kind"] != "heading":
                out.append((name, s["text"], bool(s["claim"])))
    return out


def features(text: str) -> list[str]:
    """Bias, length bucket, words and bigrams (numbers folded) of one sentence."""
    words = ["<n>" if w.isdigit() else w for w in _WORD.findall(text.lower())]
    return [
        "bias",
        f"len:{min(len(words) // 8, 6)}",
        *{f"w:{w}" for w in words},
        *{f"b:{a}_{b}" for a, b in itertools.pairwise(words)},
    ]


def train(
    xs: list[list[str]], ys: list[int], l2: float = 0.3, epochs: int = 60
) -> dict[str, float]:
    """Weights of an L2-regularised logistic regression, by batch gradient descent."""
    w: dict[str, float] = {}
    n = len(xs)
    for _ in range(epochs):
        grad: dict[str, float] = {}
        for x, y in zip(xs, ys, strict=True):
            p = probability(w, x)
            for k in x:
                grad[k] = grad.get(k, 0.0) + p - y
        for k, g in grad.items():
            w[k] = w.get(k, 0.0) - 0.3 * (g + l2 * w.get(k, 0.0)) / n
    return w


def probability(w: dict[str, float], x: list[str]) -> float:
    """The model's probability that a sentence with features `x` is a claim."""
    z = max(-30.0, min(30.0, sum(w.get(k, 0.0) for k in x)))
    return 1 / (1 + math.exp(-z))


def score(pred: list[bool], gold: list[bool]) -> str:
    """P / R / F1 and the counts."""
    tp = sum(p and g for p, g in zip(pred, gold, strict=True))
    fp = sum(p and not g for p, g in zip(pred, gold, strict=True))
    fn = sum(g and not p for p, g in zip(pred, gold, strict=True))
    prec = tp / (tp + fp) if tp + fp else 1.0
    rec = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
    return f"P {prec:.3f} R {rec:.3f} F1 {f1:.3f} ({tp}/{fp}/{fn})"


def main() -> None:
    """Cross-validate by document and print the comparison on the claims-dev* sentences."""
    data = rows()
    xs = [features(text) for _, text, _ in data]
    ys = [int(label) for *_, label in data]
    held = [0.0] * len(data)
    for doc in sorted({d for d, _, _ in data}):
        train_idx = [i for i, r in enumerate(data) if r[0] != doc]
        w = train([xs[i] for i in train_idx], [ys[i] for i in train_idx])
        for i, r in enumerate(data):
            if r[0] == doc:
                held[i] = probability(w, xs[i])
    dev = [i for i, r in enumerate(data) if r[0].startswith("claims-")]
    gold = [data[i][2] for i in dev]
    rules = [claim_features(data[i][1]).is_claim for i in dev]
    print(f"{'rules':24} {score(rules, gold)}")
    for t in (0.3, 0.4, 0.5):
        model = [held[i] >= t for i in dev]
        both = [r and m for r, m in zip(rules, model, strict=True)]
        print(f"{f'model, p >= {t}':24} {score(model, gold)}")
        print(f"{f'rules and model, {t}':24} {score(both, gold)}")


if __name__ == "__main__":
    main()
