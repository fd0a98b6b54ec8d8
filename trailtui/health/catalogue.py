"""The check catalogue: every check id, its title, and the function behind it,
in the order they are shown.  Ids are an interface (JSON, scripts, docs).

`evaluate(facts, now)` is pure: same facts and time, same report.  A check that
raises (a bug, or a hand-edited facts file) becomes UNKNOWN rather than taking
the whole report down.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from trailtui.health import account, bucket_exposure, bucket_retention, delivery, encryption, selectors, trail_checks
from trailtui.health.context import TrailContext
from trailtui.health.facts import AccountFacts
from trailtui.health.results import CheckResult, HealthReport, Status, TrailReport, Verdict


@dataclass(frozen=True, slots=True)
class TrailCheck:
    id: str
    title: str
    run: Callable[[TrailContext], Verdict]

    def evaluate(self, ctx: TrailContext) -> CheckResult:
        try:
            verdict = self.run(ctx)
        except Exception as exc:  # noqa: BLE001 - one bad fact must not hide every other result
            verdict = Verdict(Status.UNKNOWN, f"check could not run on these facts ({type(exc).__name__}: {exc})")
        return CheckResult(self.id, self.title, verdict.status, verdict.reason, verdict.fix)


TRAIL_CHECKS: tuple[TrailCheck, ...] = (
    TrailCheck("logging", "Trail is logging", trail_checks.logging),
    TrailCheck("multi-region", "Trail records every region", trail_checks.multi_region),
    TrailCheck("organization-trail", "Organisation trail", trail_checks.organization_trail),
    TrailCheck("management-events", "Management events, read and write", selectors.management_events),
    TrailCheck("data-events", "Data events", selectors.data_events),
    TrailCheck("insights", "CloudTrail Insights", selectors.insights),
    TrailCheck("log-file-validation", "Log file validation", trail_checks.log_file_validation),
    TrailCheck("kms-encryption", "Encrypted with a customer managed KMS key", encryption.kms_encryption),
    TrailCheck("kms-rotation", "KMS key rotation", encryption.kms_rotation),
    TrailCheck("kms-key-policy", "KMS key policy: CloudTrail encrypts, named readers decrypt",
               encryption.kms_key_policy),
    TrailCheck("delivery-lag", "Log files delivered recently", delivery.delivery_lag),
    TrailCheck("delivery-errors", "No S3 delivery errors", delivery.delivery_errors),
    TrailCheck("digest-delivery", "Digest files delivered recently", delivery.digest_delivery),
    TrailCheck("notification-errors", "No SNS notification errors", delivery.notification_errors),
    TrailCheck("cloudwatch-logs", "Delivered to CloudWatch Logs", delivery.cloudwatch_logs),
    TrailCheck("bucket-public-access", "Log bucket not public", bucket_exposure.bucket_public_access),
    TrailCheck("bucket-policy", "Bucket policy: CloudTrail writes, nothing broad", bucket_exposure.bucket_policy),
    TrailCheck("bucket-versioning", "Bucket versioning", bucket_retention.bucket_versioning),
    TrailCheck("bucket-mfa-delete", "Bucket MFA Delete", bucket_retention.bucket_mfa_delete),
    TrailCheck("bucket-object-lock", "Bucket Object Lock", bucket_retention.bucket_object_lock),
    TrailCheck("bucket-lifecycle", "Bucket lifecycle: archive and retention", bucket_retention.bucket_lifecycle),
    TrailCheck("bucket-access-logging", "Bucket server access logging", bucket_retention.bucket_access_logging),
    TrailCheck("bucket-replication", "Bucket replication", bucket_retention.bucket_replication),
)

ACCOUNT_CHECK_IDS = (account.ID,)
CHECK_IDS = tuple(c.id for c in TRAIL_CHECKS) + ACCOUNT_CHECK_IDS


def _account_results(facts: AccountFacts) -> tuple[CheckResult, ...]:
    try:
        verdict = account.account_multi_region_trail(facts)
    except Exception as exc:  # noqa: BLE001
        verdict = Verdict(Status.UNKNOWN, f"check could not run on these facts ({type(exc).__name__}: {exc})")
    return (CheckResult(account.ID, account.TITLE, verdict.status, verdict.reason, verdict.fix),)


def evaluate(facts: AccountFacts, now: datetime) -> HealthReport:
    """Every check on every trail, plus the account checks, as of `now` (aware)."""
    caller = facts.caller_account if isinstance(facts.caller_account, str) else None
    reports = []
    for trail in facts.trail_list():
        ctx = TrailContext(trail, facts.bucket_for(trail), facts.key_for(trail), facts.log_group_for(trail),
                           caller, now)
        checks = tuple(check.evaluate(ctx) for check in TRAIL_CHECKS)
        reports.append(TrailReport(trail.name, trail.arn, trail.home_region, checks))
    return HealthReport(tuple(reports), _account_results(facts))
