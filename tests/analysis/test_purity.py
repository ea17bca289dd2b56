"""analysis/ stays pure: importing it loads no crawler, orchestration or database library."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ANALYSIS = Path(__file__).parents[2] / "analysis"
FORBIDDEN = ("scrapy", "prefect", "sqlmodel", "sqlalchemy", "storage", "crawler", "flows")


def test_analysis_imports_no_io_framework() -> None:
    modules = sorted(f"analysis.{p.stem}" for p in ANALYSIS.glob("*.py") if p.stem != "__init__")
    script = (
        "import importlib, sys\n"
        f"for name in {modules!r}: importlib.import_module(name)\n"
        f"print(sorted(m for m in sys.modules if m.split('.')[0] in {FORBIDDEN!r}))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ANALYSIS.parent,
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip() == "[]"
