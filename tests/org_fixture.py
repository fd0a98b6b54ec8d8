"""An AWS organisation on the test server: the management account (the one the
tests' own keys belong to) and member accounts, each with a trail, made
through assumed roles the way an administrator would.

moto keys state by account: keys returned by AssumeRole act in the role's
account.  Setup uses plain boto3 clients (it may create things; trailtui
never does).  Members are created with moto's `OrganizationAccountAccessRole`;
the audit role trailtui assumes (`AUDIT_ROLE`) is created only in the accounts
asked for, so the others answer AssumeRole with AccessDenied (the test
server's `assume_role` extension, as AWS does for a missing role).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import boto3

MANAGEMENT = "123456789012"  # moto's account for keys it does not know (the tests' `testing` keys)
REGION = "us-east-1"
AUDIT_ROLE = "TrailtuiAudit"
SETUP_KEYS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing", "aws_session_token": "testing"}


@dataclass
class Organisation:
    endpoint: str
    members: list[str] = field(default_factory=list)  # account IDs in creation order
    names: dict[str, str] = field(default_factory=dict)
    keys: dict[str, dict[str, str]] = field(default_factory=dict)  # setup keys per member account

    def client(self, account: str, service: str, region: str = REGION) -> Any:
        keys = SETUP_KEYS if account == MANAGEMENT else self.keys[account]
        return boto3.client(service, endpoint_url=self.endpoint, region_name=region, **keys)


def _admin_keys(endpoint: str, account: str) -> dict[str, str]:
    sts = boto3.client("sts", endpoint_url=endpoint, region_name=REGION, **SETUP_KEYS)
    creds = sts.assume_role(RoleArn=f"arn:aws:iam::{account}:role/OrganizationAccountAccessRole",
                            RoleSessionName="setup")["Credentials"]
    return {"aws_access_key_id": creds["AccessKeyId"], "aws_secret_access_key": creds["SecretAccessKey"],
            "aws_session_token": creds["SessionToken"]}


def build_organisation(endpoint: str, members: int = 3, audit_role_in: tuple[int, ...] = (0, 1, 2),
                       closed: int = 0) -> Organisation:
    """`members` ACTIVE member accounts (plus `closed` suspended ones); the audit
    role exists in the members whose index is in `audit_role_in`."""
    org_client = boto3.client("organizations", endpoint_url=endpoint, region_name=REGION, **SETUP_KEYS)
    org_client.create_organization(FeatureSet="ALL")
    org = Organisation(endpoint)
    for index in range(members + closed):
        name = f"member-{index}"
        status = org_client.create_account(AccountName=name, Email=f"{name}@example.com",
                                           RoleName="OrganizationAccountAccessRole")["CreateAccountStatus"]
        account = status["AccountId"]
        if index >= members:
            org_client.close_account(AccountId=account)
            continue
        org.members.append(account)
        org.names[account] = name
        org.keys[account] = _admin_keys(endpoint, account)
    trust = json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{MANAGEMENT}:root"}, "Action": "sts:AssumeRole"}]})
    for index in audit_role_in:
        org.client(org.members[index], "iam").create_role(RoleName=AUDIT_ROLE, AssumeRolePolicyDocument=trust)
    return org


def add_trail(org: Organisation, account: str, name: str, multi_region: bool = True) -> str:
    """A logging trail in `account`, made with that account's keys; returns its ARN."""
    s3, ct = org.client(account, "s3"), org.client(account, "cloudtrail")
    bucket = f"{name}-{account}-logs"
    s3.create_bucket(Bucket=bucket)
    arn = ct.create_trail(Name=name, S3BucketName=bucket, IsMultiRegionTrail=multi_region,
                          EnableLogFileValidation=True)["TrailARN"]
    ct.start_logging(Name=name)
    return str(arn)
