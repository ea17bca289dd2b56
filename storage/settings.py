"""Runtime settings, read once from CLAIMWATCH_* environment variables."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from pydantic import field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from analysis.addresses import AddressPolicy, parse_networks


def _default_home() -> Path:
    xdg = os.environ.get("XDG_DATA_HOME")
    base = Path(xdg) if xdg else Path.home() / ".local" / "share"
    return base / "claimwatch"


class Settings(BaseSettings):
    """Where claimwatch keeps its state and how it fetches; every field has an env override."""

    model_config = SettingsConfigDict(env_prefix="CLAIMWATCH_", extra="ignore")

    home: Path = _default_home()
    database_url: str = ""  # empty: SQLite file under home
    # Where WARC files go: a directory, file:///dir or s3://bucket/prefix (empty: home/archive).
    archive_url: str = ""
    crawl_batch_size: int = 200
    analysis_batch_size: int = 200
    # Processes that extract an analysis batch: the analysing one and N-1 pool workers
    # (service/extraction.py). 1 by default: on the shared 2-core machine measured
    # (bench/analysis_profile.py) a second process did not pay reliably.
    analysis_workers: int = 1
    download_timeout: float = 30.0
    # How long a write waits on a locked database before it fails (SQLite's busy timeout,
    # PostgreSQL's lock_timeout): a busy database delays a pass instead of failing it.
    db_busy_timeout: float = 60.0
    download_maxsize: int = 10 * 1024 * 1024
    user_agent: str = "claimwatch/0.1 (+https://github.com/claimwatch/claimwatch)"
    obey_robots: bool = True
    autothrottle: bool = True
    # The SSRF guard (analysis/addresses.py): loopback, private, link-local… addresses are
    # refused unless allowed, all of them or only the listed networks ("10.1.0.0/16,10.2.0.7").
    allow_private_addresses: bool = False
    allowed_networks: str = ""
    # The REST API (`claimwatch serve`): a bearer token for writes, and for every request
    # when it listens on anything but loopback (it refuses to do so without one).
    api_token: str = ""

    @field_validator("allowed_networks")
    @classmethod
    def _networks(cls, value: str) -> str:
        parse_networks(value)  # a malformed network fails at start-up, not at the first fetch
        return value

    @property
    def address_policy(self) -> AddressPolicy:
        """Which addresses may be fetched."""
        return AddressPolicy.from_settings(
            allow_private=self.allow_private_addresses, networks=self.allowed_networks
        )

    @property
    def archive_dir(self) -> Path:
        """The local archive directory: where WARC files go unless `archive_url` says otherwise."""
        return self.home / "archive"

    @property
    def effective_archive_url(self) -> str:
        """The configured archive location, or the local directory under home."""
        return self.archive_url or str(self.archive_dir)

    @property
    def spool_dir(self) -> Path:
        """Where WARC files for a remote archive are written before their upload."""
        return self.home / "spool"

    @property
    def effective_database_url(self) -> str:
        """The configured database URL, or the SQLite file under home."""
        return self.database_url or f"sqlite:///{self.home / 'claimwatch.db'}"


# CLAIMWATCH_HOME holds channel URLs with their tokens (the database), archived pages and logs:
# nothing in it is for other users of the machine.
PRIVATE_UMASK = 0o077


def keep_files_private() -> None:
    """Create every later file of this process and of its children (crawls) 0600 and every
    directory 0700, whatever the umask was (a stricter one is kept)."""
    current = os.umask(PRIVATE_UMASK)
    os.umask(current | PRIVATE_UMASK)


def tighten(path: Path, mode: int) -> None:
    """Give an existing file or directory of ours `mode` if it allows more (older versions
    created them world-readable)."""
    try:
        if path.stat().st_mode & 0o777 & ~mode:
            path.chmod(mode)
    except FileNotFoundError:
        pass


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings (cached; call `get_settings.cache_clear()` after env changes)."""
    return Settings()
