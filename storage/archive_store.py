"""Where the WARC files live: a local directory or an S3 prefix, behind one small protocol.

Like Scrapy's `FilesStoreProtocol` and `STORE_SCHEMES`: `open_store(url)` picks the store by the
scheme of `CLAIMWATCH_ARCHIVE_URL`. Names are relative to the store's root (`2026/11/x.warc.gz`),
which is what `Capture.warc_file` holds, so captures do not change when the archive moves.

Durability is the store's business: a `NewFile`'s `persist()` returns only when every byte
written so far survives a crash of this machine (local: fsync; S3: the whole file uploaded as
one object). Nothing may name a record before that (see docs/architecture.md).
"""

from __future__ import annotations

import contextlib
import io
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, BinaryIO, Protocol
from urllib.parse import parse_qsl, urlsplit, urlunsplit

DIR_MODE = 0o700
FILE_MODE = 0o600
WARC_SUFFIX = ".warc.gz"
S3_OPTIONS = ("endpoint", "region")  # the only URL query options: neither is a secret


class ArchiveUnavailable(OSError):
    """The store itself cannot be reached or listed (not one missing file)."""


@dataclass(frozen=True)
class StoredFile:
    """A WARC file in a store: its name relative to the root, size and last modification."""

    name: str
    size: int
    modified: datetime


class NewFile(Protocol):
    """A WARC file being written: append to `handle`, then `persist()` before naming a record."""

    name: str
    handle: BinaryIO

    def persist(self) -> bool:
        """Make everything written so far durable; True when the file is complete (no appends)."""
        ...

    def close(self) -> None:
        """Persist what is left and release the file."""
        ...


class ArchiveStore(Protocol):
    """A place holding WARC files: create one, read a byte range or a whole file, list them."""

    location: str  # for messages and logs; never holds a secret

    def create(self, name: str) -> NewFile:
        """Start a new file `name` (FileExistsError if taken)."""
        ...

    def read(self, name: str, offset: int, length: int) -> bytes:
        """`length` bytes of file `name` from `offset` (fewer only at the end of the file)."""
        ...

    def open(self, name: str) -> BinaryIO:
        """File `name` for reading, seekable."""
        ...

    def files(self) -> Iterator[StoredFile]:
        """Every WARC file in the store, by name."""
        ...

    def stat(self, name: str) -> StoredFile | None:
        """File `name`, or None when the store does not hold it."""
        ...


def _make_dirs(path: Path) -> None:
    """Create `path` and missing parents, each new one 0700 (mkdir's mode skips parents)."""
    missing = []
    while not path.exists():
        missing.append(path)
        path = path.parent
    for folder in reversed(missing):
        with contextlib.suppress(FileExistsError):  # another process made it meanwhile
            folder.mkdir(mode=DIR_MODE)


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _create_exclusive(path: Path) -> BinaryIO:
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, FILE_MODE)
    return os.fdopen(fd, "w+b")


class _LocalNewFile:
    def __init__(self, path: Path, name: str) -> None:
        self.path = path
        self.name = name
        self.handle = _create_exclusive(path)
        # The new directory entry must survive a crash as well as the records in it.
        _fsync_dir(path.parent)

    def persist(self) -> bool:
        if not self.handle.closed:
            self.handle.flush()
            os.fsync(self.handle.fileno())
        return False

    def close(self) -> None:
        if not self.handle.closed:
            self.persist()
            self.handle.close()


class LocalStore:
    """WARC files in a directory (the default: `CLAIMWATCH_HOME/archive`)."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.location = str(self.root)

    def _path(self, name: str) -> Path:
        path = self.root / name
        if ".." in Path(name).parts or Path(name).is_absolute():
            raise ValueError(f"not a name inside the archive: {name!r}")
        return path

    def create(self, name: str) -> NewFile:
        """Create `name` exclusively (0600, new directories 0700)."""
        path = self._path(name)
        _make_dirs(path.parent)
        return _LocalNewFile(path, name)

    def read(self, name: str, offset: int, length: int) -> bytes:
        """Read a byte range of `name`."""
        with self._path(name).open("rb") as handle:
            handle.seek(offset)
            return handle.read(length)

    def open(self, name: str) -> BinaryIO:
        """Open `name` for reading."""
        return self._path(name).open("rb")

    def files(self) -> Iterator[StoredFile]:
        """Every `*.warc.gz` under the root, sorted by name."""
        if not self.root.is_dir():
            raise ArchiveUnavailable(f"archive directory not found: {self.root}")
        for path in sorted(self.root.rglob(f"*{WARC_SUFFIX}")):
            yield self._stored(path)

    def stat(self, name: str) -> StoredFile | None:
        """`name` with its size, or None when missing."""
        path = self._path(name)
        return self._stored(path) if path.is_file() else None

    def _stored(self, path: Path) -> StoredFile:
        info = path.stat()
        modified = datetime.fromtimestamp(info.st_mtime, UTC)
        return StoredFile(path.relative_to(self.root).as_posix(), info.st_size, modified)


def _os_error(exc: Exception, name: str) -> OSError:
    """An obstore error as an OSError with one line (its messages carry a debug dump)."""
    from obstore.exceptions import NotFoundError

    line = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    if isinstance(exc, FileNotFoundError | NotFoundError):
        return FileNotFoundError(f"{name}: not in the archive ({line})")
    return OSError(f"{name}: {line}")


class _ObjectReader(io.RawIOBase):
    """An obstore ReadableFile as a binary stream (its reads return obstore's Bytes)."""

    def __init__(self, reader: Any) -> None:
        self._reader = reader

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = memoryview(self._reader.read(len(buffer)))
        buffer[: len(data)] = data
        return len(data)

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        return int(self._reader.seek(offset, whence))

    def tell(self) -> int:
        return int(self._reader.tell())

    def close(self) -> None:
        if not self.closed:
            self._reader.close()
        super().close()


class _SpooledNewFile:
    """A WARC file written to a local spool file and uploaded whole by `persist()`."""

    def __init__(self, store: S3ArchiveStore, name: str, spool: Path) -> None:
        self.store = store
        self.name = name
        self.spool = spool
        self.handle = _create_exclusive(spool)
        self.uploaded = False

    def persist(self) -> bool:
        if not self.uploaded:
            self.handle.flush()
            self.store.upload(self.spool, self.name)
            self.uploaded = True
            self.handle.close()
            self.spool.unlink(missing_ok=True)
        return True

    def close(self) -> None:
        self.persist()


class S3ArchiveStore:
    """WARC files under `s3://bucket/prefix` on any S3-compatible store, through obstore.

    Credentials, region and endpoint come from the usual `AWS_*` environment variables
    (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`, `AWS_REGION`,
    `AWS_ENDPOINT_URL`); the URL may add `?endpoint=...&region=...`, never a secret.
    """

    def __init__(self, url: str, *, spool_dir: Path) -> None:
        from obstore.store import S3Store

        parts = urlsplit(url)
        if parts.username or parts.password:
            raise ValueError(
                "credentials do not belong in the archive URL: "
                "set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY instead"
            )
        if not parts.hostname:
            raise ValueError(f"no bucket in the archive URL {mask_url(url)!r}")
        options = dict(parse_qsl(parts.query))
        unknown = sorted(set(options) - set(S3_OPTIONS))
        if unknown:
            raise ValueError(
                f"unknown option(s) {', '.join(unknown)} in the archive URL; "
                f"allowed: {', '.join(S3_OPTIONS)} (credentials go in AWS_* variables)"
            )
        self.bucket = parts.hostname
        self.prefix = parts.path.strip("/")
        endpoint = (
            options.get("endpoint")
            or os.environ.get("AWS_ENDPOINT_URL")
            or os.environ.get("AWS_ENDPOINT", "")
        )
        config: dict[str, Any] = {k: v for k, v in options.items() if v}
        client: dict[str, Any] = {}
        if endpoint.startswith("http://"):
            client["allow_http"] = True
        root = f"s3://{self.bucket}/{self.prefix}" if self.prefix else f"s3://{self.bucket}"
        self._store = S3Store.from_url(root, config=config or None, client_options=client or None)  # type: ignore[arg-type]
        query = f"?endpoint={mask_url(options['endpoint'])}" if "endpoint" in options else ""
        self.location = root + query
        self.spool_dir = Path(spool_dir)

    def create(self, name: str) -> NewFile:
        """Spool `name` locally until `persist()` uploads it (0600 in a 0700 spool directory)."""
        _make_dirs(self.spool_dir)
        return _SpooledNewFile(self, name, self.spool_dir / name.replace("/", "_"))

    def upload(self, local: Path, name: str) -> None:
        """Put the local file `local` as object `name`; returns once the store has all of it."""
        import obstore

        try:
            obstore.put(self._store, name, local)
        except Exception as exc:  # obstore raises its own hierarchy: report it as I/O
            line = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise OSError(f"cannot upload {name} to {self.location}: {line}") from exc

    def read(self, name: str, offset: int, length: int) -> bytes:
        """One ranged GET."""
        import obstore

        try:
            return bytes(obstore.get_range(self._store, name, start=offset, length=length))
        except Exception as exc:
            raise _os_error(exc, name) from exc

    def open(self, name: str) -> BinaryIO:
        """A seekable reader doing buffered ranged GETs."""
        import obstore

        try:
            reader = obstore.open_reader(self._store, name, buffer_size=1 << 20)
        except Exception as exc:
            raise _os_error(exc, name) from exc
        return io.BufferedReader(_ObjectReader(reader), buffer_size=1 << 20)  # type: ignore[return-value]

    def files(self) -> Iterator[StoredFile]:
        """Every `*.warc.gz` object under the prefix, sorted by name."""
        import obstore

        try:
            found = [meta for chunk in obstore.list(self._store) for meta in chunk]
        except Exception as exc:
            raise ArchiveUnavailable(f"cannot list {self.location}: {_os_error(exc, '')}") from exc
        for meta in sorted(found, key=lambda m: m["path"]):
            if meta["path"].endswith(WARC_SUFFIX):
                yield StoredFile(meta["path"], int(meta["size"]), meta["last_modified"])

    def stat(self, name: str) -> StoredFile | None:
        """HEAD of object `name`."""
        import obstore

        try:
            meta = obstore.head(self._store, name)
        except FileNotFoundError:
            return None
        except Exception as exc:
            error = _os_error(exc, name)
            if isinstance(error, FileNotFoundError):
                return None
            raise error from exc
        return StoredFile(name, int(meta["size"]), meta["last_modified"])


def mask_url(url: str) -> str:
    """`url` with any password in it replaced by `***` (for messages and logs)."""
    parts = urlsplit(url)
    if not parts.password:
        return url
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    netloc = f"{parts.username}:***@{host}" if parts.username else f"***@{host}"
    return urlunsplit(parts._replace(netloc=netloc))


def _local(url: str, spool_dir: Path) -> ArchiveStore:
    path = urlsplit(url).path if url.startswith("file:") else url
    return LocalStore(Path(path).expanduser())


def _s3(url: str, spool_dir: Path) -> ArchiveStore:
    return S3ArchiveStore(url, spool_dir=spool_dir)


STORE_SCHEMES: dict[str, Callable[[str, Path], ArchiveStore]] = {
    "": _local,
    "file": _local,
    "s3": _s3,
}


def open_store(url: str, *, spool_dir: Path | None = None) -> ArchiveStore:
    """The store for an archive URL: a directory, `file:///dir` or `s3://bucket/prefix`.

    `spool_dir` holds files an S3 store has not uploaded yet (default CLAIMWATCH_HOME/spool).
    """
    if spool_dir is None:
        from storage.settings import get_settings

        spool_dir = get_settings().spool_dir
    return _open_store(url, spool_dir)


@lru_cache(maxsize=8)
def _open_store(url: str, spool_dir: Path) -> ArchiveStore:
    if not url:
        raise ValueError("no archive location given")
    scheme = urlsplit(url).scheme.lower() if "://" in url else ""
    factory = STORE_SCHEMES.get(scheme)
    if factory is None:
        supported = ", ".join(f"{s}://" for s in STORE_SCHEMES if s)
        raise ValueError(
            f"unsupported archive URL {mask_url(url)!r}: a directory or one of {supported}"
        )
    return factory(url, spool_dir)


def configured_store() -> ArchiveStore:
    """The store `CLAIMWATCH_ARCHIVE_URL` names (default: the directory CLAIMWATCH_HOME/archive)."""
    from storage.settings import get_settings

    settings = get_settings()
    return open_store(settings.effective_archive_url, spool_dir=settings.spool_dir)


def as_store(archive: ArchiveStore | Path | str) -> ArchiveStore:
    """A store from a store, a local directory or an archive URL."""
    if isinstance(archive, Path):
        return LocalStore(archive)
    if isinstance(archive, str):
        return open_store(archive)
    return archive
