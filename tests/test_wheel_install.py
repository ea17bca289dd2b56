"""The wheel, installed with plain pip into a fresh venv outside the checkout, runs real passes.

This is what an operator does (`pip install .`): build the wheel, create a venv with the pip
that ships with this Python, install from PyPI, then track, run and diff from a directory with
no scrapy.cfg and no checkout on sys.path.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import venv
from dataclasses import dataclass
from pathlib import Path

import pytest

from claimwatch.sitesrv import SiteServer
from tests.flows.pipeline import PATH, serve

pytestmark = [pytest.mark.slow, pytest.mark.timeout(1800)]

ROOT = Path(__file__).resolve().parents[1]
UV = Path(sys.executable).parent / "uv"


@dataclass(frozen=True)
class Installed:
    """A venv holding the installed wheel, a working directory outside the checkout, an env."""

    bin: Path
    cwd: Path
    env: dict[str, str]
    pip_version: str

    def run(self, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
        """Run a program of the venv (e.g. `claimwatch`) in the outside directory."""
        return subprocess.run(
            [str(self.bin / args[0]), *args[1:]],
            cwd=self.cwd,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            stdin=subprocess.DEVNULL,
        )


def _clean_env(work: Path) -> dict[str, str]:
    """The machine's environment without anything pointing at the checkout or its venv."""
    dropped = ("CLAIMWATCH_", "PREFECT_", "SCRAPY_", "VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME")
    env = {k: v for k, v in os.environ.items() if not k.startswith(dropped)}
    env |= {
        "CLAIMWATCH_HOME": str(work / "home"),
        "PREFECT_HOME": str(work / "prefect"),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        # A shared 2-core CI machine can take longer than Prefect's default 20 s to start
        # its temporary server with a fresh PREFECT_HOME.
        "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "240",
        "CLAIMWATCH_AUTOTHROTTLE": "false",  # our own server on 127.0.0.1
        # The guard stays on; only the test site's loopback host is let through, as the
        # demo does.
        "CLAIMWATCH_ALLOWED_NETWORKS": "127.0.0.1/32",
    }
    return env


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    """Build the wheel, create a fresh venv with pip, `pip install` the wheel from PyPI."""
    work = tmp_path_factory.mktemp("wheel-install")
    assert not work.resolve().is_relative_to(ROOT)
    dist = work / "dist"
    build = subprocess.run(
        [str(UV), "build", "--wheel", "--out-dir", str(dist), str(ROOT)],
        capture_output=True,
        text=True,
    )
    assert build.returncode == 0, build.stderr[-3000:]
    [wheel] = dist.glob("claimwatch-*.whl")
    venv.EnvBuilder(with_pip=True).create(work / "venv")
    bin_dir = work / "venv" / "bin"
    env = _clean_env(work)
    pip_version = subprocess.run(
        [str(bin_dir / "python"), "-m", "pip", "--version"],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    ).stdout.strip()
    started = time.monotonic()
    pip = subprocess.run(
        [str(bin_dir / "python"), "-m", "pip", "install", "--no-input", "--progress-bar", "off",
         str(wheel)],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        timeout=1500,
    )  # fmt: skip
    print(f"{pip_version}: installed in {time.monotonic() - started:.0f} s")
    assert pip.returncode == 0, pip.stdout[-3000:] + pip.stderr[-3000:]
    return Installed(bin_dir, work, env, pip_version)


def test_the_installed_packages_come_from_the_venv(installed: Installed) -> None:
    code = "import claimwatch, crawler, storage; print(crawler.__file__)"
    result = installed.run("python", "-c", code)
    site_packages = Path(result.stdout.strip()).parents[1]
    assert result.returncode == 0, result.stderr
    assert site_packages.is_relative_to(installed.bin.parent)
    assert not (site_packages / "scrapy.cfg").exists()  # crawls find their settings without it
    assert installed.pip_version.startswith("pip ")


def test_pip_check_finds_no_broken_requirement(installed: Installed) -> None:
    result = installed.run("python", "-m", "pip", "check")
    assert result.returncode == 0, result.stdout


def test_every_directly_imported_distribution_is_importable(installed: Installed) -> None:
    modules = "lxml.html.clean, twisted, charset_normalizer, obstore, trafilatura, warcio"
    result = installed.run("python", "-c", f"import {modules}")
    assert result.returncode == 0, result.stderr


def test_installed_claimwatch_tracks_runs_and_diffs(
    installed: Installed, fresh_site: SiteServer
) -> None:
    url = fresh_site.url(PATH)
    serve(fresh_site, "v1")
    track = installed.run("claimwatch", "track", url)
    assert track.returncode == 0, track.stderr
    first = installed.run("claimwatch", "run")
    assert first.returncode == 0, first.stderr[-3000:]
    assert first.stdout.splitlines()[0] == (
        "planned: 1  checked: 1  new: 1  changed: 0  unchanged: 0  errors: 0"
    )
    serve(fresh_site, "v3-text-edit")
    second = installed.run("claimwatch", "run")
    assert second.returncode == 0, second.stderr[-3000:]
    assert "changed: 1" in second.stdout
    diff = installed.run("claimwatch", "diff", url)
    assert diff.returncode == 0, diff.stderr
    assert "recover as quickly" in diff.stdout
    verify = installed.run("claimwatch", "verify")
    assert verify.returncode == 0, verify.stdout + verify.stderr
