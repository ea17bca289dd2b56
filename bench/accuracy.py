"""Accuracy of claim detection, reference parsing and change classification on the labelled set.

Run: .venv/bin/python bench/accuracy.py  (add --test to score the test part, once per release)
The labelled set is tests/analysis/labelled/ (see its README.md). Rows:
- claims per set: precision/recall/F1 of claim detection (a predicted claim counts when its
  normalized sentence equals a labelled claim sentence, so splitting errors count too) and
  certainty accuracy over the claims found. seed-* sets are in-sample (the lexicon was written
  while reading them), heldout was tuned on after its first run, heldout2 never was.
- claims end to end: fixture HTML → extract_article → find_claims, scored on the seed labels.
- out-of-sample sentences (claims-dev, -dev2, -dev3, claims-test, claims-test4; docs/claims.md):
  real sentences from public, licence-compatible sources, labelled before the detector saw them.
  Each sentence is classified alone, by the rules alone (rule_features) and by the shipped
  detector (claim_features: the rules read by the model of analysis/claim_model.py); P/R/F1 for
  detection and per claim type, certainty accuracy over the claims found. claims-dev, -dev2,
  -dev3 and claims-test (the test parts of rounds 1, 2 and 3) may be tuned and trained on;
  claims-test4 (round 4) is scored once per release, with --test.
- references: share of entries whose ids / key / every labelled field match exactly.
- changes: share of fixture version pairs whose claim and reference changes match exactly.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from analysis.align import compare_blocks  # noqa: E402
from analysis.claims import (  # noqa: E402
    ClaimFeatures,
    ClaimType,
    claim_features,
    find_claims,
    normalize_claim,
    rule_features,
)
from analysis.document import Block  # noqa: E402
from analysis.extract import blocks_from_json, extract_article  # noqa: E402
from analysis.references import find_references, parse_reference  # noqa: E402
from analysis.sentences import split_sentences  # noqa: E402

LABELLED = ROOT / "tests" / "analysis" / "labelled"
FIXTURES = ROOT / "tests" / "fixtures"
CLAIM_SETS = ("seed-003", "seed-000", "heldout", "heldout2")
# claims-test4 is scored only when asked (--test): once per release, never while tuning.
SENTENCE_SETS = ("claims-dev", "claims-dev2", "claims-dev3", "claims-test")
TEST_SET = "claims-test4"
E2E_FIXTURES = (
    "deepher/oxytocin-superpower.v1.html",
    "lifeext/could-your-relationship-use-more-oxytocin.v1.html",
    "lifeext/trust-hormone-oxytocin-muscle.v1.html",
    "lifeext/broken.v1.html",
    "lifeext/latin1.v1.html",
)
REF_FIELDS = ("journal", "year", "volume", "first_page", "first_author")


@dataclass(frozen=True)
class ClaimScore:
    """Claim detection against labels: counts and the derived rates."""

    tp: int
    fp: int
    fn: int
    certainty_ok: int

    @property
    def precision(self) -> float:
        """Share of predicted claims that are labelled claims."""
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        """Share of labelled claims that were predicted."""
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        """Harmonic mean of precision and recall."""
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def certainty(self) -> float:
        """Share of the claims found whose hedged/assertive label matches."""
        return self.certainty_ok / self.tp if self.tp else 1.0

    def __add__(self, other: ClaimScore) -> ClaimScore:
        return ClaimScore(
            self.tp + other.tp,
            self.fp + other.fp,
            self.fn + other.fn,
            self.certainty_ok + other.certainty_ok,
        )


def load(name: str) -> dict[str, Any]:
    """One labelled JSON file by name (without .json)."""
    return json.loads((LABELLED / f"{name}.json").read_text(encoding="utf-8"))


def labelled_blocks(name: str) -> tuple[Block, ...]:
    """The hand-built blocks of a labelled claim set."""
    return blocks_from_json(load(name)["blocks"])


def score_claims(blocks: tuple[Block, ...], sentences: list[dict[str, Any]]) -> ClaimScore:
    """Score find_claims(blocks) against labelled sentences (only those present are judged)."""
    present = {normalize_claim(b.text) for b in blocks if b.kind == "heading"}
    present |= {
        normalize_claim(s.text)
        for b in blocks
        if b.kind != "heading"
        for s in split_sentences(b.text, b.markers)
    }
    gold = {k: s for s in sentences if (k := normalize_claim(s["text"])) in present}
    predicted = {c.normalized: c for c in find_claims(blocks)}
    tp = fp = fn = ok = 0
    for key, claim in predicted.items():
        label = gold.get(key)
        if label is None or not label["claim"]:
            fp += 1
        else:
            tp += 1
            ok += claim.certainty == label["certainty"]
    fn = sum(1 for k, s in gold.items() if s["claim"] and k not in predicted)
    return ClaimScore(tp, fp, fn, ok)


def claim_scores() -> dict[str, ClaimScore]:
    """Scores per labelled set, plus the end-to-end fixture score."""
    scores = {
        name: score_claims(labelled_blocks(name), load(name)["sentences"]) for name in CLAIM_SETS
    }
    seed_sentences = load("seed-003")["sentences"] + load("seed-000")["sentences"]
    e2e = ClaimScore(0, 0, 0, 0)
    for path in E2E_FIXTURES:
        article = extract_article((FIXTURES / path).read_bytes(), content_type="text/html").article
        assert article is not None, path
        e2e = e2e + score_claims(article.blocks, seed_sentences)
    scores["fixtures end to end"] = e2e
    return scores


def sentence_scores(
    name: str, detector: Callable[[str], ClaimFeatures] = claim_features
) -> dict[str, ClaimScore]:
    """Detection ("all") and per-type scores of a detector (the shipped claim_features, or
    rule_features for the rules alone) on a labelled sentence set."""
    counts = {key: [0, 0, 0, 0] for key in ("all", *ClaimType)}
    for s in load(name)["sentences"]:
        f = detector(s["text"])
        gold_type = s.get("type") if s["claim"] else None
        got_type = str(f.type) if f.is_claim else None
        if f.is_claim and s["claim"]:
            counts["all"][0] += 1
            counts["all"][3] += ("hedged" if f.certainty_score < 0 else "assertive") == s[
                "certainty"
            ]
        elif f.is_claim:
            counts["all"][1] += 1
        elif s["claim"]:
            counts["all"][2] += 1
        for t in ClaimType:
            if gold_type == t and got_type == t:
                counts[t][0] += 1
            elif got_type == t:
                counts[t][1] += 1
            elif gold_type == t:
                counts[t][2] += 1
    return {str(key): ClaimScore(*c) for key, c in counts.items()}


def reference_scores() -> dict[str, float]:
    """Exact-match rates of reference parsing: ids, key, all labelled fields; seed markers."""
    entries = load("references")["references"]
    ids = key = fields = 0
    for e in entries:
        ref = parse_reference(e["text"])
        ids += ref.ids == e["ids"]
        key += ref.key == e["key"]
        fields += all(getattr(ref, f) == e[f] for f in REF_FIELDS if f in e)
    found = [r for name in ("seed-000", "seed-003") for r in find_references(labelled_blocks(name))]
    seed = [e for e in entries if e["source"].startswith("seed")]
    markers = sum(
        (r.text, r.marker, r.key) == (e["text"], e["marker"], e["key"])
        for r, e in zip(found, seed, strict=False)
    )
    n = len(entries)
    return {
        "ids": ids / n,
        "key": key / n,
        "fields": fields / n,
        "seed lists found (text, marker, key)": markers / len(seed)
        if len(found) == len(seed)
        else 0.0,
    }


def predicted_changes(before: str, after: str) -> dict[str, Any]:
    """Claim and reference changes between two fixture files, in the labelled form."""

    def blocks(path: str) -> tuple[Block, ...]:
        article = extract_article((FIXTURES / path).read_bytes(), content_type="text/html").article
        assert article is not None, path
        return article.blocks

    claims, refs = compare_blocks(blocks(before), blocks(after))
    return {
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


def change_scores() -> tuple[float, list[str]]:
    """Share of labelled fixture pairs whose predicted changes equal the labels; the misses."""
    pairs = load("changes")["pairs"]
    misses = []
    for pair in pairs:
        got = predicted_changes(pair["before"], pair["after"])
        expected = {"claims": pair["claims"], "references": pair["references"]}
        if got != expected:
            misses.append(f"{pair['before']} → {pair['after']}: {got}")
    return 1 - len(misses) / len(pairs), misses


def main() -> None:
    """Print every score."""
    if "--test" in sys.argv and not (LABELLED / f"{TEST_SET}.json").exists():
        sys.exit(f"accuracy: --test needs {TEST_SET}.json in {LABELLED}")
    print(f"{'claims':24} {'P':>6} {'R':>6} {'F1':>6} {'certainty':>10}  (tp/fp/fn)")
    for name, s in claim_scores().items():
        print(
            f"{name:24} {s.precision:6.3f} {s.recall:6.3f} {s.f1:6.3f} {s.certainty:10.3f}"
            f"  ({s.tp}/{s.fp}/{s.fn})"
        )
    for name in (*SENTENCE_SETS, *((TEST_SET,) if "--test" in sys.argv else ())):
        for label, detector in (("rules", rule_features), ("shipped", claim_features)):
            title = f"{name}, {label}"
            print(f"\n{title:24} {'P':>6} {'R':>6} {'F1':>6} {'certainty':>10}  (tp/fp/fn)")
            for key, s in sentence_scores(name, detector).items():
                cert = f"{s.certainty:10.3f}" if key == "all" else " " * 10
                print(
                    f"  {key:22} {s.precision:6.3f} {s.recall:6.3f} {s.f1:6.3f} {cert}"
                    f"  ({s.tp}/{s.fp}/{s.fn})"
                )
    print()
    for name, rate in reference_scores().items():
        print(f"references {name:40} {rate:6.1%}")
    rate, misses = change_scores()
    print(f"changes    {'fixture pairs exactly right':40} {rate:6.1%}")
    for miss in misses:
        print("  miss:", miss)


if __name__ == "__main__":
    main()
