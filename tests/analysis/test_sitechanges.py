"""The changes discovery records have the comparison's JSON shape and read well in alerts."""

from __future__ import annotations

from analysis.alert_message import headline
from analysis.compare import Comparison
from analysis.sitechanges import new_article, url_moved


def test_same_keys_as_a_comparison() -> None:
    keys = set(Comparison.build().to_json())
    assert set(new_article(title="T", url="http://b.example/p/").details) == keys
    assert set(url_moved(before="a", after="b", how="301").details) == keys


def test_new_article() -> None:
    change = new_article(title="Oxytocin and stress", url="http://b.example/p/")
    assert (change.kinds, change.severity) == (("new_article",), "minor")
    assert change.summary == "new article: Oxytocin and stress"
    assert new_article(title="", url="http://b.example/p/").summary == (
        "new article: http://b.example/p/"
    )


def test_url_moved_is_a_metadata_change_of_field_url() -> None:
    change = url_moved(before="http://b.example/a/", after="http://b.example/b/", how="308")
    assert change.kinds == ("metadata",)
    assert change.details["metadata"] == {
        "url": {"before": "http://b.example/a/", "after": "http://b.example/b/"}
    }
    assert change.summary == "url changed (308): http://b.example/a/ → http://b.example/b/"


def test_alert_headline_of_a_new_article() -> None:
    change = {**new_article(title="T", url="u").details, "title": "Oxytocin", "url": "u"}
    assert headline(change) == "New article: Oxytocin"
