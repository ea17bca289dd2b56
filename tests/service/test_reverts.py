"""Flip-flopping pages (issue 7, defect 9): a new version whose text is an earlier version's is
recorded as a revert (`reverted_to: N`); a revert to a version seen within the last day alerts
only channels that asked for reverts. Real Scrapy crawls, both databases."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from sqlalchemy import update
from sqlmodel import col, select

from claimwatch.sitesrv import SiteServer
from storage.db import session
from storage.models import Alert, AlertChannel, Capture, Version
from tests.flows.pipeline import PATH, changes_json, cli, serve
from tests.service.test_availability import check


def _alerted_channels() -> list[tuple[int, bool]]:
    """(change id, channel has --reverts) of every alert, in order."""
    with session() as db:
        rows = db.exec(
            select(Alert.change_id, AlertChannel.reverts)
            .join(AlertChannel, col(AlertChannel.id) == col(Alert.channel_id))
            .order_by(col(Alert.change_id), col(AlertChannel.reverts))
        ).all()
    return [(change_id, reverts) for change_id, reverts in rows]


def test_flip_flops_are_reverts_and_alert_only_on_request(
    home: Path, fresh_site: SiteServer
) -> None:
    serve(fresh_site, "v1")
    cli("track", fresh_site.url(PATH))
    cli("alerts", "add", "json://127.0.0.1:9/every-change")
    added = cli("alerts", "add", "json://127.0.0.1:9/with-reverts", "--reverts")
    assert "reverts too" in added
    assert [c["reverts"] for c in json.loads(cli("alerts", "list", "--format", "json"))] == [
        False,
        True,
    ]
    assert check() == ["first_version"]
    serve(fresh_site, "v3-text-edit")
    assert check() == ["new_version"]
    serve(fresh_site, "v1")  # back to version 1's text: a revert, within the day
    assert check() == ["new_version"]
    serve(fresh_site, "v3-text-edit")
    assert check() == ["new_version"]

    edit, back, again = changes_json()
    assert "reverted_to" not in edit
    assert (back["from_version"], back["to_version"], back["reverted_to"]) == (2, 3, 1)
    assert (again["from_version"], again["to_version"], again["reverted_to"]) == (3, 4, 2)
    # The first edit reaches both channels; the flip-flops only the one that asked for them.
    assert _alerted_channels() == [
        (edit["id"], False),
        (edit["id"], True),
        (back["id"], True),
        (again["id"], True),
    ]


def test_a_revert_to_a_version_not_seen_for_a_day_alerts(
    home: Path, fresh_site: SiteServer
) -> None:
    serve(fresh_site, "v1")
    cli("track", fresh_site.url(PATH))
    cli("alerts", "add", "json://127.0.0.1:9/every-change")
    check()
    serve(fresh_site, "v3-text-edit")
    check()
    # Version 1 was last current two days ago: version 2's capture is dated back.
    with session() as db:
        v2 = db.exec(select(Version).where(Version.number == 2)).one()
        capture = db.get(Capture, v2.capture_id)
        assert capture is not None
        db.exec(
            update(Capture)
            .where(col(Capture.id) == capture.id)
            .values(fetched_at=capture.fetched_at - timedelta(days=2))
        )
    serve(fresh_site, "v1")
    assert check() == ["new_version"]
    _, back = changes_json()
    assert back["reverted_to"] == 1
    assert [change_id for change_id, _ in _alerted_channels()][-1] == back["id"]
