"""CLI contract without a monitoring pass: tracking, listing, usage errors and exit codes."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from claimwatch.cli import app


def invoke(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(app, list(args))


def sources_json() -> list[dict]:
    return json.loads(invoke("sources", "--format", "json").stdout)


def test_track_is_idempotent(home: Path) -> None:
    assert invoke("track", "https://Blog.example/post?utm_source=x#top").exit_code == 0
    assert invoke("track", "https://blog.example/post", "--tag", "hormones").exit_code == 0
    [source] = sources_json()
    assert source["url"] == "https://blog.example/post"
    assert source["tags"] == ["hormones"]
    assert source["interval"] == "6h"


@pytest.mark.parametrize(
    "bad", ["not a url", "ftp://blog.example/x", "http://", "https://exa mple.com/", "mailto:a@b.c"]
)
def test_track_rejects_bad_urls_and_adds_nothing(home: Path, bad: str) -> None:
    result = invoke("track", "https://good.example/a", bad)
    assert result.exit_code == 2
    assert result.stderr.startswith("claimwatch: ")
    assert len(result.stderr.strip().splitlines()) == 1
    assert sources_json() == []


def test_track_interval_and_tags(home: Path) -> None:
    assert (
        invoke(
            "track", "https://a.example/1", "--interval", "30m", "--tag", "x", "--tag", "y"
        ).exit_code
        == 0
    )
    [source] = sources_json()
    assert (source["interval"], source["tags"]) == ("30m", ["x", "y"])
    assert invoke("track", "https://a.example/1", "--interval", "soon").exit_code == 2


def test_untrack_keeps_history_and_hides_source(home: Path) -> None:
    invoke("track", "https://a.example/1", "https://a.example/2")
    assert invoke("untrack", "https://a.example/1").exit_code == 0
    assert [s["url"] for s in sources_json()] == ["https://a.example/2"]
    all_sources = json.loads(invoke("sources", "--all", "--format", "json").stdout)
    assert len(all_sources) == 2
    assert invoke("untrack", "https://a.example/1").exit_code == 2


def test_sources_csv(home: Path) -> None:
    invoke("track", "https://a.example/1")
    rows = list(csv.DictReader(io.StringIO(invoke("sources", "--format", "csv").stdout)))
    assert rows[0]["url"] == "https://a.example/1"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["history", "https://nowhere.example/"], "not tracked"),
        (["diff", "https://nowhere.example/"], "not tracked"),
        (["changes", "--since", "yesterday-ish"], "not a duration"),
        (["changes", "--kind", "vibes"], "unknown kind"),
    ],
)
def test_bad_input_exits_2_with_one_line(home: Path, args: list[str], message: str) -> None:
    result = invoke(*args)
    assert result.exit_code == 2
    assert message in result.stderr


def test_changes_empty_archive(home: Path) -> None:
    assert json.loads(invoke("changes", "--format", "json").stdout) == []


def test_run_with_nothing_tracked_says_so(home: Path) -> None:
    result = invoke("run")
    assert result.exit_code == 0
    assert result.stdout.startswith("nothing to check: no tracked sources")


def test_run_with_an_untracked_url_is_bad_input(home: Path) -> None:
    invoke("track", "https://a.example/1")
    result = invoke("run", "--url", "https://b.example/2")
    assert result.exit_code == 2
    assert "not tracked: https://b.example/2" in result.stderr


def test_tables_fit_80_columns_with_urls_shortened_in_the_middle() -> None:
    from claimwatch.output import table_text

    rows = [
        {
            "url": "https://blog.example.org/2026/11/a-very-long-article-slug-about-oxytocin-and-"
            "stress-and-muscle-repair-in-older-adults.html",
            "interval": "6h",
            "tags": ["demo"],
            "versions": 2,
            "changes": 1,
            "last_checked_at": "2026-11-29T17:10:24.123456Z",
            "last_status": 200,
        }
    ]
    columns = ["url", "interval", "tags", "versions", "changes", "last_checked_at",
               "last_status"]  # fmt: skip
    text = table_text(rows, columns=columns, width=80)
    assert all(len(line) <= 80 for line in text.splitlines())
    assert "…" in text and ".html" in text  # the slug end survives the shortening
