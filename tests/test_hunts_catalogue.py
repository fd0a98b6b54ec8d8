"""The hunt catalogue as data: complete, well-formed, and safe to evaluate."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from jmespath.exceptions import JMESPathError

from trailtui.filters import EventFilter
from trailtui.hunts import SEVERITIES, CatalogueError, candidate_filter, load_catalogue
from trailtui.hunts.catalogue import parse_catalogue

DATA = Path(__file__).parent / "data" / "hunts"
CATALOGUE = load_catalogue()

GOOD = """
[[hunt]]
id = "demo-hunt"
title = "A hunt"
severity = "low"
technique = "T1078.004"
why = "Because."
filter = "eventName == 'X'"
"""


def test_catalogue_size_and_fields():
    assert len(CATALOGUE) >= 25
    for hunt in CATALOGUE:
        assert hunt.severity in SEVERITIES
        assert re.match(r"^T\d{4}(\.\d{3})?$", hunt.technique)
        assert hunt.title and hunt.why and not hunt.filter.is_empty
        assert EventFilter.compile(hunt.browser_filter).text == hunt.browser_filter
    kinds = {h.kind for h in CATALOGUE}
    assert kinds == {"predicate", "threshold", "sequence", "outside", "first-seen", "chain"}


# Every behaviour the catalogue must detect, and the hunt(s) that cover it.
BEHAVIOURS = {
    "CloudTrail stopped/deleted/weakened": ["cloudtrail-stopped", "cloudtrail-weakened"],
    "log bucket lifecycle/policy tampering": ["trail-bucket-tampering"],
    "flow logs, resolver query logs, GuardDuty, Config, Security Hub impaired":
        ["flow-logs-deleted", "dns-query-logs-deleted", "guardduty-impaired", "config-impaired",
         "securityhub-impaired"],
    "leave organization": ["leave-organization"],
    "console login without MFA / failed-login bursts": ["console-login-no-mfa", "console-login-failures"],
    "root activity": ["root-activity", "root-credentials-changed"],
    "access key for another user": ["access-key-for-other-user"],
    "admin policy attached": ["admin-policy-attached"],
    "login profile for another user": ["login-profile-for-other-user"],
    "role trust to an outside account": ["role-trust-outside-account"],
    "Roles Anywhere / federation token persistence": ["roles-anywhere-trust-anchor", "federation-token-issued"],
    "instance credentials used from outside": ["instance-credentials-outside-aws"],
    "AccessDenied recon bursts": ["access-denied-burst"],
    "secrets mass retrieval": ["secrets-mass-retrieval", "secrets-batch-retrieval"],
    "SSM SecureString mass decryption": ["ssm-parameters-decrypted"],
    "GetPasswordData bursts": ["ec2-password-data-burst"],
    "user-data harvesting": ["ec2-user-data-harvest"],
    "SSM / Instance Connect to many targets": ["ssm-remote-exec-many-targets", "ec2-instance-connect-many-targets"],
    "snapshot/AMI/RDS snapshot shared": ["snapshot-shared-outside"],
    "S3 bucket public or policy backdoored": ["s3-bucket-public"],
    "security group open to the world": ["security-group-open-world"],
    "Lambda backdoors": ["lambda-public-permission", "lambda-code-updated-by-user", "lambda-layer-attached",
                         "lambda-function-url-no-auth"],
    "GPU instance launches": ["gpu-instance-launch"],
    "LLMjacking": ["bedrock-model-enumeration", "bedrock-model-access-enabled"],
}


@pytest.mark.parametrize("behaviour", sorted(BEHAVIOURS))
def test_issue_behaviour_is_covered(behaviour):
    for hunt_id in BEHAVIOURS[behaviour]:
        assert CATALOGUE.get(hunt_id) is not None, hunt_id


def test_select_and_unknown_id():
    assert [h.id for h in CATALOGUE.select(["leave-organization", "root-activity", "leave-organization"])] == [
        "leave-organization", "root-activity"]
    assert CATALOGUE.select(None) == CATALOGUE.hunts
    with pytest.raises(CatalogueError, match="unknown hunt 'nope'"):
        CATALOGUE.select(["nope"])


@pytest.mark.parametrize("change,message", [
    ('severity = "low"', None),
    ('severity = "urgent"', "severity must be one of"),
    ('technique = "T1078.004"', None),
    ('technique = "1078"', "technique must be a MITRE"),
    ('filter = "eventName == "', "'filter' bad filter"),
    ('filter = "!(userIdentity.type) && !errorCode"', None),
    ('filter = "a && !userIdentity.invokedBy"', "write !(a.b)"),
    ('filter = "!requestParameters.layers[0]"', "write !(a.b)"),
    ('filter = "!layers[0]"', None),
    ('id = "Bad Id"', "id must be lower-case"),
])
def test_loader_checks_fields(change, message):
    key = change.split(" ")[0]
    text = "\n".join(line if not line.startswith(f"{key} =") else change for line in GOOD.splitlines())
    if message is None:
        assert len(parse_catalogue(text)) == 1
    else:
        with pytest.raises(CatalogueError, match=re.escape(message)):
            parse_catalogue(text)


@pytest.mark.parametrize("extra,message", [
    ('threshold = {count = 3, window = "10m"}', None),
    ('threshold = {count = 0, window = "10m"}', "'count' must be a whole number"),
    ('threshold = {count = 3, window = "ten minutes"}', "not a positive duration"),
    ('threshold = {count = 3, window = "10m", per = "x"}', "unknown key 'per'"),
    ('threshold = {count = 3, window = "10m", distinct = "a["}', "'distinct' bad filter"),
    ('sequence = {then = "eventName == \'Y\'", window = "1h"}', None),
    ('sequence = {window = "1h"}', "'then' must be"),
    ('sequence = {then = "a", window = "1h"}\nthreshold = {count = 3, window = "10m"}', "at most one of"),
    ('colour = "red"', "unknown key 'colour'"),
    ('outside = {policy = "requestParameters.policy"}', None),
    ('outside = {policy = ""}', "'policy' must be a JMESPath expression"),
    ('outside = {policy = "a[", extra = 1}', "unknown key 'extra'"),
    ('outside = "requestParameters.policy"', "must be a table"),
    ('first_seen = {of = "api", recent = "2d"}', None),
    ('first_seen = {of = "userIdentity.arn", recent = "12h", by = "source_ip"}', None),
    ('first_seen = {of = "api"}', "recent window '' is not a positive duration"),
    ('first_seen = {of = "a[", recent = "2d"}', "'of' bad filter"),
    ('first_seen = {recent = "2d"}', "'of' must be one of api, network, region, user_agent"),
    ('first_seen = {of = "api", recent = "2d"}\noutside = {policy = "x"}', "at most one of"),
])
def test_loader_checks_threshold_and_sequence(extra, message):
    text = GOOD + extra + "\n"
    if message is None:
        assert len(parse_catalogue(text)) == 1
    else:
        with pytest.raises(CatalogueError, match=re.escape(message)):
            parse_catalogue(text)


def test_loader_rejects_duplicates_and_garbage(tmp_path):
    with pytest.raises(CatalogueError, match="appears twice"):
        parse_catalogue(GOOD + GOOD)
    with pytest.raises(CatalogueError, match="no \\[\\[hunt\\]\\]"):
        parse_catalogue("title = 'x'")
    with pytest.raises(CatalogueError, match="hunts.toml"):
        parse_catalogue("[[hunt]\n")
    with pytest.raises(CatalogueError, match="cannot read"):
        load_catalogue(tmp_path / "missing.toml")
    path = tmp_path / "mine.toml"
    path.write_text(GOOD)
    assert load_catalogue(path).get("demo-hunt").title == "A hunt"


def test_candidate_filter_is_the_union():
    hunts = CATALOGUE.hunts
    union = candidate_filter(hunts)
    assert not union.is_empty
    sample = {"eventSource": "cloudtrail.amazonaws.com", "eventName": "StopLogging"}
    assert union.matches(sample)
    assert not union.matches({"eventSource": "s3.amazonaws.com", "eventName": "GetObject"})
    # the `then` step of a sequence is a candidate too
    assert union.matches({"eventSource": "ec2.amazonaws.com", "eventName": "StartInstances"})


def _corpus() -> list[dict]:
    records: list[dict] = []
    for path in (DATA / "stratus-red-team").glob("*.json"):
        records.extend(json.loads(path.read_text()))
    for line in (DATA / "panther-analysis" / "aws_cloudtrail_rule_tests.jsonl").read_text().splitlines():
        log = json.loads(line)["log"]
        if isinstance(log, dict):
            records.append(log)
    for path in (DATA / "traildiscover").glob("*.json"):
        data = json.loads(path.read_text())
        records.extend(data if isinstance(data, list) else [data])
    return records


def _distinct_shapes(records: list[dict]) -> list[dict]:
    """One record per (source, name, set of request/response keys): the dozens of
    identical DescribeInstanceInformation calls add time, not coverage."""
    seen: dict[tuple, dict] = {}
    for record in records:
        request = record.get("requestParameters")
        response = record.get("responseElements")
        key = (record.get("eventSource"), record.get("eventName"), record.get("errorCode"),
               tuple(sorted(request)) if isinstance(request, dict) else repr(type(request)),
               tuple(sorted(response)) if isinstance(response, dict) else repr(type(response)))
        seen.setdefault(key, record)
    return list(seen.values())


ODD_VALUES = [None, 7, "x", [], {}, [1, "a"], {"a": {"b": 1}}, True]


def test_no_expression_raises_on_odd_shapes():
    """A hunt expression that raises would, inside the OR pushed to the source,
    drop the event for every hunt; so none may raise on any shape."""
    expressions = [h.filter for h in CATALOGUE]
    expressions += [h.sequence.then for h in CATALOGUE if h.sequence]
    expressions += [h.threshold.distinct for h in CATALOGUE if h.threshold and h.threshold.distinct]
    # (The OR pushed to sources cannot raise when none of its parts does.)
    corpus = _distinct_shapes(_corpus())
    assert len(corpus) > 150
    checked = 0
    for record in corpus:
        variants = [record]
        for key in ("requestParameters", "responseElements", "userIdentity", "additionalEventData",
                    "sourceIPAddress", "eventName", "errorCode", "recipientAccountId"):
            variants.extend({**record, key: value} for value in ODD_VALUES)
        for nested in ("requestParameters", "responseElements", "userIdentity"):
            inner = record.get(nested)
            if isinstance(inner, dict):
                for key in list(inner)[:8]:
                    variants.extend({**record, nested: {**inner, key: value}} for value in ODD_VALUES[:4])
        for variant in variants:
            for expression in expressions:
                try:
                    expression.evaluate(variant)
                except JMESPathError as exc:  # pragma: no cover - the failure message is the point
                    pytest.fail(f"{expression.text[:60]}... raised {exc} on {json.dumps(variant)[:200]}")
                checked += 1
    assert checked > 100_000


def test_gates_and_candidate_filter_never_lose_a_match():
    """The eventName gates (engine dispatch, pushed-down candidate filter) are
    sound: every event a hunt's own expressions match passes them."""
    from trailtui.events import Event
    from trailtui.hunts import HuntContext, HuntEngine
    from trailtui.hunts.engine import Finishing, hunt_gate, tracker_for

    hunts = CATALOGUE.hunts
    union = candidate_filter(hunts)
    gated = [h for h in hunts if hunt_gate(h) is not None]
    assert len(gated) >= 40, "almost every hunt names the events it looks at"
    corpus = _corpus()
    matched = 0
    steps = [step for h in hunts for step in [h.filter] + ([h.sequence.then] if h.sequence else [])]
    compiled = {id(step): step.predicate() for step in steps}
    for record in corpus:
        for hunt in hunts:
            steps = [hunt.filter] + ([hunt.sequence.then] if hunt.sequence else [])
            # the engine runs compiled predicates: they must agree with the reference semantics
            assert [compiled[id(s)](record) for s in steps] == [s.matches(record) for s in steps], hunt.id
            if any(step.matches(record) for step in steps):
                matched += 1
                assert union.matches(record), (hunt.id, record.get("eventName"))
                gate = hunt_gate(hunt)
                assert gate is None or gate.opens(record.get("eventName")), (hunt.id, record.get("eventName"))
    assert matched > 200
    # dispatching by gate gives exactly what offering every event to every hunt gives
    events = sorted((Event.from_raw(r) for r in corpus), key=lambda e: e.time, reverse=True)
    dispatched = [(h.hunt.id, id(h.event)) for h in HuntEngine(hunts).feed_all(events)]
    context = HuntContext()
    trackers = [tracker_for(h, context) for h in hunts]
    brute = []
    for event in events:
        context.known_accounts.observe(event.raw, event.location)
        brute.extend((t.hunt.id, id(e2)) for t in trackers for e2 in t.offer(event))
    brute.extend((t.hunt.id, id(e2)) for t in trackers if isinstance(t, Finishing) for e2 in t.finish())
    assert sorted(dispatched) == sorted(brute) and len(brute) > 200


def test_gate_extraction_rules():
    from trailtui.hunts.gates import gate_of

    def gate(text):
        return gate_of(EventFilter.compile(text).ast)

    assert gate("eventName == 'A' && x").names == {"A"}
    assert gate("x && contains(['A', 'B'], eventName)").names == {"A", "B"}
    assert gate("contains(`[\"A\"]`, eventName)").names == {"A"}
    assert gate("starts_with(eventName, 'Update') || eventName == 'B'").prefixes == {"Update"}
    assert gate("eventName == 'A' || x") is None, "an OR with an ungated branch has no gate"
    assert gate("!(eventName == 'A')") is None
    assert gate("eventName != 'A'") is None
    assert gate("contains(eventName, 'A')") is None, "substring, not membership"
    assert gate("userIdentity.eventName == 'A'") is None
