"""Collecting the facts health is judged on, read-only, through `ClientFactory`.

One DescribeTrails (with shadow trails) in the home region finds every trail
this account can see, including multi-region trails from other regions and
organisation trails.  Each trail is then read in its *own* home region (status,
selectors, Insights), and each distinct bucket, KMS key and log group once, all
concurrently.  Every call is on the allow-list.

AccessDenied never stops the run: the fact becomes `Unavailable` with the IAM
action that was refused, and the checks report UNKNOWN naming it.  Only a
failure of the first call for a reason other than a denial (no credentials, no
region, endpoint unreachable, expired token) is fatal, as one line.
"""

from __future__ import annotations

import asyncio
from contextlib import AsyncExitStack
from datetime import UTC, datetime
from typing import Any

from trailtui.aws.allowlist import OperationNotAllowed
from trailtui.aws.clients import ClientFactory
from trailtui.aws.config import AwsConfig
from trailtui.aws.errors import describe_error, error_code, iam_action, is_access_denied
from trailtui.aws.sdk import BotoCoreError, ClientError, method_name
from trailtui.health.facts import AccountFacts, BucketFacts, KeyFacts, LogGroupFacts, TrailFacts, Unavailable

# API operations whose IAM action has another name.
IAM_ACTIONS = {
    ("s3", "GetPublicAccessBlock"): "s3:GetBucketPublicAccessBlock",
    ("s3", "GetObjectLockConfiguration"): "s3:GetBucketObjectLockConfiguration",
    ("s3", "GetBucketLifecycleConfiguration"): "s3:GetLifecycleConfiguration",
    ("s3", "GetBucketReplication"): "s3:GetReplicationConfiguration",
    ("s3", "GetBucketEncryption"): "s3:GetEncryptionConfiguration",
    ("s3", "GetBucketNotificationConfiguration"): "s3:GetBucketNotification",
}


class HealthCollectionError(Exception):
    """Health cannot start at all (one line for the user)."""


def action_for(service: str, operation: str) -> str:
    return IAM_ACTIONS.get((service, operation)) or iam_action(service, operation)


def jsonable(value: Any) -> Any:
    """AWS responses as plain JSON values: datetimes to ISO 8601 (UTC)."""
    if isinstance(value, datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=UTC)
        return aware.astimezone(UTC).isoformat().replace("+00:00", "Z")
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items() if k != "ResponseMetadata"}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return value


def _pick(value: Any, key: str) -> Any:
    return value.get(key) if isinstance(value, dict) else value


class _Reader:
    """Guarded async clients per (service, region), opened on first use and
    closed together; and the one way facts are read."""

    def __init__(self, factory: ClientFactory, stack: AsyncExitStack) -> None:
        self._factory = factory
        self._stack = stack
        self._clients: dict[tuple[str, str], Any] = {}
        self._lock = asyncio.Lock()

    async def client(self, service: str, region: str) -> Any:
        async with self._lock:
            key = (service, region)
            if key not in self._clients:
                self._clients[key] = await self._stack.enter_async_context(
                    self._factory.async_client(service, region))
            return self._clients[key]

    async def read(self, service: str, region: str, operation: str, *, absent: tuple[str, ...] = (),
                   resource: str = "", **params: Any) -> Any:
        """The response (JSON-ready), None for an `absent` error code ("not
        configured"), or Unavailable naming the IAM action."""
        action = action_for(service, operation)
        try:
            client = await self.client(service, region)
            response = await getattr(client, method_name(operation))(**params)
        except ClientError as exc:
            if error_code(exc) in absent:
                return None
            if is_access_denied(exc):
                return Unavailable(action, "access denied")
            return Unavailable(action, describe_error(exc, resource))
        except (BotoCoreError, OperationNotAllowed) as exc:
            return Unavailable(action, describe_error(exc, resource))
        return jsonable(response)


async def _trail(reader: _Reader, entry: dict[str, Any], default_region: str) -> TrailFacts:
    region = str(entry.get("HomeRegion") or default_region)
    arn = str(entry.get("TrailARN") or entry.get("Name") or "")
    status, selectors, insights = await asyncio.gather(
        reader.read("cloudtrail", region, "GetTrailStatus", resource=arn, Name=arn),
        reader.read("cloudtrail", region, "GetEventSelectors", resource=arn, TrailName=arn),
        reader.read("cloudtrail", region, "GetInsightSelectors", absent=("InsightNotEnabledException",),
                    resource=arn, TrailName=arn),
    )
    if insights is None:  # AWS says "not enabled" with an error; moto with an empty answer
        insights = {"InsightSelectors": []}
    return TrailFacts(name=str(entry.get("Name") or arn), arn=arn, home_region=region, config=jsonable(entry),
                      status=status, event_selectors=selectors, insight_selectors=insights)


def _bucket_region(location: Any, fallback: str) -> str:
    if not isinstance(location, dict):
        return fallback
    constraint = location.get("LocationConstraint")
    return {None: "us-east-1", "": "us-east-1", "EU": "eu-west-1"}.get(constraint, str(constraint))


async def _bucket(reader: _Reader, name: str, fallback_region: str) -> BucketFacts:
    where = f"s3://{name}"
    location = await reader.read("s3", fallback_region, "GetBucketLocation", absent=("NoSuchBucket",),
                                 resource=where, Bucket=name)
    if location is None:
        return BucketFacts(name=name, region=fallback_region, missing=True)
    region = _bucket_region(location, fallback_region)

    def read(operation: str, *absent: str) -> Any:
        return reader.read("s3", region, operation, absent=absent, resource=where, Bucket=name)

    (policy, status, acl, pab, versioning, lock, lifecycle, logging, replication) = await asyncio.gather(
        read("GetBucketPolicy", "NoSuchBucketPolicy"),
        read("GetBucketPolicyStatus", "NoSuchBucketPolicy"),
        read("GetBucketAcl"),
        read("GetPublicAccessBlock", "NoSuchPublicAccessBlockConfiguration"),
        read("GetBucketVersioning"),
        read("GetObjectLockConfiguration", "ObjectLockConfigurationNotFoundError"),
        read("GetBucketLifecycleConfiguration", "NoSuchLifecycleConfiguration"),
        read("GetBucketLogging"),
        read("GetBucketReplication", "ReplicationConfigurationNotFoundError"),
    )
    return BucketFacts(
        name=name, region=region, policy=_pick(policy, "Policy"), policy_status=_pick(status, "PolicyStatus"),
        acl=acl, public_access_block=_pick(pab, "PublicAccessBlockConfiguration"), versioning=versioning,
        object_lock=_pick(lock, "ObjectLockConfiguration"), lifecycle=_pick(lifecycle, "Rules"),
        logging=_pick(logging, "LoggingEnabled"), replication=_pick(replication, "ReplicationConfiguration"),
    )


def _arn_region(arn: str, fallback: str) -> str:
    parts = arn.split(":")
    return parts[3] if arn.startswith("arn:") and len(parts) > 4 and parts[3] else fallback


async def _key(reader: _Reader, key_id: str, fallback_region: str) -> KeyFacts:
    region = _arn_region(key_id, fallback_region)
    metadata, rotation, policy = await asyncio.gather(
        reader.read("kms", region, "DescribeKey", absent=("NotFoundException",), resource=key_id, KeyId=key_id),
        reader.read("kms", region, "GetKeyRotationStatus", absent=("UnsupportedOperationException",),
                    resource=key_id, KeyId=key_id),
        reader.read("kms", region, "GetKeyPolicy", resource=key_id, KeyId=key_id, PolicyName="default"),
    )
    return KeyFacts(key_id=key_id, region=region, metadata=_pick(metadata, "KeyMetadata"), rotation=rotation,
                    policy=_pick(policy, "Policy"))


async def _log_group(reader: _Reader, arn: str, fallback_region: str) -> LogGroupFacts:
    region = _arn_region(arn, fallback_region)
    name = arn.split(":log-group:", 1)[-1].removesuffix(":*")
    answer = await reader.read("logs", region, "DescribeLogGroups", resource=arn, logGroupNamePrefix=name)
    if isinstance(answer, dict):
        groups = [g for g in answer.get("logGroups") or [] if g.get("logGroupName") == name]
        answer = groups[0] if groups else None
    return LogGroupFacts(arn=arn, region=region, group=answer)


def resolve_region(aws: AwsConfig) -> str:
    try:
        region = aws.region or ClientFactory(aws).region()
    except BotoCoreError as exc:
        raise HealthCollectionError(describe_error(exc)) from None
    if not region:
        raise HealthCollectionError("no AWS region: pass --region or set AWS_REGION")
    return region


async def collect_facts(aws: AwsConfig, trail: str | None = None,
                        factory: ClientFactory | None = None) -> AccountFacts:
    """Read everything the checks need.  With `trail` (a name or ARN) the
    bucket, key and log group are read for that trail only; every trail's
    status and selectors are still read, for the account-level check."""
    region = resolve_region(aws)
    factory = factory or ClientFactory(aws)
    collected_at = jsonable(datetime.now(UTC))
    async with AsyncExitStack() as stack:
        reader = _Reader(factory, stack)
        try:
            client = await reader.client("cloudtrail", region)
            described = await client.describe_trails(includeShadowTrails=True)
        except ClientError as exc:
            if not is_access_denied(exc):
                raise HealthCollectionError(describe_error(exc)) from None
            return AccountFacts(region=region, collected_at=collected_at,
                                trails=Unavailable("cloudtrail:DescribeTrails", "access denied"))
        except (BotoCoreError, OperationNotAllowed) as exc:
            raise HealthCollectionError(describe_error(exc)) from None
        entries = [e for e in described.get("trailList") or [] if isinstance(e, dict)]
        caller_task = reader.read("sts", region, "GetCallerIdentity")
        trails = await asyncio.gather(*(_trail(reader, e, region) for e in entries))
        chosen = [t for t in trails if trail is None or trail in (t.name, t.arn)]
        buckets = {str(t.config.get("S3BucketName")): t.home_region for t in chosen if t.config.get("S3BucketName")}
        keys = {str(t.config.get("KmsKeyId")): t.home_region for t in chosen if t.config.get("KmsKeyId")}
        groups = {str(t.config.get("CloudWatchLogsLogGroupArn")): t.home_region for t in chosen
                  if t.config.get("CloudWatchLogsLogGroupArn")}
        caller, bucket_facts, key_facts, group_facts = await asyncio.gather(
            caller_task,
            asyncio.gather(*(_bucket(reader, name, r) for name, r in buckets.items())),
            asyncio.gather(*(_key(reader, key, r) for key, r in keys.items())),
            asyncio.gather(*(_log_group(reader, arn, r) for arn, r in groups.items())),
        )
    return AccountFacts(
        region=region, collected_at=collected_at, caller_account=_pick(caller, "Account"), trails=list(trails),
        buckets={b.name: b for b in bucket_facts}, keys={k.key_id: k for k in key_facts},
        log_groups={g.arn: g for g in group_facts},
    )
