"""Time analysis.textdiff.diff_words on an 8 KB article: one edited sentence and a full rewrite.

Run: .venv/bin/python bench/diff_speed.py
Prints the median of several runs per case, then for comparison the same token encoding aligned
by diff-match-patch's Myers `diff_main` (no timeout), and its plain character diff (its default
1 s Diff_Timeout is what a full rewrite runs into).
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

from diff_match_patch import diff_match_patch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analysis.textdiff import diff_words
from analysis.wordalign import _encode, tokenize
from bench.timing import median_ms


def article(seed: int, size: int = 8192) -> str:
    """Return pseudo-English paragraphs of about `size` characters, Zipf-like word frequencies."""
    rnd = random.Random(seed)
    letters = "etaoinshrdlcumwfgypbvk"
    vocabulary = [
        "".join(rnd.choice(letters) for _ in range(rnd.randint(2, 10))) for _ in range(1500)
    ]
    weights = [1 / (rank + 1) for rank in range(len(vocabulary))]
    paragraphs: list[str] = []
    total = 0
    while total < size:
        sentences = []
        for _ in range(rnd.randint(2, 5)):
            words = rnd.choices(vocabulary, weights, k=rnd.randint(8, 22))
            sentences.append(" ".join(words).capitalize() + rnd.choice(".,;!?."))
        paragraphs.append(" ".join(sentences))
        total += len(paragraphs[-1]) + 2
    return "\n\n".join(paragraphs)[:size]


def char_diff(a: str, b: str) -> None:
    """The plain character diff with the library's defaults (1 s timeout)."""
    dmp = diff_match_patch()
    dmp.diff_cleanupSemantic(dmp.diff_main(a, b))


def myers_word_diff(a: str, b: str) -> None:
    """The brief's first design: tokens as characters, dmp's Myers diff_main, no timeout."""
    symbols: dict[str, str] = {}
    vocabulary: list[str] = []
    ea = _encode(tokenize(a), symbols, vocabulary)
    eb = _encode(tokenize(b), symbols, vocabulary)
    dmp = diff_match_patch()
    dmp.Diff_Timeout = 0
    dmp.diff_main(ea, eb, False)


def main() -> None:
    """Print timings for each case."""
    before = article(1)
    middle = before.index(". ", len(before) // 2) + 2
    end = before.index(". ", middle) + 1
    edited = before[:middle] + "This one sentence was reworded by the editor." + before[end:]
    rewrite = article(2)
    shuffled_words = before.split(" ")
    random.Random(3).shuffle(shuffled_words)
    shuffled = " ".join(shuffled_words)
    cases = {
        "one sentence changed": edited,
        "full rewrite (new text)": rewrite,
        "full rewrite (same words, shuffled)": shuffled,
    }
    print(f"text size: {len(before)} chars, {len(before.split())} words")
    for name, after in cases.items():
        d = diff_words(before, after)
        ms = median_ms(lambda after=after: diff_words(before, after), 5, warm_up=False)
        print(f"diff_words  {name:38s} {ms:8.1f} ms  (+{d.added_words}/-{d.removed_words} words)")
    for name, after in cases.items():
        ms = median_ms(lambda after=after: myers_word_diff(before, after), 1, warm_up=False)
        print(f"word Myers  {name:38s} {ms:8.1f} ms  (dmp diff_main, Diff_Timeout=0, no cleanup)")
    for name, after in cases.items():
        ms = median_ms(lambda after=after: char_diff(before, after), 1, warm_up=False)
        print(f"char diff   {name:38s} {ms:8.1f} ms  (diff-match-patch defaults)")


if __name__ == "__main__":
    main()
