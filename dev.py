#!/usr/bin/env python3
"""Set-up and entry point for a fresh machine with only Python 3.11+.

    python3 dev.py demo    # install (once) from uv.lock into .venv, then run `claimwatch demo`
    python3 dev.py test    # install (once), then run the test suite (pytest args may follow)
                           # on CLAIMWATCH_TEST_WORKERS (default 4) xdist workers; `-n 0`: one
    python3 dev.py lint    # install (once), then ruff, ruff format --check, mypy, lint-imports

After set-up the command is .venv/bin/claimwatch (or `source .venv/bin/activate`, then claimwatch).

Set CLAIMWATCH_TEST_POSTGRES_URL (e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test)
to run the database tests against PostgreSQL as well as SQLite.
"""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")


def _run(*args: str | Path, env: dict[str, str] | None = None) -> None:
    subprocess.run([str(a) for a in args], cwd=ROOT, check=True, env=env)


def install() -> None:
    """Create .venv and sync it with uv.lock (bytecode compiled: Prefect's server needs it fast)."""
    # dev.py may be started by an older python3: say so instead of failing on syntax later.
    if sys.version_info < (3, 11):  # noqa: UP036
        sys.exit(f"claimwatch needs Python 3.11+, this is {sys.version.split()[0]}")
    if not (BIN / "python").exists():
        print("creating .venv", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    if not (BIN / "uv").exists():
        _run(BIN / "python", "-m", "pip", "install", "--quiet", "uv")
    env = {**os.environ, "UV_COMPILE_BYTECODE": "1", "UV_PROJECT_ENVIRONMENT": str(VENV)}
    # --inexact keeps uv itself, which pip put into the venv.
    _run(BIN / "uv", "sync", "--frozen", "--inexact", "--quiet", env=env)


LINT = (
    ("ruff", "check", "."),
    ("ruff", "format", "--check", "."),
    ("mypy", "analysis", "storage"),
    ("lint-imports", "--no-cache"),
)


def main(argv: list[str]) -> int:
    """Dispatch `demo`, `test` or `lint`."""
    if not argv or argv[0] not in ("demo", "test", "lint"):
        print(__doc__, file=sys.stderr)
        return 2
    install()
    env = {**os.environ, "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
    if argv[0] == "lint":
        failed = [c for c in LINT if subprocess.run([BIN / c[0], *c[1:]], cwd=ROOT).returncode]
        for command in failed:
            print(f"dev.py lint: `{' '.join(command)}` failed", file=sys.stderr)
        return 1 if failed else 0
    if argv[0] == "demo":
        # In the caller's directory: the hints the demo prints are relative to it.
        command = [str(BIN / "claimwatch"), "demo", *argv[1:]]
        return subprocess.run(command, env=env).returncode
    command = [str(BIN / "python"), "-m", "pytest", *_parallel(argv[1:]), *argv[1:]]
    return subprocess.run(command, cwd=ROOT, env=env).returncode


def _parallel(args: list[str]) -> list[str]:
    """pytest-xdist options unless the arguments choose (`-n 0` runs in one process)."""
    chosen = ("-n", "--numprocesses", "--dist", "no:xdist")
    if any(a in chosen or a.startswith(("-n", "--numprocesses=", "--dist=")) for a in args):
        return []
    # The end-to-end tests mostly wait (subprocesses, servers, polling): more workers than
    # cores pays on a 2-core machine. loadgroup keeps the tests of one recorded archive on one
    # worker (tests/xdist_groups.py); --durations shows where the time went.
    # Each test gets a share of the cores: the hang guard (pyproject's 300 s) waits longer.
    workers = os.environ.get("CLAIMWATCH_TEST_WORKERS", "4")
    return ["-n", workers, "--dist", "loadgroup", "--timeout", "600", "--durations", "30"]


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
