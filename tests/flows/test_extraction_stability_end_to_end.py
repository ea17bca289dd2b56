"""Through the real pipeline: boilerplate edits on theme pages make no version, an edit one change.

Real HTTP (the session's fixture server), the Scrapy crawl subprocess, Prefect, both databases.
The pages carry the traps of issue 13: a widget title and "3 thoughts on this article" where a
declaration-less theme has its title, a left rail and a `#webui-footer` around a short story,
a Blogger post body of <br>-separated text, a Substack subscribe widget inside the body.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from claimwatch.sitesrv import SiteServer
from tests.analysis.page_variants import EDIT, FixturePage, all_pages, sentence_edit, variant
from tests.flows.pipeline import changes_json, cli, run_pass

pytestmark = pytest.mark.slow

NAMES = [
    "wordpress-custom.no-declarations-left-widget-title-two-h1",
    "news-cms.left-rail-webui-footer-tip-box-short-story",
    "blogger-minima.br-separated-post-body",
    "substack.subscribe-widget-in-body-discussion",
]
PAGES = [page for page in all_pages() if page.name in NAMES]


def serve(site: SiteServer, page: FixturePage, body: bytes) -> None:
    site.set(f"/{page.name}/", body=body, content_type="text/html")


# Which edits make a version is decided before storage: one backend (versions and changes on
# PostgreSQL: test_monitor_end_to_end.py).
@pytest.mark.parametrize("home", ["sqlite"], indirect=True)
def test_boilerplate_edits_make_no_version_and_a_sentence_edit_one_change(
    home: Path, fresh_site: SiteServer
) -> None:
    assert len(PAGES) == len(NAMES)
    for page in PAGES:
        serve(fresh_site, page, page.path.read_bytes())
    urls = [fresh_site.url(f"/{page.name}/") for page in PAGES]
    cli("track", *urls)
    assert run_pass() == {"checked": 4, "new": 4, "changed": 0, "unchanged": 0, "errors": 0}

    # The comment sections grow, then every kind of boilerplate changes at once.
    for kind in ("comments-grow", "all"):
        for page in PAGES:
            serve(fresh_site, page, variant(page, kind) or page.path.read_bytes())
        assert run_pass()["unchanged"] == 4
        assert changes_json() == []

    for page, url in zip(PAGES, urls, strict=True):
        [version] = json.loads(cli("history", url, "--format", "json"))
        assert version["title"] == page.title

    # One sentence in the middle of each article is reworded.
    for page in PAGES:
        body, _, _ = sentence_edit(page)
        serve(fresh_site, page, body)
    assert run_pass()["changed"] == 4
    changes = changes_json()
    assert sorted(change["url"] for change in changes) == sorted(urls)
    added = len(EDIT.replace("(", "").replace(")", "").split())
    for change in changes:
        assert "text" in change["kinds"]
        assert "metadata" not in change["kinds"]
        assert change["text"] == {"added_words": added, "removed_words": 0}
