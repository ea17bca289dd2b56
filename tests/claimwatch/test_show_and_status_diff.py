"""`claimwatch show CHANGE_ID` opens one change; `diff` of an article whose last change is a
status change (the page went away) shows that change, not "only one version so far"."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from claimwatch.cli import app
from claimwatch.demo import DEMO_SITE
from claimwatch.sitesrv import SiteServer
from tests.web.archive import record_pass


def invoke(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(app, list(args))


def test_show_and_diff_of_a_status_change(home: Path, fresh_site: SiteServer) -> None:
    path = "/oxytocin-and-relationships.html"
    fresh_site.set_file(path, DEMO_SITE / path.lstrip("/"))
    url = fresh_site.url(path)
    assert invoke("track", url).exit_code == 0
    record_pass()
    fresh_site.set(path, status=404, body=b"<h1>gone</h1>")
    record_pass()
    [change] = json.loads(invoke("changes", "--format", "json").stdout)
    assert change["kinds"] == ["status"]
    diff = invoke("diff", url)
    assert diff.exit_code == 0, diff.output
    assert f"change {change['id']}" in diff.stdout and "404" in diff.stdout
    shown = invoke("show", str(change["id"]))
    assert shown.exit_code == 0 and shown.stdout == diff.stdout
    as_json = json.loads(invoke("show", str(change["id"]), "--format", "json").stdout)
    assert {k: v for k, v in as_json.items() if k != "text"} == {
        k: v for k, v in change.items() if k != "text"
    }
    assert invoke("show", "999999").exit_code == 2
