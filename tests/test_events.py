"""The event model: times, principal labels for every identity type, raw kept intact."""

from __future__ import annotations

import copy
from datetime import UTC, datetime

import pytest
from trail_builder import traildiscover_records

from trailtui.events import Event, parse_event_time, principal_label


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2024-03-01T00:13:07Z", datetime(2024, 3, 1, 0, 13, 7, tzinfo=UTC)),
        ("2024-03-01T00:13:07.123Z", datetime(2024, 3, 1, 0, 13, 7, 123000, tzinfo=UTC)),
        ("2024-03-01T02:13:07+02:00", datetime(2024, 3, 1, 0, 13, 7, tzinfo=UTC)),
        ("2024-03-01T00:13:07", datetime(2024, 3, 1, 0, 13, 7, tzinfo=UTC)),
    ],
)
def test_event_time_variants(text, expected):
    assert parse_event_time(text) == expected


@pytest.mark.parametrize("bad", [None, "", "yesterday", 12345, "2024-13-45T00:00:00Z"])
def test_unreadable_times_are_none(bad):
    assert parse_event_time(bad) is None


IDENTITIES = [
    ({"type": "Root", "principalId": "111122223333", "arn": "arn:aws:iam::111122223333:root",
      "accountId": "111122223333"}, "root@111122223333"),
    ({"type": "IAMUser", "principalId": "AIDAEXAMPLE", "arn": "arn:aws:iam::111122223333:user/Alice",
      "accountId": "111122223333", "accessKeyId": "AKIAEXAMPLE", "userName": "Alice"}, "user/Alice"),
    ({"type": "IAMUser", "principalId": "AIDAONLYID"}, "user/AIDAONLYID"),
    ({"type": "AssumedRole", "principalId": "AROAEXAMPLE:dev-session",
      "arn": "arn:aws:sts::111122223333:assumed-role/DevRole/dev-session", "accountId": "111122223333",
      "sessionContext": {"sessionIssuer": {"type": "Role", "userName": "DevRole"}}}, "role/DevRole/dev-session"),
    ({"type": "AssumedRole", "principalId": "AROAEXAMPLE:i-0abc",
      "sessionContext": {"sessionIssuer": {"type": "Role", "userName": "Ec2Role"}}}, "role/Ec2Role/i-0abc"),
    ({"type": "FederatedUser", "principalId": "111122223333:bob",
      "arn": "arn:aws:sts::111122223333:federated-user/bob"}, "federated/bob"),
    ({"type": "AWSService", "invokedBy": "cloudtrail.amazonaws.com"}, "cloudtrail.amazonaws.com"),
    ({"type": "AWSAccount", "principalId": "AIDAX", "accountId": "444455556666"}, "account/444455556666"),
    ({"type": "IdentityCenterUser", "accountId": "111122223333",
      "onBehalfOf": {"userId": "906733b0-1021-7055-3f8d-9bd6f2d2b8b2",
                     "identityStoreArn": "arn:aws:identitystore::1:identitystore/d-1"},
      "credentialId": "abc"}, "sso/906733b0-1021-7055-3f8d-9bd6f2d2b8b2"),
    ({"type": "SAMLUser", "principalId": "SAMLUser:carol", "userName": "carol",
      "identityProvider": "arn:aws:iam::111122223333:saml-provider/Okta"}, "saml/carol@Okta"),
    ({"type": "WebIdentityUser", "principalId": "accounts.google.com:app:sub", "userName": "sub-123",
      "identityProvider": "accounts.google.com"}, "web/sub-123@accounts.google.com"),
    ({"type": "Unknown", "principalId": "x", "userName": "<victim display name>"}, "<victim display name>"),
    ({"type": "Unknown", "arn": "arn:aws:sts::1:assumed-role/R/S"}, "assumed-role/R/S"),
    ({}, "unknown"),
    (None, "unknown"),
]


@pytest.mark.parametrize("identity, label", IDENTITIES)
def test_principal_label_for_every_identity_type(identity, label):
    assert principal_label(identity) == label


def test_access_key_and_fields():
    raw = {"eventTime": "2024-03-01T00:13:07Z", "eventName": "GetObject", "eventSource": "s3.amazonaws.com",
           "userIdentity": IDENTITIES[1][0], "sourceIPAddress": "1.2.3.4", "awsRegion": "eu-west-1",
           "errorCode": "AccessDenied"}
    event = Event.from_raw(raw, "here")
    assert (event.access_key, event.short_source, event.region, event.error_code) == (
        "AKIAEXAMPLE", "s3", "eu-west-1", "AccessDenied")
    assert event.location == "here"


def test_real_records_all_get_labels_and_stay_untouched():
    records = traildiscover_records()
    assert len(records) >= 300
    originals = copy.deepcopy(records)
    labels = set()
    for raw in records:
        event = Event.from_raw(raw)
        assert event.principal
        assert event.time.year >= 2014, raw.get("eventTime")
        labels.add(event.principal)
    assert records == originals  # nothing rewritten, nothing dropped
    assert len(labels) > 10
