"""trailtui is read-only: the client factory refuses every operation off the
allow-list, for boto3 and aiobotocore clients alike, before any request."""

from __future__ import annotations

import pytest

from trailtui.aws.allowlist import ALLOWED_OPERATIONS, OperationNotAllowed
from trailtui.aws.clients import ClientFactory
from trailtui.aws.config import AwsConfig

MUTATING_PREFIXES = ("Put", "Delete", "Create", "Update", "Stop", "Start", "Attach", "Detach", "Modify", "Remove",
                     "Add", "Set", "Enable", "Disable", "Tag", "Untag", "Restore", "Copy", "Upload", "Register")


def test_allow_list_holds_only_reads_and_query_execution():
    starters = set()
    for service, operations in ALLOWED_OPERATIONS.items():
        for op in operations:
            if op.startswith(MUTATING_PREFIXES):
                starters.add(f"{service}:{op}")
    assert starters == {
        "athena:StartQueryExecution", "athena:StopQueryExecution", "cloudtrail:StartQuery",
    }


def test_every_listed_operation_exists_in_botocore():
    import botocore.session

    session = botocore.session.get_session()
    for service, operations in ALLOWED_OPERATIONS.items():
        model = session.get_service_model(service)
        missing = operations - set(model.operation_names)
        assert not missing, f"{service}: {missing}"


def test_every_other_operation_is_refused_before_sending(aws_env):
    """Walk every operation of every service we use: anything off the list raises
    OperationNotAllowed (not a network or validation error)."""
    factory = ClientFactory(AwsConfig(region="us-east-1", endpoint_url="http://127.0.0.1:9"), max_attempts=1)
    refused = 0
    for service, allowed in ALLOWED_OPERATIONS.items():
        client = factory.client(service)
        for op in client.meta.service_model.operation_names:
            if op in allowed:
                continue
            method = getattr(client, _snake(client, op))
            with pytest.raises(OperationNotAllowed):
                method()
            refused += 1
    assert refused > 500


def _snake(client, op: str) -> str:
    for name, api in client.meta.method_to_api_mapping.items():
        if api == op:
            return name
    raise KeyError(op)


def test_allowed_read_goes_through_to_the_server(aws_env):
    import boto3

    boto3.client("s3", endpoint_url=aws_env, region_name="us-east-1").create_bucket(Bucket="seeded")
    factory = ClientFactory(AwsConfig(region="us-east-1", endpoint_url=aws_env))
    names = [b["Name"] for b in factory.client("s3").list_buckets()["Buckets"]]
    assert names == ["seeded"]
    with pytest.raises(OperationNotAllowed):
        factory.client("s3").delete_bucket(Bucket="seeded")


async def test_async_clients_are_guarded_too(aws_env):
    factory = ClientFactory(AwsConfig(region="us-east-1", endpoint_url=aws_env))
    async with factory.async_client("s3") as s3:
        with pytest.raises(OperationNotAllowed):
            await s3.put_object(Bucket="x", Key="y", Body=b"z")
        listed = await s3.list_buckets()
        assert listed["Buckets"] == []


def test_account_fan_out_adds_only_assume_role_and_list_accounts():
    """Reaching every account adds two operations, neither of which creates anything persistent."""
    assert ALLOWED_OPERATIONS["sts"] == {"GetCallerIdentity", "AssumeRole"}
    assert ALLOWED_OPERATIONS["organizations"] == {"DescribeOrganization", "ListAccounts"}


async def test_assumed_keys_reach_the_role_account_with_both_sdks(aws_env):
    """Clients for a member account are built from its assumed role's keys,
    boto3 and aiobotocore alike, at the same endpoint; the keys never print."""
    from org_fixture import AUDIT_ROLE, build_organisation

    from trailtui.aws.config import Credentials

    org = build_organisation(aws_env, members=2, audit_role_in=(0,))
    member, without_role = org.members
    caller = ClientFactory(AwsConfig(region="us-east-1", endpoint_url=aws_env))
    with pytest.raises(Exception, match="AccessDenied"):  # the test server refuses a missing role, like AWS
        caller.client("sts").assume_role(RoleArn=f"arn:aws:iam::{without_role}:role/{AUDIT_ROLE}",
                                         RoleSessionName="trailtui-test")
    keys = caller.client("sts").assume_role(RoleArn=f"arn:aws:iam::{member}:role/{AUDIT_ROLE}",
                                            RoleSessionName="trailtui-test", DurationSeconds=900)["Credentials"]
    creds = Credentials(keys["AccessKeyId"], keys["SecretAccessKey"], keys["SessionToken"])
    config = AwsConfig(region="us-east-1", endpoint_url=aws_env, credentials=creds)
    factory = ClientFactory(config)
    identity = factory.client("sts").get_caller_identity()
    assert identity["Account"] == member and f"assumed-role/{AUDIT_ROLE}/trailtui-test" in identity["Arn"]
    async with factory.async_client("sts") as sts:
        assert (await sts.get_caller_identity())["Account"] == member
        with pytest.raises(OperationNotAllowed):  # the allow-list holds for assumed keys too
            await sts.get_session_token()
    assert caller.client("sts").get_caller_identity()["Account"] == "123456789012"  # the caller's own keys unchanged
    shown = repr(config) + str(config) + repr(creds) + str(creds) + f"{config}"
    for secret in (keys["AccessKeyId"], keys["SecretAccessKey"], keys["SessionToken"]):
        assert secret not in shown
    assert "Credentials(<hidden>)" in repr(config)
