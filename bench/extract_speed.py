"""Pages per second: bare trafilatura.extract against extract_article, on the fixture pages.

Run: .venv/bin/python bench/extract_speed.py [rounds]
Rows: trafilatura with its defaults (plain text, fallback extractors on); trafilatura with the
options extract_article passes (XML, formatting, links, metadata, fast); extract_article (the
same plus decoding, XML parsing into blocks, hashing); what analysis runs per page, as it was
(index_page_error, extract_article and says_not_found: three parses of the page) and as it is
(extract_page: one parse). Compare ratios within one run.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path

import trafilatura

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from analysis.availability import says_not_found  # noqa: E402
from analysis.extract import _TRAFILATURA_OPTIONS, extract_article, extract_page  # noqa: E402
from analysis.pagekind import index_page_error  # noqa: E402


def three_parses(body: bytes) -> object:
    """What service.analyse did per page before extract_page: each step parsed the page."""
    if index_page_error(body, url="http://blog.example/", content_type="text/html"):
        return None
    extraction = extract_article(body, url="http://blog.example/", content_type="text/html")
    return extraction, says_not_found(body)


def pages() -> list[bytes]:
    """The fixture HTML pages (every site, every version)."""
    files = sorted((ROOT / "tests" / "fixtures").glob("*/*.html"))
    return [f.read_bytes() for f in files]


def rate(fn: Callable[[bytes], object], bodies: list[bytes], rounds: int) -> float:
    """Pages per second for `fn` over `rounds` passes through `bodies` (after one warm-up)."""
    for body in bodies:
        fn(body)
    start = time.perf_counter()
    for _ in range(rounds):
        for body in bodies:
            fn(body)
    return rounds * len(bodies) / (time.perf_counter() - start)


def main() -> None:
    """Print pages/s per row and each row's ratio to the bare call."""
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    bodies = pages()
    size = sum(map(len, bodies)) / len(bodies) / 1024
    print(f"{len(bodies)} fixture pages, {size:.0f} KB average, {rounds} rounds")
    rows = {
        "trafilatura.extract (defaults)": lambda b: trafilatura.extract(b),
        "trafilatura.extract (our options)": lambda b: trafilatura.extract(
            b.decode("utf-8", "replace"), **_TRAFILATURA_OPTIONS
        ),
        "extract_article": lambda b: extract_article(b, content_type="text/html"),
        "analysis per page, three parses": three_parses,
        "extract_page (one parse)": lambda b: extract_page(
            b, url="http://blog.example/", content_type="text/html"
        ),
    }
    base = None
    for name, fn in rows.items():
        per_second = rate(fn, bodies, rounds)
        base = base or per_second
        print(f"{name:36s} {per_second:7.1f} pages/s  ({per_second / base:.2f}× the bare call)")


if __name__ == "__main__":
    main()
