"""The `claimwatch` command line: a thin layer over storage queries and the monitor flow."""

from __future__ import annotations

import json
import os
import sys
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Annotated, NoReturn

import typer

from analysis.urls import InvalidURL
from analysis.vocabulary import ChangeKind, Severity
from claimwatch import cli_sites as sites_cli
from claimwatch.cli_alerts import alerts_app
from claimwatch.cli_archive import register as register_archive_commands
from claimwatch.cli_export import export_app
from claimwatch.database import migrate, session
from claimwatch.durations import parse_duration, parse_since
from claimwatch.output import ListFormat, console, emit, err_console
from claimwatch.usage import OneLineErrors
from storage.errors import NotFound

app = typer.Typer(
    cls=OneLineErrors,
    no_args_is_help=True,
    add_completion=False,
    help="Monitor health-blog articles: archive every version, diff claims and references.",
)
app.add_typer(alerts_app, name="alerts")
app.add_typer(export_app, name="export")
register_archive_commands(app)


class DiffFormat(StrEnum):
    """Formats of `claimwatch diff`."""

    text = "text"
    json = "json"
    html = "html"


def fail(message: str, code: int = 1) -> NoReturn:
    """Print a one-line error on stderr and exit (1 failure, 2 bad usage or input)."""
    err_console.print(f"claimwatch: {message}", markup=False, highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def _ready() -> None:
    try:
        migrate()
    except Exception as exc:  # the database is unreachable or unusable: say so in one line
        fail(f"cannot open the database: {str(exc).splitlines()[0]}")


@app.command()
def track(
    urls: Annotated[list[str] | None, typer.Argument(help="Article URLs (http or https).")] = None,
    interval: Annotated[str, typer.Option(help="How often to check: 30m, 6h, 1d…")] = "6h",
    tag: Annotated[list[str] | None, typer.Option(help="Tag(s) to attach (repeatable).")] = None,
    site: sites_cli.SiteOpt = None,
    feed: sites_cli.FeedOpt = None,
    sitemap: sites_cli.SitemapOpt = None,
    include: sites_cli.IncludeOpt = None,
    exclude: sites_cli.ExcludeOpt = None,
    host: sites_cli.HostOpt = None,
    max_articles: sites_cli.MaxArticlesOpt = sites_cli.DEFAULT_MAX_ARTICLES,
    max_pages: sites_cli.MaxPagesOpt = sites_cli.DEFAULT_MAX_PAGES,
) -> None:
    """Start tracking article URLs, or follow whole sites (--site, --feed, --sitemap).

    Idempotent: tracking again updates the interval, tags and filters.
    """
    from storage.sources import track as track_sources

    try:
        seconds = int(parse_duration(interval).total_seconds())
    except ValueError as exc:
        fail(str(exc), 2)
    if site or feed or sitemap:
        sites_cli.follow_sites(
            sites=site or [], feeds=feed or [], sitemaps=sitemap or [],
            interval_seconds=seconds, tags=tag or [], include=include or [],
            exclude=exclude or [], hosts=host or [], max_articles=max_articles,
            max_pages=max_pages,
        )  # fmt: skip
        if not urls:
            return
    if not urls:
        fail("give article URLs, or a site with --site, --feed or --sitemap", 2)
    _ready()
    try:
        with session() as db:
            results = track_sources(db, urls=urls, interval_seconds=seconds, tags=tag or [])
            added = sum(created for _, created in results)
            names = [source.normalized_url for source, _ in results]
    except InvalidURL as exc:
        fail(str(exc), 2)
    for name in names:
        console.print(f"tracking {name}", highlight=False, soft_wrap=True)
    console.print(f"{len(names)} tracked ({added} new)", highlight=False)


@app.command()
def untrack(
    url: Annotated[str | None, typer.Argument(help="A tracked URL.")] = None,
    site: Annotated[str | None, typer.Option("--site", help="Stop following a site.")] = None,
    articles: Annotated[
        bool, typer.Option("--articles", help="With --site: untrack its articles too.")
    ] = False,
) -> None:
    """Stop monitoring a URL (or following a site); archives and histories are kept."""
    from storage.sources import untrack as untrack_source

    if site is not None:
        sites_cli.untrack_site(site, articles=articles)
        return
    if url is None:
        fail("give a tracked URL, or a site with --site", 2)
    _ready()
    try:
        with session() as db:
            source = untrack_source(db, url=url)
    except InvalidURL as exc:
        fail(str(exc), 2)
    if source is None:
        fail(f"not tracked: {url}", 2)
    console.print(f"untracked {source.normalized_url}", highlight=False)


@app.command()
def sources(
    format: Annotated[ListFormat, typer.Option("--format", "-f")] = ListFormat.table,
    all: Annotated[bool, typer.Option("--all", help="Include untracked sources.")] = False,
    site: Annotated[str | None, typer.Option("--site", help="Only this site's articles.")] = None,
) -> None:
    """List tracked sources with their last check."""
    from storage.queries import sources_overview

    _ready()
    with session() as db:
        rows = _lookup(lambda: sources_overview(db, include_inactive=all, site=site))
    # next_check: after errors the back-off, never before the site's Retry-After. The change
    # count stays in the JSON: seven columns are what stays readable at 80.
    columns = [
        *("url", "interval", "tags", "versions", "last_checked_at", "last_status"),
        "next_check",
    ]
    emit(rows, format, columns=columns, title="Tracked sources")


app.command()(sites_cli.sites)


@app.command()
def articles(
    site: Annotated[
        str, typer.Option(help="Only this site: a followed site's URL or a host name.")
    ] = "",
    tag: Annotated[str, typer.Option(help="Only articles with this tag.")] = "",
    url: Annotated[str, typer.Option(help="Only this URL.")] = "",
    all: Annotated[bool, typer.Option("--all", help="Include untracked articles.")] = False,
    format: Annotated[ListFormat, typer.Option("--format", "-f")] = ListFormat.table,
) -> None:
    """List tracked articles: latest version, counts, last attempt (as GET /api/v1/articles)."""
    from service.articles import all_articles

    _ready()
    with session() as db:
        rows = _lookup(lambda: all_articles(db, site=site, tag=tag, url=url, include_inactive=all))
    columns = ["url", "versions", "changes", "latest_captured_at", "last_status"]
    emit(rows, format, columns=columns, title="Articles")


@app.command()
def run(
    due: Annotated[
        bool, typer.Option("--due", help="Only sources whose interval elapsed.")
    ] = False,
    url: Annotated[list[str] | None, typer.Option(help="Only these URLs (repeatable).")] = None,
    tag: Annotated[str, typer.Option(help="Only sources with this tag.")] = "",
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Show Prefect logs.")] = False,
) -> None:
    """Run one monitoring pass through the `monitor` flow and print what it found."""
    if not verbose:
        os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    from claimwatch.passes import (
        BadTargets,
        PassFailed,
        print_summary,
        run_pass,
        run_through_service,
    )
    from claimwatch.service_state import read_state

    running = read_state()
    try:
        if running is not None:
            # `claimwatch serve` is up: its warm process runs the pass (and checks the URLs).
            summary = run_through_service(running, urls=url or [], due_only=due, tag=tag)
        else:
            _ready()
            if not _check_run_targets(url or []):
                console.print(
                    "nothing to check: no tracked sources (add some with `claimwatch track URL`)"
                )
                return
            summary = run_pass(urls=url or [], due_only=due, tag=tag)
    except BadTargets as exc:
        fail(str(exc), 2)
    except PassFailed as exc:
        fail(f"monitoring pass failed: {exc}")
    print_summary(summary)
    if summary.get("not_checked"):
        # Planned sources went unchecked: an edit there would go unnoticed.
        raise typer.Exit(1)


@app.command("serve")
def serve_command(
    host: Annotated[
        str, typer.Option(help="Address to listen on (beyond loopback needs CLAIMWATCH_API_TOKEN).")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port of the API and web UI.")] = 8787,
    interval: Annotated[str, typer.Option(help="How often to check due sources: 30s, 5m…")] = "5m",
    prefect_port: Annotated[
        int, typer.Option(help="Port of the local Prefect server (without PREFECT_API_URL).")
    ] = 4207,
    grace: Annotated[
        float, typer.Option(help="On SIGTERM/SIGINT, wait this many seconds for a running pass.")
    ] = 60.0,
) -> None:
    """Run claimwatch as a service: REST API (/api/v1, /docs) and web UI, a Prefect server
    (PREFECT_API_URL or a local one) and monitoring of due sources on an interval."""
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    from claimwatch.api.security import Access, InsecureBinding
    from claimwatch.serve import ServeFailed, serve
    from claimwatch.service_state import read_state

    try:
        seconds = int(parse_duration(interval).total_seconds())
    except ValueError as exc:
        fail(str(exc), 2)
    from storage.settings import get_settings

    try:
        Access.for_host(host, get_settings().api_token)
    except InsecureBinding as exc:
        fail(str(exc), 2)
    _ready()
    if read_state() is not None:
        fail("claimwatch serve is already running for this CLAIMWATCH_HOME (claimwatch status)")
    try:
        serve(host=host, port=port, interval_seconds=seconds, prefect_port=prefect_port,
              grace_seconds=grace)  # fmt: skip
    except InsecureBinding as exc:
        fail(str(exc), 2)
    except ServeFailed as exc:
        fail(str(exc))


@app.command()
def status(
    format: Annotated[ListFormat, typer.Option("--format", "-f")] = ListFormat.table,
) -> None:
    """Show the running service: where it listens, its schedule, next and last passes."""
    from claimwatch.passes import service_status

    found = service_status()
    if format == ListFormat.json:
        sys.stdout.write(json.dumps(found, indent=2, ensure_ascii=False) + "\n")
    else:
        _print_status(found)
    if not found["running"]:
        raise typer.Exit(1)


def _print_status(found: dict) -> None:  # type: ignore[type-arg]
    if not found["running"]:
        console.print("claimwatch serve: not running", highlight=False)
        return
    console.print(
        f"claimwatch serve: running (pid {found['pid']}) since {found['started_at']}\n"
        f"  API       {found['api_url']}  (docs {found['api_url']}/docs)\n"
        f"  Prefect   {found['prefect_api_url']}\n"
        f"  schedule  due sources every {found['interval_seconds']} s; "
        f"next pass {found['next_scheduled_at']}",
        highlight=False,
        soft_wrap=True,
    )
    rows = [
        {
            "id": run["id"][:8],
            "trigger": run["trigger"],
            "state": run["state"],
            "started_at": run["started_at"],
            **{
                k: (run["summary"] or {}).get(k, "")
                for k in ("checked", "new", "changed", "errors")
            },
        }
        for run in found["runs"][:10]
    ]
    columns = ["id", "trigger", "state", "started_at", "checked", "new", "changed", "errors"]
    emit(rows, ListFormat.table, columns=columns, title="Last passes")


def _check_run_targets(urls: list[str]) -> bool:
    """False when nothing is tracked; exit 2 when a URL given with --url is not tracked."""
    from storage.sites import list_sites
    from storage.sources import find, list_sources

    with session() as db:
        if not list_sources(db) and not list_sites(db):
            return False
        for target in urls:
            try:
                source = find(db, url=target)
            except InvalidURL as exc:
                fail(str(exc), 2)
            if source is None or not source.active:
                fail(f"not tracked: {target}", 2)
    return True


@app.command()
def history(
    url: Annotated[str, typer.Argument(help="A tracked URL.")],
    format: Annotated[ListFormat, typer.Option("--format", "-f")] = ListFormat.table,
) -> None:
    """List an article's versions, oldest first."""
    from storage.queries import history as version_history

    _ready()
    with session() as db:
        rows = _lookup(lambda: version_history(db, url=url))
    columns = ["version", "captured_at", "title", "words", "content_hash"]
    emit(rows, format, columns=columns, title=f"History of {url}")


@app.command()
def diff(
    url: Annotated[str, typer.Argument(help="A tracked URL.")],
    from_: Annotated[int | None, typer.Option("--from", help="Older version number.")] = None,
    to: Annotated[
        int | None, typer.Option("--to", help="Newer version number (default latest).")
    ] = None,
    format: Annotated[DiffFormat, typer.Option("--format", "-f")] = DiffFormat.text,
) -> None:
    """Show what changed between two versions of an article (default: the latest change)."""
    from claimwatch.diffview import render_diff

    _ready()
    with session() as db:
        output = _lookup(
            lambda: render_diff(
                db,
                url=url,
                from_number=from_,
                to_number=to,
                fmt=format.value,
                color=sys.stdout.isatty(),
            )
        )
    sys.stdout.write(output if output.endswith("\n") else output + "\n")


CHANGE_COLUMNS = ["id", "detected_at", "url", "from_version", "to_version", "kinds", "severity",
                  "summary"]  # fmt: skip


@app.command()
def changes(
    since: Annotated[str | None, typer.Option(help="7d, 12h or an ISO date/time.")] = None,
    until: Annotated[str | None, typer.Option(help="Before this (7d, 12h, ISO date).")] = None,
    url: Annotated[str | None, typer.Option(help="Only this URL.")] = None,
    site: Annotated[str, typer.Option(help="Only this site (host name).")] = "",
    kind: Annotated[ChangeKind | None, typer.Option(help="Only changes of this kind.")] = None,
    severity: Annotated[Severity | None, typer.Option(help="Only this severity.")] = None,
    tag: Annotated[str, typer.Option(help="Only sources with this tag.")] = "",
    format: Annotated[ListFormat, typer.Option("--format", "-f")] = ListFormat.table,
) -> None:
    """List recorded changes, oldest first (the filters of the API's /api/v1/changes)."""
    from storage.queries import changes as list_changes

    try:
        start = parse_since(since) if since else None
        end = parse_since(until) if until else None
    except ValueError as exc:
        fail(str(exc), 2)
    _ready()
    with session() as db:
        rows = _lookup(
            lambda: list_changes(
                db, since=start, until=end, url=url, site=site, kind=kind,
                severity=severity or "", tag=tag,
            )
        )  # fmt: skip
    emit(rows, format, columns=CHANGE_COLUMNS, title="Changes")


@app.command()
def show(
    change_id: Annotated[int, typer.Argument(help="A change id (see `claimwatch changes`).")],
    format: Annotated[DiffFormat, typer.Option("--format", "-f")] = DiffFormat.text,
) -> None:
    """Open one change: what it is, its claim and reference changes, its text diff."""
    from claimwatch.diffview import render_change
    from storage.queries import changes_by_id

    _ready()
    with session() as db:
        found = changes_by_id(db, ids=[change_id], include_diff=format != DiffFormat.text)
        if not found:
            fail(f"no change {change_id}", 2)
        if format == DiffFormat.json:
            sys.stdout.write(json.dumps(found[0], indent=2, ensure_ascii=False) + "\n")
            return
        output = render_change(db, change=found[0], fmt=format.value, color=sys.stdout.isatty())
    sys.stdout.write(output if output.endswith("\n") else output + "\n")


UrlArg = Annotated[str, typer.Argument(help="A tracked URL.")]
VersionOpt = Annotated[int | None, typer.Option("--version", help="Version (default latest).")]
AtOpt = Annotated[str | None, typer.Option(help="The version current at a date/time.")]
FormatOpt = Annotated[ListFormat, typer.Option("--format", "-f")]


@app.command("claims")
def list_claims(
    url: UrlArg, version: VersionOpt = None, at: AtOpt = None, format: FormatOpt = ListFormat.table
) -> None:
    """List the health claims an article version makes, with certainty and citations."""
    from storage.queries import claims

    columns = ["position", "certainty", "text", "cites", "section"]
    _version_listing(claims, url, version, at, format, columns, title=f"Claims of {url}")


@app.command("references")
def list_references(
    url: UrlArg, version: VersionOpt = None, at: AtOpt = None, format: FormatOpt = ListFormat.table
) -> None:
    """List the references an article version cites, with their identifiers."""
    from storage.queries import references

    columns = ["marker", "text", "ids", "key"]
    _version_listing(references, url, version, at, format, columns, title=f"References of {url}")


def _version_listing(  # type: ignore[no-untyped-def]
    query, url: str, version: int | None, at: str | None, fmt: ListFormat, columns, *, title: str
) -> None:
    moment = _moment(at)
    _ready()
    with session() as db:
        rows = _lookup(lambda: query(db, url=url, number=version, at=moment))
    emit(rows, fmt, columns=columns, title=title)


@app.command()
def demo(
    home: Annotated[str | None, typer.Option(help="Keep the demo's state here.")] = None,
    serve: Annotated[
        bool, typer.Option("--serve", help="Then serve the web UI until Ctrl-C.")
    ] = False,
    port: Annotated[int, typer.Option(help="Port of the web UI (with --serve).")] = 8000,
) -> None:
    """Serve a bundled sample health blog on 127.0.0.1, monitor it, edit it, show the changes."""
    from claimwatch.demo import run_demo
    from claimwatch.passes import PassFailed

    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    try:
        run_demo(home=home, serve_port=port if serve else None)
    except PassFailed as exc:
        fail(f"demo pass failed: {exc}")


def _moment(text: str | None) -> datetime | None:
    """Parse --at: an ISO date/time (a bare date means the end of that day, UTC)."""
    if text is None:
        return None
    try:
        moment = parse_since(text)
    except ValueError as exc:
        fail(str(exc), 2)
    if len(text.strip()) == 10:  # YYYY-MM-DD: what was current on that day
        moment += timedelta(days=1) - timedelta(microseconds=1)
    return moment


def _lookup(query):  # type: ignore[no-untyped-def]
    try:
        return query()
    except NotFound as exc:
        fail(str(exc), 2)
    except InvalidURL as exc:
        fail(str(exc), 2)
    except ValueError as exc:
        fail(str(exc), 2)
