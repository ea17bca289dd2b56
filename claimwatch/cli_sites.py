"""Followed sites on the command line: `track --site/--feed/--sitemap` (options of `track`),
`claimwatch sites`, and `untrack --site`."""

from __future__ import annotations

from typing import Annotated, NoReturn

import typer

from analysis.urls import InvalidURL
from analysis.vocabulary import SiteKind
from claimwatch.database import migrate, session
from claimwatch.output import ListFormat, console, emit, err_console
from storage.defaults import DEFAULT_MAX_ARTICLES, DEFAULT_MAX_PAGES

# Options of `claimwatch track` for following whole sites (declared here, used in cli.py).
SiteOpt = Annotated[
    list[str] | None,
    typer.Option("--site", help="Follow a site: its home or an index page (repeatable)."),
]
FeedOpt = Annotated[
    list[str] | None, typer.Option("--feed", help="Follow an RSS or Atom feed (repeatable).")
]
SitemapOpt = Annotated[
    list[str] | None, typer.Option("--sitemap", help="Follow a sitemap (repeatable).")
]
IncludeOpt = Annotated[
    list[str] | None,
    typer.Option("--include", help="Only article URLs matching this regex (repeatable)."),
]
ExcludeOpt = Annotated[
    list[str] | None,
    typer.Option("--exclude", help="No article URLs matching this regex (repeatable)."),
]
HostOpt = Annotated[
    list[str] | None,
    typer.Option("--host", help="Another host whose articles belong to the site (repeatable)."),
]
MaxArticlesOpt = Annotated[
    int, typer.Option("--max-articles", min=0, help="At most this many articles per site.")
]
MaxPagesOpt = Annotated[
    int, typer.Option("--max-pages", min=0, help="Index pages followed from the start page.")
]


def _fail(message: str, code: int = 1) -> NoReturn:
    err_console.print(f"claimwatch: {message}", markup=False, highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def _ready() -> None:
    try:
        migrate()
    except Exception as exc:
        _fail(f"cannot open the database: {str(exc).splitlines()[0]}")


def _say(text: str) -> None:
    console.print(text, markup=False, highlight=False, soft_wrap=True)


def follow_sites(
    *,
    sites: list[str],
    feeds: list[str],
    sitemaps: list[str],
    interval_seconds: int,
    tags: list[str],
    include: list[str],
    exclude: list[str],
    hosts: list[str],
    max_articles: int = DEFAULT_MAX_ARTICLES,
    max_pages: int = DEFAULT_MAX_PAGES,
) -> None:
    """Register (or update) followed sites; every URL is checked before anything is stored."""
    from analysis.linkfilter import BadPattern
    from storage.sites import add_site

    wanted = [
        *((url, SiteKind.site) for url in sites),
        *((url, SiteKind.feed) for url in feeds),
        *((url, SiteKind.sitemap) for url in sitemaps),
    ]
    _ready()
    lines = []
    try:
        with session() as db:
            for url, kind in wanted:
                site, created, replaced = add_site(
                    db,
                    url=url,
                    kind=kind,
                    interval_seconds=interval_seconds,
                    tags=tags,
                    hosts=hosts,
                    include=include,
                    exclude=exclude,
                    max_articles=max_articles,
                    max_pages=max_pages,
                )
                state = "following" if created else "updated"
                lines.append(f"{state} {kind} {site.normalized_url}")
                if replaced is not None:
                    lines.append(f"  no longer tracked as an article: {replaced.normalized_url}")
    except (InvalidURL, BadPattern) as exc:
        _fail(str(exc), 2)
    for line in lines:
        _say(line)
    _say("its articles are found and tracked by the next `claimwatch run`")


def sites(
    format: Annotated[ListFormat, typer.Option("--format", "-f")] = ListFormat.table,
    all: Annotated[bool, typer.Option("--all", help="Include sites no longer followed.")] = False,
) -> None:
    """List followed sites: articles found, last discovery, errors."""
    from storage.sites import sites_overview

    _ready()
    with session() as db:
        rows = sites_overview(db, include_inactive=all)
    columns = ["site", "kind", "articles", "last_discovered_at", "errors"]
    emit(rows, format, columns=columns, title="Followed sites")


def untrack_site(url: str, *, articles: bool) -> None:
    """Stop discovering a site (and with `articles`, stop checking its articles)."""
    from storage.sites import untrack_site as stop

    _ready()
    try:
        with session() as db:
            result = stop(db, url=url, articles=articles)
    except InvalidURL as exc:
        _fail(str(exc), 2)
    if result is None:
        _fail(f"not a followed site: {url}", 2)
    site, stopped = result
    _say(f"no longer following {site.normalized_url}")
    if articles:
        _say(f"untracked its {stopped} articles (their archive and history are kept)")
    else:
        _say("its articles stay tracked (untrack them too with --articles)")
