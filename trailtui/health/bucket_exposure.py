"""Who can reach the trail's bucket: public access and the bucket policy.

A finding that is proven by the facts we have (a public ACL, an open policy)
is reported even when other facts are missing; a clean result is only
reported when nothing needed was missing, so AccessDenied can never pass.
"""

from __future__ import annotations

from typing import Any

from trailtui.health.context import TrailContext, missing_of, unknown
from trailtui.health.facts import BucketFacts, Unavailable
from trailtui.health.fixes import compact_json, s3api_command
from trailtui.health.policy import PolicyError, Statement, parse_policy
from trailtui.health.results import Status, Verdict

PAB_FLAGS = ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")
PUBLIC_GROUPS = ("http://acs.amazonaws.com/groups/global/AllUsers",
                 "http://acs.amazonaws.com/groups/global/AuthenticatedUsers")
CLOUDTRAIL = "cloudtrail.amazonaws.com"
SOURCE_KEYS = {"aws:sourcearn", "aws:sourceaccount"}
DESTRUCTIVE = ("s3:DeleteObject", "s3:DeleteObjectVersion", "s3:PutBucketPolicy", "s3:PutLifecycleConfiguration",
               "s3:PutBucketVersioning", "s3:DeleteBucket")


def bucket_or_verdict(ctx: TrailContext) -> BucketFacts | Verdict:
    """The bucket's facts, or the verdict every bucket check gives without them."""
    name = str(ctx.config.get("S3BucketName") or "")
    if ctx.bucket is None:
        return Verdict(Status.UNKNOWN, f"the bucket {name or '(none)'} was not read")
    if ctx.bucket.missing:
        return Verdict(Status.FAIL, f"the bucket {name} does not exist: CloudTrail cannot deliver")
    return ctx.bucket


def bucket_fact(ctx: TrailContext, field: str) -> tuple[BucketFacts, Any] | Verdict:
    """The bucket and one of its facts (a BucketFacts field), or the verdict a
    check gives without them (no bucket, or the fact could not be read)."""
    bucket = bucket_or_verdict(ctx)
    if isinstance(bucket, Verdict):
        return bucket
    value = getattr(bucket, field)
    return unknown(value) if isinstance(value, Unavailable) else (bucket, value)


def _pab_fix(bucket: str) -> str:
    return s3api_command("put-public-access-block", bucket, "--public-access-block-configuration",
                         compact_json({flag: True for flag in PAB_FLAGS}))


def _public_grants(acl: Any) -> list[str]:
    if not isinstance(acl, dict):
        return []
    found = []
    for grant in acl.get("Grants") or []:
        uri = str((grant.get("Grantee") or {}).get("URI") or "")
        if uri in PUBLIC_GROUPS:
            found.append(f"{grant.get('Permission', '?')} to {uri.rsplit('/', 1)[-1]}")
    return found


def _open_statements(statements: list[Statement]) -> list[Statement]:
    return [s for s in statements if s.allow and s.anyone and not s.restricted()]


def bucket_public_access(ctx: TrailContext) -> Verdict:
    bucket = bucket_or_verdict(ctx)
    if isinstance(bucket, Verdict):
        return bucket
    pab = bucket.public_access_block
    flags = pab if isinstance(pab, dict) else {}
    problems = []
    grants = _public_grants(bucket.acl)
    if grants and flags.get("IgnorePublicAcls") is not True:
        problems.append("the ACL grants " + ", ".join(grants))
    policy_known = isinstance(bucket.policy, str) or bucket.policy is None
    if isinstance(bucket.policy_status, dict) and "IsPublic" in bucket.policy_status:
        policy_known = True
        if bucket.policy_status["IsPublic"] is True and flags.get("RestrictPublicBuckets") is not True:
            problems.append("S3 rates the bucket policy as public")
    if isinstance(bucket.policy, str) and flags.get("RestrictPublicBuckets") is not True:
        try:
            opened = _open_statements(parse_policy(bucket.policy))
        except PolicyError:
            opened = []
        for statement in opened:
            problems.append(f"the bucket policy ({statement.label}) lets anyone {', '.join(statement.actions)}")
    if problems:
        return Verdict(Status.FAIL, "the log bucket is public: " + "; ".join(dict.fromkeys(problems)),
                       _pab_fix(bucket.name))
    missing = missing_of(pab, bucket.acl)
    if not policy_known:
        missing += missing_of(bucket.policy, bucket.policy_status)
    if missing:
        return unknown(*missing)
    off = [flag for flag in PAB_FLAGS if flags.get(flag) is not True]
    if off:
        what = ("no bucket-level Block Public Access" if pab is None
                else f"Block Public Access is off for {', '.join(off)}")
        return Verdict(Status.WARN, f"not public today, but {what} (the account-level setting is not checked): "
                       "one policy or ACL edit could expose the logs", _pab_fix(bucket.name))
    return Verdict(Status.PASS, "Block Public Access is fully on; the policy and ACL grant nothing public")


def recommended_policy(ctx: TrailContext, bucket: str) -> dict[str, Any]:
    """The bucket policy AWS documents for a trail, with this trail's values."""
    partition = ctx.trail.arn.split(":")[1] if ctx.trail.arn.count(":") >= 5 else "aws"
    prefix = str(ctx.config.get("S3KeyPrefix") or "")
    base = f"arn:{partition}:s3:::{bucket}/" + (f"{prefix}/" if prefix else "")
    resources = [f"{base}AWSLogs/{ctx.trail_account}/*"]
    if ctx.config.get("IsOrganizationTrail") is True:
        resources.append(f"{base}AWSLogs/<ORG_ID>/*")
    source = {"aws:SourceArn": ctx.trail.arn}
    return {"Version": "2012-10-17", "Statement": [
        {"Sid": "AWSCloudTrailAclCheck", "Effect": "Allow", "Principal": {"Service": CLOUDTRAIL},
         "Action": "s3:GetBucketAcl", "Resource": f"arn:{partition}:s3:::{bucket}",
         "Condition": {"StringEquals": source}},
        {"Sid": "AWSCloudTrailWrite", "Effect": "Allow", "Principal": {"Service": CLOUDTRAIL},
         "Action": "s3:PutObject", "Resource": resources if len(resources) > 1 else resources[0],
         "Condition": {"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control", **source}}},
    ]}


def _log_object(ctx: TrailContext, bucket: str) -> tuple[str, str]:
    """A log object ARN this trail writes, and the bucket-wide pattern base."""
    partition = ctx.trail.arn.split(":")[1] if ctx.trail.arn.count(":") >= 5 else "aws"
    prefix = str(ctx.config.get("S3KeyPrefix") or "")
    base = f"arn:{partition}:s3:::{bucket}/" + (f"{prefix}/" if prefix else "")
    account = ctx.trail_account or "000000000000"
    return f"{base}AWSLogs/{account}/CloudTrail/{ctx.region}/2000/01/01/log.json.gz", base


def _writes_logs(statement: Statement, target: str, base: str, org: bool) -> bool:
    if not statement.grants("s3:PutObject"):
        return False
    if statement.covers(target):
        return True
    return org and any(r.startswith(f"{base}AWSLogs/o-") for r in statement.resources)


def bucket_policy(ctx: TrailContext) -> Verdict:
    found = bucket_fact(ctx, "policy")
    if isinstance(found, Verdict):
        return found
    bucket, policy = found
    if policy is None:
        return Verdict(Status.FAIL, "the bucket has no policy: CloudTrail is not allowed to write to it",
                       s3api_command("put-bucket-policy", bucket.name, "--policy",
                                     compact_json(recommended_policy(ctx, bucket.name))))
    fix = s3api_command("put-bucket-policy", bucket.name, "--policy", "file://bucket-policy.json")
    try:
        statements = parse_policy(policy)
    except PolicyError as exc:
        return Verdict(Status.UNKNOWN, f"the bucket policy cannot be read: {exc}")
    allows = [s for s in statements if s.allow]
    service = [s for s in allows if s.for_service(CLOUDTRAIL)]
    target, base = _log_object(ctx, bucket.name)
    org = ctx.config.get("IsOrganizationTrail") is True
    writers = [s for s in service if _writes_logs(s, target, base, org)]
    acl_readers = [s for s in service if s.grants("s3:GetBucketAcl")]
    fails, warns = [], []
    if not writers:
        fails.append(f"CloudTrail may not s3:PutObject under {base.split(':::', 1)[-1]}AWSLogs/")
    if not acl_readers:
        fails.append("CloudTrail may not s3:GetBucketAcl")
    for statement in _open_statements(allows):
        fails.append(f"{statement.label} lets anyone {', '.join(statement.actions)}")
    for statement in allows:
        if statement.services or statement.anyone:
            continue
        risky = [a for a in DESTRUCTIVE if statement.grants(a)]
        if risky and not statement.conditions:
            warns.append(f"{statement.label} lets {', '.join(statement.aws)} {', '.join(risky)} with no condition")
    if writers and not any("s3:x-amz-acl" in s.condition_keys() for s in writers):
        warns.append("the PutObject statement does not require s3:x-amz-acl bucket-owner-full-control")
    if (writers or acl_readers) and not all(s.condition_keys() & SOURCE_KEYS for s in writers + acl_readers):
        warns.append("the CloudTrail statements lack aws:SourceArn/aws:SourceAccount conditions (confused "
                     "deputy: other accounts' trails could write here)")
    if writers and all(any(r.rstrip("*") == base or r == f"{base}*" for r in s.resources) for s in writers):
        warns.append("PutObject is allowed on the whole bucket, not only under AWSLogs/")
    if fails:
        return Verdict(Status.FAIL, "; ".join(fails + warns), fix)
    if warns:
        return Verdict(Status.WARN, "; ".join(warns), fix)
    return Verdict(Status.PASS, "CloudTrail may write its logs (with bucket-owner-full-control and a source "
                   "condition); nothing broad is granted")
