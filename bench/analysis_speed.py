"""Time extract + claims + references + compare for one ~1,500-word article version.

Run: .venv/bin/python bench/analysis_speed.py [runs]
The article is the DeepHer fixture with the Berkeley muscle-study post spliced in before its
references (about 1,650 words); the new version applies the v5 claim edits. One "assessment" is
what a new capture costs: extract the new HTML, find claims and references in both versions
(the old one's blocks come from the database), compare them and diff the words, exactly as
analysis.assess.assess_capture does in the pipeline. Prints the median of the runs for the
whole and for each part; target < 50 ms for the whole.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from analysis.align import _findings, compare_blocks  # noqa: E402
from analysis.assess import ArticleState, CaptureFacts, assess_capture  # noqa: E402
from analysis.claims import find_claims  # noqa: E402
from analysis.extract import extract_article  # noqa: E402
from analysis.references import find_references  # noqa: E402
from analysis.textdiff import diff_words  # noqa: E402
from bench.timing import median_ms  # noqa: E402

FIXTURES = ROOT / "tests" / "fixtures"
TARGET_MS = 50.0


def page(version: str) -> bytes:
    """The DeepHer fixture `version` with the muscle-study post spliced in (~1,650 words)."""
    deepher = (FIXTURES / "deepher" / f"oxytocin-superpower.{version}.html").read_text("utf-8")
    muscle = (FIXTURES / "lifeext" / "trust-hormone-oxytocin-muscle.v1.html").read_text("utf-8")
    body = re.search(
        r'<div class="entry-content">(.*?)</div><!-- \.entry-content -->', muscle, re.S
    )
    assert body is not None
    spliced = deepher.replace("<h2>References:</h2>", body.group(1) + "<h2>References:</h2>", 1)
    assert spliced != deepher
    return spliced.encode("utf-8")


def main() -> None:
    """Print the median time of each part and of the whole assessment."""
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 30
    old_html, new_html = page("v1"), page("v5-claims-edited")
    old = extract_article(old_html, content_type="text/html").article
    new = extract_article(new_html, content_type="text/html").article
    assert old is not None and new is not None
    words = len(new.text.split())
    claims, _ = compare_blocks(old.blocks, new.blocks)
    print(
        f"article: {words} words, {len(new.blocks)} blocks, {len(find_claims(new.blocks))} claims,"
    )
    print(f"         {len(find_references(new.blocks))} references; changes: {claims.summary()}")

    state = ArticleState(latest=old, latest_payload_sha256="old", article_status=200)
    facts = CaptureFacts(status=200, error="", payload_sha256="new")

    def assess() -> object:
        # What the pipeline does per new capture: extract, then assess against the latest
        # version (claims and references of both, word diff, metadata). Caches are cleared so
        # nothing computed in an earlier run is reused.
        _findings.cache_clear()
        return assess_capture(state, facts, extract_article(new_html, content_type="text/html"))

    rows = {
        "extract_article (new version)": lambda: extract_article(
            new_html, content_type="text/html"
        ),
        "find_claims (one version)": lambda: find_claims(new.blocks),
        "find_references (one version)": lambda: find_references(new.blocks),
        "compare_blocks (both versions)": lambda: (
            _findings.cache_clear(),
            compare_blocks(old.blocks, new.blocks),
        ),
        "diff_words (text)": lambda: diff_words(old.text, new.text),
        "whole assessment": assess,
    }
    print(f"median of {runs} runs:")
    for name, fn in rows.items():
        print(f"  {name:34} {median_ms(fn, runs):7.1f} ms")
    whole = median_ms(assess, runs)
    print(
        f"whole assessment {whole:.1f} ms: {'within' if whole < TARGET_MS else 'OVER'} the "
        f"{TARGET_MS:.0f} ms target"
    )


if __name__ == "__main__":
    main()
