"""The only AWS operations trailtui may send.

trailtui is read-only toward a customer's account.  The only operations here
that start anything are Athena query executions and CloudTrail Lake queries
(and their cancellation).  `sts:AssumeRole` (reaching each account of an
organisation through a role that already exists) and `organizations:ListAccounts`
create nothing persistent: AssumeRole returns temporary keys that expire on
their own (15 minutes for health, an hour for Event history), ListAccounts
only reads.  Every client comes from `trailtui.aws.clients`, which refuses any
operation not listed, before a request is built.
"""

from __future__ import annotations

ALLOWED_OPERATIONS: dict[str, frozenset[str]] = {
    "cloudtrail": frozenset({
        "DescribeTrails", "GetTrail", "GetTrailStatus", "ListTrails", "GetEventSelectors",
        "GetInsightSelectors", "LookupEvents", "ListPublicKeys", "ListEventDataStores",
        "GetEventDataStore", "StartQuery", "GetQueryResults", "DescribeQuery", "CancelQuery",
    }),
    "s3": frozenset({
        "GetObject", "HeadObject", "ListObjectsV2", "ListBuckets", "GetBucketLocation", "GetBucketPolicy",
        "GetBucketPolicyStatus", "GetBucketAcl", "GetBucketVersioning", "GetBucketLifecycleConfiguration",
        "GetBucketLogging", "GetBucketReplication", "GetObjectLockConfiguration", "GetPublicAccessBlock",
        "GetBucketEncryption", "GetBucketNotificationConfiguration",
    }),
    "s3control": frozenset({"GetPublicAccessBlock"}),
    "kms": frozenset({"DescribeKey", "GetKeyRotationStatus", "GetKeyPolicy", "ListAliases"}),
    "athena": frozenset({
        "StartQueryExecution", "GetQueryExecution", "GetQueryResults", "StopQueryExecution",
        "GetWorkGroup", "GetTableMetadata", "GetDatabase", "ListDatabases", "ListTableMetadata",
    }),
    "glue": frozenset({"GetTable", "GetDatabase"}),
    "logs": frozenset({"DescribeLogGroups"}),
    "sns": frozenset({"GetTopicAttributes"}),
    "sts": frozenset({"GetCallerIdentity", "AssumeRole"}),
    "organizations": frozenset({"DescribeOrganization", "ListAccounts"}),
}


class OperationNotAllowed(PermissionError):
    """Raised before any request is built for an operation not on the list."""

    def __init__(self, service: str, operation: str) -> None:
        self.service = service
        self.operation = operation
        super().__init__(f"trailtui is read-only: {service}:{operation} is not an allowed operation")


def is_allowed(service: str, operation: str) -> bool:
    return operation in ALLOWED_OPERATIONS.get(service, frozenset())


def check_operation(service: str, operation: str) -> None:
    if not is_allowed(service, operation):
        raise OperationNotAllowed(service, operation)
