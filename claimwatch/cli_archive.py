"""`claimwatch verify [--fix]` and `claimwatch export warc`: the archive's integrity and export.

Both work on whichever store `CLAIMWATCH_ARCHIVE_URL` names (a directory or s3://bucket/prefix);
the work is done by storage.verify and storage.export.
"""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer

from claimwatch.output import ListFormat, console, emit, err_console

SHOWN_IDS = 8  # capture ids per table cell; JSON lists them all


class ReportFormat(StrEnum):
    """Formats of the archive reports."""

    table = "table"
    json = "json"


def _fail(message: str, code: int = 1) -> NoReturn:
    err_console.print(f"claimwatch: {message}", markup=False, highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def _store() -> Any:
    from storage.archive_store import configured_store
    from storage.db import migrate

    try:
        migrate()
    except Exception as exc:  # the database is unreachable or unusable: say so in one line
        _fail(f"cannot open the database: {str(exc).splitlines()[0]}")
    try:
        return configured_store()
    except ValueError as exc:
        _fail(f"CLAIMWATCH_ARCHIVE_URL: {exc}", 2)


def verify(
    fix: Annotated[
        bool,
        typer.Option(
            "--fix",
            help="Mark pending captures whose record is lost as archive_error "
            "(analysis stops waiting on them); nothing is deleted.",
        ),
    ] = False,
    format: Annotated[ReportFormat, typer.Option("--format", "-f")] = ReportFormat.table,
) -> None:
    """Check every capture's archived record and payload digest, revisits and orphan records.

    Exit 1 when something is wrong (orphan records alone are not).
    """
    from storage.db import session
    from storage.verify import fix_lost, verify_archive

    store = _store()
    with session() as db:
        report = verify_archive(db, store=store)
        if fix:
            fix_lost(db, report=report)
    if format == ReportFormat.json:
        sys.stdout.write(json.dumps(report.as_dict(), indent=2, ensure_ascii=False) + "\n")
    else:
        _print_verify(report, fixing=fix)
    if not report.ok:
        raise typer.Exit(1)


def _rows(findings: list[Any]) -> list[dict[str, Any]]:
    from storage.verify import finding_rows

    rows = finding_rows(findings)
    for row in rows:
        ids = row["captures"]
        shown = ", ".join(str(i) for i in ids[:SHOWN_IDS])
        row["captures"] = shown + (f" +{len(ids) - SHOWN_IDS} more" if len(ids) > SHOWN_IDS else "")
    return rows


def _print_verify(report: Any, *, fixing: bool) -> None:
    say = console.print
    say(
        f"archive {report.archive}: {report.files} files, {report.records} records; "
        f"{report.captures} captures name a record",
        highlight=False,
        markup=False,
        soft_wrap=True,
    )
    columns = ["kind", "file", "offset", "captures", "detail"]
    if report.problems:
        emit(_rows(report.problems), ListFormat.table, columns=columns, title="Problems")
    if report.orphans:
        emit(
            _rows(report.orphans),
            ListFormat.table,
            columns=["file", "offset", "detail"],
            title="Orphan records (no capture names them: an interrupted crawl leaves these)",
        )
    if fixing:
        if report.fix_refused:
            say(f"--fix: {report.fix_refused}", highlight=False, markup=False)
        else:
            marked = ", ".join(str(i) for i in report.fixed) or "none"
            say(
                f"--fix: marked {len(report.fixed)} pending captures archive_error ({marked})",
                highlight=False,
                markup=False,
                soft_wrap=True,
            )
            if report.left_analysed:
                say(
                    f"--fix: {len(report.left_analysed)} captures with a lost record were "
                    "analysed before and keep their outcome",
                    highlight=False,
                    markup=False,
                )
    verdict = "OK" if report.ok else f"{len(report.problems)} problems"
    say(
        f"verify: {verdict}, {len(report.orphans)} orphan records",
        highlight=False,
        markup=False,
    )


def export_warc(
    out: Annotated[Path, typer.Argument(help="The WARC file to write (gzipped: OUT.warc.gz).")],
    since: Annotated[str, typer.Option(help="Captures fetched since: 7d, 12h or an ISO date.")],
    until: Annotated[
        str | None, typer.Option(help="…and before this (default: now): 1d or an ISO date.")
    ] = None,
    format: Annotated[ReportFormat, typer.Option("--format", "-f")] = ReportFormat.table,
) -> None:
    """Write the archived records of the captures fetched in a time range into one WARC file."""
    from claimwatch.durations import parse_since
    from storage.db import session
    from storage.export import export_warc as export

    try:
        start = parse_since(since)
        end = parse_since(until) if until else None
    except ValueError as exc:
        _fail(str(exc), 2)
    if not out.name.endswith(".warc.gz"):
        _fail(f"the export is a gzipped WARC file: name it *.warc.gz, not {out.name!r}", 2)
    if not out.parent.is_dir():
        _fail(f"no such directory: {out.parent}", 2)
    store = _store()
    with session() as db:
        report = export(db, store=store, since=start, until=end, out=out)
    if format == ReportFormat.json:
        sys.stdout.write(json.dumps(report.as_dict(), indent=2, ensure_ascii=False) + "\n")
    else:
        console.print(
            f"exported {report.records} records of {report.captures} captures "
            f"from {report.archive} to {report.out}",
            highlight=False,
            markup=False,
            soft_wrap=True,
        )
        for problem in report.problems:
            who = f"capture {problem['capture_id']}: " if problem["capture_id"] else ""
            err_console.print(
                f"  not exported: {who}{problem['reason']}",
                highlight=False,
                markup=False,
                soft_wrap=True,
            )
    if not report.ok:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Add `verify` and `export warc` to the claimwatch CLI."""
    from claimwatch.cli_export import export_app

    app.command()(verify)
    export_app.command("warc")(export_warc)
