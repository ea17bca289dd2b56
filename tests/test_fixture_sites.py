"""The fixture sites say what their names say: each version differs from v1 only as stated."""

from __future__ import annotations

import re
import urllib.request
from pathlib import Path

import lxml.html
import pytest

from claimwatch.sitesrv import SiteServer

FIXTURES = Path(__file__).parent / "fixtures"
DEEPHER = FIXTURES / "deepher"
LIFEEXT = FIXTURES / "lifeext"
SEEDS = Path("/work/shared/seeds")


def page(path: Path) -> lxml.html.HtmlElement:
    return lxml.html.fromstring(path.read_bytes())


def blocks(path: Path, article_xpath: str = "//div[@class='entry-content']") -> list[str]:
    """Normalized text of each heading, paragraph and list item of the article body."""
    body = page(path).xpath(article_xpath)[0]
    return [
        " ".join(el.text_content().split())
        for el in body.iter("h1", "h2", "h3", "p", "li")
        if el.text_content().strip()
    ]


def deepher(version: str) -> Path:
    return next(DEEPHER.glob(f"oxytocin-superpower.{version}*.html"))


def changes(version: str) -> tuple[list[str], list[str]]:
    """Blocks only in v1, blocks only in `version`."""
    old, new = blocks(deepher("v1")), blocks(deepher(version))
    return [b for b in old if b not in new], [b for b in new if b not in old]


@pytest.mark.parametrize("path", sorted(FIXTURES.glob("*/*.html")), ids=lambda p: p.name)
def test_bytes_before_charset_are_ascii(path: Path) -> None:
    # libxml2 guesses the encoding from bytes: non-ASCII before <meta charset> misleads it
    raw = path.read_bytes()
    assert raw[: raw.lower().index(b"charset")].isascii()


@pytest.mark.parametrize("version", ["v2", "v7"])
def test_deepher_article_unchanged(version: str) -> None:
    assert blocks(deepher(version)) == blocks(deepher("v1"))
    assert deepher(version).read_bytes() != deepher("v1").read_bytes()


def test_deepher_boilerplate_changes() -> None:
    v1, v2 = deepher("v1").read_text(), deepher("v2").read_text()
    assert "k3Jx9Qa1VbT0mZcR2wYp8A==" in v1
    assert "k3Jx9Qa1VbT0mZcR2wYp8A==" not in v2
    assert "© 2026 DeepHer WHealth" in v2
    assert v2.count('class="comment ') == v1.count('class="comment ') + 1


@pytest.mark.parametrize(
    ("version", "removed", "added"),
    [
        (
            "v3",
            ["We don’t bounce back like we used to."],
            ["We don’t recover as quickly as we did in our twenties."],
        ),
        (
            "v5",
            [
                "It boosts osteoblasts — the builders behind your bones",
                "Here’s another superpower: Oxytocin lowers cortisol — your body’s main stress "
                "hormone.",
            ],
            [
                "Here’s another superpower: Oxytocin may lower cortisol — your body’s main stress "
                "hormone.",
                "Regular hugging strengthens the immune system and reduces blood pressure.",
            ],
        ),
    ],
)
def test_deepher_text_edits(version: str, removed: list[str], added: list[str]) -> None:
    assert changes(version) == (removed, added)


def test_deepher_claim_paragraph_follows_connection() -> None:
    new = blocks(deepher("v5"))
    after = new.index("Connection isn’t just comforting. It’s chemistry. It’s medicine.") + 1
    assert new[after].startswith("Regular hugging")


def test_deepher_title_edit() -> None:
    v4 = page(deepher("v4"))
    title = "Oxytocin: The Love Hormone That Could Be Your Body’s Hidden Healer"
    assert v4.xpath("string(//h1)") == title
    assert v4.xpath("string(//meta[@property='og:title']/@content)") == title
    assert v4.xpath("string(//title)").startswith(title)
    assert blocks(deepher("v4")) == blocks(deepher("v1"))


def test_deepher_references_edit() -> None:
    refs = [" ".join(li.text_content().split()) for li in page(deepher("v6")).xpath("//ol/li")]
    old = [" ".join(li.text_content().split()) for li in page(deepher("v1")).xpath("//ol/li")]
    refs = [r for r in refs if "et al" in r or "Caldwell" in r]
    old = [r for r in old if "et al" in r or "Caldwell" in r]
    assert len(old) == 5
    assert len(refs) == 5
    assert not any(r.startswith("Jurek B") for r in refs)
    assert refs[0].endswith("PMC8254751")
    assert refs[-1].endswith("doi:10.1016/S0306-4530(98)00056-0")
    assert refs[1:3] == [old[1], old[3]]
    body = [b for b in blocks(deepher("v6")) if b not in refs]
    assert body == [b for b in blocks(deepher("v1")) if b not in old]


@pytest.mark.skipif(not SEEDS.is_dir(), reason="seed pages live outside the repository")
def test_deepher_v1_text_is_the_seed() -> None:
    seed = (SEEDS / "003_e81fd7270540a40f.txt").read_text(encoding="utf-8").splitlines()
    text = " ".join(blocks(deepher("v1")))
    assert text == " ".join(line.strip() for line in seed[1:] if line.strip())


def test_lifeext_strengthened() -> None:
    name = "could-your-relationship-use-more-oxytocin"
    old, new = blocks(LIFEEXT / f"{name}.v1.html"), blocks(LIFEEXT / f"{name}.v2-strengthened.html")
    assert [b for b in old if b not in new] == [
        "It’s not much different for humans either. Oxytocin may just be the key element that "
        "keeps couples together."
    ]
    assert [b for b in new if b not in old] == [
        "It’s not much different for humans either. Oxytocin is the key element that keeps "
        "couples together."
    ]


def test_lifeext_footnotes() -> None:
    html = (LIFEEXT / "could-your-relationship-use-more-oxytocin.v1.html").read_text()
    assert "pair bonding.<sup>1</sup>" in html
    assert "<li>Adv Exp Med Biol. 1995;395:227-34.</li>" in html
    assert html.count("<sup>") == 4


def test_lifeext_index_links_posts() -> None:
    index = page(LIFEEXT / "index.html")
    links = index.xpath("//article//h1/a/@href")
    assert links[:2] == [
        "could-your-relationship-use-more-oxytocin/",
        "trust-hormone-oxytocin-muscle/",
    ]
    assert len(links) == 4
    assert index.xpath("string(//nav[@id='nav-below']//a)") == "Newer Entries"
    assert len(index.xpath("//span[@class='leave-reply']")) == 3


def test_broken_page_has_no_closing_tags() -> None:
    raw = (LIFEEXT / "broken.v1.html").read_bytes()
    assert b"</body>" not in raw
    assert b"</html>" not in raw
    assert b"<b><i>Boston, Massachusetts</b></i>" in raw
    assert page(LIFEEXT / "broken.v1.html").xpath("string(//h1)").startswith("Oxytocin therapy")


def test_latin1_page_is_not_utf8() -> None:
    raw = (LIFEEXT / "latin1.v1.html").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    text = raw.decode("iso-8859-1")
    assert '<meta charset="iso-8859-1">' in text
    assert "café" in text
    assert "naïve" in text


def test_no_article_page_is_tiny() -> None:
    root = page(LIFEEXT / "no-article.html")
    assert root.xpath("//form[@role='search']")
    assert root.xpath("string(//footer)").split() == ["Powered", "by", "WordPress"]
    assert not root.xpath("//article | //p")


def test_pdf_is_valid() -> None:
    raw = (LIFEEXT / "report.pdf").read_bytes()
    assert raw.startswith(b"%PDF-1.4")
    assert raw.rstrip().endswith(b"%%EOF")
    startxref = int(re.search(rb"startxref\n(\d+)", raw).group(1))
    assert raw[startxref:].startswith(b"xref")
    offsets = [int(o) for o in re.findall(rb"(\d{10}) 00000 n ", raw)]
    assert [raw[o:].split(b"\n", 1)[0] for o in offsets] == [b"%d 0 obj" % n for n in range(1, 6)]


@pytest.mark.parametrize(
    ("name", "content_type"),
    [
        ("latin1.v1.html", "text/html"),
        ("index.html", "text/html; charset=utf-8"),
        ("report.pdf", "application/pdf"),
    ],
)
def test_fixtures_served_with_content_type(
    fresh_site: SiteServer, name: str, content_type: str
) -> None:
    fresh_site.set_file(f"/lifeext/{name}", LIFEEXT / name)
    with urllib.request.urlopen(fresh_site.url(f"/lifeext/{name}"), timeout=5) as response:
        assert response.headers["Content-Type"] == content_type
        assert response.read() == (LIFEEXT / name).read_bytes()
