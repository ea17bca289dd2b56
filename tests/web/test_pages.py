"""Every page of the web UI over real HTTP, on the demo's recorded edit, on each backend."""

from __future__ import annotations

import csv
import io
import json
import re

import httpx
import pytest

from claimwatch.web.safety import CAPTURE_CSP
from tests.web.conftest import Served

pytestmark = pytest.mark.slow
STRESS = "oxytocin-stress-and-repair"


def client(archive: Served) -> httpx.Client:
    """An HTTP client on the served app (cookies kept, like a browser)."""
    return httpx.Client(base_url=archive.base_url, timeout=30)


def change_id(http: httpx.Client) -> int:
    """The id of the demo's change, read from the feed."""
    return int(re.findall(r'href="/changes/(\d+)"', http.get("/").text)[0])


def token(page: str) -> str:
    """The CSRF token in a page's forms."""
    return re.findall(r'name="csrf" value="([^"]+)"', page)[0]


def test_feed_lists_the_demo_change_with_what_stands_out(demo: Served) -> None:
    with client(demo) as http:
        response = http.get("/")
    page = response.text
    assert response.status_code == 200
    assert "Oxytocin: The Love Hormone That Might Be Your Body’s Real Superpower" in page
    assert '<strong class="alarm">1 claim weakened</strong>' in page
    assert '<strong class="alarm">1 claim removed</strong>' in page
    assert '<strong class="alarm">1 reference removed</strong>' in page
    assert 'class="badge kind-claims"' in page
    assert "127.0.0.1" in page


@pytest.mark.parametrize(
    ("query", "listed"),
    [
        ("kind=claims", True),
        ("kind=metadata", False),
        ("severity=major", True),
        ("severity=minor", False),
        ("site=127.0.0.1", True),
        ("site=elsewhere.example", False),
        ("tag=demo", True),
        ("tag=other", False),
        ("since=2000-01-01", True),
        ("until=2000-01-01", False),
        ("label=never-used", False),
    ],
)
def test_feed_filters(demo: Served, query: str, listed: bool) -> None:
    with client(demo) as http:
        page = http.get(f"/?{query}").text
    assert ("/changes/" in page) is listed


@pytest.mark.parametrize("query", ["since=yesterday", "kind=rumour", "before=%%%"])
def test_feed_refuses_bad_filters(demo: Served, query: str) -> None:
    with client(demo) as http:
        response = http.get(f"/?{query}")
    assert response.status_code == 400
    assert "Not possible" in response.text


def test_change_page_leads_with_claims_and_references(demo: Served) -> None:
    with client(demo) as http:
        cid = change_id(http)
        page = http.get(f"/changes/{cid}").text
    assert page.index('id="claims"') < page.index('id="references"') < page.index('id="text"')
    weakened = page[page.index("claim-weakened") :]
    assert "<del>lowers</del>" in weakened
    assert "<ins>may lower</ins>" in weakened
    assert 'class="badge certainty-assertive"' in weakened
    assert 'class="badge certainty-hedged"' in weakened
    assert '<span class="ident changed" data-kind="pmcid">' in page
    assert 'href="https://www.ncbi.nlm.nih.gov/pmc/articles/PMC8254750/"' in page
    assert 'href="https://www.ncbi.nlm.nih.gov/pmc/articles/PMC8254751/"' in page
    assert "<del>It boosts osteoblasts — the builders behind your bones</del>" in page
    assert "Jurek B et al. Is Oxytocin Nature’s Medicine?" in page


def test_change_page_text_views(demo: Served) -> None:
    with client(demo) as http:
        cid = change_id(http)
        side = http.get(f"/changes/{cid}").text
        inline = http.get(f"/changes/{cid}?view=inline").text
        whole = http.get(f"/changes/{cid}?all=1").text
        bad = http.get(f"/changes/{cid}?view=sideways")
        missing = http.get("/changes/999999")
    assert '<div class="diff side">' in side and 'class="left"' in side
    assert '<details class="fold"><summary>23 unchanged blocks</summary>' in side
    assert '<div class="diff inline">' in inline and 'class="one"' in inline
    assert "<del>lowers</del><ins>may lower</ins>" in inline.replace("\n", "")
    assert '<details class="fold">' not in whole
    assert bad.status_code == 422
    assert missing.status_code == 404


def test_change_page_links_versions_captures_and_neighbours(demo: Served) -> None:
    with client(demo) as http:
        cid = change_id(http)
        page = http.get(f"/changes/{cid}").text
    assert re.search(r'href="/articles/\d+\?version=1"', page)
    assert re.search(r'href="/articles/\d+\?version=2#capture"', page)
    assert 'rel="prev"' not in page and 'rel="next"' not in page  # the article's only change


def test_article_page_timeline_claims_and_sandboxed_capture(demo: Served) -> None:
    with client(demo) as http:
        cid = change_id(http)
        article = re.findall(r'href="/articles/(\d+)"', http.get(f"/changes/{cid}").text)[0]
        latest = http.get(f"/articles/{article}").text
        first = http.get(f"/articles/{article}?version=1").text
        before_any = http.get(f"/articles/{article}?at=2000-01-01").text
        bad_date = http.get(f"/articles/{article}?at=soon")
    assert '<svg class="timeline"' in latest and f'href="/changes/{cid}"><rect' in latest
    assert "Oxytocin may lower cortisol" in latest and "Oxytocin lowers cortisol" not in latest
    assert "Oxytocin lowers cortisol" in first
    assert 'data-kind="pmcid"' in latest and "PMC8254751" in latest
    assert re.search(r'<iframe class="capture" sandbox src="/captures/\d+"', latest)
    assert "No version existed by 2000-01-01." in before_any
    assert bad_date.status_code == 400


def test_capture_is_served_inert(demo: Served) -> None:
    with client(demo) as http:
        cid = change_id(http)
        article = re.findall(r'href="/articles/(\d+)"', http.get(f"/changes/{cid}").text)[0]
        capture = re.findall(r'src="/captures/(\d+)"', http.get(f"/articles/{article}").text)[0]
        html = http.get(f"/captures/{capture}")
        text = http.get(f"/captures/{capture}?text=1")
        missing = http.get("/captures/999999")
    assert html.headers["content-security-policy"].startswith(CAPTURE_CSP)
    assert html.headers["content-type"].startswith("text/html")
    assert html.headers["x-content-type-options"] == "nosniff"
    assert "Oxytocin may lower cortisol" in html.text
    assert text.headers["content-type"] == "text/plain; charset=utf-8"
    assert text.text.lstrip().lower().startswith("<!doctype html")
    assert missing.status_code == 404


@pytest.mark.parametrize("path", ["/", "/sources", "/search?q=cortisol", "/changes/1"])
def test_pages_carry_a_strict_csp(demo: Served, path: str) -> None:
    with client(demo) as http:
        response = http.get(path)
    csp = response.headers["content-security-policy"]
    assert "script-src 'self';" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["x-frame-options"] == "DENY"
    assert "<script>" not in response.text and " on" + "click=" not in response.text


def test_search_finds_claims_across_versions(demo: Served) -> None:
    with client(demo) as http:
        page = http.get("/search", params={"q": "cortisol"}).text
        phrase = http.get("/search", params={"q": '"oxytocin lowers cortisol"'}).text
        nothing = http.get("/search", params={"q": "zzzyzzx"}).text
    dropped = page[: page.index("Oxytocin lowers <mark>cortisol</mark>")]
    assert dropped.rindex('class="hit dropped"') > dropped.rindex('class="hit"')
    held = page[page.index("Oxytocin may lower <mark>cortisol</mark>") :]
    assert "still in the latest version (v2)" in held[:1500]
    assert "not in the latest version (v2)" in page
    assert 'id="text-hits"' in page and "Could Your Relationship Use More Oxytocin?" in page
    phrase_claims = phrase[phrase.index('id="claim-hits"') : phrase.index('id="text-hits"')]
    assert "<mark>lowers</mark> <mark>cortisol</mark>" in phrase_claims
    assert "may <mark>lower</mark>" not in phrase_claims
    assert "No claim matches." in nothing and "No article text matches." in nothing


def test_triage_forms_need_the_csrf_token(demo: Served) -> None:
    with client(demo) as http:
        cid = change_id(http)
        http.get(f"/changes/{cid}")  # sets the CSRF cookie
        missing = http.post(f"/changes/{cid}/review", data={"reviewed": "yes"})
        wrong = http.post(f"/changes/{cid}/review", data={"reviewed": "yes", "csrf": "x" * 43})
        cross = http.post(
            f"/changes/{cid}/review",
            data={"reviewed": "yes", "csrf": http.cookies["claimwatch_csrf"]},
            headers={"Origin": "https://evil.example"},
        )
    assert [missing.status_code, wrong.status_code, cross.status_code] == [403, 403, 403]


def test_review_label_and_note_a_change(demo: Served) -> None:
    with client(demo) as http:
        cid = change_id(http)
        csrf = token(http.get(f"/changes/{cid}").text)
        review = http.post(f"/changes/{cid}/review", data={"reviewed": "yes", "csrf": csrf})
        http.post(
            f"/changes/{cid}/labels",
            data={"label": ["misleading"], "new_labels": "Correction  Issued", "csrf": csrf},
        )
        http.post(f"/changes/{cid}/notes", data={"text": "Asked the author.", "csrf": csrf})
        page = http.get(f"/changes/{cid}").text
        reviewed_feed = http.get("/?reviewed=yes&label=misleading").text
        unreviewed_feed = http.get("/?reviewed=no").text
        api = http.get(f"/api/v1/changes/{cid}/triage").json()
        http.post(f"/changes/{cid}/review", data={"reviewed": "no", "csrf": csrf})
        http.post(f"/changes/{cid}/labels", data={"csrf": csrf})
        after = http.get(f"/api/v1/changes/{cid}/triage").json()
    assert review.status_code == 303
    assert "Mark unreviewed" in page and "Asked the author." in page
    assert f"/changes/{cid}" in reviewed_feed
    assert f"/changes/{cid}" not in unreviewed_feed
    assert api["reviewed"] is True
    assert api["labels"] == ["correction issued", "misleading"]
    assert [n["text"] for n in api["notes"]][-1] == "Asked the author."
    assert after["reviewed"] is False and after["labels"] == []


def test_triage_api(demo: Served) -> None:
    with client(demo) as http:
        cid = change_id(http)
        reviewed = http.post(f"/api/v1/changes/{cid}/review", json={"reviewed": True})
        labelled = http.put(f"/api/v1/changes/{cid}/labels", json={"labels": ["benign edit"]})
        note = http.post(f"/api/v1/changes/{cid}/notes", json={"text": "API note", "author": "ops"})
        labels = http.get("/api/v1/labels").json()
        blank = http.post(f"/api/v1/changes/{cid}/notes", json={"text": "   "})
        missing = http.post("/api/v1/changes/999999/review", json={"reviewed": True})
        form_post = http.post(f"/api/v1/changes/{cid}/review", data={"reviewed": "true"})
        schema = http.get("/openapi.json").json()
        http.post(f"/api/v1/changes/{cid}/review", json={"reviewed": False})
        http.put(f"/api/v1/changes/{cid}/labels", json={"labels": []})
    assert reviewed.json()["reviewed"] is True
    assert labelled.json()["labels"] == ["benign edit"]
    assert note.status_code == 201 and note.json()["author"] == "ops"
    assert {"label": "benign edit", "changes": 1} in labels
    assert blank.status_code == 422 and missing.status_code == 404
    assert form_post.status_code == 422  # JSON only: a cross-site form cannot post here
    assert "/api/v1/changes/{change_id}/labels" in schema["paths"]
    assert not any(path.startswith("/changes") for path in schema["paths"])


def test_exports_carry_triage(demo: Served) -> None:
    with client(demo) as http:
        cid = change_id(http)
        http.put(f"/api/v1/changes/{cid}/labels", json={"labels": ["misleading"]})
        changes_csv = http.get("/export/changes.csv")
        changes_jsonl = http.get("/export/changes.jsonl?kind=claims").text
        claims_csv = http.get("/export/claims.csv").text
        claims_jsonl = http.get("/export/claims.jsonl?label=nothing").text
        http.put(f"/api/v1/changes/{cid}/labels", json={"labels": []})
    rows = list(csv.DictReader(io.StringIO(changes_csv.text)))
    assert changes_csv.headers["content-type"] == "text/csv; charset=utf-8"
    assert rows[0]["labels"] == "misleading" and rows[0]["reviewed"] in ("true", "false")
    assert rows[0]["highlights"].startswith("1 claim weakened")
    [change] = [json.loads(line) for line in changes_jsonl.splitlines()]
    assert change["labels"] == ["misleading"] and change["claims"]["modified"]
    claims = list(csv.DictReader(io.StringIO(claims_csv)))
    assert {c["change"] for c in claims} == {"weakened", "removed"}
    weakened = next(c for c in claims if c["change"] == "weakened")
    assert (weakened["certainty_before"], weakened["certainty_after"]) == ("assertive", "hedged")
    assert weakened["labels"] == "misleading"
    assert claims_jsonl == ""


def test_sources_page_adds_pauses_and_configures(demo: Served) -> None:
    with client(demo) as http:
        page = http.get("/sources").text
        csrf = token(page)
        refused = http.post("/sources", data={"urls": "ftp://x.example/a\nnot a url", "csrf": csrf})
        added = http.post(
            "/sources",
            data={
                "urls": "https://blog.example/a/\nhttps://blog.example/b/?utm_source=x\n",
                "interval": "12h",
                "tags": "new, hormones",
                "csrf": csrf,
            },
        )
        listing = http.get("/sources").text
        sid = re.findall(
            r'id="source-(\d+)"[^>]*>\s*<td><a href="/articles/\d+"><bdi>https://blog.example/a/',
            listing,
        )[0]
        paused = http.post(f"/sources/{sid}", data={"action": "pause", "csrf": csrf})
        after_pause = http.get("/sources").text
        http.post(f"/sources/{sid}", data={"action": "resume", "csrf": csrf})
        saved = http.post(
            f"/sources/{sid}",
            data={"action": "save", "interval": "1d", "tags": "x y", "csrf": csrf},
        )
        final = http.get("/sources").text
    assert "127.0.0.1" in page and STRESS in page
    assert refused.status_code == 400
    assert "only http and https URLs can be tracked" in refused.text
    assert "not a URL" in refused.text
    assert "2 tracked (2 new)." in added.text
    assert "https://blog.example/b/" in listing and "utm_source" not in listing
    assert paused.status_code == 303 and saved.status_code == 303
    row = after_pause[after_pause.index(f'id="source-{sid}"') :]
    assert 'class="badge paused"' in row[: row.index("</tr>")]
    row = final[final.index(f'id="source-{sid}"') :][:3000]
    assert 'value="24h"' in row and 'value="x, y"' in row and "Pause" in row


def test_static_files(demo: Served) -> None:
    with client(demo) as http:
        css = http.get("/static/app.css")
        js = http.get("/static/app.js")
        outside = http.get("/static/..%2Fpages.py")
        other = http.get("/static/pages.py")
    assert css.headers["content-type"].startswith("text/css")
    assert js.headers["content-type"].startswith("text/javascript")
    assert outside.status_code == 404 and other.status_code == 404
