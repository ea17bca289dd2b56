"""The layer order of docs/architecture.md holds: import-linter's contracts in pyproject.toml."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_import_contracts_are_kept() -> None:
    lint_imports = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run(
        [str(lint_imports), "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_the_wheel_ships_every_layer() -> None:
    """A package in the layer contract but not in the wheel breaks every installed pass."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    layers = set(config["tool"]["importlinter"]["root_packages"])
    shipped = set(config["tool"]["hatch"]["build"]["targets"]["wheel"]["packages"])
    assert layers <= shipped, f"not in the wheel: {sorted(layers - shipped)}"
