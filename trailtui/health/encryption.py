"""The trail's KMS key: is it there, usable, rotated, and does its policy let
CloudTrail encrypt while keeping decrypt to named readers?

GetKeyPolicy cannot be called on another account's key, so for a central
log-archive key the policy check is UNKNOWN from a member account by design.
"""

from __future__ import annotations

from trailtui.health.context import TrailContext, unknown
from trailtui.health.facts import KeyFacts, Unavailable
from trailtui.health.fixes import kms_command, trail_command
from trailtui.health.policy import PolicyError, parse_policy
from trailtui.health.results import Status, Verdict

CLOUDTRAIL = "cloudtrail.amazonaws.com"
CONFUSED_DEPUTY_KEYS = {"aws:sourcearn", "aws:sourceaccount", "kms:encryptioncontext:aws:cloudtrail:arn"}


def key_id(key: KeyFacts) -> str:
    """The short key id (what `aws kms ... --key-id` wants with `--region`)."""
    if isinstance(key.metadata, dict) and key.metadata.get("KeyId"):
        return str(key.metadata["KeyId"])
    return key.key_id.rsplit("key/", 1)[-1] if "key/" in key.key_id else key.key_id


def key_account(key: KeyFacts) -> str:
    parts = key.key_id.split(":")
    return parts[4] if len(parts) > 5 else ""


def kms_encryption(ctx: TrailContext) -> Verdict:
    configured = str(ctx.config.get("KmsKeyId") or "")
    if not configured:
        return Verdict(Status.FAIL, "logs use SSE-S3 only: anyone who may read the bucket reads the logs; a "
                       "customer managed KMS key adds a separate decrypt permission and its own audit trail",
                       trail_command("update-trail", ctx.name, ctx.region, "--kms-key-id", "<KMS_KEY_ARN>"))
    key = ctx.key
    metadata = key.metadata if key is not None else None
    if key is None or isinstance(metadata, Unavailable):
        need = f" (key state not checked: needs {metadata.action})" if isinstance(metadata, Unavailable) else ""
        return Verdict(Status.PASS, f"SSE-KMS with key {configured}{need}")
    if metadata is None:
        return Verdict(Status.FAIL, f"the key {configured} does not exist: CloudTrail cannot deliver logs",
                       trail_command("update-trail", ctx.name, ctx.region, "--kms-key-id", "<KMS_KEY_ARN>"))
    state = str(metadata.get("KeyState") or ("Enabled" if metadata.get("Enabled") else "unknown"))
    if state != "Enabled":
        verb = "cancel-key-deletion" if state == "PendingDeletion" else "enable-key"
        when = f" (deletion on {metadata.get('DeletionDate')})" if metadata.get("DeletionDate") else ""
        return Verdict(Status.FAIL, f"the key {configured} is {state}{when}: CloudTrail cannot encrypt, so "
                       "delivery fails", kms_command(verb, key_id(key), key.region))
    if metadata.get("KeyManager") == "AWS":
        return Verdict(Status.WARN, f"key {configured} is AWS managed: its policy cannot be tightened")
    return Verdict(Status.PASS, f"SSE-KMS with customer managed key {configured}")


def kms_rotation(ctx: TrailContext) -> Verdict:
    key = ctx.key
    if key is None:
        return Verdict(Status.INFO, "no KMS key to rotate (see kms-encryption)")
    if isinstance(key.rotation, Unavailable):
        return unknown(key.rotation)
    metadata = key.metadata if isinstance(key.metadata, dict) else {}
    if key.rotation is None or metadata.get("KeySpec", "SYMMETRIC_DEFAULT") != "SYMMETRIC_DEFAULT" \
            or metadata.get("Origin", "AWS_KMS") != "AWS_KMS":
        return Verdict(Status.INFO, "automatic rotation is not available for this key type")
    if not isinstance(key.rotation, dict):
        return Verdict(Status.UNKNOWN, "the key's rotation status was not read")
    if key.rotation.get("KeyRotationEnabled") is True:
        period = key.rotation.get("RotationPeriodInDays")
        nxt = key.rotation.get("NextRotationDate")
        extra = (f" every {period} days" if period else "") + (f", next {str(nxt)[:10]}" if nxt else "")
        return Verdict(Status.PASS, f"automatic key rotation is on{extra}")
    return Verdict(Status.FAIL, "automatic key rotation is off: the same key material encrypts every log",
                   kms_command("enable-key-rotation", key_id(key), key.region))


def kms_key_policy(ctx: TrailContext) -> Verdict:
    key = ctx.key
    if key is None:
        return Verdict(Status.INFO, "no KMS key (see kms-encryption)")
    fix = kms_command("put-key-policy", key_id(key), key.region, "--policy-name", "default", "--policy",
                      "file://key-policy.json")
    if isinstance(key.policy, Unavailable):
        verdict = unknown(key.policy)
        owner = key_account(key)
        if owner and ctx.caller_account and owner != ctx.caller_account:
            return Verdict(Status.UNKNOWN, verdict.reason + f"; the key belongs to account {owner}, and "
                           "GetKeyPolicy only works from the key's own account")
        return verdict
    try:
        statements = parse_policy(key.policy)
    except PolicyError as exc:
        return Verdict(Status.UNKNOWN, f"the key policy cannot be read: {exc}")
    allows = [s for s in statements if s.allow]
    writers = [s for s in allows if s.for_service(CLOUDTRAIL) and s.grants("kms:GenerateDataKey")]
    if not writers:
        return Verdict(Status.FAIL, "the key policy does not let cloudtrail.amazonaws.com "
                       "kms:GenerateDataKey*: CloudTrail cannot encrypt, so delivery fails", fix)
    problems: list[str] = []
    status = Status.PASS
    open_decrypt = [s for s in allows if s.anyone and s.grants("kms:Decrypt")]
    if any(not s.restricted() for s in open_decrypt):
        status = Status.FAIL
        problems.append("any AWS principal anywhere may kms:Decrypt (Principal \"*\" with no condition)")
    elif open_decrypt:
        status = Status.WARN
        accounts = sorted({v for s in open_decrypt for v in s.condition_values("kms:CallerAccount")})
        scope = f"account {', '.join(accounts)}" if accounts else "the conditioned callers"
        problems.append(f"every principal in {scope} whose IAM policy allows it may kms:Decrypt: name the "
                        "log readers instead of \"*\"")
    if not any(s.condition_keys() & CONFUSED_DEPUTY_KEYS for s in writers):
        status = Status.WARN if status is Status.PASS else status
        problems.append("the CloudTrail statement has no aws:SourceArn or encryption-context condition, so "
                        "any trail in any account could use this key")
    if problems:
        return Verdict(status, "; ".join(problems), fix)
    readers = sorted({p for s in allows if s.grants("kms:Decrypt") and not s.services for p in s.aws})
    named = f"; decrypt limited to {', '.join(readers)}" if readers else "; no principal may decrypt"
    return Verdict(Status.PASS, f"CloudTrail may encrypt (with a source condition){named}")
