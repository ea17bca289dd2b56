"""The database for the CLI, loaded on first use.

SQLModel and SQLAlchemy take ~1 s to import on these machines: commands that never open the
database (`claimwatch run` handed to a running `serve`, `--help`) should not pay for them.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlmodel import Session


def migrate(url: str | None = None) -> bool:
    """Bring the schema up to date (storage.db.migrate); whether the database was empty."""
    from storage.db import migrate as migrate_database

    return migrate_database(url)


@contextmanager
def session(url: str | None = None) -> Iterator[Session]:
    """A session that commits on success and rolls back on error (storage.db.session)."""
    from storage.db import session as open_session

    with open_session(url) as db:
        yield db
