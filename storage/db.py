"""Engine, sessions and schema migration for the configured database."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, create_engine

from storage.settings import get_settings, keep_files_private, tighten

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    busy_ms = int(get_settings().db_busy_timeout * 1000)
    cursor = dbapi_connection.cursor()
    # WAL lets the crawler subprocess write captures while the flow reads; NORMAL is safe with WAL.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={busy_ms}")
    cursor.close()


def get_engine(url: str | None = None) -> Engine:
    """The engine for `url` (default: the configured database), created once per process."""
    return _engine(with_driver(url or get_settings().effective_database_url))


def with_driver(url: str) -> str:
    """A plain `postgresql://` (or `postgres://`) URL names the installed psycopg 3 driver
    (SQLAlchemy's default for it, psycopg2, is not installed)."""
    for plain in ("postgresql://", "postgres://"):
        if url.startswith(plain):
            return "postgresql+psycopg://" + url.removeprefix(plain)
    return url


@lru_cache(maxsize=8)
def _engine(url: str) -> Engine:
    # Every process that opens the database writes under CLAIMWATCH_HOME (captures, archive,
    # logs): from here on its files, and its crawl subprocesses', are private.
    keep_files_private()
    home = get_settings().home
    for folder in (home / "archive", home / "logs"):
        tighten(folder, 0o700)
    if url.startswith("sqlite:///"):
        _private_sqlite_file(Path(url.removeprefix("sqlite:///")))
        busy = get_settings().db_busy_timeout
        engine = create_engine(url, connect_args={"timeout": busy})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    if url.startswith("postgresql"):
        # The same patience on PostgreSQL: a write waiting on a lock gives up after it.
        lock_ms = int(get_settings().db_busy_timeout * 1000)
        return create_engine(
            url, pool_pre_ping=True, connect_args={"options": f"-c lock_timeout={lock_ms}"}
        )
    return create_engine(url, pool_pre_ping=True)


def _private_sqlite_file(path: Path) -> None:
    """Create the database file 0600 before SQLite does; its -wal and -shm files get the
    database file's mode from SQLite. Files an older version left readable are tightened."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    except FileExistsError:
        for file in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
            tighten(file, 0o600)


def migrate(url: str | None = None) -> bool:
    """Bring the database schema up to the latest Alembic revision; whether the database was
    empty (no schema at all) before."""
    # Imported here: crawl subprocesses and analysis never migrate, and alembic costs ~0.2 s.
    from alembic import command
    from alembic.config import Config
    from sqlalchemy import inspect

    engine = get_engine(url)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.begin() as connection:
        created = not inspect(connection).has_table("alembic_version")
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
    return created


def shown_database_url(url: str | None = None) -> str:
    """The database URL (default: the configured one) with its password hidden."""
    from sqlalchemy.engine import make_url

    return make_url(url or get_settings().effective_database_url).render_as_string(
        hide_password=True
    )


@contextmanager
def session(url: str | None = None) -> Iterator[Session]:
    """A session that commits on success and rolls back on error."""
    with Session(get_engine(url), expire_on_commit=False) as db:
        try:
            yield db
            db.commit()
        except BaseException:
            db.rollback()
            raise


def reset_engines() -> None:
    """Forget the cached engines (after CLAIMWATCH_* settings changed: tests, the demo)."""
    _engine.cache_clear()
