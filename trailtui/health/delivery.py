"""Is the trail actually delivering?  `IsLogging` stays true while the bucket
policy, the KMS key or the bucket itself is broken; only GetTrailStatus's
delivery times and errors show that, so these checks read nothing else.

Thresholds: CloudTrail delivers about every 5 minutes,
so a last delivery over 30 minutes ago is a warning and over 24 hours a
failure.  Digest files come hourly even when nothing happened, which makes
them the best liveness signal: over 2 hours is a warning, over 25 a failure.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from trailtui.health.context import TrailContext, age_text, parse_time, read_dict
from trailtui.health.fixes import command, s3api_command, trail_command
from trailtui.health.results import Status, Verdict

LAG_WARN = timedelta(minutes=30)
LAG_FAIL = timedelta(hours=24)
DIGEST_WARN = timedelta(hours=2)
DIGEST_FAIL = timedelta(hours=25)
CWL_WARN = timedelta(hours=1)
CWL_FAIL = timedelta(hours=24)
FIRST_DELIVERY_GRACE = timedelta(hours=1)


def _status(ctx: TrailContext, expected: str | None = None) -> dict[str, Any] | Verdict:
    """The trail's status, or the verdict without it; with `expected` (what
    delivery the check watches), INFO when the trail is not logging."""
    status = read_dict(ctx.trail.status, "the trail's status was not read")
    if expected and isinstance(status, dict) and status.get("IsLogging") is False:
        return Verdict(Status.INFO, f"the trail is not logging, so no {expected} are expected (see logging)")
    return status


def _freshness(ctx: TrailContext, status: dict[str, Any], field: str, what: str,
               warn: timedelta, fail: timedelta, fix: str | None = None) -> Verdict:
    """PASS/WARN/FAIL from the age of a `Latest...Time` field."""
    latest = parse_time(status.get(field))
    if latest is None:
        started = parse_time(status.get("StartLoggingTime"))
        if started is not None and ctx.now - started > fail:
            return Verdict(Status.FAIL, f"no {what} ever delivered, though logging started "
                           f"{age_text((ctx.now - started).total_seconds())} ago", fix)
        return Verdict(Status.WARN, f"no {what} delivered yet ({field} is empty)", fix)
    age = ctx.now - latest
    text = age_text(age.total_seconds())
    if age > fail:
        return Verdict(Status.FAIL, f"last {what} delivered {text} ago (over {age_text(fail.total_seconds())}):"
                       " delivery has stopped", fix)
    if age > warn:
        return Verdict(Status.WARN, f"last {what} delivered {text} ago (over {age_text(warn.total_seconds())}):"
                       " delivery is late or the trail saw no activity", fix)
    return Verdict(Status.PASS, f"last {what} delivered {text} ago")


def delivery_lag(ctx: TrailContext) -> Verdict:
    status = _status(ctx, "deliveries")
    if isinstance(status, Verdict):
        return status
    if "LatestDeliveryTime" not in status:
        started = parse_time(status.get("StartLoggingTime"))
        if started is not None and ctx.now - started < FIRST_DELIVERY_GRACE:
            return Verdict(Status.PASS, "logging started "
                           f"{age_text((ctx.now - started).total_seconds())} ago; first delivery pending")
    return _freshness(ctx, status, "LatestDeliveryTime", "log file", LAG_WARN, LAG_FAIL)


def _delivery_hint(error: str) -> str:
    code = error.lower()
    if "nosuchbucket" in code:
        return "the bucket no longer exists"
    if "kms" in code:
        return "the KMS key is disabled, scheduled for deletion, or its policy denies CloudTrail"
    return ("this usually means the bucket policy no longer lets cloudtrail.amazonaws.com s3:PutObject, or the "
            "KMS key policy or state stops CloudTrail from encrypting")


def delivery_errors(ctx: TrailContext) -> Verdict:
    status = _status(ctx)
    if isinstance(status, Verdict):
        return status
    error = str(status.get("LatestDeliveryError") or "")
    if not error:
        return Verdict(Status.PASS, "no S3 delivery error reported")
    bucket = str(ctx.config.get("S3BucketName") or "")
    fix = s3api_command("get-bucket-policy", bucket) if bucket else None
    if "nosuchbucket" in error.lower() and bucket:
        fix = trail_command("update-trail", ctx.name, ctx.region, "--s3-bucket-name", "<NEW_BUCKET>")
    return Verdict(Status.FAIL, f"S3 delivery is failing with {error!r}: {_delivery_hint(error)} (see "
                   "bucket-policy and kms-key-policy); CloudTrail retries for 30 days", fix)


def digest_delivery(ctx: TrailContext) -> Verdict:
    if not ctx.is_validated:
        return Verdict(Status.INFO, "log file validation is off, so no digest files are delivered "
                       "(see log-file-validation)")
    status = _status(ctx, "digest files")
    if isinstance(status, Verdict):
        return status
    error = str(status.get("LatestDigestDeliveryError") or "")
    if error:
        return Verdict(Status.FAIL, f"digest delivery is failing with {error!r}: {_delivery_hint(error)}")
    return _freshness(ctx, status, "LatestDigestDeliveryTime", "digest file", DIGEST_WARN, DIGEST_FAIL)


def notification_errors(ctx: TrailContext) -> Verdict:
    topic = str(ctx.config.get("SnsTopicARN") or "")
    if not topic:
        return Verdict(Status.INFO, "no SNS topic: nothing is notified when log files arrive")
    status = _status(ctx)
    if isinstance(status, Verdict):
        return status
    error = str(status.get("LatestNotificationError") or "")
    if error:
        return Verdict(Status.WARN, f"SNS notifications fail with {error!r}: the topic policy must allow "
                       "cloudtrail.amazonaws.com SNS:Publish (log delivery itself is unaffected)",
                       command("aws", "sns", "get-topic-attributes", "--topic-arn", topic))
    return Verdict(Status.PASS, f"notifications go to {topic} without errors")


def cloudwatch_logs(ctx: TrailContext) -> Verdict:
    group_arn = str(ctx.config.get("CloudWatchLogsLogGroupArn") or "")
    if not group_arn:
        return Verdict(Status.WARN, "not sent to CloudWatch Logs: no metric filters or alarms can watch this "
                       "trail", trail_command("update-trail", ctx.name, ctx.region,
                                              "--cloud-watch-logs-log-group-arn", "<LOG_GROUP_ARN>",
                                              "--cloud-watch-logs-role-arn", "<ROLE_ARN>"))
    group = ctx.log_group.group if ctx.log_group is not None else None
    if ctx.log_group is not None and group is None:
        return Verdict(Status.FAIL, f"the log group {group_arn} does not exist")
    status = _status(ctx, "CloudWatch Logs deliveries")
    if isinstance(status, Verdict):
        return status
    error = str(status.get("LatestCloudWatchLogsDeliveryError") or "")
    if error:
        return Verdict(Status.FAIL, f"delivery to CloudWatch Logs is failing with {error!r}: the role needs "
                       "logs:CreateLogStream and logs:PutLogEvents on the log group")
    return _freshness(ctx, status, "LatestCloudWatchLogsDeliveryTime", "CloudWatch Logs batch", CWL_WARN,
                      CWL_FAIL)
