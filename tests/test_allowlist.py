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
