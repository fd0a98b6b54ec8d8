"""Sigma rules as hunts: SigmaHQ's CloudTrail rules convert or are refused
with a reason, and an independent matcher (azuma) agrees with trailtui rule by
rule on every real record under tests/data."""

from __future__ import annotations

from pathlib import Path

import azuma
import pytest
from sigma_corpus import SIGMAHQ, corpus, flatten

from trailtui.events import Event
from trailtui.hunts import HuntEngine
from trailtui.sigma import load_sigma

CORPUS = corpus()
FLAT = [flatten(record) for record in CORPUS]
LOADED = load_sigma([SIGMAHQ])
BY_FILE = {Path(h.origin.path).name: h for h in LOADED.hunts if h.origin is not None}
# azuma has no |fieldref (that rule is checked by hand below), and refuses the
# old folder's slash dates; the oracle runs on every rule of rules/ it can read.
AZUMA_CANNOT = {"aws_update_login_profile.yml", "aws_ses_messaging_enabled.yml"}


def test_every_sigmahq_cloudtrail_rule_converts_or_is_refused_with_a_reason():
    rules = sorted(p.name for p in (SIGMAHQ / "rules").glob("*.yml"))
    assert len(rules) == 57
    assert set(rules) <= set(BY_FILE), sorted(set(rules) - set(BY_FILE))
    refused = {Path(r.path).parent.name + "/" + Path(r.path).name: r.reason for r in LOADED.refused}
    assert len(refused) == 8
    assert "placeholder" in refused["placeholder/aws_cloudtrail_console_login_success_from_susp_locations.yml"]
    pipe = [reason for name, reason in refused.items() if name.startswith("unsupported/")]
    assert len(pipe) == 7 and all("pipe syntax" in reason for reason in pipe)
    # the one old-folder rule without an aggregation converts
    assert "aws_ses_messaging_enabled.yml" in BY_FILE


def test_corpus_is_real_and_large_enough():
    assert len(CORPUS) > 800
    fired = [name for name, hunt in BY_FILE.items() if any(hunt.filter.matches(r) for r in CORPUS)]
    assert len(fired) >= 25


@pytest.mark.parametrize("name", sorted(set(BY_FILE) - AZUMA_CANNOT))
def test_azuma_agrees_rule_by_rule(name):
    hunt = BY_FILE[name]
    oracle = azuma.Rule.model_validate_yaml(Path(hunt.origin.path).read_text())
    ours = [hunt.filter.matches(record) for record in CORPUS]
    theirs = [bool(oracle.match(flat)) for flat in FLAT]
    differ = [CORPUS[i].get("eventID") for i, (a, b) in enumerate(zip(ours, theirs, strict=True)) if a != b]
    assert not differ, f"{name}: trailtui and azuma differ on {differ[:5]}"


def test_fieldref_rule_matches_only_when_the_fields_differ_as_the_rule_says():
    hunt = BY_FILE["aws_update_login_profile.yml"]
    base = {"eventSource": "iam.amazonaws.com", "eventName": "UpdateLoginProfile",
            "userIdentity": {"arn": "arn:aws:iam::1:user/alice"}, "requestParameters": {"userName": "bob"}}
    assert hunt.filter.matches(base)
    same = {**base, "requestParameters": {"userName": "arn:aws:iam::1:user/alice"}}
    assert not hunt.filter.matches(same)


def test_rule_metadata_becomes_hunt_metadata():
    hunt = BY_FILE["aws_cloudtrail_disable_logging.yml"]
    assert hunt.title == "AWS CloudTrail Important Change"
    assert hunt.severity == "medium"
    assert hunt.technique == "T1685.002"
    assert hunt.origin is not None
    assert hunt.origin.rule_id == "4db60cc0-36fb-42b7-9b58-a5b53019fb74"
    assert hunt.origin.author == "vitaliy0x1"
    assert hunt.origin.references and hunt.origin.references[0].startswith("https://docs.aws.amazon.com/")
    assert hunt.id.startswith("sigma-")


def test_sigma_hunts_run_in_the_engine_like_built_in_ones():
    engine = HuntEngine([BY_FILE["aws_cloudtrail_disable_logging.yml"]])
    events = [Event.from_raw(r, "corpus") for r in CORPUS]
    hits = engine.feed_all(sorted(events, key=lambda e: e.time, reverse=True))
    names = {hit.event.raw["eventName"] for hit in hits}
    assert names and names <= {"StopLogging", "UpdateTrail", "DeleteTrail"}
    expected = sum(1 for r in CORPUS if r.get("eventSource") == "cloudtrail.amazonaws.com"
                   and r.get("eventName") in ("StopLogging", "UpdateTrail", "DeleteTrail"))
    assert len(hits) == expected
