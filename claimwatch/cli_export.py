"""`claimwatch export changes|claims`: the web UI's CSV / JSONL exports on the command line.

`export` is a command group so that other exports (the WARC export of branch packaging) can
join it as further subcommands.
"""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from analysis.vocabulary import ChangeKind, Severity
from claimwatch.durations import parse_since
from claimwatch.output import err_console

export_app = typer.Typer(
    no_args_is_help=True,
    help="Export changes or claim changes, with their triage, as CSV or JSONL.",
)


class ExportFormat(StrEnum):
    """Formats of the exports."""

    csv = "csv"
    jsonl = "jsonl"


FormatOpt = Annotated[ExportFormat, typer.Option("--format", "-f")]
OutputOpt = Annotated[
    Path | None, typer.Option("--output", "-o", help="Write here instead of stdout.")
]
SinceOpt = Annotated[str | None, typer.Option(help="Detected since: 7d, 12h or an ISO date.")]
UntilOpt = Annotated[str | None, typer.Option(help="Detected before this ISO date/time.")]
SiteOpt = Annotated[str, typer.Option(help="Only this site (host name).")]
TagOpt = Annotated[str, typer.Option(help="Only sources with this tag.")]
KindOpt = Annotated[ChangeKind | None, typer.Option(help="Only changes of this kind.")]
SeverityOpt = Annotated[Severity | None, typer.Option(help="Only this severity.")]
LabelOpt = Annotated[str, typer.Option(help="Only changes with this label.")]
ReviewedOpt = Annotated[
    bool | None,
    typer.Option("--reviewed/--unreviewed", help="Only reviewed (or unreviewed) changes."),
]


def _export(
    what: str,
    fmt: ExportFormat,
    output: Path | None,
    *,
    since: str | None,
    until: str | None,
    site: str,
    tag: str,
    kind: ChangeKind | None,
    severity: Severity | None,
    label: str,
    reviewed: bool | None,
) -> None:
    from claimwatch.web.exports import lines
    from storage.browse import FeedFilter
    from storage.db import migrate

    try:
        filters = FeedFilter(
            site=site,
            tag=tag,
            kind=kind or "",
            severity=severity or "",
            since=parse_since(since) if since else None,
            until=parse_since(until) if until else None,
            reviewed=reviewed,
            label=label,
        )
    except ValueError as exc:
        err_console.print(f"claimwatch: {exc}", markup=False, highlight=False)
        raise typer.Exit(2) from None
    try:
        migrate()
    except Exception as exc:  # the database is unreachable or unusable: say so in one line
        err_console.print(f"claimwatch: cannot open the database: {str(exc).splitlines()[0]}")
        raise typer.Exit(1) from None
    out = output.open("w", encoding="utf-8", newline="") if output else sys.stdout
    try:
        for line in lines(what, fmt.value, filters):
            out.write(line)
    finally:
        if output:
            out.close()


@export_app.command("changes")
def export_changes(
    format: FormatOpt = ExportFormat.csv,
    output: OutputOpt = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    site: SiteOpt = "",
    tag: TagOpt = "",
    kind: KindOpt = None,
    severity: SeverityOpt = None,
    label: LabelOpt = "",
    reviewed: ReviewedOpt = None,
) -> None:
    """Every change, newest first, with its claim and reference changes, review, labels, notes."""
    _export(
        "changes",
        format,
        output,
        since=since,
        until=until,
        site=site,
        tag=tag,
        kind=kind,
        severity=severity,
        label=label,
        reviewed=reviewed,
    )


@export_app.command("claims")
def export_claims(
    format: FormatOpt = ExportFormat.csv,
    output: OutputOpt = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    site: SiteOpt = "",
    tag: TagOpt = "",
    kind: KindOpt = None,
    severity: SeverityOpt = None,
    label: LabelOpt = "",
    reviewed: ReviewedOpt = None,
) -> None:
    """One row per claim added, removed, weakened… in those changes, with the change's triage."""
    _export(
        "claims",
        format,
        output,
        since=since,
        until=until,
        site=site,
        tag=tag,
        kind=kind,
        severity=severity,
        label=label,
        reviewed=reviewed,
    )
