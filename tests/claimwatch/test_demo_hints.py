"""`python3 dev.py demo` as the README shows it, then its printed hints run exactly as printed."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from claimwatch.demo import this_command

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]


def _hints(output: str) -> list[str]:
    lines = output.splitlines()
    start = next(i for i, line in enumerate(lines) if "Explore the archive with" in line)
    return [line.strip() for line in lines[start + 1 :] if line.strip()]


def test_the_demo_hints_work_as_printed(prefect_harness: str, tmp_path: Path) -> None:
    python3 = shutil.which("python3") or sys.executable
    env = {**os.environ, "PREFECT_API_URL": prefect_harness, "COLUMNS": "80"}
    for name in ("CLAIMWATCH_HOME", "CLAIMWATCH_DATABASE_URL", "CLAIMWATCH_ARCHIVE_URL"):
        env.pop(name, None)
    demo = subprocess.run(
        [python3, "dev.py", "demo", "--home", str(tmp_path / "demo home")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert demo.returncode == 0, demo.stderr[-3000:]
    changes, history = _hints(demo.stdout)
    assert changes.startswith(f"CLAIMWATCH_HOME='{tmp_path}/demo home' .venv/bin/claimwatch ")
    # Run as a user pastes them: through the shell, from the same directory, no venv active.
    shell_env = {k: v for k, v in env.items() if k != "VIRTUAL_ENV"}
    ran = [
        subprocess.run(
            ["bash", "-c", hint], cwd=ROOT, env=shell_env, capture_output=True, text=True
        )
        for hint in (changes, history)
    ]
    assert [r.returncode for r in ran] == [0, 0], [r.stderr for r in ran]
    assert len(json.loads(ran[0].stdout)) == 1  # the one change the bundled edit makes
    assert "History of" in ran[1].stdout


@pytest.mark.parametrize(
    ("inside", "expected"),
    [(True, ".venv/bin/claimwatch"), (False, "{root}/.venv/bin/claimwatch")],
    ids=["from-the-checkout", "from-elsewhere"],
)
def test_this_command_is_a_path_the_shell_can_run(
    inside: bool, expected: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "argv", [str(ROOT / ".venv" / "bin" / "claimwatch")])
    monkeypatch.setenv("PATH", "/usr/bin:/bin")  # no claimwatch on PATH
    monkeypatch.chdir(ROOT if inside else tmp_path)
    assert this_command() == expected.format(root=ROOT)


def test_this_command_is_claimwatch_when_that_is_on_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    program = tmp_path / "bin" / "claimwatch"
    program.parent.mkdir()
    program.write_text("#!/bin/sh\n")
    program.chmod(0o755)
    monkeypatch.setattr(sys, "argv", [str(program)])
    monkeypatch.setenv("PATH", f"{program.parent}:/usr/bin:/bin")
    assert this_command() == "claimwatch"
