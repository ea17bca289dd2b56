"""Moving the test database to one migration revision, up or down, for migration tests."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory

from storage.db import MIGRATIONS_DIR, get_engine


def _config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def move_to(revision: str, *, down: bool) -> None:
    """Upgrade (or, with `down`, downgrade) the configured database to `revision`."""
    config = _config()
    with get_engine().begin() as connection:
        config.attributes["connection"] = connection
        (command.downgrade if down else command.upgrade)(config, revision)


def revision_before(revision: str) -> str:
    """The revision that `revision` migrates from."""
    return str(ScriptDirectory.from_config(_config()).get_revision(revision).down_revision)
