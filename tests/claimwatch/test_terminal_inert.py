"""Every scraped string the CLI prints reaches the terminal inert: no escape sequence, control
or bidi character, no Rich markup read from a page; tables fold and shorten to fit."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from claimwatch import output
from claimwatch.cli import app
from claimwatch.output import table_text
from claimwatch.sitesrv import SiteServer
from tests.web.archive import record_hostile

# What must never reach a terminal from an archive: C0/C1 controls (ESC among them) but tab
# and newline, and bidi embeddings, overrides, isolates and marks.
UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
OWN_COLOURS = re.compile(r"\x1b\[(?:9;31|32|0)m")


def invoke(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(app, list(args))


def test_hostile_archive_prints_inert(
    home: Path, fresh_site: SiteServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A wide terminal: no cell folds, so the payloads can be found whole in the tables.
    monkeypatch.setattr(output, "console", Console(width=1000))
    url = record_hostile(fresh_site)
    [change] = json.loads(invoke("changes", "--format", "json").stdout)
    printed = {
        " ".join(args): invoke(*args)
        for args in (
            ("changes",),
            ("history", url),
            ("claims", url),
            ("references", url),
            ("sources",),
            ("articles",),
            ("diff", url),
            ("show", str(change["id"])),
        )
    }
    for command, result in printed.items():
        assert result.exit_code == 0, (command, result.output)
        assert not UNSAFE.search(result.stdout), (command, result.stdout)
    # The payloads are shown as text, not dropped: the seeded title, the claim's markup.
    assert "RED ALERT" in printed[f"history {url}"].stdout
    assert "<script>window.__xss=1</script>" in printed[f"claims {url}"].stdout
    assert "may lower cortisol" in printed[f"diff {url}"].stdout

    # In a terminal the diff has colours: its own, and nothing else.
    from claimwatch.diffview import render_diff
    from storage.db import session

    with session() as db:
        coloured = render_diff(
            db, url=url, from_number=None, to_number=None, fmt="text", color=True
        )
    assert OWN_COLOURS.search(coloured)
    assert not UNSAFE.search(OWN_COLOURS.sub("", coloured))


def test_rich_markup_in_a_cell_is_printed_as_written() -> None:
    rows = [{"title": "[bold]b[/bold] [link=https://evil.example]click[/link]"}]
    assert "[link=https://evil.example]click[/link]" in table_text(rows, columns=["title"])


def test_long_text_folds_within_the_width_and_urls_shorten_in_the_middle() -> None:
    rows = [
        {
            "url": "https://blog.example/2026/03/a-very-long-slug-about-oxytocin-and-stress/",
            "summary": "1 claim removed, 1 claim weakened; 1 reference removed " * 3,
        }
    ]
    lines = table_text(rows, columns=["url", "summary"], title="Changes", width=60).splitlines()
    assert all(len(line) <= 60 for line in lines)
    assert lines[0].strip() == "Changes" and lines[1].split() == ["url", "summary"]
    assert lines[3].startswith("blog.example/") and "…" in lines[3]
    assert "stress/" in lines[3]
    assert len(lines) > 4  # the summary folded over several lines


def test_every_row_of_a_long_listing_is_laid_out() -> None:
    rows = [
        {"id": i, "detected_at": "2026-03-03T10:11:12Z", "url": f"https://b{i}.example/p/",
         "summary": "1 claim weakened"}
        for i in range(4000)
    ]  # fmt: skip
    text = table_text(rows, columns=["id", "detected_at", "url", "summary"], width=100)
    assert text.count("\n") == 4000 + 2
    assert "2026-03-03 10:11" in text  # times to the minute
