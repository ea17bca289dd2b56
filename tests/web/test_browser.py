"""The analyst's path through the UI in headless Chromium, and the XSS suite.

Screenshots of each page land in the test's tmp dir (and in CLAIMWATCH_SCREENSHOTS when set).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.web.browser import keep_screenshot, launch
from tests.web.conftest import Served

pytestmark = pytest.mark.slow


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One headless Chromium for the session."""
    yield from launch()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh page at desktop width that fails the test on any script error."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    yield tab
    context.close()
    assert errors == []


def shoot(page: Any, tmp_path: Path, name: str, archive: Served) -> Path:
    """Save a full-page screenshot named after the page (and the backend)."""
    shot = tmp_path / f"{name}.png"
    page.screenshot(path=str(shot), full_page=True)
    if archive.backend == "sqlite":
        keep_screenshot(shot)
    assert shot.stat().st_size > 10_000
    return shot


def test_analyst_reviews_the_demo_edit(page: Any, demo: Served, tmp_path: Path) -> None:
    page.goto(demo.base_url + "/")
    row = page.locator("li.change").first
    assert "alarming" in (row.get_attribute("class") or "")
    assert row.locator("strong.alarm", has_text="1 claim weakened").is_visible()
    shoot(page, tmp_path, "feed", demo)

    row.locator("a.title").click()
    page.wait_for_url(re.compile(r"/changes/\d+$"))
    change_url = page.url
    weakened = page.locator("li.claim-weakened")
    assert weakened.locator(".badge.change-weakened").inner_text() == "weakened"
    assert weakened.locator("blockquote.before del").inner_text() == "lowers"
    assert weakened.locator("blockquote.after ins").inner_text() == "may lower"
    changed_ids = page.locator("li.ref-modified .ident.changed a")
    assert changed_ids.all_inner_texts() == ["PMC8254750", "PMC8254751"]
    assert changed_ids.nth(1).get_attribute("href") == (
        "https://www.ncbi.nlm.nih.gov/pmc/articles/PMC8254751/"
    )
    # The changed identifier is highlighted: its background differs from an unchanged one's.
    highlight = changed_ids.nth(1).evaluate(
        "a => getComputedStyle(a.parentElement).backgroundColor"
    )
    assert highlight not in ("rgba(0, 0, 0, 0)", "transparent")
    assert page.locator(".diff.side .row.changed").count() >= 2
    shoot(page, tmp_path, "change", demo)

    page.locator("a.toggle-inline").click()
    page.wait_for_url(re.compile(r"view=inline"))
    inline = page.locator(".diff.inline .row.changed .one", has_text="may lower").first
    assert inline.locator("del").first.inner_text() == "lowers"
    assert inline.locator("ins").first.inner_text() == "may lower"
    folds = page.locator("details.fold")
    assert folds.count() >= 1 and not folds.first.evaluate("d => d.open")
    folds.first.locator("summary").click()
    assert folds.first.evaluate("d => d.open")
    shoot(page, tmp_path, "change-inline", demo)

    page.locator("a.capture-link").click()
    page.wait_for_url(re.compile(r"/articles/\d+\?version=2#capture"))
    frame = page.locator("iframe.capture")
    assert frame.get_attribute("sandbox") == ""
    archived = page.frame_locator("iframe.capture")
    assert "Superpower" in archived.locator("h1").first.inner_text()
    assert page.locator(".version-claims li", has_text="Oxytocin may lower cortisol").count() == 1
    assert page.locator("svg.timeline rect.bar").count() == 1
    shoot(page, tmp_path, "article", demo)

    page.goto(change_url)
    page.locator("#mark-reviewed").click()
    page.wait_for_url(re.compile(r"/changes/\d+#triage$"))
    assert page.locator("#triage .badge.reviewed").inner_text().startswith("reviewed ")
    page.locator('#triage input[value="misleading"]').check()
    page.locator("#triage button", has_text="Save labels").click()
    page.wait_for_load_state()
    assert page.locator('#triage input[value="misleading"]').is_checked()
    page.goto(demo.base_url + "/?reviewed=yes")
    assert page.locator("li.change .badge.reviewed").count() == 1
    assert page.locator("li.change .badge.label", has_text="misleading").count() == 1
    # Leave the shared archive as it was for the other tests.
    page.goto(change_url)
    page.locator("#triage button", has_text="Mark unreviewed").click()
    page.wait_for_load_state()
    page.locator('#triage input[value="misleading"]').uncheck()
    page.locator("#triage button", has_text="Save labels").click()
    page.wait_for_load_state()

    page.locator("header input[name=q]").fill("cortisol")
    page.locator("header input[name=q]").press("Enter")
    page.wait_for_url(re.compile(r"/search\?q=cortisol"))
    dropped = page.locator("#claim-hits li.hit.dropped", has_text="Oxytocin lowers cortisol")
    assert dropped.locator(".badge.gone-claim").inner_text().startswith("not in the latest")
    held = page.locator("#claim-hits li.hit", has_text="Oxytocin may lower cortisol")
    assert held.locator(".badge.still").count() == 1
    assert page.locator("mark", has_text="cortisol").count() >= 4
    shoot(page, tmp_path, "search", demo)

    page.goto(demo.base_url + "/sources")
    assert page.locator("table.sources tr[id^=source-]").count() >= 3
    shoot(page, tmp_path, "sources", demo)


@pytest.mark.parametrize("path", ["/", "/changes/1", "/sources", "/search?q=cortisol"])
def test_readable_at_phone_width(browser: Any, demo: Served, tmp_path: Path, path: str) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    tab = context.new_page()
    tab.goto(demo.base_url + path)
    overflow = tab.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    name = "phone-" + (path.strip("/").split("?")[0].replace("/", "-") or "feed")
    shoot(tab, tmp_path, name, demo)
    context.close()
    assert overflow <= 0


XSS_PAGES = [
    "/",
    "/changes/1",
    "/changes/1?view=inline&all=1",
    "/articles/1",
    "/articles/1?version=1",
    "/sources",
    "/search?q=oxytocin",
    "/search?q=%3Cscript%3Ewindow.__xss%3D1%3C%2Fscript%3E",
    "/?since=%3Cscript%3Ewindow.__xss=1%3C/script%3E",
]


@pytest.mark.parametrize("path", XSS_PAGES)
def test_hostile_archive_renders_inert(
    page: Any, hostile_site: Served, tmp_path: Path, path: str
) -> None:
    page.goto(hostile_site.base_url + path)
    page.wait_for_load_state("load")
    # Every link is to our own pages or an http(s) URL: no javascript:, no data:.
    hrefs = page.eval_on_selector_all(
        "a[href]", "links => links.map(a => new URL(a.getAttribute('href'), document.baseURI).href)"
    )
    assert all(h.startswith(("http://", "https://")) for h in hrefs), hrefs
    for frame in page.frames:
        assert frame.locator("[data-xss]").count() == 0
    assert page.evaluate("typeof window.__xss") == "undefined"
    body = page.locator("body").inner_text()
    assert "\x1b" not in body and "\u202e" not in body
    if path.startswith("/changes/1"):
        assert "<script>window.__xss=1</script>" in body
        assert "[U+202E]" in body
        seeded = page.locator(".ident", has_text="javascript:window.__xss=1")
        assert seeded.count() == 2 and seeded.locator("a").count() == 0  # shown, never linked
    if path == "/articles/1":
        assert "[U+001B][31mRED ALERT[U+001B][0m" in body
        archived = page.frame_locator("iframe.capture")
        assert archived.locator("h1").count() == 1  # the hostile page did load, inert
        # Control: the same archived bytes as live HTML do run their script.
        raw = page.request.get(
            hostile_site.base_url + page.locator("iframe.capture").get_attribute("src")
        )
        live = page.context.new_page()
        live.set_content(raw.text())
        assert live.evaluate("window.__xss") == 1
        live.close()
    shoot(page, tmp_path, "xss-" + re.sub(r"\W+", "-", path).strip("-"), hostile_site)
