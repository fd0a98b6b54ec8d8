"""The things the demo organisation owns: buckets, instances, functions, secrets.

Actions draw their request parameters from these pools so that the same bucket,
instance or secret recurs across days, the way real activity does (pivots and
group-bys in the console then find something).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from trailtui.demo.spec import DEV, MANAGEMENT, PROD


@dataclass(frozen=True, slots=True)
class AccountResources:
    """Named resources of one account (region-independent names; ARNs add the region)."""

    buckets: tuple[str, ...]
    data_buckets: tuple[str, ...]          # buckets whose object access the trail records
    object_keys: tuple[str, ...]
    instances: tuple[str, ...]
    functions: tuple[str, ...]
    secrets: tuple[str, ...]
    parameters: tuple[str, ...]
    tables: tuple[str, ...]
    stacks: tuple[str, ...]
    roles: tuple[str, ...]
    users: tuple[str, ...]
    log_groups: tuple[str, ...]
    repositories: tuple[str, ...]
    clusters: tuple[str, ...]
    kms_keys: tuple[str, ...]
    vpc: str
    subnets: tuple[str, ...]
    security_groups: tuple[str, ...]


def _hex(*parts: object, length: int) -> str:
    return hashlib.sha256(":".join(str(p) for p in parts).encode()).hexdigest()[:length]


def _hex_ids(prefix: str, account: str, kind: str, count: int, length: int = 17) -> tuple[str, ...]:
    return tuple(prefix + _hex(kind, account, i, length=length) for i in range(count))


def _key_ids(account: str, count: int) -> tuple[str, ...]:
    out = []
    for i in range(count):
        h = _hex("kms", account, i, length=32)
        out.append(f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:32]}")
    return tuple(out)


_OBJECT_KEYS = (
    "orders/2026/11/orders-000{}.parquet", "reports/daily/summary-{}.csv", "exports/customers/batch-{}.json.gz",
    "artifacts/orders-api/build-{}.zip", "backups/pg/orders-{}.dump.gz", "images/catalog/sku-{}.jpg",
)


def _object_keys() -> tuple[str, ...]:
    return tuple(pattern.format(i) for pattern in _OBJECT_KEYS for i in range(1, 7))


RESOURCES: dict[str, AccountResources] = {
    PROD.id: AccountResources(
        buckets=("acme-prod-orders-data", "acme-prod-reports", "acme-prod-customer-exports", "acme-prod-artifacts",
                 "acme-prod-backups", "acme-prod-static-site"),
        data_buckets=("acme-prod-orders-data", "acme-prod-reports", "acme-prod-customer-exports",
                      "acme-prod-artifacts", "acme-prod-backups"),
        object_keys=_object_keys(),
        instances=_hex_ids("i-0", PROD.id, "instance", 14, 16),
        functions=("orders-processor", "orders-api-authorizer", "invoice-renderer", "nightly-reconcile",
                   "s3-thumbnailer"),
        secrets=("prod/orders-api/db", "prod/orders-api/stripe", "prod/reporting/warehouse", "prod/payments/hsm-pin",
                 "prod/github/deploy-token", "prod/sendgrid/api-key", "prod/datadog/api-key"),
        parameters=("/prod/orders-api/feature-flags", "/prod/orders-api/db-host", "/prod/orders-api/log-level",
                    "/prod/reporting/schedule", "/prod/shared/vpc-id"),
        tables=("orders", "order-events", "sessions", "idempotency-keys"),
        stacks=("orders-api-prod", "reporting-prod", "network-prod", "observability-prod"),
        roles=("orders-api-ec2-role", "orders-processor-role", "github-actions-deploy", "reporting-athena-role",
               "ops-automation-role", "AWSReservedSSO_ReadOnlyAccess_5f2a9c1e7b3d4a60",
               "AWSReservedSSO_PowerUserAccess_8c41d2e07a9b3f15", "OrganizationAccountAccessRole"),
        users=("svc-reporting", "legacy-backup", "deploy-bot", "backup-admin", "break-glass-admin"),
        log_groups=("/aws/lambda/orders-processor", "/aws/lambda/invoice-renderer", "/ecs/orders-api",
                    "/aws/rds/cluster/orders-db/postgresql", "/vpc/flow-logs/prod"),
        repositories=("orders-api", "invoice-renderer", "nightly-reconcile"),
        clusters=("orders-prod",),
        kms_keys=_key_ids(PROD.id, 4),
        vpc="vpc-0c3f8a91d2e4b5607",
        subnets=_hex_ids("subnet-0", PROD.id, "subnet", 4, 16),
        security_groups=_hex_ids("sg-0", PROD.id, "sg", 4, 16),
    ),
    DEV.id: AccountResources(
        buckets=("acme-dev-scratch", "acme-dev-artifacts", "acme-dev-terraform-state", "acme-dev-ml-datasets"),
        data_buckets=("acme-dev-scratch", "acme-dev-artifacts", "acme-dev-ml-datasets"),
        object_keys=_object_keys(),
        instances=_hex_ids("i-0", DEV.id, "instance", 9, 16),
        functions=("orders-processor-dev", "feature-preview", "slack-notifier"),
        secrets=("dev/orders-api/db", "dev/slack/webhook", "dev/stripe/test-key"),
        parameters=("/dev/orders-api/feature-flags", "/dev/orders-api/db-host", "/dev/shared/vpc-id"),
        tables=("orders-dev", "experiments"),
        stacks=("orders-api-dev", "sandbox-dana", "sandbox-omar", "network-dev"),
        roles=("okta-developers", "okta-data-science", "orders-processor-dev-role", "terraform-dev",
               "eks-node-role", "karpenter-controller"),
        users=("terraform-ci", "contractor-jsmith", "qa-automation"),
        log_groups=("/aws/lambda/orders-processor-dev", "/aws/lambda/feature-preview", "/aws/eks/dev/cluster"),
        repositories=("orders-api", "feature-preview"),
        clusters=("dev",),
        kms_keys=_key_ids(DEV.id, 2),
        vpc="vpc-07d1e2a9c4b38f561",
        subnets=_hex_ids("subnet-0", DEV.id, "subnet", 3, 16),
        security_groups=_hex_ids("sg-0", DEV.id, "sg", 3, 16),
    ),
    MANAGEMENT.id: AccountResources(
        buckets=("acme-org-cloudtrail-logs", "acme-mgmt-billing-reports", "acme-mgmt-config-snapshots"),
        data_buckets=("acme-mgmt-billing-reports",),
        object_keys=("cur/acme-cur/20261101-20261201/acme-cur-Manifest.json", "cur/acme-cur/data/part-0001.csv.gz",
                     "config/ConfigSnapshot-latest.json.gz"),
        instances=(),
        functions=("org-guardrails", "account-vending"),
        secrets=("mgmt/scim/okta-token",),
        parameters=("/org/accounts/prod", "/org/accounts/dev"),
        tables=("account-inventory",),
        stacks=("org-baseline", "security-tooling", "StackSet-guardrails-7f1e0c"),
        roles=("AWSReservedSSO_AdministratorAccess_2b9e61f04c7a3d58", "SecurityAudit-Scanner",
               "AWSServiceRoleForConfig", "OrganizationAccountAccessRole"),
        users=("billing-export", "break-glass-admin"),
        log_groups=("/aws/lambda/org-guardrails", "/aws/lambda/account-vending"),
        repositories=(),
        clusters=(),
        kms_keys=_key_ids(MANAGEMENT.id, 2),
        vpc="vpc-0a91b3c5d7e9f1234",
        subnets=_hex_ids("subnet-0", MANAGEMENT.id, "subnet", 2, 16),
        security_groups=_hex_ids("sg-0", MANAGEMENT.id, "sg", 2, 16),
    ),
}
