"""Runtime settings, read once from CLAIMWATCH_* environment variables."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict


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
    # Extraction processes per analysis batch. 1 by default: on the 2-core machines measured
    # (bench/pipeline_speed.py) a pool's start-up cost more than the second core gave back.
    analysis_workers: int = 1
    download_timeout: float = 30.0
    download_maxsize: int = 10 * 1024 * 1024
    user_agent: str = "claimwatch/0.1 (+https://github.com/claimwatch/claimwatch)"
    obey_robots: bool = True
    autothrottle: bool = True

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


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings (cached; call `get_settings.cache_clear()` after env changes)."""
    return Settings()
