"""How long and how safely the bucket keeps the logs: versioning, MFA Delete,
Object Lock, lifecycle, access logging, replication."""

from __future__ import annotations

from typing import Any

from trailtui.health.bucket_exposure import bucket_fact
from trailtui.health.context import TrailContext
from trailtui.health.fixes import compact_json, s3api_command
from trailtui.health.results import Status, Verdict

MIN_RETENTION_DAYS = 365
ARCHIVE_CLASSES = ("GLACIER", "DEEP_ARCHIVE", "GLACIER_IR")


def bucket_versioning(ctx: TrailContext) -> Verdict:
    found = bucket_fact(ctx, "versioning")
    if isinstance(found, Verdict):
        return found
    bucket, versioning = found
    state = versioning.get("Status") if isinstance(versioning, dict) else None
    if state == "Enabled":
        return Verdict(Status.PASS, "versioning is on: overwritten or deleted log files can be recovered")
    words = "suspended" if state == "Suspended" else "off"
    return Verdict(Status.FAIL, f"versioning is {words}: a deleted or overwritten log file is gone for good",
                   s3api_command("put-bucket-versioning", bucket.name, "--versioning-configuration",
                                 "Status=Enabled"))


def bucket_mfa_delete(ctx: TrailContext) -> Verdict:
    found = bucket_fact(ctx, "versioning")
    if isinstance(found, Verdict):
        return found
    bucket, versioning = found
    versioning = versioning if isinstance(versioning, dict) else {}
    if versioning.get("MFADelete") == "Enabled":
        return Verdict(Status.PASS, "MFA Delete is on: removing versions needs the root user's MFA code")
    account = ctx.trail_account or "<ACCOUNT_ID>"
    return Verdict(Status.WARN, "MFA Delete is off: stolen credentials with delete rights can erase log "
                   "versions (only the root user can turn it on)",
                   s3api_command("put-bucket-versioning", bucket.name, "--versioning-configuration",
                                 "Status=Enabled,MFADelete=Enabled", "--mfa",
                                 f"arn:aws:iam::{account}:mfa/root-account-mfa-device <MFA_CODE>"))


def bucket_object_lock(ctx: TrailContext) -> Verdict:
    found = bucket_fact(ctx, "object_lock")
    if isinstance(found, Verdict):
        return found
    bucket, lock = found
    if isinstance(lock, dict) and lock.get("ObjectLockEnabled") == "Enabled":
        retention = ((lock.get("Rule") or {}).get("DefaultRetention") or {})
        if retention:
            span = f"{retention['Days']} days" if retention.get("Days") else f"{retention.get('Years')} years"
            return Verdict(Status.INFO, f"Object Lock on: {retention.get('Mode', '?')} retention for {span}")
        return Verdict(Status.INFO, "Object Lock on, with no default retention")
    return Verdict(Status.INFO, "Object Lock off: log versions can be deleted by anyone allowed to",
                   s3api_command("put-object-lock-configuration", bucket.name, "--object-lock-configuration",
                                 compact_json({"ObjectLockEnabled": "Enabled", "Rule": {"DefaultRetention": {
                                     "Mode": "GOVERNANCE", "Days": MIN_RETENTION_DAYS}}})))


def _log_prefix(ctx: TrailContext) -> str:
    prefix = str(ctx.config.get("S3KeyPrefix") or "")
    return (f"{prefix}/" if prefix else "") + "AWSLogs/"


def _covers_logs(rule: dict[str, Any], log_prefix: str) -> bool:
    """Does a lifecycle rule apply to CloudTrail's objects (which carry no tags)?"""
    if rule.get("Status") != "Enabled":
        return False
    flt = rule.get("Filter")
    if flt is None:
        prefix = rule.get("Prefix", "")
    elif "Tag" in flt or ("And" in flt and (flt["And"] or {}).get("Tags")):
        return False
    else:
        prefix = flt.get("Prefix", (flt.get("And") or {}).get("Prefix", ""))
    return log_prefix.startswith(str(prefix or ""))


def _lifecycle_fix(ctx: TrailContext, bucket: str, existing: bool) -> str:
    if existing:
        return s3api_command("put-bucket-lifecycle-configuration", bucket, "--lifecycle-configuration",
                             "file://lifecycle.json")
    rule = {"ID": "cloudtrail-archive", "Status": "Enabled", "Filter": {"Prefix": _log_prefix(ctx)},
            "Transitions": [{"Days": 90, "StorageClass": "GLACIER"}, {"Days": 180, "StorageClass": "DEEP_ARCHIVE"}],
            "Expiration": {"Days": 2555}, "NoncurrentVersionExpiration": {"NoncurrentDays": 365}}
    return s3api_command("put-bucket-lifecycle-configuration", bucket, "--lifecycle-configuration",
                         compact_json({"Rules": [rule]}))


def bucket_lifecycle(ctx: TrailContext) -> Verdict:
    found = bucket_fact(ctx, "lifecycle")
    if isinstance(found, Verdict):
        return found
    bucket, rules = found
    if not rules:
        return Verdict(Status.WARN, "no lifecycle rules: logs stay in S3 Standard forever, never archived",
                       _lifecycle_fix(ctx, bucket.name, existing=False))
    covering = [r for r in rules if isinstance(r, dict) and _covers_logs(r, _log_prefix(ctx))]
    fix = _lifecycle_fix(ctx, bucket.name, existing=True)
    if not covering:
        return Verdict(Status.WARN, f"no enabled lifecycle rule covers {_log_prefix(ctx)}: logs are never "
                       "archived", fix)
    archive = sorted({(t.get("Days", 0), str(t.get("StorageClass"))) for r in covering
                      for t in r.get("Transitions") or [] if t.get("StorageClass") in ARCHIVE_CLASSES})
    expiries = [int(r["Expiration"]["Days"]) for r in covering
                if isinstance(r.get("Expiration"), dict) and r["Expiration"].get("Days")]
    moved = ", ".join(f"{cls} after {days} days" for days, cls in archive)
    kept = f"deleted after {min(expiries)} days" if expiries else "kept indefinitely"
    if expiries and min(expiries) < MIN_RETENTION_DAYS:
        return Verdict(Status.WARN, f"logs are {kept} (under {MIN_RETENTION_DAYS}): an intrusion found later "
                       "may have no logs left", fix)
    if not archive:
        return Verdict(Status.WARN, f"logs are {kept} but never moved to Glacier or Deep Archive", fix)
    return Verdict(Status.PASS, f"logs move to {moved}; {kept}")


def bucket_access_logging(ctx: TrailContext) -> Verdict:
    found = bucket_fact(ctx, "logging")
    if isinstance(found, Verdict):
        return found
    bucket, logging = found
    fix = s3api_command("put-bucket-logging", bucket.name, "--bucket-logging-status",
                        compact_json({"LoggingEnabled": {"TargetBucket": "<ACCESS_LOG_BUCKET>",
                                                         "TargetPrefix": f"{bucket.name}/"}}))
    if not isinstance(logging, dict) or not logging.get("TargetBucket"):
        return Verdict(Status.WARN, "server access logging is off: reads and deletes of the log files "
                       "themselves are not recorded", fix)
    target = str(logging["TargetBucket"])
    if target == bucket.name:
        return Verdict(Status.WARN, "access logs are written into the log bucket itself: use another bucket",
                       fix)
    return Verdict(Status.PASS, f"access logs go to {target}/{logging.get('TargetPrefix', '')}")


def bucket_replication(ctx: TrailContext) -> Verdict:
    found = bucket_fact(ctx, "replication")
    if isinstance(found, Verdict):
        return found
    bucket, config = found
    rules = (config or {}).get("Rules") or [] if isinstance(config, dict) else []
    enabled = [r for r in rules if isinstance(r, dict) and r.get("Status") == "Enabled"]
    if not enabled:
        words = "replication rules exist but are disabled" if rules else "not replicated"
        return Verdict(Status.INFO, f"{words}: this bucket holds the only copy of the logs")
    targets = []
    for rule in enabled:
        dest = rule.get("Destination") or {}
        where = str(dest.get("Bucket", "?")).split(":::")[-1]
        extra = ", ".join(x for x in (dest.get("StorageClass"), f"account {dest['Account']}"
                                      if dest.get("Account") else None) if x)
        targets.append(f"{where} ({extra})" if extra else where)
    return Verdict(Status.INFO, "replicated to " + ", ".join(targets))
