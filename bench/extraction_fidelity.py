"""Extraction fidelity against ground truth: extract_article beside bare trafilatura, one run.

Run: .venv/bin/python bench/extraction_fidelity.py [--rounds N] [--no-variants]
Pages: the theme pages of tests/fixtures/themes/ (article text written for the fixtures, in the
markup of real themes; `pages/*.truth.txt` is the text a reader sees). Rows, per page and in
total, for claimwatch's `extract_article` and for bare `trafilatura.extract(html)` with its
default options:

- token F1 (and precision, recall) of the article text against the truth: bags of casefolded
  word tokens; for both extractors a first line repeating the title is not counted, since
  claimwatch keeps the title as metadata;
- title and publication date equal to what the page states (bare: `bare_extraction(...,
  with_metadata=True)`);
- pages/s of each over the same pages (`--rounds` passes, default 5);
- unless `--no-variants`: over the boilerplate variants of tests/analysis/page_variants.py,
  how many change the extracted text (claimwatch: content hash; bare: its text).
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import trafilatura

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from analysis.extract import extract_article  # noqa: E402
from tests.analysis.page_variants import all_pages, applicable, variant  # noqa: E402

THEMES = ROOT / "tests" / "fixtures" / "themes"
_WORD = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class Score:
    """Token precision, recall and F1 of one extraction against the truth."""

    precision: float
    recall: float
    f1: float


def tokens(text: str) -> Counter[str]:
    """The bag of casefolded word tokens of `text`."""
    return Counter(w.casefold() for w in _WORD.findall(text))


def score(predicted: str, truth: str) -> Score:
    """Token precision, recall and F1 of `predicted` against `truth`."""
    got, want = tokens(predicted), tokens(truth)
    common = sum((got & want).values())
    if not common:
        return Score(0.0, 0.0, 0.0)
    precision, recall = common / sum(got.values()), common / sum(want.values())
    return Score(precision, recall, 2 * precision * recall / (precision + recall))


def without_title(text: str, title: str) -> str:
    """`text` without a first line that repeats the title."""
    lines = text.strip().splitlines()
    if lines and " ".join(lines[0].split()).casefold() == title.casefold():
        lines = lines[1:]
    return "\n".join(lines)


def ours(body: bytes, url: str) -> tuple[str, str, str]:
    """claimwatch: the article's block texts, its title and publication date."""
    article = extract_article(body, url=url, content_type="text/html").article
    if article is None:
        return "", "", ""
    return "\n".join(b.text for b in article.blocks), article.title, article.published


def bare(body: bytes, url: str) -> tuple[str, str, str]:
    """Bare trafilatura, default options: its text; title and date from its metadata."""
    text = trafilatura.extract(body) or ""
    document = trafilatura.bare_extraction(body, with_metadata=True)
    title = getattr(document, "title", None) or ""
    published = getattr(document, "date", None) or ""
    return text, " ".join(title.split()), published


def rate(fn: Callable[[bytes, str], object], bodies: list[bytes], rounds: int) -> float:
    """Pages per second of `fn` over `rounds` passes (after one warm-up pass)."""
    for body in bodies:
        fn(body, "")
    start = time.perf_counter()
    for _ in range(rounds):
        for body in bodies:
            fn(body, "")
    return rounds * len(bodies) / (time.perf_counter() - start)


def main() -> None:
    """Print the per-page table, the totals and the speed of both extractors."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--no-variants", action="store_true")
    args = parser.parse_args()
    pages = [p for p in all_pages() if p.truth is not None]
    print(f"{len(pages)} theme pages with ground truth (tests/fixtures/themes/)\n")
    print(f"{'page':58s} {'claimwatch':>10s} {'bare':>6s}  title  date")
    totals: dict[str, list[Score]] = {"claimwatch": [], "bare": []}
    titles, dates = Counter[str](), Counter[str]()
    for page in pages:
        assert page.truth is not None
        truth = page.truth.read_text(encoding="utf-8")
        body = page.path.read_bytes()
        row = []
        for name, fn in (("claimwatch", ours), ("bare", bare)):
            text, title, published = fn(body, page.url)
            result = score(without_title(text, page.title), truth)
            totals[name].append(result)
            titles[name] += title == page.title
            dates[name] += published == page.published
            row.append((result, title == page.title, published == page.published))
        marks = (
            "".join("T" if r[1] else "-" for r in row)
            + "    "
            + "".join("D" if r[2] else "-" for r in row)
        )
        print(f"{page.name[:58]:58s} {row[0][0].f1:10.3f} {row[1][0].f1:6.3f}   {marks}")
    print()
    print(
        f"{'':24s} {'F1 mean':>8s} {'median':>7s} {'min':>6s} {'P':>6s} {'R':>6s} "
        f"{'titles':>7s} {'dates':>6s}"
    )
    for name, scores in totals.items():
        f1s = [s.f1 for s in scores]
        print(
            f"{name:24s} {statistics.mean(f1s):8.3f} {statistics.median(f1s):7.3f} "
            f"{min(f1s):6.3f} {statistics.mean(s.precision for s in scores):6.3f} "
            f"{statistics.mean(s.recall for s in scores):6.3f} "
            f"{titles[name]:>3d}/{len(pages):<3d} {dates[name]:>2d}/{len(pages)}"
        )
    worse = [
        p.name
        for p, a, b in zip(pages, totals["claimwatch"], totals["bare"], strict=True)
        if a.f1 < b.f1
    ]
    print(f"pages where claimwatch's F1 is below bare trafilatura's: {len(worse)} {worse}")

    bodies = [p.path.read_bytes() for p in pages]
    speed_ours = rate(
        lambda b, u: extract_article(b, url=u, content_type="text/html"), bodies, args.rounds
    )
    speed_bare = rate(lambda b, u: trafilatura.extract(b), bodies, args.rounds)
    print(
        f"\nspeed over the same pages, {args.rounds} rounds: claimwatch {speed_ours:.1f} pages/s, "
        f"bare trafilatura {speed_bare:.1f} pages/s ({speed_ours / speed_bare:.2f}×)"
    )
    if args.no_variants:
        return
    changed, total = Counter[str](), 0
    for page in all_pages():
        base_ours = extract_article(page.path.read_bytes(), content_type=page.content_type)
        base_bare = trafilatura.extract(page.path.read_bytes())
        for kind in applicable(page):
            varied = variant(page, kind)
            if varied is None:
                continue
            total += 1
            mine = extract_article(varied, content_type=page.content_type).article
            changed["claimwatch"] += (
                mine is None
                or base_ours.article is None
                or mine.content_hash != base_ours.article.content_hash
            )
            changed["bare"] += trafilatura.extract(varied) != base_bare
    print(
        f"\nboilerplate-only variants that change the extracted text, of {total} "
        f"({len(all_pages())} pages): claimwatch {changed['claimwatch']}, "
        f"bare trafilatura {changed['bare']}"
    )


if __name__ == "__main__":
    main()
