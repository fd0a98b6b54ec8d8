"""Outside access: policies read from attacker-written JSON, judged against the
accounts known to be the organisation's (file, org path, recipientAccountId)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trailtui.cli import main
from trailtui.events import Event
from trailtui.hunts import HuntContext, HuntEngine, KnownAccounts, KnownAccountsError, load_catalogue
from trailtui.hunts.accounts import load_known_accounts
from trailtui.hunts.policies import MAX_POLICY_CHARS, exposure, grants

CATALOGUE = load_catalogue()
OWN = "111111111111"
ORG = "222222222222"
OUTSIDER = "999999999999"


def policy(principal, condition=None, effect="Allow") -> str:
    statement = {"Effect": effect, "Principal": principal, "Action": "s3:GetObject", "Resource": "*"}
    if condition is not None:
        statement["Condition"] = condition
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def judged(value, known: KnownAccounts | None = None):
    return exposure(grants(value), {OWN}, known or KnownAccounts())


@pytest.mark.parametrize("value,everyone,accounts", [
    (policy("*"), True, ()),
    (policy({"AWS": "*"}), True, ()),
    (policy({"AWS": ["arn:aws:iam::*:root"]}), True, ()),
    (policy({"AWS": f"arn:aws:iam::{OUTSIDER}:root"}), False, (OUTSIDER,)),
    (policy({"AWS": OUTSIDER}), False, (OUTSIDER,)),
    (policy({"AWS": f"arn:aws:iam::{OWN}:role/x"}), False, ()),
    (policy({"Service": "cloudtrail.amazonaws.com"}), False, ()),
    (policy("*", effect="Deny"), False, ()),
    (policy("*", {"StringEquals": {"aws:PrincipalOrgID": "o-abc"}}), False, ()),
    (policy("*", {"StringEquals": {"aws:SourceAccount": OUTSIDER}}), False, (OUTSIDER,)),
    (policy("*", {"StringNotEquals": {"aws:PrincipalAccount": OWN}}), True, ()),
    (policy("*", {"StringEqualsIfExists": {"aws:SourceVpc": "vpc-1"}}), True, ()),
    (policy("*", {"Bool": {"aws:SecureTransport": "true"}}), True, ()),
    ({"Statement": {"Effect": "Allow", "NotPrincipal": {"AWS": OWN}}}, True, ()),
    ([{"userId": OUTSIDER}, {"group": "all"}], True, (OUTSIDER,)),
    (["all"], True, ()),
    ("not json {", False, ()),
    ('{"Statement": [1, null, "x", {"Principal": {"AWS": [5, null]}}]}', False, ()),
    ({"policy": policy("*")}, True, ()),
])
def test_exposure_of_policy_shapes(value, everyone, accounts):
    found = judged(value)
    assert found.everyone is everyone and found.accounts == accounts


def test_known_accounts_are_inside():
    known = KnownAccounts(listed=frozenset({OUTSIDER}), listed_from="accounts.txt")
    assert not judged(policy({"AWS": OUTSIDER}), known)
    assert "--known-accounts accounts.txt (1)" in known.provenance()
    learned = KnownAccounts()
    location = f"/t/AWSLogs/o-abcd1234/{OWN}/CloudTrail/us-east-1/2024/01/01/f.json.gz"
    learned.observe({"recipientAccountId": ORG}, location)
    assert ORG in learned and OWN in learned and OUTSIDER not in learned
    assert learned.provenance() == "organisation path o-abcd1234 (1); recipientAccountId (1)"


def test_oversized_and_deep_policies_are_bounded():
    padded = policy("*").replace('"Version"', '"Pad": "' + "x" * MAX_POLICY_CHARS + '", "Version"')
    assert not judged(padded), "larger than any AWS policy: not parsed"
    deep = "[" * 5000 + "]" * 5000
    assert not judged(deep)
    many = json.dumps({"Statement": [{"Effect": "Allow", "Principal": {"AWS": [OUTSIDER] * 5000}}]})
    assert len(grants(many)) <= 2_000


@settings(max_examples=200, deadline=None)
@given(st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=20),
                    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
                        st.sampled_from(["Statement", "Principal", "AWS", "Effect", "Condition", "NotPrincipal",
                                         "userId", "group", "policy", "StringEquals", "aws:SourceAccount", "x"]),
                        inner, max_size=4), max_leaves=30))
def test_any_shape_is_tolerated(value):
    judged(value)
    judged(json.dumps(value))


def record(name: str, source: str, params: dict, recipient: str = OWN, error: str | None = None) -> dict:
    raw = {"eventVersion": "1.09", "eventTime": "2024-05-01T10:00:00Z", "eventSource": source, "eventName": name,
           "awsRegion": "us-east-1", "sourceIPAddress": "198.51.100.7", "recipientAccountId": recipient,
           "userIdentity": {"type": "IAMUser", "accountId": recipient,
                            "arn": f"arn:aws:iam::{recipient}:user/alice", "userName": "alice"},
           "requestParameters": params, "eventID": f"{name}-{recipient}"}
    if error:
        raw["errorCode"] = error
    return raw


RESOURCE_CALLS = [
    ("PutKeyPolicy", "kms.amazonaws.com", {"keyId": "k", "policy": policy({"AWS": OUTSIDER})}),
    ("CreateGrant", "kms.amazonaws.com", {"keyId": "k", "granteePrincipal": f"arn:aws:iam::{OUTSIDER}:role/r"}),
    ("PutResourcePolicy", "secretsmanager.amazonaws.com", {"secretId": "s", "resourcePolicy": policy("*")}),
    ("SetQueueAttributes", "sqs.amazonaws.com", {"queueUrl": "q", "attributes": {"Policy": policy("*")}}),
    ("SetTopicAttributes", "sns.amazonaws.com", {"topicArn": "t", "attributeName": "Policy",
                                                 "attributeValue": policy({"AWS": OUTSIDER})}),
    ("SetRepositoryPolicy", "ecr.amazonaws.com", {"repositoryName": "r", "policyText": policy("*")}),
    ("PutBackupVaultAccessPolicy", "backup.amazonaws.com", {"backupVaultName": "v", "policy": policy("*")}),
    ("SetVaultAccessPolicy", "glacier.amazonaws.com", {"vaultName": "v", "policy": {"policy": policy("*")}}),
    ("PutBucketPolicy", "s3.amazonaws.com", {"bucketName": "b", "bucketPolicy": json.loads(policy({"AWS": OUTSIDER}))}),
]


@pytest.mark.parametrize("name,source,params", RESOURCE_CALLS)
def test_resource_policy_outside_covers_each_service(name, source, params):
    hunt = CATALOGUE.get("resource-policy-outside")
    hits = HuntEngine([hunt]).feed_all([Event.from_raw(record(name, source, params))])
    assert len(hits) == 1 and "opens access to" in hits[0].detail
    refused = record(name, source, params, error="AccessDenied")
    assert not HuntEngine([hunt]).feed_all([Event.from_raw(refused)]), "exposure needs success"


def test_account_verdict_waits_for_accounts_learned_later():
    """Newest first: the sharing is read before an older record shows that the
    other account belongs to the organisation; the verdict waits for it."""
    hunt = CATALOGUE.get("snapshot-shared-outside")
    share = record("ModifySnapshotAttribute", "ec2.amazonaws.com",
                   {"createVolumePermission": {"add": {"items": [{"userId": ORG}]}}})
    older = record("DescribeInstances", "ec2.amazonaws.com", {}, recipient=ORG)
    older["eventTime"] = "2024-04-30T10:00:00Z"
    engine = HuntEngine([hunt])
    assert not engine.feed(Event.from_raw(share))
    engine.feed(Event.from_raw(older))
    assert not engine.finish(), "the organisation's own account is not outside"
    alone = HuntEngine([hunt]).feed_all([Event.from_raw(share)])
    assert len(alone) == 1 and ORG in alone[0].detail and "recipientAccountId (1)" in alone[0].detail


def test_lambda_permission_narrowed_by_source_is_quiet():
    hunt = CATALOGUE.get("lambda-public-permission")
    base = {"functionName": "f", "action": "lambda:InvokeFunction", "principal": "*"}
    open_call = record("AddPermission20150331v2", "lambda.amazonaws.com", base)
    narrowed = record("AddPermission20150331v2", "lambda.amazonaws.com", dict(base, sourceArn="arn:aws:s3:::b"))
    service = record("AddPermission20150331v2", "lambda.amazonaws.com", dict(base, principal="s3.amazonaws.com"))
    assert HuntEngine([hunt]).feed_all([Event.from_raw(open_call)])
    assert not HuntEngine([hunt]).feed_all([Event.from_raw(narrowed)])
    assert not HuntEngine([hunt]).feed_all([Event.from_raw(service)])
    refused = HuntEngine([hunt]).feed_all([Event.from_raw(record("AddPermission20150331v2", "lambda.amazonaws.com",
                                                                 base, error="AccessDenied"))])
    assert len(refused) == 1 and refused[0].attempt


def test_known_accounts_file_errors_and_cli(tmp_path: Path, capsys):
    good = tmp_path / "accounts.txt"
    good.write_text(f"# the organisation\n{OWN}, {ORG}\n{OUTSIDER}  # partner\n")
    assert load_known_accounts(good) == {OWN, ORG, OUTSIDER}
    bad = tmp_path / "bad.txt"
    bad.write_text(f"{OWN}\n12345\x1b[2J\n")
    with pytest.raises(KnownAccountsError, match=r"bad.txt:2: '12345\\x1b\[2J' is not a 12-digit account id"):
        load_known_accounts(bad)
    trail = tmp_path / "trail.json"
    share = record("ModifySnapshotAttribute", "ec2.amazonaws.com",
                   {"createVolumePermission": {"add": {"items": [{"userId": OUTSIDER}]}}})
    trail.write_text(json.dumps({"Records": [share]}))
    assert main(["hunt", str(trail), "--hunt", "snapshot-shared-outside", "--format", "jsonl"]) == 1
    line = json.loads(capsys.readouterr().out)
    assert line["attempt"] is False and OUTSIDER in line["detail"] and "recipientAccountId (1)" in line["detail"]
    assert main(["hunt", str(trail), "--hunt", "snapshot-shared-outside", "--known-accounts", str(good)]) == 0
    assert main(["hunt", str(trail), "--known-accounts", str(bad)]) == 2
    assert "is not a 12-digit account id" in capsys.readouterr().err
    context = HuntContext(KnownAccounts(listed=frozenset({OWN}), listed_from=str(good)))
    hits = HuntEngine([CATALOGUE.get("snapshot-shared-outside")], context).feed(Event.from_raw(share))
    assert hits, "with a listed set the verdict is immediate"
