"""`claimwatch alerts …`: channels (Apprise URLs), test messages, the outbox and its log.

Channel URLs are stored as given and never printed: listings show them masked.
"""

from __future__ import annotations

import uuid
from typing import Annotated, NoReturn

import typer

from analysis.vocabulary import AlertState, ChangeKind, DigestMode, Severity
from claimwatch.database import migrate, session
from claimwatch.output import ListFormat, console, emit, err_console

alerts_app = typer.Typer(
    no_args_is_help=True,
    help="Alert channels (Apprise URLs: mailto://, json://, slack://, ntfy://…) and deliveries.",
)


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


@alerts_app.command("add")
def add(
    url: Annotated[str, typer.Argument(help="An Apprise URL, e.g. mailto://… or json://…")],
    min_severity: Annotated[
        Severity,
        typer.Option(
            "--min-severity", help="minor: every change; major: claims, references and status only."
        ),
    ] = Severity.minor,
    tag: Annotated[
        list[str] | None, typer.Option("--tag", help="Only sources with this tag (repeatable).")
    ] = None,
    kind: Annotated[
        list[str] | None,
        typer.Option("--kind", help="Only these kinds (comma-separated): " + ",".join(ChangeKind)),
    ] = None,
    digest: Annotated[
        DigestMode | None, typer.Option("--digest", help="One message per day instead.")
    ] = None,
    reverts: Annotated[
        bool,
        typer.Option(
            "--reverts",
            help="Also alert when a page flips back to a version seen within the last day.",
        ),
    ] = False,
) -> None:
    """Add an alert channel."""
    from service.channels import InvalidChannel, mask
    from storage.alerts import add_channel

    kinds = [k.strip() for value in kind or [] for k in value.split(",") if k.strip()]
    try:
        label = mask(url)
    except InvalidChannel as exc:
        _fail(str(exc), 2)
    _ready()
    try:
        with session() as db:
            channel = add_channel(
                db,
                url=url,
                label=label,
                min_severity=min_severity.value,
                kinds=kinds,
                tags=tag or [],
                digest=digest.value if digest else "",
                reverts=reverts,
            )
    except ValueError as exc:
        _fail(str(exc), 2)
    what = ", ".join(
        [
            f"{channel.min_severity} and up",
            "kinds: " + (",".join(channel.kinds) or "all"),
            "tags: " + (",".join(channel.tags) or "all"),
            *(["daily digest"] if channel.digest else []),
            *(["reverts too"] if channel.reverts else []),
        ]
    )
    _say(f"added alert channel {channel.id}: {label} ({what})")


@alerts_app.command("list")
def list_channels(
    format: Annotated[ListFormat, typer.Option("--format", "-f")] = ListFormat.table,
    all: Annotated[bool, typer.Option("--all", help="Include removed channels.")] = False,
) -> None:
    """List alert channels (URLs masked) with their alerts by state."""
    from storage.alerts import channels_overview

    _ready()
    with session() as db:
        rows = channels_overview(db, include_inactive=all)
    columns = ["id", "channel", "min_severity", "kinds", "tags", "digest", "pending", "sent"]
    emit(rows, format, columns=[*columns, "failed"], title="Alert channels")


@alerts_app.command("remove")
def remove(channel_id: Annotated[int, typer.Argument(help="A channel id (alerts list).")]) -> None:
    """Remove a channel; its unsent alerts are cancelled, its log is kept."""
    from storage.alerts import UnknownChannel, remove_channel

    _ready()
    try:
        with session() as db:
            channel, cancelled = remove_channel(db, channel_id=channel_id)
    except UnknownChannel as exc:
        _fail(str(exc), 2)
    _say(f"removed alert channel {channel_id}: {channel.label} ({cancelled} unsent cancelled)")


@alerts_app.command("test")
def test(
    channel_id: Annotated[int | None, typer.Argument(help="One channel (default: all).")] = None,
) -> None:
    """Send a test message to a channel (or to all) and report each channel's answer."""
    from analysis.alert_message import test_message
    from service.channels import send
    from storage.alerts import UnknownChannel, active_channels, get_channel, log_test_attempt

    _ready()
    try:
        with session() as db:
            channels = (
                [get_channel(db, channel_id=channel_id)]
                if channel_id is not None
                else active_channels(db)
            )
    except UnknownChannel as exc:
        _fail(str(exc), 2)
    if not channels:
        _fail("no alert channels: add one with `claimwatch alerts add URL`", 2)
    failed = 0
    for channel in channels:
        assert channel.id is not None
        error = send(channel.url, test_message(), key=f"claimwatch-test-{uuid.uuid4()}")
        with session() as db:
            log_test_attempt(db, channel_id=channel.id, error=error)
        failed += error is not None
        result = "sent" if error is None else f"failed: {error}"
        _say(f"channel {channel.id} {channel.label}: {result}")
    if failed:
        raise typer.Exit(1)


@alerts_app.command("log")
def log(
    channel: Annotated[int | None, typer.Option("--channel", help="Only this channel.")] = None,
    limit: Annotated[int, typer.Option(help="At most this many attempts.")] = 100,
    format: Annotated[ListFormat, typer.Option("--format", "-f")] = ListFormat.table,
) -> None:
    """List delivery attempts, newest first."""
    from storage.alerts import attempt_log

    _ready()
    with session() as db:
        rows = attempt_log(db, channel_id=channel, limit=limit)
    columns = ["started_at", "channel_id", "alert_id", "url", "attempt", "outcome", "error"]
    emit(rows, format, columns=columns, title="Alert deliveries")


@alerts_app.command("outbox")
def outbox(
    state: Annotated[AlertState | None, typer.Option(help="Only alerts in this state.")] = None,
    limit: Annotated[int, typer.Option(help="At most this many alerts.")] = 100,
    format: Annotated[ListFormat, typer.Option("--format", "-f")] = ListFormat.table,
) -> None:
    """List alerts, newest first: state, attempts, next try, last error."""
    from storage.alerts import outbox_rows

    _ready()
    with session() as db:
        rows = outbox_rows(db, state=state, limit=limit)
    columns = ["id", "state", "channel_id", "url", "attempts", "next_attempt_at", "last_error"]
    emit(rows, format, columns=columns, title="Alert outbox")


@alerts_app.command("deliver")
def deliver() -> None:
    """Deliver due alerts now (each monitoring pass does this too); exit 1 if a send failed."""
    from service.delivery import deliver_due

    _ready()
    report = deliver_due()
    _say(f"alerts: {report.sent} sent, {report.pending} pending, {report.failed} failed")
    if report.errors:
        raise typer.Exit(1)


@alerts_app.command("retry")
def retry(
    alert_ids: Annotated[
        list[int] | None, typer.Argument(help="Alert ids (default: every pending or failed).")
    ] = None,
) -> None:
    """Make pending and failed alerts due now, skipping their back-off."""
    from storage.models import utcnow
    from storage.outbox import retry_now

    _ready()
    with session() as db:
        count = retry_now(db, now=utcnow(), alert_ids=alert_ids or None)
    _say(f"{count} alert(s) due now: `claimwatch alerts deliver` sends them")
