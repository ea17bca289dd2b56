"""Time claim analysis: per sentence, per article version, and the claim part of a comparison.

Run: .venv/bin/python bench/claims_speed.py [runs]
Uses CPU time of this process (time.process_time), not wall time, so that other work on a
shared machine does not count; the article is the ~1,650-word page of bench/analysis_speed.py.
Targets: claim_features ≤ 5 ms per sentence; the whole assessment (analysis_speed.py) ≤ 50 ms.
Every figure is printed for the shipped detector (rules + model) and for the rules alone.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from analysis import claim_model  # noqa: E402
from analysis.align import _findings, compare_blocks  # noqa: E402
from analysis.assess import ArticleState, CaptureFacts, assess_capture  # noqa: E402
from analysis.claims import (  # noqa: E402
    _predicates,
    _sentences,
    claim_features,
    find_claims,
    rule_features,
)
from analysis.extract import extract_article  # noqa: E402
from bench.analysis_speed import page  # noqa: E402

LABELLED = ROOT / "tests" / "analysis" / "labelled"


def cpu_ms(fn: Callable[[], object], runs: int) -> float:
    """Median CPU time of `fn` over `runs` calls after one warm-up, in milliseconds."""
    fn()
    times = []
    for _ in range(runs):
        start = time.process_time()
        fn()
        times.append((time.process_time() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    """Print the CPU-time medians."""
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 30
    sentences = [
        s["text"]
        for name in ("claims-dev", "claims-dev2", "claims-dev3")
        for s in json.loads((LABELLED / f"{name}.json").read_text("utf-8"))["sentences"]
    ]
    old_html, new_html = page("v1"), page("v5-claims-edited")
    old = extract_article(old_html, content_type="text/html").article
    new = extract_article(new_html, content_type="text/html").article
    assert old is not None and new is not None
    state = ArticleState(latest=old, latest_payload_sha256="old", article_status=200)
    facts = CaptureFacts(status=200, error="", payload_sha256="new")

    def cold() -> None:
        # Every run starts cold: no version's findings and no sentence's features are cached.
        _findings.cache_clear()
        claim_features.cache_clear()
        rule_features.cache_clear()
        _predicates.cache_clear()
        _sentences.cache_clear()

    def all_sentences() -> None:
        cold()
        for text in sentences:
            claim_features(text)

    def one_version() -> object:
        cold()
        return find_claims(new.blocks)

    def compare() -> object:
        cold()
        return compare_blocks(old.blocks, new.blocks)

    def assess() -> object:
        cold()
        return assess_capture(state, facts, extract_article(new_html, content_type="text/html"))

    words = len(new.text.split())
    # The same figures with the rules alone (the model switched off in this process), so the
    # model's cost is read as a ratio measured in one run.
    for label, model in (("rules + model (shipped)", claim_model._model), ("rules alone", dict)):
        claim_model._model = model  # type: ignore[assignment]
        per_sentence = cpu_ms(all_sentences, runs) / len(sentences)
        print(f"{label}:")
        print(f"  claim_features: {per_sentence:.3f} ms per sentence ({len(sentences)} sentences)")
        print(f"  find_claims, one {words}-word version: {cpu_ms(one_version, runs):.1f} ms")
        print(f"  compare_blocks, both versions: {cpu_ms(compare, runs):.1f} ms")
        print(f"  whole assessment: {cpu_ms(assess, runs):.1f} ms (target 50 ms)")


if __name__ == "__main__":
    main()
