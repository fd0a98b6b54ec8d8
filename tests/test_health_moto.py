"""Trail health against the moto server process, over real HTTP.

The account is set up with plain boto3 clients (the test may change moto;
trailtui never does).  What moto cannot express is driven through the test
server extension `tests/moto_ext/trail_status.py`: GetTrailStatus delivery
times and errors, MFA Delete, and AccessDenied for an analyst's access key.
"""

from __future__ import annotations

import json
import shlex
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest

from tests.moto_ext.trail_status import deny, set_trail_status
from trailtui.aws.config import AwsConfig
from trailtui.cli import main
from trailtui.health import CHECK_IDS, AccountFacts, HealthReport, Status, Unavailable, collect_facts, evaluate

ACCOUNT = "123456789012"
REGION = "us-east-1"
SETUP_KEYS = {"aws_access_key_id": "setup", "aws_secret_access_key": "setup"}
INFO_BY_DESIGN = {"organization-trail", "data-events", "insights", "bucket-object-lock", "bucket-replication"}


def client(endpoint: str, service: str, region: str = REGION) -> Any:
    return boto3.client(service, endpoint_url=endpoint, region_name=region, **SETUP_KEYS)


def trail_arn(name: str, region: str = REGION) -> str:
    return f"arn:aws:cloudtrail:{region}:{ACCOUNT}:trail/{name}"


def cloudtrail_bucket_policy(bucket: str, arn: str) -> str:
    condition = {"aws:SourceArn": arn}
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Sid": "AclCheck", "Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"},
         "Action": "s3:GetBucketAcl", "Resource": f"arn:aws:s3:::{bucket}",
         "Condition": {"StringEquals": condition}},
        {"Sid": "Write", "Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"},
         "Action": "s3:PutObject", "Resource": f"arn:aws:s3:::{bucket}/AWSLogs/{ACCOUNT}/*",
         "Condition": {"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control", **condition}}},
    ]})


def cloudtrail_key_policy(arn: str) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Sid": "Admin", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
         "Action": "kms:*", "Resource": "*"},
        {"Sid": "CloudTrailEncrypt", "Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"},
         "Action": "kms:GenerateDataKey*", "Resource": "*",
         "Condition": {"StringEquals": {"aws:SourceArn": arn}}},
        {"Sid": "Readers", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:role/Analyst"},
         "Action": "kms:Decrypt", "Resource": "*"},
    ]})


def build_good(endpoint: str, name: str = "good-trail") -> str:
    """A trail configured the way the checks want, in every respect moto can hold."""
    s3, kms, ct = client(endpoint, "s3"), client(endpoint, "kms"), client(endpoint, "cloudtrail")
    arn = trail_arn(name)
    bucket, access_logs, replica = f"{name}-logs", f"{name}-access-logs", f"{name}-replica"
    s3.create_bucket(Bucket=bucket, ObjectLockEnabledForBucket=True)
    s3.create_bucket(Bucket=access_logs, ACL="log-delivery-write")
    eu = client(endpoint, "s3", "eu-west-1")
    eu.create_bucket(Bucket=replica, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    eu.put_bucket_versioning(Bucket=replica, VersioningConfiguration={"Status": "Enabled"})
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled", "MFADelete": "Enabled"},
                             MFA=f"arn:aws:iam::{ACCOUNT}:mfa/root-account-mfa-device 123456")
    s3.put_public_access_block(Bucket=bucket, PublicAccessBlockConfiguration={
        "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True, "RestrictPublicBuckets": True})
    s3.put_bucket_policy(Bucket=bucket, Policy=cloudtrail_bucket_policy(bucket, arn))
    s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": [{
        "ID": "archive", "Status": "Enabled", "Filter": {"Prefix": "AWSLogs/"},
        "Transitions": [{"Days": 90, "StorageClass": "GLACIER"}, {"Days": 180, "StorageClass": "DEEP_ARCHIVE"}],
        "Expiration": {"Days": 2555}}]})
    s3.put_bucket_logging(Bucket=bucket, BucketLoggingStatus={"LoggingEnabled": {
        "TargetBucket": access_logs, "TargetPrefix": f"{bucket}/"}})
    s3.put_object_lock_configuration(Bucket=bucket, ObjectLockConfiguration={
        "ObjectLockEnabled": "Enabled", "Rule": {"DefaultRetention": {"Mode": "GOVERNANCE", "Days": 365}}})
    s3.put_bucket_replication(Bucket=bucket, ReplicationConfiguration={
        "Role": f"arn:aws:iam::{ACCOUNT}:role/replication", "Rules": [{
            "ID": "to-eu", "Priority": 1, "Status": "Enabled", "Filter": {"Prefix": ""},
            "DeleteMarkerReplication": {"Status": "Disabled"},
            "Destination": {"Bucket": f"arn:aws:s3:::{replica}", "StorageClass": "STANDARD_IA"}}]})
    key = kms.create_key(Policy=cloudtrail_key_policy(arn))["KeyMetadata"]["Arn"]
    kms.enable_key_rotation(KeyId=key)
    logs = client(endpoint, "logs")
    logs.create_log_group(logGroupName=f"{name}-events")
    group = logs.describe_log_groups(logGroupNamePrefix=f"{name}-events")["logGroups"][0]["arn"]
    client(endpoint, "sns").create_topic(Name=f"{name}-deliveries")
    ct.create_trail(Name=name, S3BucketName=bucket, IsMultiRegionTrail=True, EnableLogFileValidation=True,
                    IncludeGlobalServiceEvents=True, IsOrganizationTrail=True, KmsKeyId=key,
                    CloudWatchLogsLogGroupArn=group, CloudWatchLogsRoleArn=f"arn:aws:iam::{ACCOUNT}:role/ct-to-cwl",
                    SnsTopicName=f"{name}-deliveries")
    ct.put_event_selectors(TrailName=name, AdvancedEventSelectors=[
        {"Name": "Management", "FieldSelectors": [{"Field": "eventCategory", "Equals": ["Management"]}]},
        {"Name": "S3 objects", "FieldSelectors": [{"Field": "eventCategory", "Equals": ["Data"]},
                                                  {"Field": "resources.type", "Equals": ["AWS::S3::Object"]}]}])
    ct.put_insight_selectors(TrailName=name, InsightSelectors=[{"InsightType": "ApiCallRateInsight"}])
    ct.start_logging(Name=name)
    now = datetime.now(UTC)
    set_trail_status(endpoint, name, LatestDeliveryTime=now - timedelta(minutes=3),
                     LatestDigestDeliveryTime=now - timedelta(minutes=25),
                     LatestCloudWatchLogsDeliveryTime=now - timedelta(minutes=2),
                     LatestNotificationTime=now - timedelta(minutes=3))
    return name


def build_neglected(endpoint: str, name: str = "neglected-trail") -> str:
    """Single-region, no validation, no KMS, public-ish bucket, no versioning, no lifecycle."""
    s3, ct = client(endpoint, "s3"), client(endpoint, "cloudtrail")
    bucket = f"{name}-logs"
    s3.create_bucket(Bucket=bucket, ACL="public-read")
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Sid": "Everyone", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
         "Resource": f"arn:aws:s3:::{bucket}/*"},
        {"Sid": "CloudTrail", "Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"},
         "Action": "s3:PutObject", "Resource": f"arn:aws:s3:::{bucket}/*"}]}))
    ct.create_trail(Name=name, S3BucketName=bucket)
    ct.start_logging(Name=name)
    return name


def build_stopped(endpoint: str, name: str = "stopped-trail") -> str:
    s3, ct = client(endpoint, "s3"), client(endpoint, "cloudtrail")
    s3.create_bucket(Bucket=f"{name}-logs")
    ct.create_trail(Name=name, S3BucketName=f"{name}-logs", IsMultiRegionTrail=True, EnableLogFileValidation=True)
    ct.start_logging(Name=name)
    ct.stop_logging(Name=name)
    return name


def build_delivering(endpoint: str, name: str = "good-trail") -> str:
    """Just what the delivery checks read: a validated trail with CloudWatch
    Logs and SNS, logging, with fresh delivery times."""
    s3, ct, logs = client(endpoint, "s3"), client(endpoint, "cloudtrail"), client(endpoint, "logs")
    s3.create_bucket(Bucket=f"{name}-logs")
    logs.create_log_group(logGroupName=f"{name}-events")
    group = logs.describe_log_groups(logGroupNamePrefix=f"{name}-events")["logGroups"][0]["arn"]
    client(endpoint, "sns").create_topic(Name=f"{name}-deliveries")
    ct.create_trail(Name=name, S3BucketName=f"{name}-logs", IsMultiRegionTrail=True, EnableLogFileValidation=True,
                    CloudWatchLogsLogGroupArn=group, CloudWatchLogsRoleArn=f"arn:aws:iam::{ACCOUNT}:role/ct-to-cwl",
                    SnsTopicName=f"{name}-deliveries")
    ct.start_logging(Name=name)
    now = datetime.now(UTC)
    set_trail_status(endpoint, name, LatestDeliveryTime=now - timedelta(minutes=3),
                     LatestDigestDeliveryTime=now - timedelta(minutes=25),
                     LatestCloudWatchLogsDeliveryTime=now - timedelta(minutes=2))
    return name


async def collect(endpoint: str, **kwargs: Any) -> AccountFacts:
    return await collect_facts(AwsConfig(region=REGION, endpoint_url=endpoint), **kwargs)


def results(report: HealthReport, trail: str) -> dict[str, Any]:
    found = [t for t in report.trails if t.name == trail]
    assert found, f"{trail} not in {[t.name for t in report.trails]}"
    return {c.id: c for c in found[0].checks}


def now() -> datetime:
    return datetime.now(UTC)


async def test_well_configured_trail_passes_every_check(aws_env):
    build_good(aws_env)
    report = evaluate(await collect(aws_env), now())
    checks = results(report, "good-trail")
    assert list(checks) == [i for i in CHECK_IDS if not i.startswith("account-")]
    for check_id, check in checks.items():
        expected = Status.INFO if check_id in INFO_BY_DESIGN else Status.PASS
        assert check.status is expected, (check_id, check.status, check.reason)
    assert "organisation trail" in checks["organization-trail"].reason
    assert "AWS::S3::Object" in checks["data-events"].reason
    assert "ApiCallRateInsight" in checks["insights"].reason
    assert "GOVERNANCE" in checks["bucket-object-lock"].reason
    assert "good-trail-replica" in checks["bucket-replication"].reason
    assert "3 min" in checks["delivery-lag"].reason
    assert [c.status for c in report.account] == [Status.PASS]


async def test_neglected_trail_fails_with_reasons_and_fixes(aws_env):
    build_neglected(aws_env)
    report = evaluate(await collect(aws_env), now())
    checks = results(report, "neglected-trail")
    expected = {
        "log-file-validation": Status.FAIL, "kms-encryption": Status.FAIL, "bucket-public-access": Status.FAIL,
        "bucket-versioning": Status.FAIL, "bucket-lifecycle": Status.WARN, "multi-region": Status.WARN,
        "bucket-policy": Status.FAIL, "bucket-mfa-delete": Status.WARN, "bucket-access-logging": Status.WARN,
        "cloudwatch-logs": Status.WARN, "kms-rotation": Status.INFO, "digest-delivery": Status.INFO,
    }
    assert {k: checks[k].status for k in expected} == expected
    assert "AllUsers" in checks["bucket-public-access"].reason
    assert "s3:GetBucketAcl" in checks["bucket-policy"].reason
    assert shlex.split(checks["log-file-validation"].fix) == [
        "aws", "cloudtrail", "update-trail", "--name", "neglected-trail", "--region", REGION,
        "--enable-log-file-validation"]
    assert shlex.split(checks["bucket-versioning"].fix)[-4:] == [
        "--bucket", "neglected-trail-logs", "--versioning-configuration", "Status=Enabled"]
    lifecycle = json.loads(shlex.split(checks["bucket-lifecycle"].fix)[-1])
    assert lifecycle["Rules"][0]["Expiration"]["Days"] >= 365
    # single-region and not validated: the account has no qualifying trail
    assert report.account[0].status is Status.FAIL
    assert report.has_failures()


async def test_stopped_trail_fails_logging_and_does_not_judge_delivery(aws_env):
    build_stopped(aws_env)
    report = evaluate(await collect(aws_env), now())
    checks = results(report, "stopped-trail")
    assert checks["logging"].status is Status.FAIL
    assert "stopped" in checks["logging"].reason
    assert shlex.split(checks["logging"].fix) == ["aws", "cloudtrail", "start-logging", "--name", "stopped-trail",
                                                  "--region", REGION]
    assert checks["delivery-lag"].status is Status.INFO
    assert checks["digest-delivery"].status is Status.INFO
    assert report.account[0].status is Status.FAIL
    assert "not logging" in report.account[0].reason


async def test_analyst_denied_s3_and_kms_gets_unknown_naming_actions(aws_env, monkeypatch):
    build_good(aws_env)
    deny(aws_env, ["s3:*", "kms:*"], access_key="ANALYST")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "ANALYST")
    facts = await collect(aws_env)
    report = evaluate(facts, now())
    checks = results(report, "good-trail")
    expected_actions = {
        "bucket-policy": ["s3:GetBucketPolicy"],
        "bucket-versioning": ["s3:GetBucketVersioning"],
        "bucket-mfa-delete": ["s3:GetBucketVersioning"],
        "bucket-object-lock": ["s3:GetBucketObjectLockConfiguration"],
        "bucket-lifecycle": ["s3:GetLifecycleConfiguration"],
        "bucket-access-logging": ["s3:GetBucketLogging"],
        "bucket-replication": ["s3:GetReplicationConfiguration"],
        "bucket-public-access": ["s3:GetBucketPublicAccessBlock", "s3:GetBucketAcl", "s3:GetBucketPolicy",
                                 "s3:GetBucketPolicyStatus"],
        "kms-rotation": ["kms:GetKeyRotationStatus"],
        "kms-key-policy": ["kms:GetKeyPolicy"],
    }
    for check_id, actions in expected_actions.items():
        check = checks[check_id]
        assert check.status is Status.UNKNOWN, (check_id, check.status, check.reason)
        for action in actions:
            assert action in check.reason, (check_id, action, check.reason)
        assert "access denied" in check.reason
    # what CloudTrail itself answers is still judged
    assert checks["logging"].status is Status.PASS
    assert checks["log-file-validation"].status is Status.PASS
    assert "kms:DescribeKey" in checks["kms-encryption"].reason
    # and the same setup read with the setup credentials passes: the denials made the difference
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "someone-else")
    other = results(evaluate(await collect(aws_env), now()), "good-trail")
    assert all(other[c].status is not Status.UNKNOWN for c in expected_actions)


async def test_denied_describe_trails_is_unknown_not_a_crash(aws_env, monkeypatch, capsys):
    build_neglected(aws_env)
    deny(aws_env, ["cloudtrail:DescribeTrails"], access_key="ANALYST")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "ANALYST")
    facts = await collect(aws_env)
    assert isinstance(facts.trails, Unavailable)
    report = evaluate(facts, now())
    assert report.trails == ()
    assert report.account[0].status is Status.UNKNOWN
    assert "cloudtrail:DescribeTrails" in report.account[0].reason


@pytest.mark.parametrize("fields, check_id, status, words", [
    ({"LatestDeliveryTime": timedelta(minutes=10)}, "delivery-lag", Status.PASS, "10 min"),
    ({"LatestDeliveryTime": timedelta(hours=2)}, "delivery-lag", Status.WARN, "2 h"),
    ({"LatestDeliveryTime": timedelta(hours=30)}, "delivery-lag", Status.FAIL, "30 h"),
    ({"LatestDeliveryError": "AccessDenied"}, "delivery-errors", Status.FAIL, "bucket policy"),
    ({"LatestDeliveryError": "NoSuchBucket"}, "delivery-errors", Status.FAIL, "no longer exists"),
    ({"LatestDigestDeliveryTime": timedelta(hours=3)}, "digest-delivery", Status.WARN, "3 h"),
    ({"LatestDigestDeliveryTime": timedelta(hours=26)}, "digest-delivery", Status.FAIL, "26 h"),
    ({"LatestDigestDeliveryError": "AccessDenied"}, "digest-delivery", Status.FAIL, "AccessDenied"),
    ({"LatestNotificationError": "AuthorizationError"}, "notification-errors", Status.WARN, "SNS:Publish"),
    ({"LatestCloudWatchLogsDeliveryTime": timedelta(days=2)}, "cloudwatch-logs", Status.FAIL, "2 d"),
    ({"LatestCloudWatchLogsDeliveryError": "AccessDeniedException"}, "cloudwatch-logs", Status.FAIL,
     "logs:PutLogEvents"),
])
async def test_delivery_checks_read_real_values_over_http(aws_env, fields, check_id, status, words):
    build_delivering(aws_env)
    moment = now()
    wire = {k: (moment - v if isinstance(v, timedelta) else v) for k, v in fields.items()}
    set_trail_status(aws_env, "good-trail", **wire)
    facts = await collect(aws_env)
    check = results(evaluate(facts, moment), "good-trail")[check_id]
    assert check.status is status, check.reason
    assert words in check.reason


async def test_never_delivered_while_logging_long_ago_fails(aws_env):
    build_delivering(aws_env)
    moment = now()
    set_trail_status(aws_env, "good-trail", LatestDeliveryTime=None, StartLoggingTime=moment - timedelta(days=3))
    check = results(evaluate(await collect(aws_env), moment), "good-trail")["delivery-lag"]
    assert check.status is Status.FAIL
    assert "ever" in check.reason


async def test_trail_from_another_region_is_read_in_its_home_region(aws_env):
    build_delivering(aws_env)
    eu_s3, eu_ct = client(aws_env, "s3", "eu-west-1"), client(aws_env, "cloudtrail", "eu-west-1")
    eu_s3.create_bucket(Bucket="eu-trail-logs", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    eu_ct.create_trail(Name="eu-trail", S3BucketName="eu-trail-logs", IsMultiRegionTrail=True)
    eu_ct.put_event_selectors(TrailName="eu-trail", EventSelectors=[{"ReadWriteType": "ReadOnly"}])
    eu_ct.start_logging(Name="eu-trail")
    report = evaluate(await collect(aws_env), now())
    eu = [t for t in report.trails if t.name == "eu-trail"][0]
    assert eu.home_region == "eu-west-1"
    assert eu.arn == trail_arn("eu-trail", "eu-west-1")
    checks = {c.id: c for c in eu.checks}
    # selectors can only be read in the home region (moto, like AWS, 404s elsewhere)
    assert checks["management-events"].status is Status.FAIL
    assert "only read" in checks["management-events"].reason
    assert "--region eu-west-1" in checks["management-events"].fix
    assert checks["logging"].status is Status.PASS


def test_cli_json_shape_exit_codes_and_saved_facts(aws_env, capsys, tmp_path):
    build_good(aws_env)
    build_neglected(aws_env)
    base = ["health", "--endpoint-url", aws_env, "--region", REGION]
    assert main(base + ["--trail", "good-trail", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data) == {"trails", "account"}
    assert [t["name"] for t in data["trails"]] == ["good-trail"]
    trail = data["trails"][0]
    assert set(trail) == {"name", "arn", "home_region", "checks"}
    assert trail["arn"] == trail_arn("good-trail") and trail["home_region"] == REGION
    assert {tuple(sorted(c)) for c in trail["checks"]} == {("fix", "id", "reason", "status", "title")}
    assert {c["status"] for c in trail["checks"]} <= {"PASS", "INFO"}

    saved = tmp_path / "facts.json"
    assert main(base + ["--format", "json", "--save-facts", str(saved)]) == 1
    live = json.loads(capsys.readouterr().out)
    assert saved.stat().st_mode & 0o777 == 0o600
    assert main(["health", "--facts", str(saved), "--format", "json"]) == 1
    offline = json.loads(capsys.readouterr().out)

    def statuses(report: dict[str, Any]) -> list[tuple[str, str, str]]:
        return [(t["name"], c["id"], c["status"]) for t in report["trails"] for c in t["checks"]]

    assert statuses(offline) == statuses(live)
    assert ("neglected-trail", "log-file-validation", "FAIL") in statuses(live)


def test_cli_table_fits_80_columns(aws_env, capsys):
    build_good(aws_env)
    build_neglected(aws_env)
    assert main(["health", "--endpoint-url", aws_env, "--region", REGION]) == 1
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert max(len(line) for line in lines) <= 80
    assert any(line.startswith("== trail neglected-trail (home region us-east-1)") for line in lines)
    assert any(line.startswith("FAIL     log-file-validation") for line in lines)
    assert any(line.startswith("    fix: aws cloudtrail update-trail --name neglected-trail") for line in lines)
    assert lines[-1].startswith("2 trails: ")


def test_cli_unknown_trail_and_bad_facts_are_one_line_errors(aws_env, capsys, tmp_path):
    build_good(aws_env)
    assert main(["health", "--endpoint-url", aws_env, "--region", REGION, "--trail", "nope"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["trailtui: error: no trail named 'nope' (trails: good-trail)"]
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    assert main(["health", "--facts", str(bad)]) == 2
    assert len(capsys.readouterr().err.strip().splitlines()) == 1


def test_cli_without_credentials_is_one_line(monkeypatch, capsys):
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    assert main(["health", "--region", REGION, "--endpoint-url", "http://127.0.0.1:9"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "no AWS credentials" in err[0]


def test_setup_helpers_reach_the_extension(aws_env):
    """The extension answers 404 for an unknown trail (a typo in a test must not pass silently)."""
    import urllib.error

    with pytest.raises(urllib.error.HTTPError) as caught:
        set_trail_status(aws_env, "no-such-trail", LatestDeliveryError="x")
    assert caught.value.code == 404
