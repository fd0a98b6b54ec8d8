"""Sigma's matching semantics as trailtui applies them, rule feature by rule
feature, checked against azuma wherever azuma implements the feature."""

from __future__ import annotations

import textwrap
from datetime import UTC, datetime, timedelta
from pathlib import Path

import azuma
import pytest
from sigma_corpus import flatten

from trailtui.events import Event
from trailtui.hunts import HuntEngine
from trailtui.sigma import load_sigma

EVENTS = [
    {"eventName": "StopLogging", "eventSource": "cloudtrail.amazonaws.com", "sourceIPAddress": "10.1.2.3",
     "userAgent": "aws-cli/2.0 Python", "userIdentity": {"type": "IAMUser", "arn": "arn:aws:iam::1:user/Alice"},
     "requestParameters": {"name": "Main-Trail", "tags": ["a", "b"]}},
    {"eventName": "stoplogging", "eventSource": "CLOUDTRAIL.amazonaws.com", "sourceIPAddress": "192.0.2.10",
     "userAgent": "Boto3/1.2", "userIdentity": {"type": "AssumedRole"}, "requestParameters": None,
     "errorCode": "AccessDenied"},
    {"eventName": "GetObject", "eventSource": "s3.amazonaws.com", "sourceIPAddress": "s3.amazonaws.com",
     "userAgent": "[S3Console/0.4]", "userIdentity": {"type": "Root", "arn": "arn:aws:iam::1:root"},
     "requestParameters": {"bucketName": "logs", "count": 5}, "readOnly": True},
    {"eventName": "PutBucketPolicy", "eventSource": "s3.amazonaws.com", "sourceIPAddress": "203.0.113.9",
     "userIdentity": "not-an-object", "requestParameters": {"policy": "{\"Principal\":\"*\"}"}},
]


def _rule(tmp_path: Path, detection: str) -> Path:
    lines = [
        "title: Test rule", "id: 5f0a5a2e-0000-4000-8000-000000000001", "status: test", "author: tests",
        "logsource:", "    product: aws", "    service: cloudtrail", "detection:",
        *("    " + line for line in detection.splitlines()),
        "level: high",
    ]
    path = tmp_path / f"rule{len(list(tmp_path.iterdir()))}.yml"
    path.write_text("\n".join(lines) + "\n")
    return path


def _matches(tmp_path: Path, detection: str) -> list[bool]:
    path = _rule(tmp_path, detection)
    loaded = load_sigma([path])
    assert not loaded.refused, loaded.refused
    (hunt,) = loaded.hunts
    return [hunt.filter.matches(event) for event in EVENTS]


def _oracle(path: Path) -> list[bool]:
    """azuma's verdicts; its |cidr raises on a host name (AWS services appear
    as `s3.amazonaws.com`), which is no match."""
    rule = azuma.Rule.model_validate_yaml(path.read_text())
    verdicts = []
    for event in EVENTS:
        try:
            verdicts.append(bool(rule.match(flatten(event))))
        except ValueError:
            verdicts.append(False)
    return verdicts


CASES = [
    # (detection, expected per event)
    ("sel:\n    eventName|contains: LOGG\ncondition: sel", [True, True, False, False]),
    ("sel:\n    eventName|cased: StopLogging\ncondition: sel", [True, False, False, False]),
    ("sel:\n    eventSource|startswith: CloudTrail.\ncondition: sel", [True, True, False, False]),
    ("sel:\n    userAgent|endswith: PYTHON\ncondition: sel", [True, False, False, False]),
    ("sel:\n    userAgent: 'aws-cli/*'\ncondition: sel", [True, False, False, False]),
    ("sel:\n    userAgent: '?S3Console*'\ncondition: sel", [False, False, True, False]),
    ("sel:\n    sourceIPAddress|cidr: 10.0.0.0/8\ncondition: sel", [True, False, False, False]),
    ("sel:\n    userAgent|re: '^Boto3/\\d'\ncondition: sel", [False, True, False, False]),
    ("sel:\n    eventName|contains|all:\n        - Stop\n        - Logging\ncondition: sel",
     [True, True, False, False]),
    ("sel:\n    errorCode: null\ncondition: sel", [True, False, True, True]),
    ("sel:\n    errorCode|exists: true\ncondition: sel", [False, True, False, False]),
    ("sel:\n    eventName:\n        - GetObject\n        - PutBucketPolicy\ncondition: sel",
     [False, False, True, True]),
    ("sel:\n    userIdentity.type: iamuser\ncondition: sel", [True, False, False, False]),
    ("a:\n    eventName: StopLogging\nb:\n    errorCode: AccessDenied\ncondition: a and not b",
     [True, False, False, False]),
    ("sel_a:\n    eventSource: s3.amazonaws.com\nsel_b:\n    sourceIPAddress|cidr: 10.0.0.0/8\n"
     "condition: 1 of sel_*", [True, False, True, True]),
    ("sel_a:\n    eventSource: s3.amazonaws.com\nsel_b:\n    requestParameters.bucketName: logs\n"
     "condition: all of sel_*", [False, False, True, False]),
    # a string match on an object reads its compact JSON text
    ("sel:\n    requestParameters|contains: '\"name\":\"main-trail\"'\ncondition: sel", [True, False, False, False]),
    # ... and a number or boolean its JSON text
    ("sel:\n    requestParameters.count: 5\ncondition: sel", [False, False, True, False]),
    ("sel:\n    readOnly: 'true'\ncondition: sel", [False, False, True, False]),
    # a path through a string reaches nothing
    ("sel:\n    userIdentity.type|exists: true\ncondition: sel", [True, True, True, False]),
    ("sel:\n    requestParameters.policy|contains: 'Principal'\ncondition: sel", [False, False, False, True]),
]


@pytest.mark.parametrize(("detection", "expected"), CASES)
def test_semantics(tmp_path, detection, expected):
    assert _matches(tmp_path, detection) == expected


@pytest.mark.parametrize(("detection", "expected"), [c for c in CASES if "|all" not in c[0]])
def test_azuma_agrees_on_each_feature(tmp_path, detection, expected):
    path = _rule(tmp_path, detection)
    ours = _matches(tmp_path, detection)
    theirs = _oracle(path)
    assert ours == theirs


def test_fieldref_compares_two_fields(tmp_path):
    detection = "sel:\n    eventSource|fieldref: sourceIPAddress\ncondition: sel"
    assert _matches(tmp_path, detection) == [False, False, True, False]


def _stamp(minutes: int) -> str:
    base = datetime(2026, 1, 1, tzinfo=UTC)
    return (base + timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M:%SZ")


def _run(hunts, records) -> list:
    events = [Event.from_raw(r, "test") for r in records]
    return HuntEngine(hunts).feed_all(sorted(events, key=lambda e: e.time, reverse=True))


BASE_RULE = textwrap.dedent("""\
    title: Denied call
    id: 5f0a5a2e-0000-4000-8000-0000000000aa
    name: denied_call
    logsource:
        product: aws
        service: cloudtrail
    detection:
        sel:
            errorCode: AccessDenied
        condition: sel
    level: low
    """)


def _denied(minute: int, who: str, name: str = "ListBuckets") -> dict:
    return {"eventTime": _stamp(minute), "eventName": name, "errorCode": "AccessDenied",
            "eventID": f"{who}-{minute}-{name}", "userIdentity": {"arn": f"arn:aws:iam::1:user/{who}"}}


def test_event_count_correlation_is_a_threshold(tmp_path):
    (tmp_path / "rules.yml").write_text(BASE_RULE + textwrap.dedent("""\
        ---
        title: Many denied calls
        id: 5f0a5a2e-0000-4000-8000-0000000000bb
        correlation:
            type: event_count
            rules:
                - denied_call
            group-by:
                - userIdentity.arn
            timespan: 10m
            condition:
                gte: 3
        level: high
        """))
    loaded = load_sigma([tmp_path])
    assert [h.kind for h in loaded.hunts] == ["threshold"]
    assert any("generate: false" in r.reason for r in loaded.refused), "the base rule runs only inside it"
    (hunt,) = loaded.hunts
    records = [_denied(m, "mallory") for m in (0, 2, 4)] + [_denied(m, "bob") for m in (0, 30)]
    hits = _run(loaded.hunts, records)
    assert sorted(h.event.raw["eventID"] for h in hits) == ["mallory-0-ListBuckets", "mallory-2-ListBuckets",
                                                           "mallory-4-ListBuckets"]
    assert hunt.severity == "high"


def test_value_count_correlation_counts_distinct_values(tmp_path):
    (tmp_path / "rules.yml").write_text(BASE_RULE + textwrap.dedent("""\
        ---
        title: Denied on many APIs
        id: 5f0a5a2e-0000-4000-8000-0000000000cc
        correlation:
            type: value_count
            rules:
                - denied_call
            group-by:
                - userIdentity.arn
            timespan: 1h
            condition:
                gte: 3
                field: eventName
        """))
    (hunt,) = load_sigma([tmp_path]).hunts
    same_api = [_denied(m, "bob") for m in (0, 1, 2, 3)]
    many_apis = [_denied(0, "eve", "A"), _denied(1, "eve", "B"), _denied(2, "eve", "C")]
    hits = _run([hunt], same_api + many_apis)
    assert {h.event.raw["userIdentity"]["arn"] for h in hits} == {"arn:aws:iam::1:user/eve"}


def test_temporal_ordered_is_a_sequence_and_unordered_is_refused(tmp_path):
    second = BASE_RULE.replace("denied_call", "deleted_trail").replace("0000000000aa", "0000000000dd") \
        .replace("errorCode: AccessDenied", "eventName: DeleteTrail")
    (tmp_path / "rules.yml").write_text(BASE_RULE + "---\n" + second + textwrap.dedent("""\
        ---
        title: Denied then deleted
        id: 5f0a5a2e-0000-4000-8000-0000000000ee
        correlation:
            type: temporal_ordered
            rules:
                - denied_call
                - deleted_trail
            group-by:
                - userIdentity.arn
            timespan: 30m
            condition:
                gte: 2
        ---
        title: Both in any order
        id: 5f0a5a2e-0000-4000-8000-0000000000ff
        correlation:
            type: temporal
            rules:
                - denied_call
                - deleted_trail
            group-by:
                - userIdentity.arn
            timespan: 30m
        """))
    loaded = load_sigma([tmp_path])
    kinds = {h.title: h.kind for h in loaded.hunts}
    assert kinds == {"Denied then deleted": "sequence"}
    assert any("temporal correlation without an order" in r.reason for r in loaded.refused)
    delete = {"eventTime": _stamp(10), "eventName": "DeleteTrail", "eventID": "del",
              "userIdentity": {"arn": "arn:aws:iam::1:user/mallory"}}
    hits = _run(loaded.hunts, [_denied(0, "mallory"), delete])
    assert sorted(h.event.raw["eventID"] for h in hits) == ["del", "mallory-0-ListBuckets"]
