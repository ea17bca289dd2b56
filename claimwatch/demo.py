"""`claimwatch demo`: monitor a bundled sample blog on 127.0.0.1 through one edit, end to end."""

from __future__ import annotations

import json
import os
import shlex
import shutil
import sys
import tempfile
import time
from pathlib import Path

from claimwatch.output import ListFormat, console, emit
from claimwatch.sitesrv import SiteServer

DEMO_SITE = Path(__file__).parent / "demo_site"


def load_manifest() -> dict:
    """The demo site's manifest: served article paths and the bundled edit."""
    return json.loads((DEMO_SITE / "MANIFEST.json").read_text(encoding="utf-8"))


def publish(server: SiteServer, *, edited: bool) -> list[str]:
    """Serve the demo blog (original or edited); returns the article URLs."""
    manifest = load_manifest()
    server.set_file("/", DEMO_SITE / "index.html")
    for path in manifest["articles"]:
        server.set_file(path, DEMO_SITE / path.lstrip("/"))
    if edited:
        for path, file in manifest["edits"].items():
            server.set_file(path, DEMO_SITE / file)
    return [server.url(path) for path in manifest["articles"]]


def run_demo(*, home: str | None = None, serve_port: int | None = None) -> None:
    """Track the demo articles in a fresh home, run two passes around the bundled edit, report;
    with `serve_port`, then serve the web UI on 127.0.0.1 until Ctrl-C."""
    from claimwatch.diffview import render_diff
    from claimwatch.passes import print_summary, run_pass
    from storage.db import migrate, reset_engines, session
    from storage.queries import changes
    from storage.settings import get_settings
    from storage.sources import track

    demo_home = Path(home) if home else Path(tempfile.mkdtemp(prefix="claimwatch-demo-"))
    os.environ["CLAIMWATCH_HOME"] = str(demo_home)
    os.environ["CLAIMWATCH_DATABASE_URL"] = ""
    os.environ["CLAIMWATCH_AUTOTHROTTLE"] = "false"  # our own server on 127.0.0.1
    server = SiteServer()
    # The SSRF guard refuses loopback addresses: let through our own server's, and no other.
    os.environ["CLAIMWATCH_ALLOWED_NETWORKS"] = server.host
    get_settings.cache_clear()
    reset_engines()
    migrate()
    started = time.monotonic()
    with server:
        urls = publish(server, edited=False)
        console.print(f"[bold]Sample blog[/] served at {server.base_url}; state in {demo_home}")
        with session() as db:
            track(db, urls=urls, interval_seconds=6 * 3600, tags=["demo"])
        console.print(f"tracking {len(urls)} articles")
        for step, edited in (("first pass", False), ("second pass, after the bundled edit", True)):
            publish(server, edited=edited)
            console.print(f"\n[bold]{step}[/]")
            print_summary(run_pass(urls=[], due_only=False))
    with session() as db:
        found = changes(db)
        console.print()
        emit(
            found,
            ListFormat.table,
            columns=["id", "url", "kinds", "severity", "summary"],
            title="Changes recorded",
        )
        if found:
            first = found[0]
            console.print(f"\n[bold]claimwatch diff {first['url']}[/]")
            sys.stdout.write(
                render_diff(
                    db,
                    url=first["url"],
                    from_number=None,
                    to_number=None,
                    fmt="text",
                    color=sys.stdout.isatty(),
                )
            )
    prefix = f"CLAIMWATCH_HOME={shlex.quote(str(demo_home))} {this_command()}"
    console.print(
        f"\nDone in {time.monotonic() - started:.1f} s. Explore the archive with\n"
        f"  {prefix} changes --format json\n"
        f"  {prefix} history {shlex.quote(urls[0])}",
        highlight=False,
        markup=False,
        soft_wrap=True,  # a hint wrapped at the terminal's width would not paste as one line
    )
    if serve_port is not None:
        serve_ui(serve_port)


def serve_ui(port: int) -> None:
    """Serve the web UI and the API on 127.0.0.1:`port` until interrupted."""
    import uvicorn

    from claimwatch.api.app import create_app

    console.print(
        f"\n[bold]Web UI[/] at http://127.0.0.1:{port}/ (Ctrl-C to stop)", highlight=False
    )
    uvicorn.run(create_app(), host="127.0.0.1", port=port, log_level="warning")


def this_command() -> str:
    """How to run this claimwatch again from the current directory, as a shell word or two.

    `claimwatch` when that name on PATH is this program (pipx, an activated venv); otherwise its
    path (`.venv/bin/claimwatch` after `python3 dev.py demo` in the checkout).
    """
    program = Path(sys.argv[0])
    if program.name == "__main__.py":  # python -m claimwatch
        return f"{_shell_path(Path(sys.executable))} -m claimwatch"
    on_path = shutil.which("claimwatch")
    if on_path and Path(on_path).resolve() == program.resolve():
        return "claimwatch"
    return _shell_path(program)


def _shell_path(path: Path) -> str:
    """`path` relative to the current directory when it lies below it, else absolute; quoted."""
    absolute = Path(os.path.abspath(path))
    try:
        shown = absolute.relative_to(Path.cwd()).as_posix()
    except ValueError:
        shown = str(absolute)
    return shlex.quote(shown)
