"""Which tests share an xdist worker, decided from the fixtures each test uses.

xdist's own `--dist loadgroup` (an `xdist_group` mark) renames the nodeid, which pytest 9 no
longer lets a plugin do: every test then ran wherever it fell, and the archives recorded for the
API and web tests were recorded again on each worker. Here a worker writes the group of each
test into the directory the run shares (tests/prefect_shared.py) when it has collected them,
and the controller's scheduler sends each group to one worker as one unit of work; every other
test is a unit of its own, as with `--dist load`.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from xdist.scheduler import LoadScopeScheduling

GROUPS_FILE = "xdist-groups.json"


def write_groups(shared: Path, groups: dict[str, str]) -> None:
    """Record nodeid → group (all workers collect the same tests: the last write wins)."""
    partial = shared / f"{GROUPS_FILE}.{os.getpid()}"
    partial.write_text(json.dumps(groups))
    partial.replace(shared / GROUPS_FILE)


class GroupScheduling(LoadScopeScheduling):
    """LoadScopeScheduling whose scope is a test's group, or the test itself."""

    def __init__(self, config: pytest.Config, shared: Path, log=None) -> None:  # type: ignore[no-untyped-def]
        super().__init__(config, log)
        # The workers sorted their tests longest first (tests/conftest.py): keep that order
        # rather than xdist's, which puts the groups with the most tests first.
        config.option.loadscopereorder = False
        self._shared = shared
        self._groups: dict[str, str] | None = None

    def _split_scope(self, nodeid: str) -> str:
        if self._groups is None:
            # Scheduling starts once every worker has collected, so the file is there.
            file = self._shared / GROUPS_FILE
            self._groups = json.loads(file.read_text()) if file.exists() else {}
        group = self._groups.get(nodeid.rsplit("@", 1)[0]) or self._groups.get(nodeid)
        return f"group:{group}" if group else nodeid
