"""The check catalogue on hand-built facts: thresholds, selector logic, policy
reading, AccessDenied handling, JSON round-trip, and the table's wrapping."""

from __future__ import annotations

import copy
import json
import shlex
import subprocess
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from trailtui.health import (
    CHECK_IDS,
    AccountFacts,
    BucketFacts,
    KeyFacts,
    Status,
    TrailFacts,
    Unavailable,
    evaluate,
    from_json,
    to_json,
)
from trailtui.health.demo import demo_facts
from trailtui.health.facts import FactsFormatError
from trailtui.health.table import json_pieces, render_table, shell_words, wrap_command

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
ARN = "arn:aws:cloudtrail:us-east-1:111122223333:trail/t1"
BUCKET = "t1-logs"
KEY = "arn:aws:kms:us-east-1:111122223333:key/0000aaaa-1111-2222-3333-444455556666"

ISSUE_IDS = ["logging", "multi-region", "organization-trail", "management-events", "data-events", "insights",
             "log-file-validation", "kms-encryption", "kms-rotation", "kms-key-policy", "delivery-lag",
             "delivery-errors", "digest-delivery", "notification-errors", "cloudwatch-logs", "bucket-public-access",
             "bucket-policy", "bucket-versioning", "bucket-mfa-delete", "bucket-object-lock", "bucket-lifecycle",
             "bucket-access-logging", "bucket-replication"]


def iso(delta: timedelta) -> str:
    return (NOW - delta).isoformat()


def good_bucket_policy() -> str:
    return json.dumps({"Statement": [
        {"Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"}, "Action": "s3:GetBucketAcl",
         "Resource": f"arn:aws:s3:::{BUCKET}", "Condition": {"StringEquals": {"aws:SourceArn": ARN}}},
        {"Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"}, "Action": "s3:PutObject",
         "Resource": f"arn:aws:s3:::{BUCKET}/AWSLogs/111122223333/*",
         "Condition": {"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control", "aws:SourceArn": ARN}}}]})


def good_key_policy(extra: list[dict[str, Any]] | None = None) -> str:
    return json.dumps({"Statement": [
        {"Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"}, "Action": "kms:GenerateDataKey*",
         "Resource": "*", "Condition": {"StringEquals": {"aws:SourceArn": ARN}}},
        {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/Reader"}, "Action": "kms:Decrypt",
         "Resource": "*"}] + (extra or [])})


def make_facts(**changes: Any) -> AccountFacts:
    """A healthy trail; keyword arguments replace parts (config/status merge)."""
    config = {"Name": "t1", "TrailARN": ARN, "HomeRegion": "us-east-1", "S3BucketName": BUCKET,
              "IsMultiRegionTrail": True, "LogFileValidationEnabled": True, "KmsKeyId": KEY,
              "CloudWatchLogsLogGroupArn": "arn:aws:logs:us-east-1:111122223333:log-group:g:*",
              "SnsTopicARN": "arn:aws:sns:us-east-1:111122223333:topic", "IsOrganizationTrail": False}
    config.update(changes.pop("config", {}))
    status = {"IsLogging": True, "StartLoggingTime": iso(timedelta(days=10)),
              "LatestDeliveryTime": iso(timedelta(minutes=5)), "LatestDigestDeliveryTime": iso(timedelta(minutes=40)),
              "LatestCloudWatchLogsDeliveryTime": iso(timedelta(minutes=5))}
    status.update(changes.pop("status", {}))
    status = {k: v for k, v in status.items() if v is not None}
    trail = TrailFacts(name="t1", arn=ARN, home_region="us-east-1", config=config,
                       status=changes.pop("trail_status", status),
                       event_selectors=changes.pop("event_selectors", {"EventSelectors": [
                           {"ReadWriteType": "All", "IncludeManagementEvents": True, "DataResources": [],
                            "ExcludeManagementEventSources": []}]}),
                       insight_selectors=changes.pop("insight_selectors", {"InsightSelectors": []}))
    bucket = BucketFacts(
        name=BUCKET, region="us-east-1", policy=good_bucket_policy(), policy_status={"IsPublic": False},
        acl={"Grants": []}, public_access_block={f: True for f in ("BlockPublicAcls", "IgnorePublicAcls",
                                                                   "BlockPublicPolicy", "RestrictPublicBuckets")},
        versioning={"Status": "Enabled", "MFADelete": "Enabled"}, object_lock=None,
        lifecycle=[{"Status": "Enabled", "Filter": {"Prefix": "AWSLogs/"},
                    "Transitions": [{"Days": 90, "StorageClass": "GLACIER"}], "Expiration": {"Days": 2555}}],
        logging={"TargetBucket": "access-logs"}, replication=None)
    for name, value in changes.pop("bucket", {}).items():
        setattr(bucket, name, value)
    key = KeyFacts(key_id=KEY, region="us-east-1",
                   metadata={"KeyId": "0000aaaa-1111-2222-3333-444455556666", "KeyState": "Enabled",
                             "KeyManager": "CUSTOMER", "KeySpec": "SYMMETRIC_DEFAULT"},
                   rotation={"KeyRotationEnabled": True}, policy=good_key_policy())
    for name, value in changes.pop("key", {}).items():
        setattr(key, name, value)
    assert not changes, changes
    return AccountFacts(region="us-east-1", collected_at=NOW.isoformat(), caller_account="111122223333",
                        trails=[trail], buckets={BUCKET: bucket}, keys={KEY: key})


def check(facts: AccountFacts, check_id: str) -> Any:
    report = evaluate(facts, NOW)
    return {c.id: c for c in report.trails[0].checks}[check_id]


def test_catalogue_has_exactly_the_issue_ids_in_order():
    assert list(CHECK_IDS) == ISSUE_IDS + ["account-multi-region-trail"]


def test_healthy_facts_pass_everything():
    report = evaluate(make_facts(), NOW)
    statuses = {c.id: c.status for c in report.trails[0].checks}
    assert {k for k, v in statuses.items() if v not in (Status.PASS, Status.INFO)} == set()
    assert report.account[0].status is Status.PASS
    assert not report.has_failures()


@pytest.mark.parametrize("age, status", [
    (timedelta(minutes=29), Status.PASS), (timedelta(minutes=31), Status.WARN),
    (timedelta(hours=23, minutes=59), Status.WARN), (timedelta(hours=24, minutes=1), Status.FAIL),
])
def test_delivery_lag_thresholds(age, status):
    assert check(make_facts(status={"LatestDeliveryTime": iso(age)}), "delivery-lag").status is status


@pytest.mark.parametrize("age, status", [
    (timedelta(hours=1, minutes=59), Status.PASS), (timedelta(hours=2, minutes=1), Status.WARN),
    (timedelta(hours=24, minutes=59), Status.WARN), (timedelta(hours=25, minutes=1), Status.FAIL),
])
def test_digest_delivery_thresholds(age, status):
    assert check(make_facts(status={"LatestDigestDeliveryTime": iso(age)}), "digest-delivery").status is status


def test_digest_delivery_only_judged_with_validation_on():
    facts = make_facts(config={"LogFileValidationEnabled": False},
                       status={"LatestDigestDeliveryTime": iso(timedelta(days=9))})
    assert check(facts, "digest-delivery").status is Status.INFO
    assert check(facts, "log-file-validation").status is Status.FAIL


def test_stopped_trail_expects_no_deliveries_but_still_reports_errors():
    stopped = make_facts(status={"IsLogging": False, "LatestDeliveryTime": iso(timedelta(days=9)),
                                 "LatestDigestDeliveryTime": iso(timedelta(days=9)),
                                 "LatestCloudWatchLogsDeliveryTime": iso(timedelta(days=9)),
                                 "LatestDeliveryError": "AccessDenied"})
    for check_id, what in (("delivery-lag", "deliveries"), ("digest-delivery", "digest files"),
                           ("cloudwatch-logs", "CloudWatch Logs deliveries")):
        result = check(stopped, check_id)
        assert (result.status, result.reason) == (
            Status.INFO, f"the trail is not logging, so no {what} are expected (see logging)")
    assert check(stopped, "delivery-errors").status is Status.FAIL


def test_delivery_error_fails_and_explains_the_usual_causes():
    result = check(make_facts(status={"LatestDeliveryError": "AccessDenied"}), "delivery-errors")
    assert result.status is Status.FAIL
    assert "bucket policy" in result.reason and "KMS" in result.reason
    assert shlex.split(result.fix)[:3] == ["aws", "s3api", "get-bucket-policy"]


def test_notification_error_is_a_warning():
    result = check(make_facts(status={"LatestNotificationError": "AuthorizationError"}), "notification-errors")
    assert result.status is Status.WARN


def test_cloudwatch_logs_missing_and_stale():
    assert check(make_facts(config={"CloudWatchLogsLogGroupArn": None}), "cloudwatch-logs").status is Status.WARN
    stale = make_facts(status={"LatestCloudWatchLogsDeliveryTime": iso(timedelta(hours=30))})
    assert check(stale, "cloudwatch-logs").status is Status.FAIL


@pytest.mark.parametrize("selectors, status, words", [
    ({"EventSelectors": [{"ReadWriteType": "ReadOnly", "IncludeManagementEvents": True}]}, Status.FAIL, "only read"),
    ({"EventSelectors": [{"ReadWriteType": "All", "IncludeManagementEvents": False,
                          "DataResources": [{"Type": "AWS::S3::Object", "Values": ["arn:aws:s3"]}]}]},
     Status.FAIL, "not recorded"),
    ({"EventSelectors": [{"ReadWriteType": "All", "IncludeManagementEvents": True,
                          "ExcludeManagementEventSources": ["kms.amazonaws.com"]}]}, Status.WARN, "kms.amazonaws.com"),
    ({"AdvancedEventSelectors": [{"Name": "x", "FieldSelectors": [
        {"Field": "eventCategory", "Equals": ["Management"]}, {"Field": "readOnly", "Equals": ["true"]}]}]},
     Status.FAIL, "only read"),
    ({"AdvancedEventSelectors": [{"Name": "Management events selector", "FieldSelectors": [
        {"Field": "eventCategory", "Equals": ["Data"]}, {"Field": "resources.type", "Equals": ["AWS::S3::Object"]}]}]},
     Status.FAIL, "not recorded"),
    ({"AdvancedEventSelectors": [{"Name": "x", "FieldSelectors": [
        {"Field": "eventCategory", "Equals": ["Management"]},
        {"Field": "eventSource", "NotEquals": ["rdsdata.amazonaws.com"]}]}]}, Status.WARN, "rdsdata"),
    ({"AdvancedEventSelectors": [{"Name": "x", "FieldSelectors": [
        {"Field": "eventCategory", "Equals": ["Management"]}]}]}, Status.PASS, "read and write"),
    ({"EventSelectors": [], "AdvancedEventSelectors": []}, Status.PASS, "default"),
])
def test_management_events(selectors, status, words):
    result = check(make_facts(event_selectors=selectors), "management-events")
    assert result.status is status
    assert words in result.reason


def test_management_fix_keeps_data_selectors():
    selectors = {"AdvancedEventSelectors": [
        {"Name": "mgmt", "FieldSelectors": [{"Field": "eventCategory", "Equals": ["Management"]},
                                            {"Field": "readOnly", "Equals": ["false"]}]},
        {"Name": "s3", "FieldSelectors": [{"Field": "eventCategory", "Equals": ["Data"]},
                                          {"Field": "resources.type", "Equals": ["AWS::S3::Object"]}]}]}
    result = check(make_facts(event_selectors=selectors), "management-events")
    argv = shlex.split(result.fix)
    assert argv[:5] == ["aws", "cloudtrail", "put-event-selectors", "--trail-name", "t1"]
    new = json.loads(argv[argv.index("--advanced-event-selectors") + 1])
    assert new[0]["FieldSelectors"] == [{"Field": "eventCategory", "Equals": ["Management"]}]
    assert new[1] == selectors["AdvancedEventSelectors"][1]


def test_data_events_and_insights_are_info():
    facts = make_facts(event_selectors={"EventSelectors": [{"ReadWriteType": "All", "IncludeManagementEvents": True,
                       "DataResources": [{"Type": "AWS::S3::Object", "Values": ["arn:aws:s3"]}]}]},
                       insight_selectors={"InsightSelectors": [{"InsightType": "ApiErrorRateInsight"}]})
    data = check(facts, "data-events")
    assert data.status is Status.INFO and "AWS::S3::Object (all resources" in data.reason
    insights = check(facts, "insights")
    assert insights.status is Status.INFO and "ApiErrorRateInsight" in insights.reason


@pytest.mark.parametrize("check_id, fact, action", [
    ("logging", {"trail_status": Unavailable("cloudtrail:GetTrailStatus", "access denied")},
     "cloudtrail:GetTrailStatus"),
    ("delivery-lag", {"trail_status": Unavailable("cloudtrail:GetTrailStatus", "access denied")},
     "cloudtrail:GetTrailStatus"),
    ("management-events", {"event_selectors": Unavailable("cloudtrail:GetEventSelectors", "access denied")},
     "cloudtrail:GetEventSelectors"),
    ("insights", {"insight_selectors": Unavailable("cloudtrail:GetInsightSelectors", "access denied")},
     "cloudtrail:GetInsightSelectors"),
    ("bucket-policy", {"bucket": {"policy": Unavailable("s3:GetBucketPolicy", "access denied")}},
     "s3:GetBucketPolicy"),
    ("bucket-versioning", {"bucket": {"versioning": Unavailable("s3:GetBucketVersioning", "access denied")}},
     "s3:GetBucketVersioning"),
    ("bucket-lifecycle", {"bucket": {"lifecycle": Unavailable("s3:GetLifecycleConfiguration", "access denied")}},
     "s3:GetLifecycleConfiguration"),
    ("bucket-public-access", {"bucket": {"public_access_block": Unavailable("s3:GetBucketPublicAccessBlock",
                                                                           "access denied")}},
     "s3:GetBucketPublicAccessBlock"),
    ("kms-rotation", {"key": {"rotation": Unavailable("kms:GetKeyRotationStatus", "access denied")}},
     "kms:GetKeyRotationStatus"),
    ("kms-key-policy", {"key": {"policy": Unavailable("kms:GetKeyPolicy", "access denied")}}, "kms:GetKeyPolicy"),
])
def test_unavailable_fact_gives_unknown_naming_the_action(check_id, fact, action):
    result = check(make_facts(**fact), check_id)
    assert result.status is Status.UNKNOWN
    assert action in result.reason and "access denied" in result.reason


def test_proven_exposure_is_reported_even_when_other_facts_are_denied():
    facts = make_facts(bucket={"public_access_block": Unavailable("s3:GetBucketPublicAccessBlock", "access denied"),
                               "acl": {"Grants": [{"Grantee": {"URI": "http://acs.amazonaws.com/groups/global/AllUsers"},
                                                   "Permission": "READ"}]}})
    assert check(facts, "bucket-public-access").status is Status.FAIL


def test_public_acl_neutralised_by_ignore_public_acls():
    facts = make_facts(bucket={"acl": {"Grants": [{"Grantee": {"URI": "http://acs.amazonaws.com/groups/global/AllUsers"},
                                                   "Permission": "READ"}]}})
    assert check(facts, "bucket-public-access").status is Status.PASS
    facts = make_facts(bucket={"public_access_block": None})
    result = check(facts, "bucket-public-access")
    assert result.status is Status.WARN
    fix = shlex.split(result.fix)
    assert json.loads(fix[-1]) == {"BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True,
                                   "RestrictPublicBuckets": True}


def test_missing_bucket_policy_fails_with_a_ready_policy():
    result = check(make_facts(bucket={"policy": None}), "bucket-policy")
    assert result.status is Status.FAIL
    argv = shlex.split(result.fix)
    policy = json.loads(argv[argv.index("--policy") + 1])
    actions = {s["Action"] for s in policy["Statement"]}
    assert actions == {"s3:GetBucketAcl", "s3:PutObject"}
    assert all(s["Condition"]["StringEquals"]["aws:SourceArn"] == ARN for s in policy["Statement"])
    # and that policy passes the check
    assert check(make_facts(bucket={"policy": json.dumps(policy)}), "bucket-policy").status is Status.PASS


def test_bucket_policy_without_source_condition_warns_and_open_grant_fails():
    policy = json.loads(good_bucket_policy())
    for statement in policy["Statement"]:
        statement["Condition"]["StringEquals"].pop("aws:SourceArn")
    result = check(make_facts(bucket={"policy": json.dumps(policy)}), "bucket-policy")
    assert result.status is Status.WARN and "aws:SourceArn" in result.reason
    policy["Statement"].append({"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "s3:*",
                                "Resource": f"arn:aws:s3:::{BUCKET}/*"})
    assert check(make_facts(bucket={"policy": json.dumps(policy)}), "bucket-policy").status is Status.FAIL


def test_key_policy_rules():
    assert check(make_facts(), "kms-key-policy").status is Status.PASS
    no_cloudtrail = json.dumps({"Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::1:root"},
                                               "Action": "kms:*", "Resource": "*"}]})
    assert check(make_facts(key={"policy": no_cloudtrail}), "kms-key-policy").status is Status.FAIL
    anyone = good_key_policy([{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "kms:Decrypt",
                               "Resource": "*"}])
    result = check(make_facts(key={"policy": anyone}), "kms-key-policy")
    assert result.status is Status.FAIL and "any AWS principal" in result.reason
    in_account = good_key_policy([{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "kms:Decrypt",
                                   "Resource": "*", "Condition": {"StringEquals": {
                                       "kms:CallerAccount": "111122223333"}}}])
    result = check(make_facts(key={"policy": in_account}), "kms-key-policy")
    assert result.status is Status.WARN and "111122223333" in result.reason


def test_key_state_and_rotation():
    disabled = make_facts(key={"metadata": {"KeyId": "k", "KeyState": "PendingDeletion", "KeyManager": "CUSTOMER"}})
    result = check(disabled, "kms-encryption")
    assert result.status is Status.FAIL
    assert shlex.split(result.fix) == ["aws", "kms", "cancel-key-deletion", "--key-id", "k", "--region", "us-east-1"]
    off = check(make_facts(key={"rotation": {"KeyRotationEnabled": False}}), "kms-rotation")
    assert off.status is Status.FAIL and "enable-key-rotation" in off.fix
    assert check(make_facts(config={"KmsKeyId": None}), "kms-encryption").status is Status.FAIL


@pytest.mark.parametrize("rules, status", [
    ([{"Status": "Enabled", "Filter": {}, "Transitions": [{"Days": 30, "StorageClass": "DEEP_ARCHIVE"}],
       "Expiration": {"Days": 200}}], Status.WARN),
    ([{"Status": "Enabled", "Filter": {"Prefix": ""}, "Expiration": {"Days": 3000}}], Status.WARN),
    ([{"Status": "Enabled", "Filter": {"Tag": {"Key": "a", "Value": "b"}},
       "Transitions": [{"Days": 30, "StorageClass": "GLACIER"}]}], Status.WARN),
    ([{"Status": "Disabled", "Filter": {}, "Transitions": [{"Days": 30, "StorageClass": "GLACIER"}]}], Status.WARN),
    ([{"Status": "Enabled", "Prefix": "AWS", "Transitions": [{"Days": 30, "StorageClass": "GLACIER"}]}],
     Status.PASS),
    (None, Status.WARN),
])
def test_lifecycle(rules, status):
    assert check(make_facts(bucket={"lifecycle": rules}), "bucket-lifecycle").status is status


def test_missing_bucket_fails_every_bucket_check():
    facts = make_facts()
    facts.buckets[BUCKET] = BucketFacts(name=BUCKET, region="us-east-1", missing=True)
    report = evaluate(facts, NOW)
    bucket_checks = [c for c in report.trails[0].checks if c.id.startswith("bucket-")]
    assert bucket_checks and all(c.status is Status.FAIL and "does not exist" in c.reason for c in bucket_checks)


def test_malformed_facts_give_unknown_not_a_crash():
    facts = make_facts(bucket={"lifecycle": [{"Status": "Enabled", "Filter": {}, "Expiration": {"Days": "x"}}]})
    result = check(facts, "bucket-lifecycle")
    assert result.status is Status.UNKNOWN and "could not run" in result.reason


def test_facts_round_trip_through_json():
    facts = demo_facts(NOW)
    text = json.dumps(to_json(facts))
    again = from_json(json.loads(text))
    assert evaluate(again, NOW) == evaluate(facts, NOW)
    assert to_json(again) == to_json(facts)
    denied = make_facts()
    denied.trails = Unavailable("cloudtrail:DescribeTrails", "access denied")
    assert from_json(json.loads(json.dumps(to_json(denied)))).trails == denied.trails


@pytest.mark.parametrize("data, words", [
    ([], "not a trailtui health facts file"),
    ({"format": "trailtui-health-facts/1", "region": "x", "collected_at": "y", "trails": [{"name": "t"}]},
     "trails[0]"),
    ({"format": "trailtui-health-facts/1", "region": "x", "collected_at": "y", "trails": "nope"}, "trails"),
])
def test_bad_facts_files_are_refused_with_where(data, words):
    with pytest.raises(FactsFormatError) as caught:
        from_json(data)
    assert words in str(caught.value)


def test_demo_account_shows_each_kind_of_trail():
    report = evaluate(demo_facts(NOW), NOW)
    by_name = {t.name: {c.id: c for c in t.checks} for t in report.trails}
    assert set(by_name) == {"org-management-events", "legacy-app-trail", "security-audit-trail"}
    org = by_name["org-management-events"]
    assert [c.id for c in org.values() if c.status not in (Status.PASS, Status.INFO)] == ["bucket-replication"]
    assert org["bucket-replication"].status is Status.UNKNOWN
    assert by_name["security-audit-trail"]["logging"].status is Status.FAIL
    assert by_name["legacy-app-trail"]["log-file-validation"].status is Status.FAIL
    assert [t.home_region for t in report.trails] == ["us-east-1", "us-east-1", "eu-west-1"]


# ---------------------------------------------------------------- table


def test_table_fits_80_columns_and_escapes_control_characters():
    facts = demo_facts(NOW)
    hostile = copy.deepcopy(facts.trails[1])
    hostile.name = "evil\x1b[31m[bold]name"
    hostile.config["Name"] = hostile.name
    facts.trails.append(hostile)
    text = render_table(evaluate(facts, NOW))
    assert "\x1b" not in text
    assert "evil\\x1b[31m[bold]name" in text
    assert max(len(line) for line in text.splitlines()) <= 80


def _bash_argv(lines: list[str]) -> list[str]:
    script = "\n".join(lines)
    assert script.startswith("    fix: aws ")
    script = "printf '%s\\0' " + script[len("    fix: aws "):]
    out = subprocess.run(["bash", "-c", script], capture_output=True, check=True).stdout.decode()
    return ["aws"] + out.split("\0")[:-1]


def _same_argument(wrapped: str, original: str) -> bool:
    if wrapped == original:
        return True
    try:
        return json.loads(wrapped) == json.loads(original)
    except ValueError:
        return False


def test_wrapped_fixes_paste_back_to_the_same_command():
    report = evaluate(demo_facts(NOW), NOW)
    fixes = [c.fix for t in report.trails for c in t.checks if c.fix] + [c.fix for c in report.account if c.fix]
    assert len(fixes) > 15
    for fix in fixes:
        if "&&" in fix:
            continue
        lines = wrap_command(fix)
        assert max(len(line) for line in lines) <= 80, lines
        argv = _bash_argv(lines)
        expected = shlex.split(fix)
        assert len(argv) == len(expected), (lines, argv)
        assert all(_same_argument(a, b) for a, b in zip(argv, expected, strict=True)), (lines, argv)


def test_shell_words_and_json_pieces():
    assert shell_words("aws s3api x --policy '{\"a\": 1}' --b c") == ["aws", "s3api", "x", "--policy",
                                                                     "'{\"a\": 1}'", "--b", "c"]
    assert json_pieces("'{\"a\":\"x,y\",\"b\":[1,2]}'") == ["'{\"a\":\"x,y\",", "\"b\":[1,", "2]}'"]
    assert json_pieces("'plain'") is None


def test_fix_quotes_hostile_names():
    facts = make_facts(config={"LogFileValidationEnabled": False})
    facts.trails[0].name = "t1; rm -rf ~"
    result = check(facts, "log-file-validation")
    assert shlex.split(result.fix)[4] == "t1; rm -rf ~"
