"""N distinct ~20–40 KB blog pages built from the article fixtures, for the pipeline benchmark.

Every page is a fixture article (cycled) with the page number in its <title>, a "reader note"
paragraph naming the page inside the article body, and an inline script padding it to a size
between 20 and 40 KB (what themes, analytics and JSON-LD add to a real blog page). Revision 1
rewrites the note as a hedged health claim, so every page's article changes.
"""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
NOT_ARTICLES = {"index.html", "no-article.html"}  # an index page and a page without an article
MIN_SIZE, SPREAD = 20 * 1024, 20 * 1024
_WORDS = [
    "theme", "widget", "sidebar", "analytics", "consent", "banner", "lazy", "image", "srcset",
    "font", "preload", "cart", "menu", "share", "social", "tracking", "pixel", "schema",
    "article", "author", "breadcrumb", "related", "posts", "newsletter",
]  # fmt: skip


def article_fixtures() -> list[Path]:
    """The fixture HTML files that hold one article each."""
    files = sorted(FIXTURES.glob("*/*.html"))
    return [f for f in files if f.name not in NOT_ARTICLES]


def _note(number: int, revision: int) -> bytes:
    if revision == 0:
        text = f"Reader note {number}: this post is part of our archive, page {number}."
    else:
        text = (
            f"Reader note {number}, revision {revision}: oxytocin may lower cortisol in some "
            f"adults, and a daily hug reduces blood pressure by {number % 9 + 2} points."
        )
    return f"<p>{text}</p>\n".encode("ascii")


def _padding(number: int, size: int) -> bytes:
    rnd = random.Random(number)
    data: list[str] = []
    total = 0
    while total < size:
        word = "-".join(rnd.choices(_WORDS, k=3)) + str(rnd.randint(0, 99999))
        data.append(word)
        total += len(word) + 3
    return b"<script>window.__theme=" + json.dumps(data).encode("ascii") + b";</script>\n"


def page_body(
    template: bytes, number: int, revision: int = 0, *, min_size: int = MIN_SIZE
) -> bytes:
    """A fixture page made unique to `number`; `revision` > 0 edits its article text."""
    body = re.sub(rb"<title>", f"<title>Page {number}: ".encode("ascii"), template, count=1)
    note = _note(number, revision)
    marker = re.search(rb'<div class="entry-content">\s*', body)
    # The legacy page has no entry-content div: there the note goes before its first paragraph.
    at = marker.end() if marker else body.index(b"<p", body.index(b"<body"))
    body = body[:at] + note + body[at:]
    target = min_size + (number * 7919) % SPREAD
    pad = _padding(number, max(0, target - len(body) - 40))
    head_end = body.index(b"</head>")
    return body[:head_end] + pad + body[head_end:]


def build_pages(
    count: int, revision: int = 0, *, min_size: int = MIN_SIZE
) -> dict[str, tuple[bytes, str]]:
    """`count` pages as {path: (body, content type)}; paths stay the same across revisions.
    Sizes run from `min_size` to `min_size` + 20 KB (about `min_size` + 10 KB on average)."""
    from claimwatch.sitesrv import guess_content_type

    fixtures = article_fixtures()
    pages: dict[str, tuple[bytes, str]] = {}
    for number in range(count):
        fixture = fixtures[number % len(fixtures)]
        template = fixture.read_bytes()
        path = f"/blog/{number:04d}/{fixture.name.split('.')[0]}/"
        body = page_body(template, number, revision, min_size=min_size)
        pages[path] = (body, guess_content_type(fixture, template))
    return pages
