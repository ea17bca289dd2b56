"""The state file of a running `claimwatch serve` (CLAIMWATCH_HOME/serve.json): where its API
and its Prefect server are, so that `claimwatch run` and `claimwatch status` find them."""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import httpx

from storage.settings import get_settings

STATE_FILE = "serve.json"


@dataclass
class ServeState:
    """What a running serve tells other commands."""

    pid: int
    api_url: str
    prefect_api_url: str
    prefect_started: bool  # serve started that Prefect server (and stops it)
    interval_seconds: int
    started_at: str


def state_path() -> Path:
    """Where the state file lives."""
    return get_settings().home / STATE_FILE


def write_state(state: ServeState) -> None:
    """Write the state file (0600: it names local ports only, but nothing here is public)."""
    path = state_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".tmp")
    descriptor = os.open(partial, os.O_CREAT | os.O_TRUNC | os.O_WRONLY, 0o600)
    with os.fdopen(descriptor, "w") as file:
        json.dump(asdict(state), file)
    partial.replace(path)


def remove_state(pid: int) -> None:
    """Remove the state file if it is this process's."""
    found = read_state(check=False)
    if found is not None and found.pid == pid:
        state_path().unlink(missing_ok=True)


def read_state(*, check: bool = True) -> ServeState | None:
    """The running serve's state; None when there is none (with `check`: none whose process
    is alive and whose API answers)."""
    try:
        data: dict[str, Any] = json.loads(state_path().read_text())
        state = ServeState(**data)
    except (OSError, ValueError, TypeError):
        return None
    if not check:
        return state
    try:
        os.kill(state.pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        pass
    try:
        httpx.get(state.api_url + "/api/v1/service", headers=auth_headers(), timeout=15)
    except httpx.HTTPError:
        return None
    return state


def auth_headers() -> dict[str, str]:
    """The bearer token header, when a token is configured."""
    token = get_settings().api_token
    return {"Authorization": f"Bearer {token}"} if token else {}
