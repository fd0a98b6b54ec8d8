"""A realistic account for `trailtui demo` (no AWS there): one well-kept
organisation trail, one neglected trail, one stopped trail, and a bucket fact
the demo role may not read.  Times are relative to `now`, so the demo looks the
same whenever it runs."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from trailtui.health.facts import AccountFacts, BucketFacts, KeyFacts, LogGroupFacts, TrailFacts, Unavailable

ACCOUNT = "111122223333"
HOME = "us-east-1"


def _iso(when: datetime) -> str:
    return when.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _trail_arn(name: str, region: str = HOME) -> str:
    return f"arn:aws:cloudtrail:{region}:{ACCOUNT}:trail/{name}"


def _bucket_policy(bucket: str, trail_arn: str, org: bool) -> str:
    writes = [f"arn:aws:s3:::{bucket}/AWSLogs/{ACCOUNT}/*"] + ([f"arn:aws:s3:::{bucket}/AWSLogs/o-a1b2c3d4e5/*"]
                                                               if org else [])
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Sid": "AWSCloudTrailAclCheck", "Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"},
         "Action": "s3:GetBucketAcl", "Resource": f"arn:aws:s3:::{bucket}",
         "Condition": {"StringEquals": {"aws:SourceArn": trail_arn}}},
        {"Sid": "AWSCloudTrailWrite", "Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"},
         "Action": "s3:PutObject", "Resource": writes,
         "Condition": {"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control", "aws:SourceArn": trail_arn}}},
        {"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
         "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"],
         "Condition": {"Bool": {"aws:SecureTransport": "false"}}},
    ]})


def _key_policy(trail_arn: str) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Sid": "Enable IAM policies", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
         "Action": "kms:*", "Resource": "*"},
        {"Sid": "AllowCloudTrailEncrypt", "Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"},
         "Action": "kms:GenerateDataKey*", "Resource": "*",
         "Condition": {"StringEquals": {"aws:SourceArn": trail_arn},
                       "StringLike": {"kms:EncryptionContext:aws:cloudtrail:arn":
                                          f"arn:aws:cloudtrail:*:{ACCOUNT}:trail/*"}}},
        {"Sid": "AllowCloudTrailDescribe", "Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"},
         "Action": "kms:DescribeKey", "Resource": "*"},
        {"Sid": "AllowLogReaders", "Effect": "Allow",
         "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:role/SecurityAnalyst"}, "Action": "kms:Decrypt",
         "Resource": "*", "Condition": {"Null": {"kms:EncryptionContext:aws:cloudtrail:arn": "false"}}},
    ]})


def _status(now: datetime, *, logging: bool = True, started: timedelta = timedelta(days=400),
            delivered: timedelta | None = None, digest: timedelta | None = None, cwl: timedelta | None = None,
            **extra: Any) -> dict[str, Any]:
    status: dict[str, Any] = {"IsLogging": logging, "StartLoggingTime": _iso(now - started)}
    for field, ago in (("LatestDeliveryTime", delivered), ("LatestDigestDeliveryTime", digest),
                       ("LatestCloudWatchLogsDeliveryTime", cwl)):
        if ago is not None:
            status[field] = _iso(now - ago)
    status.update(extra)
    return status


def _org_trail(now: datetime) -> tuple[TrailFacts, BucketFacts, KeyFacts, LogGroupFacts]:
    name, bucket = "org-management-events", "acme-org-cloudtrail-logs"
    arn = _trail_arn(name)
    key_arn = f"arn:aws:kms:{HOME}:{ACCOUNT}:key/6f1c3e2a-8b4d-4e0f-9a7c-2d5b1e8f4a90"
    group_arn = f"arn:aws:logs:{HOME}:{ACCOUNT}:log-group:aws-cloudtrail-org:*"
    trail = TrailFacts(
        name=name, arn=arn, home_region=HOME,
        config={"Name": name, "S3BucketName": bucket, "IncludeGlobalServiceEvents": True, "IsMultiRegionTrail": True,
                "HomeRegion": HOME, "TrailARN": arn, "LogFileValidationEnabled": True,
                "CloudWatchLogsLogGroupArn": group_arn,
                "CloudWatchLogsRoleArn": f"arn:aws:iam::{ACCOUNT}:role/CloudTrailToCloudWatch",
                "KmsKeyId": key_arn, "SnsTopicARN": f"arn:aws:sns:{HOME}:{ACCOUNT}:cloudtrail-deliveries",
                "HasCustomEventSelectors": True, "HasInsightSelectors": True, "IsOrganizationTrail": True},
        status=_status(now, delivered=timedelta(minutes=4), digest=timedelta(minutes=38),
                       cwl=timedelta(minutes=3), LatestNotificationTime=_iso(now - timedelta(minutes=4))),
        event_selectors={"TrailARN": arn, "AdvancedEventSelectors": [
            {"Name": "Management events", "FieldSelectors": [{"Field": "eventCategory", "Equals": ["Management"]}]},
            {"Name": "S3 object events on sensitive buckets", "FieldSelectors": [
                {"Field": "eventCategory", "Equals": ["Data"]},
                {"Field": "resources.type", "Equals": ["AWS::S3::Object"]},
                {"Field": "resources.ARN", "StartsWith": ["arn:aws:s3:::acme-customer-exports/"]}]}]},
        insight_selectors={"TrailARN": arn, "InsightSelectors": [{"InsightType": "ApiCallRateInsight"},
                                                                 {"InsightType": "ApiErrorRateInsight"}]},
    )
    facts = BucketFacts(
        name=bucket, region=HOME, policy=_bucket_policy(bucket, arn, org=True), policy_status={"IsPublic": False},
        acl={"Owner": {"ID": "c0ffee"}, "Grants": [{"Grantee": {"Type": "CanonicalUser", "ID": "c0ffee"},
                                                   "Permission": "FULL_CONTROL"}]},
        public_access_block={"BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True,
                             "RestrictPublicBuckets": True},
        versioning={"Status": "Enabled", "MFADelete": "Enabled"},
        object_lock={"ObjectLockEnabled": "Enabled", "Rule": {"DefaultRetention": {"Mode": "COMPLIANCE",
                                                                                   "Days": 365}}},
        lifecycle=[{"ID": "archive", "Status": "Enabled", "Filter": {"Prefix": "AWSLogs/"},
                    "Transitions": [{"Days": 90, "StorageClass": "GLACIER"},
                                    {"Days": 365, "StorageClass": "DEEP_ARCHIVE"}],
                    "Expiration": {"Days": 2555}, "NoncurrentVersionExpiration": {"NoncurrentDays": 365}}],
        logging={"TargetBucket": "acme-s3-access-logs", "TargetPrefix": f"{bucket}/"},
        replication=Unavailable("s3:GetReplicationConfiguration", "access denied"),
    )
    key = KeyFacts(
        key_id=key_arn, region=HOME,
        metadata={"KeyId": key_arn.rsplit("/", 1)[-1], "Arn": key_arn, "KeyState": "Enabled", "Enabled": True,
                  "KeyManager": "CUSTOMER", "KeySpec": "SYMMETRIC_DEFAULT", "Origin": "AWS_KMS"},
        rotation={"KeyRotationEnabled": True, "RotationPeriodInDays": 365,
                  "NextRotationDate": _iso(now + timedelta(days=120))},
        policy=_key_policy(arn),
    )
    group = LogGroupFacts(arn=group_arn, region=HOME, group={"logGroupName": "aws-cloudtrail-org",
                                                             "retentionInDays": 365})
    return trail, facts, key, group


def _neglected_trail(now: datetime) -> tuple[TrailFacts, BucketFacts]:
    name, bucket = "legacy-app-trail", f"legacy-app-logs-{ACCOUNT}"
    arn = _trail_arn(name)
    trail = TrailFacts(
        name=name, arn=arn, home_region=HOME,
        config={"Name": name, "S3BucketName": bucket, "IncludeGlobalServiceEvents": True,
                "IsMultiRegionTrail": False, "HomeRegion": HOME, "TrailARN": arn, "LogFileValidationEnabled": False,
                "HasCustomEventSelectors": True, "HasInsightSelectors": False, "IsOrganizationTrail": False},
        status=_status(now, started=timedelta(days=900), delivered=timedelta(hours=3, minutes=12),
                       LatestDeliveryError="AccessDenied"),
        event_selectors={"TrailARN": arn, "EventSelectors": [
            {"ReadWriteType": "WriteOnly", "IncludeManagementEvents": True, "DataResources": [],
             "ExcludeManagementEventSources": ["kms.amazonaws.com"]}]},
        insight_selectors={"TrailARN": arn, "InsightSelectors": []},
    )
    facts = BucketFacts(
        name=bucket, region=HOME,
        policy=json.dumps({"Version": "2012-10-17", "Statement": [
            {"Sid": "PublicRead", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
             "Resource": f"arn:aws:s3:::{bucket}/*"},
            {"Sid": "CloudTrailWrite", "Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"},
             "Action": "s3:PutObject", "Resource": f"arn:aws:s3:::{bucket}/*"}]}),
        policy_status={"IsPublic": True},
        acl={"Owner": {"ID": "c0ffee"}, "Grants": [
            {"Grantee": {"Type": "CanonicalUser", "ID": "c0ffee"}, "Permission": "FULL_CONTROL"},
            {"Grantee": {"Type": "Group", "URI": "http://acs.amazonaws.com/groups/global/AllUsers"},
             "Permission": "READ"}]},
        public_access_block=None, versioning={}, object_lock=None, lifecycle=None, logging=None, replication=None,
    )
    return trail, facts


def _stopped_trail(now: datetime) -> tuple[TrailFacts, BucketFacts]:
    region = "eu-west-1"
    name, bucket = "security-audit-trail", "acme-security-audit-logs"
    arn = _trail_arn(name, region)
    stopped = now - timedelta(days=3, hours=5)
    trail = TrailFacts(
        name=name, arn=arn, home_region=region,
        config={"Name": name, "S3BucketName": bucket, "IncludeGlobalServiceEvents": True, "IsMultiRegionTrail": True,
                "HomeRegion": region, "TrailARN": arn, "LogFileValidationEnabled": True,
                "HasCustomEventSelectors": False, "HasInsightSelectors": False, "IsOrganizationTrail": False},
        status=_status(now, logging=False, delivered=timedelta(days=3, hours=5), digest=timedelta(days=3, hours=4),
                       StopLoggingTime=_iso(stopped)),
        event_selectors={"TrailARN": arn, "EventSelectors": [
            {"ReadWriteType": "All", "IncludeManagementEvents": True, "DataResources": [],
             "ExcludeManagementEventSources": []}]},
        insight_selectors={"TrailARN": arn, "InsightSelectors": []},
    )
    facts = BucketFacts(
        name=bucket, region=region, policy=_bucket_policy(bucket, arn, org=False), policy_status={"IsPublic": False},
        acl={"Owner": {"ID": "c0ffee"}, "Grants": []},
        public_access_block={"BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True,
                             "RestrictPublicBuckets": True},
        versioning={"Status": "Enabled"}, object_lock=None,
        lifecycle=[{"ID": "expire", "Status": "Enabled", "Filter": {}, "Expiration": {"Days": 180}}],
        logging=None, replication=None,
    )
    return trail, facts


def demo_facts(now: datetime | None = None) -> AccountFacts:
    """The demo account's facts as of `now` (default: the current time)."""
    now = now or datetime.now(UTC)
    org, org_bucket, org_key, org_group = _org_trail(now)
    neglected, neglected_bucket = _neglected_trail(now)
    stopped, stopped_bucket = _stopped_trail(now)
    return AccountFacts(
        region=HOME, collected_at=_iso(now), caller_account=ACCOUNT, trails=[org, neglected, stopped],
        buckets={b.name: b for b in (org_bucket, neglected_bucket, stopped_bucket)},
        keys={org_key.key_id: org_key}, log_groups={org_group.arn: org_group},
    )
