"""The demo site bundled in the package: manifest, page sizes and the bundled edits."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from pathlib import Path

import lxml.html
import pytest

import claimwatch
from claimwatch.sitesrv import SiteServer

DEMO = Path(claimwatch.__file__).parent / "demo_site"
MANIFEST = json.loads((DEMO / "MANIFEST.json").read_text(encoding="utf-8"))
STRESS = "/oxytocin-stress-and-repair.html"
RELATIONSHIPS = "/oxytocin-and-relationships.html"
MUSCLE = "/oxytocin-and-aging-muscle.html"


def root(file: str) -> lxml.html.HtmlElement:
    return lxml.html.fromstring((DEMO / file).read_bytes())


def blocks(file: str, xpath: str = "//article") -> list[str]:
    """Normalized text of each heading, paragraph and list item under `xpath`."""
    return [
        " ".join(el.text_content().split())
        for el in root(file).xpath(xpath)[0].iter("h1", "h2", "h3", "p", "li")
    ]


def original(path: str) -> str:
    return MANIFEST["pages"][path]


def test_manifest_lists_three_articles_with_edits() -> None:
    assert MANIFEST["articles"] == [STRESS, RELATIONSHIPS, MUSCLE]
    assert set(MANIFEST["edits"]) == set(MANIFEST["articles"])
    assert MANIFEST["pages"]["/"] == "index.html"


@pytest.mark.parametrize(
    "file",
    sorted({*MANIFEST["pages"].values(), *MANIFEST["edits"].values()}),
)
def test_pages_exist_with_realistic_size(file: str) -> None:
    size = (DEMO / file).stat().st_size
    assert 10_000 <= size <= 40_000


def test_index_links_every_article() -> None:
    links = set(root("index.html").xpath("//h2/a/@href"))
    assert {"/" + link for link in links} == set(MANIFEST["articles"])


def test_stress_edit_weakens_claim_and_edits_references() -> None:
    old, new = blocks(original(STRESS)), blocks(MANIFEST["edits"][STRESS])
    assert [b for b in old if b not in new] == [
        "It boosts osteoblasts — the builders behind your bones",
        "Here’s another superpower: Oxytocin lowers cortisol — your body’s main stress hormone.",
        "Engert V, et al. Oxytocin dampens stress reactivity: A meta-analysis of cortisol "
        "responses. Comprehensive Psychoneuroendocrinology, 2021. PMC8254750",
        "Jurek B et al. Is Oxytocin Nature’s Medicine? Pharmacological Reviews, 2022.",
    ]
    assert [b for b in new if b not in old] == [
        "Here’s another superpower: Oxytocin may lower cortisol — your body’s main stress hormone.",
        "Engert V, et al. Oxytocin dampens stress reactivity: A meta-analysis of cortisol "
        "responses. Comprehensive Psychoneuroendocrinology, 2021. PMC8254751",
    ]


def test_relationships_edit_is_boilerplate_only() -> None:
    old, new = original(RELATIONSHIPS), MANIFEST["edits"][RELATIONSHIPS]
    assert blocks(old) == blocks(new)
    assert blocks(old, "//aside") != blocks(new, "//aside")


def test_muscle_edit_is_identical() -> None:
    old, new = original(MUSCLE), MANIFEST["edits"][MUSCLE]
    assert (DEMO / old).read_bytes() == (DEMO / new).read_bytes()


def _etag(server: SiteServer, path: str, etag: str | None = None) -> tuple[int, str]:
    request = urllib.request.Request(server.url(path), headers={"If-None-Match": etag or ""})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, response.headers["ETag"]
    except urllib.error.HTTPError as error:
        return error.code, error.headers["ETag"]


def test_served_edits_change_validators_only_where_bytes_change(fresh_site: SiteServer) -> None:
    for path, file in MANIFEST["pages"].items():
        fresh_site.set_file(path, DEMO / file)
    before = {path: _etag(fresh_site, path)[1] for path in MANIFEST["articles"]}
    for path, file in MANIFEST["edits"].items():
        fresh_site.set_file(path, DEMO / file)
    assert _etag(fresh_site, STRESS, before[STRESS])[0] == 200
    assert _etag(fresh_site, RELATIONSHIPS, before[RELATIONSHIPS])[0] == 200
    assert _etag(fresh_site, MUSCLE, before[MUSCLE]) == (304, before[MUSCLE])
