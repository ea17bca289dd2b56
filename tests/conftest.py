"""Shared fixtures: fixture sites over real HTTP, one Prefect harness, a database per backend."""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine, make_url

from claimwatch.sitesrv import SiteServer
from tests.prefect_shared import SHARED_DIR, shared_server, stop_shared_server
from tests.s3server import ACCESS_KEY, REGION, SECRET_KEY, S3Server
from tests.xdist_groups import write_groups

FIXTURES = Path(__file__).parent / "fixtures"
POSTGRES_URL = os.environ.get("CLAIMWATCH_TEST_POSTGRES_URL", "")
BACKENDS = ["sqlite", *(["postgresql"] if POSTGRES_URL else [])]
PREFECT_STARTUP_SECONDS = 120

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
# Under pytest-xdist (`dev.py test`) every worker, and the processes it starts, keeps Prefect's
# files (settings, the block-registration memo) in a home of its own: nothing shared on disk.
if "PYTEST_XDIST_WORKER" in os.environ:
    os.environ["PREFECT_HOME"] = tempfile.mkdtemp(
        prefix=f"claimwatch-prefect-{os.environ['PYTEST_XDIST_WORKER']}-"
    )
# Every fixture server listens on 127.0.0.1, which the SSRF guard refuses by default; the
# guard's own tests (tests/crawler/test_guard.py) switch this off again.
os.environ["CLAIMWATCH_ALLOW_PRIVATE_ADDRESSES"] = "true"


@pytest.fixture(scope="session")
def site() -> Iterator[SiteServer]:
    """One real HTTP server on 127.0.0.1 for the whole run; tests set the routes they need."""
    with SiteServer() as server:
        yield server


@pytest.fixture
def fresh_site(site: SiteServer) -> SiteServer:
    """The session's server with no routes left from earlier tests."""
    site.reset()
    return site


@pytest.fixture(autouse=True)
def _library_logs_in_a_live_home() -> None:
    """A home torn down by an earlier test's fixture leaves the extraction libraries' log
    handler (service/library_logs.py) pointing into it, and the next page they cannot read
    fails on the missing file (seen when xdist ran tests/api before tests/analysis): drop the
    handler, as a fresh process has none."""
    import service.library_logs as library_logs

    handler = library_logs._handler
    if handler is None or Path(handler.baseFilename).parent.exists():
        return
    for name in library_logs.LIBRARIES:
        logging.getLogger(name).removeHandler(handler)
        logging.getLogger(name).propagate = True
    handler.close()
    library_logs._handler = None


@pytest.fixture(scope="session")
def s3_server() -> Iterator[S3Server]:
    """One real S3-compatible server (moto) on 127.0.0.1 for the whole run."""
    with S3Server() as server:
        yield server


@pytest.fixture
def s3_archive(s3_server: S3Server, monkeypatch: pytest.MonkeyPatch) -> str:
    """An archive URL on a fresh bucket of the S3 server, with AWS_* credentials exported."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", ACCESS_KEY)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET_KEY)
    monkeypatch.setenv("AWS_REGION", REGION)
    for name in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    return f"s3://{s3_server.new_bucket()}/archive?endpoint={s3_server.endpoint}"


@pytest.fixture(scope="session")
def prefect_harness() -> Iterator[str]:
    """A real, temporary Prefect API for flow runs (entered once: it takes ~15 s); its URL.
    Under xdist the workers share one server (tests/prefect_shared.py)."""
    from prefect.settings import PREFECT_API_URL, get_current_settings, temporary_settings
    from prefect.testing.utilities import prefect_test_harness

    if SHARED_DIR in os.environ:
        url = shared_server(Path(os.environ[SHARED_DIR]), timeout=PREFECT_STARTUP_SECONDS)
        with temporary_settings(updates={PREFECT_API_URL: url}):
            yield url
        return
    with prefect_test_harness(server_startup_timeout=PREFECT_STARTUP_SECONDS):
        yield str(get_current_settings().api.url)


def pytest_configure(config: pytest.Config) -> None:
    """The xdist controller makes the directory its workers share; for the whole suite it
    starts their Prefect server there while they collect (otherwise the first that needs it)."""
    if getattr(config.option, "numprocesses", None) and not hasattr(config, "workerinput"):
        shared = tempfile.mkdtemp(prefix="claimwatch-tests-")
        os.environ[SHARED_DIR] = shared
        if config.args_source is pytest.Config.ArgsSource.TESTPATHS:
            threading.Thread(
                target=shared_server, args=(Path(shared), PREFECT_STARTUP_SECONDS), daemon=True
            ).start()


def pytest_unconfigure(config: pytest.Config) -> None:
    """The controller stops the shared Prefect server once every worker has finished."""
    if getattr(config.option, "numprocesses", None) and not hasattr(config, "workerinput"):
        shared = Path(os.environ.pop(SHARED_DIR))
        stop_shared_server(shared)
        shutil.rmtree(shared, ignore_errors=True)


def _migrated(env: dict[str, str], url: str | None = None) -> None:
    """Migrate the database that `env` (CLAIMWATCH_*) points at, and close every connection."""
    from storage.db import get_engine, migrate
    from tests.web.archive import environment

    with environment(env):
        migrate(url)
        get_engine(url).dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite database migrated once per session: each test's `home` starts from a copy (a
    migration costs ~1 s, and ~450 tests ask for a fresh database)."""
    home = tmp_path_factory.mktemp("sqlite-template")
    _migrated({"CLAIMWATCH_HOME": str(home), "CLAIMWATCH_DATABASE_URL": ""})
    database = home / "claimwatch.db"
    # Closed by its last connection, the database holds everything (no -wal file left).
    assert database.exists() and not database.with_name("claimwatch.db-wal").exists()
    return database


@pytest.fixture(scope="session")
def postgres_template() -> Iterator[tuple[Engine, str]]:
    """A throwaway PostgreSQL database migrated once per session (needs
    CLAIMWATCH_TEST_POSTGRES_URL), the template of each test's database; an admin engine and
    its name."""
    admin_url = make_url(POSTGRES_URL)
    # Unique per session, and so per xdist worker.
    name = f"claimwatch_test_{uuid.uuid4().hex[:8]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        url = admin_url.set(database=name).render_as_string(hide_password=False)
        _migrated({"CLAIMWATCH_DATABASE_URL": url}, url)
        yield admin, name
    finally:
        with admin.connect() as conn:
            for database in (f"{name}_test", name):
                conn.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
        admin.dispose()


def _postgres_copy(template: tuple[Engine, str]) -> str:
    """A fresh copy of the migrated template (the previous test's copy dropped); its URL."""
    admin, name = template
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}_test" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}_test" TEMPLATE "{name}"'))
    return admin.url.set(database=f"{name}_test").render_as_string(hide_password=False)


def _sqlite_copy(template: Path, home: Path) -> None:
    """The migrated template as the database of `home`, both private as claimwatch makes them."""
    home.mkdir(parents=True)
    home.chmod(0o700)
    database = home / template.name
    shutil.copyfile(template, database)
    database.chmod(0o600)


@pytest.fixture(params=BACKENDS)
def home(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Path]:
    """A fresh CLAIMWATCH_HOME and an empty, migrated database on each backend (a copy of the
    session's migrated template)."""
    from storage.db import get_engine, reset_engines
    from storage.settings import get_settings

    monkeypatch.setenv("CLAIMWATCH_HOME", str(tmp_path / "home"))
    if request.param == "postgresql":
        url = _postgres_copy(request.getfixturevalue("postgres_template"))
        monkeypatch.setenv("CLAIMWATCH_DATABASE_URL", url)
    else:
        _sqlite_copy(request.getfixturevalue("sqlite_template"), tmp_path / "home")
        monkeypatch.delenv("CLAIMWATCH_DATABASE_URL", raising=False)
    monkeypatch.setenv("CLAIMWATCH_ALLOW_PRIVATE_ADDRESSES", "true")
    # Fast, polite-enough crawls against 127.0.0.1.
    monkeypatch.setenv("CLAIMWATCH_AUTOTHROTTLE", "false")
    monkeypatch.setenv("CLAIMWATCH_DOWNLOAD_TIMEOUT", "5")
    get_settings.cache_clear()
    reset_engines()
    # The engine and a first connection, as migrating them made them (private files, WAL).
    with get_engine().connect():
        pass
    yield tmp_path / "home"
    get_engine().dispose()
    reset_engines()
    get_settings.cache_clear()


@pytest.fixture
def db(home: Path) -> Iterator:
    """A session on the test database (committed on success)."""
    from storage.db import session

    with session() as db_session:
        yield db_session


# Session fixtures that record an archive through real passes (a minute or more each): their
# tests run on one xdist worker, which records them once, instead of on every worker.
SHARED_SESSION_FIXTURES = ("archive", "demo", "hostile_site")


# Last: after pytest has ordered the tests by their parametrized session fixtures.
@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """On an xdist worker: record which tests must share a worker (tests/xdist_groups.py), and
    start the slow tests first, so that a long one does not begin when all else has ended."""
    if not hasattr(config, "workerinput") or SHARED_DIR not in os.environ:
        return
    groups = {item.nodeid: group for item in items if (group := _worker_group(item))}
    write_groups(Path(os.environ[SHARED_DIR]), groups)
    slow = {i.nodeid for i in items if i.get_closest_marker("slow")}
    slow_groups = {groups[nodeid] for nodeid in slow if nodeid in groups}

    def order(item: pytest.Item) -> tuple[bool, bool]:
        # The tests of a group keep one rank (and pytest's order among them).
        group = groups.get(item.nodeid)
        is_slow = group in slow_groups if group else item.nodeid in slow
        return (not is_slow, group is None)

    # Work is handed out in this order: the slow groups (the wheel install, the recorded
    # archives), the other slow tests, the other groups, then the rest.
    items.sort(key=order)


def _worker_group(item: pytest.Item) -> str:
    """The group of a test: the expensive session fixture it uses, or its module when that has
    module-scoped fixtures ("" for none)."""
    fixtures = getattr(item, "_fixtureinfo", None)
    if fixtures is None:
        return ""
    for name in SHARED_SESSION_FIXTURES:
        if name in fixtures.name2fixturedefs:
            return name
    for definitions in fixtures.name2fixturedefs.values():
        if definitions[-1].scope in ("module", "class", "package"):
            return item.nodeid.split("::")[0]
    return ""


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log):  # type: ignore[no-untyped-def]
    """`--dist loadgroup` (dev.py test): the groups of tests/xdist_groups.py."""
    if config.getvalue("dist") != "loadgroup" or SHARED_DIR not in os.environ:
        return None
    from tests.xdist_groups import GroupScheduling

    return GroupScheduling(config, Path(os.environ[SHARED_DIR]), log)
