"""Claims and references through the whole pipeline and the CLI (real crawl, Prefect, databases)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from claimwatch.sitesrv import SiteServer
from tests.flows.pipeline import PATH, changes_json, cli, run_pass, serve

pytestmark = pytest.mark.slow


# Claim and reference diffs are decided before storage: one backend (claims and references
# stored on PostgreSQL: tests/api's archive, test_monitor_end_to_end.py).
@pytest.mark.parametrize("home", ["sqlite"], indirect=True)
def test_reference_edit_then_claim_edit(home: Path, fresh_site: SiteServer) -> None:
    url = fresh_site.url(PATH)
    serve(fresh_site, "v1")
    cli("track", url)
    run_pass()
    claims_v1 = json.loads(cli("claims", url, "--format", "json"))
    assert any(
        c["text"].startswith("Here’s another superpower: Oxytocin lowers cortisol")
        for c in claims_v1
    )
    refs_v1 = json.loads(cli("references", url, "--format", "json"))
    assert {r["ids"].get("pmcid") for r in refs_v1} >= {"PMC8254750", "PMC6442937"}

    # References only: a removed line, a swapped PMC id, a new DOI line; no claim changes.
    serve(fresh_site, "v6-references-edited")
    run_pass()
    [change] = changes_json()
    assert "references" in change["kinds"] and "claims" not in change["kinds"]
    assert change["severity"] == "major"
    refs = change["references"]
    assert [r["text"][:8] for r in refs["removed"]] == ["Jurek B "]
    [modified] = refs["modified"]
    assert (modified["before"]["ids"]["pmcid"], modified["after"]["ids"]["pmcid"]) == (
        "PMC8254750",
        "PMC8254751",
    )
    [added] = refs["added"]
    assert added["ids"]["doi"] == "10.1016/s0306-4530(98)00056-0"
    assert change["claims"] == {"added": [], "removed": [], "modified": []}
    assert json.loads(cli("changes", "--kind", "claims", "--format", "json")) == []
    # "What did it cite when we first captured it?" — the version current at that moment.
    first_seen = json.loads(cli("history", url, "--format", "json"))[0]["captured_at"]
    refs_then = json.loads(cli("references", url, "--at", first_seen, "--format", "json"))
    assert {r["version"] for r in refs_then} == {1}
    assert "PMC8254750" in {r["ids"].get("pmcid") for r in refs_then}

    # Claims: one weakened, one list item removed, one paragraph added.
    serve(fresh_site, "v5-claims-edited")
    run_pass()
    change = changes_json("--kind", "claims")[-1]
    claims = change["claims"]
    [weakened] = [m for m in claims["modified"] if m["change"] == "weakened"]
    assert "Oxytocin lowers cortisol" in weakened["before"]["text"]
    assert "Oxytocin may lower cortisol" in weakened["after"]["text"]
    assert weakened["after"]["certainty"] == "hedged"
    assert [c["text"] for c in claims["removed"]] == [
        "It boosts osteoblasts — the builders behind your bones"
    ]
    assert any("hugging strengthens the immune system" in c["text"] for c in claims["added"])

    diff = cli("diff", url)
    assert diff.index("Claims") < diff.index("References") < diff.index("[-")
    weakened = "weakened (hedge added: may): “Here’s another superpower: Oxytocin lowers cortisol"
    assert weakened in diff
    assert len(json.loads(cli("claims", url, "--version", "1", "--format", "json"))) == len(
        claims_v1
    )


# What is a comment is decided before storage: one backend.
@pytest.mark.parametrize("home", ["sqlite"], indirect=True)
def test_comment_that_reads_like_a_claim_is_not_a_claim(home: Path, fresh_site: SiteServer) -> None:
    url = fresh_site.url(PATH)
    serve(fresh_site, "v7-comment-claim")
    cli("track", url)
    run_pass()
    texts = [c["text"] for c in json.loads(cli("claims", url, "--format", "json"))]
    assert texts
    assert not any("cures anxiety" in t for t in texts)
