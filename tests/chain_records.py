"""Small synthetic CloudTrail records for credential-chain tests: an STS call
that issues a key, and a call made with a key."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any


def user(account: str, name: str, key: str) -> dict[str, Any]:
    return {"type": "IAMUser", "principalId": "AIDA" + name.upper()[:12], "arn": f"arn:aws:iam::{account}:user/{name}",
            "accountId": account, "accessKeyId": key, "userName": name}


def session(account: str, role: str, name: str, key: str, **context: Any) -> dict[str, Any]:
    return {"type": "AssumedRole", "principalId": f"AROA{role.upper()[:10]}:{name}",
            "arn": f"arn:aws:sts::{account}:assumed-role/{role}/{name}", "accountId": account, "accessKeyId": key,
            "sessionContext": {"sessionIssuer": {"type": "Role", "arn": f"arn:aws:iam::{account}:role/{role}",
                                                 "accountId": account, "userName": role},
                               "attributes": {"creationDate": "2024-05-01T10:00:00Z", "mfaAuthenticated": "false"},
                               **context}}


def service(name: str) -> dict[str, Any]:
    return {"type": "AWSService", "invokedBy": name}


def call(event_id: str, when: str, identity: dict[str, Any], name: str = "GetCallerIdentity",
         ip: str = "198.51.100.7", account: str | None = None, **extra: Any) -> dict[str, Any]:
    sts = name in ("GetCallerIdentity", "AssumeRole")
    record = {"eventVersion": "1.08", "userIdentity": identity, "eventTime": when,
              "eventSource": "sts.amazonaws.com" if sts else "ec2.amazonaws.com",
              "eventName": name, "awsRegion": "us-east-1", "sourceIPAddress": ip, "userAgent": "test",
              "requestParameters": None, "responseElements": None, "eventID": event_id,
              "recipientAccountId": account or identity.get("accountId") or "111111111111",
              "eventType": "AwsApiCall"}
    record.update(extra)
    return record


def assume(event_id: str, when: str, identity: dict[str, Any], role_arn: str, session_name: str, new_key: str,
           ip: str = "198.51.100.7", account: str | None = None, source_identity: str | None = None,
           ) -> dict[str, Any]:
    request: dict[str, Any] = {"roleArn": role_arn, "roleSessionName": session_name}
    if source_identity is not None:
        request["sourceIdentity"] = source_identity
    role_account = role_arn.split(":")[4]
    role_name = role_arn.rsplit("/", 1)[-1]
    response = {"credentials": {"accessKeyId": new_key, "sessionToken": "x", "expiration": "Jan 1, 2030 1:00:00 AM"},
                "assumedRoleUser": {"assumedRoleId": f"AROAX:{session_name}",
                                    "arn": f"arn:aws:sts::{role_account}:assumed-role/{role_name}/{session_name}"}}
    return call(event_id, when, identity, "AssumeRole", ip, account, requestParameters=request,
                responseElements=response)


def write_trail(path: Path, records: Iterable[dict[str, Any]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"Records": list(records)}))
    return path
