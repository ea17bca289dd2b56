"""Train the claim model (analysis/claim_model.json) on the development sentences; cross-validate.

Run: .venv/bin/python bench/train_claim_model.py            (cross-validation report, ~4 min)
     .venv/bin/python bench/train_claim_model.py --write    (also write analysis/claim_model.json)

Data: the development parts only — claims-dev, claims-dev2 and claims-dev3 (by source document),
seed-003, seed-000 and heldout (one document each, headings left out). claims-test and heldout2
are never read. Features (analysis/claim_model.features): words, bigrams, the shapes of
analysis/claim_shape.py and the kinds of effect predicate the rules find — not the rules'
decision, which is in-sample on the documents the rules were written on.

Training is an L2-regularised logistic regression fitted with AdaGrad in a fixed order (no
randomness: the same data give the same weights). Cross-validation leaves one document out at a
time and prints, for each claims-dev part, the rules alone, the model alone and the shipped
combination (a rule claim stands when p >= KEEP, any sentence is a claim when p >= ADD).
claims-dev and claims-dev2 were tuned on by the rules (their rule scores are in-sample);
claims-dev3 (round 2's test part) was not, so its rows are the honest comparison, and KEEP and
ADD were chosen on them (docs/claims.md §7).
"""

from __future__ import annotations

import json
import math
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from analysis import claim_model, claims  # noqa: E402
from analysis.claims import (  # noqa: E402
    ClaimFeatures,
    _lower,
    _relaxed_features,
    rule_evidence,
    rule_features,
)

LABELLED = ROOT / "tests" / "analysis" / "labelled"
OUT = ROOT / "analysis" / claim_model.MODEL_FILE
PARTS = ("claims-dev", "claims-dev2", "claims-dev3")
WHOLE = ("seed-003", "seed-000", "heldout")
L2 = 1.0
EPOCHS = 30
RATE = 0.3
KEEP, ADD = 0.2, 0.6
MAY_ADD = claims.MODEL_MAY_ADD
Row = dict[str, Any]


def rows() -> list[Row]:
    """Every development sentence: document, part, text and labels."""
    out: list[Row] = []
    for name in PARTS:
        for s in json.loads((LABELLED / f"{name}.json").read_text("utf-8"))["sentences"]:
            out.append({**s, "doc": f"{name}:{s['source']}", "part": name})
    for name in WHOLE:
        data = json.loads((LABELLED / f"{name}.json").read_text("utf-8"))
        for s in data["sentences"]:
            if data["blocks"][s["block"]]["kind"] != "heading":
                out.append({**s, "doc": name, "part": name})
    return out


def featurize(text: str) -> list[str]:
    """The model's features for one sentence."""
    return claim_model.features(text, rule_evidence(text))


def train(xs: list[list[str]], ys: list[int]) -> dict[str, float]:
    """Logistic regression weights by AdaGrad over the examples in their given order."""
    w: dict[str, float] = defaultdict(float)
    g2: dict[str, float] = defaultdict(lambda: 1e-8)
    n = len(xs)
    for _ in range(EPOCHS):
        for x, y in zip(xs, ys, strict=True):
            p = claim_model.sigmoid(claim_model.linear(w, x))
            for k in x:
                g = (p - y) + L2 * w[k] / n
                g2[k] += g * g
                w[k] -= RATE * g / math.sqrt(g2[k])
    return dict(w)


def cross_validate(data: list[Row], xs: list[list[str]]) -> list[float]:
    """Held-out claim probabilities, leaving one document out at a time."""
    held = [0.0] * len(data)
    for doc in sorted({r["doc"] for r in data}):
        train_idx = [i for i, r in enumerate(data) if r["doc"] != doc]
        w = train([xs[i] for i in train_idx], [int(data[i]["claim"]) for i in train_idx])
        for i, r in enumerate(data):
            if r["doc"] == doc:
                held[i] = claim_model.sigmoid(claim_model.linear(w, xs[i]))
    return held


def combined(
    rules: ClaimFeatures, p: float, keep: float = KEEP, add: float = ADD, veto: bool = True
) -> bool:
    """The shipped decision (analysis/claims.claim_features) from the rules and a probability."""
    if rules.is_claim:
        return p >= keep
    return p >= add and (not veto or rules.reason in MAY_ADD)


def hedged(text: str, rules: ClaimFeatures) -> bool:
    """Hedged as the shipped detector calls it: the rules' score, or their relaxed reading."""
    if rules.is_claim:
        return rules.certainty_score < 0
    return _relaxed_features(_lower(text)).certainty_score < 0


def report(data: list[Row], held: list[float]) -> None:
    """Rules, model and combinations against the labels, on each claims-dev part."""
    rules = [rule_features(r["text"]) for r in data]
    cert = [hedged(r["text"], f) for r, f in zip(data, rules, strict=True)]
    groups = {name: [i for i, r in enumerate(data) if r["part"] == name] for name in PARTS}
    groups["all claims-dev*"] = [i for i, r in enumerate(data) if r["part"] in PARTS]
    for name, idx in groups.items():
        print(f"\n{name} ({len(idx)} sentences, {sum(data[i]['claim'] for i in idx)} claims)")
        print(
            "  rules                    "
            + _score(data, idx, [rules[i].is_claim for i in idx], cert)
        )
        for t in (0.3, 0.5):
            pred = [held[i] >= t for i in idx]
            print(f"  {f'model p >= {t}':24} " + _score(data, idx, pred, cert))
        for keep, add in ((KEEP, ADD), (0.3, 0.6), (0.2, 0.7), (0.3, 0.7)):
            for veto in (False, True):
                pred = [combined(rules[i], held[i], keep, add, veto) for i in idx]
                label = f"keep {keep} add {add}{' veto' if veto else ''}"
                print(f"  {label:24} " + _score(data, idx, pred, cert))


def _score(data: list[Row], idx: list[int], pred: list[bool], cert: list[bool]) -> str:
    tp = fp = fn = ok = 0
    for i, p in zip(idx, pred, strict=True):
        gold = bool(data[i]["claim"])
        tp, fp, fn = tp + (p and gold), fp + (p and not gold), fn + (gold and not p)
        ok += p and gold and cert[i] == (data[i]["certainty"] == "hedged")
    prec = tp / (tp + fp) if tp + fp else 1.0
    rec = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
    certainty = ok / tp if tp else 1.0
    return f"P {prec:.3f} R {rec:.3f} F1 {f1:.3f} certainty {certainty:.3f} ({tp}/{fp}/{fn})"


def write(data: list[Row], xs: list[list[str]]) -> None:
    """Train on every development sentence and write the weights file."""
    w = train(xs, [int(r["claim"]) for r in data])
    model = {
        "about": "claim model of analysis/claim_model.py, written by bench/train_claim_model.py",
        "trained_on": [*PARTS, *WHOLE],
        "sentences": len(data),
        "keep": KEEP,
        "add": ADD,
        "weights": {k: round(v, 4) for k, v in sorted(w.items()) if abs(v) >= 1e-4},
    }
    OUT.write_text(json.dumps(model, sort_keys=True, separators=(",", ":")) + "\n", "utf-8")
    print(f"\nwrote {OUT.relative_to(ROOT)}: {OUT.stat().st_size / 1024:.0f} KB")


def main() -> None:
    """Cross-validate, report, and with --write train on everything and save the model."""
    data = rows()
    xs = [featurize(r["text"]) for r in data]
    report(data, cross_validate(data, xs))
    if "--write" in sys.argv:
        write(data, xs)


if __name__ == "__main__":
    main()
