"""Assemble one CloudTrail record with the field order CloudTrail writes.

Key order matters to people reading raw JSON (and to anyone diffing against
real files), so the record is built field by field in CloudTrail's order:
eventVersion, userIdentity, eventTime, eventSource, eventName, awsRegion,
sourceIPAddress, userAgent, [errorCode, errorMessage], requestParameters,
responseElements, [additionalEventData], [requestID], eventID, readOnly,
[resources], eventType, [apiVersion], managementEvent, recipientAccountId,
[sharedEventID], [vpcEndpointId, vpcEndpointAccountId], [serviceEventDetails],
eventCategory, [tlsDetails], [sessionCredentialFromConsole].
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

Record = dict[str, Any]

# Services whose API lives on one global endpoint: CloudTrail records them in
# us-east-1, so the generator only makes these calls in us-east-1 chunks.
GLOBAL_SERVICES = frozenset({"iam", "signin", "organizations", "route53", "cloudfront", "ce", "sts-global"})

CIPHER = {"TLSv1.3": "TLS_AES_128_GCM_SHA256", "TLSv1.2": "ECDHE-RSA-AES128-GCM-SHA256"}


def event_source(service: str) -> str:
    """`ec2` -> `ec2.amazonaws.com` (`sts-global` is STS' global endpoint)."""
    return "sts.amazonaws.com" if service == "sts-global" else f"{service}.amazonaws.com"


def host_header(service: str, region: str, bucket: str | None = None) -> str:
    """The `clientProvidedHostHeader` a client would send."""
    if service == "sts-global":
        return "sts.amazonaws.com"
    if service == "signin":
        return "signin.aws.amazon.com"
    if service in ("iam", "organizations", "route53", "cloudfront"):
        return f"{service}.amazonaws.com"
    if service == "s3":
        return f"{bucket}.s3.{region}.amazonaws.com" if bucket else f"s3.{region}.amazonaws.com"
    return f"{service}.{region}.amazonaws.com"


def tls_details(service: str, region: str, tls: str = "TLSv1.3", bucket: str | None = None) -> dict[str, str]:
    return {"tlsVersion": tls, "cipherSuite": CIPHER[tls],
            "clientProvidedHostHeader": host_header(service, region, bucket)}


@dataclass(slots=True)
class Outcome:
    """What a call returned: the parts of a record an action decides."""

    request: Any = None
    response: Any = None
    additional: dict[str, Any] | None = None
    resources: list[dict[str, str]] | None = None
    error_code: str | None = None
    error_message: str | None = None


def api_record(*, identity: dict[str, Any], when: str, service: str, name: str, region: str, ip: str, agent: str,
               outcome: Outcome, account: str, event_id: str, request_id: str | None, read_only: bool,
               version: str = "1.09", event_type: str = "AwsApiCall", category: str = "Management",
               tls: dict[str, str] | None = None, console: bool = False, shared_event_id: str | None = None,
               vpc_endpoint: str | None = None, service_details: dict[str, Any] | None = None,
               api_version: str | None = None) -> Record:
    """One record in CloudTrail's field order; optional fields only when set."""
    record: Record = {
        "eventVersion": version,
        "userIdentity": identity,
        "eventTime": when,
        "eventSource": event_source(service),
        "eventName": name,
        "awsRegion": region,
        "sourceIPAddress": ip,
        "userAgent": agent,
    }
    if outcome.error_code is not None:
        record["errorCode"] = outcome.error_code
    if outcome.error_message is not None:
        record["errorMessage"] = outcome.error_message
    record["requestParameters"] = outcome.request
    record["responseElements"] = outcome.response
    if outcome.additional is not None:
        record["additionalEventData"] = outcome.additional
    if request_id is not None:
        record["requestID"] = request_id
    record["eventID"] = event_id
    record["readOnly"] = read_only
    if outcome.resources is not None:
        record["resources"] = outcome.resources
    record["eventType"] = event_type
    if api_version is not None:
        record["apiVersion"] = api_version
    record["managementEvent"] = category == "Management"
    record["recipientAccountId"] = account
    if shared_event_id is not None:
        record["sharedEventID"] = shared_event_id
    if vpc_endpoint is not None:
        record["vpcEndpointId"] = vpc_endpoint
        record["vpcEndpointAccountId"] = account
    if service_details is not None:
        record["serviceEventDetails"] = service_details
    record["eventCategory"] = category
    if tls is not None:
        record["tlsDetails"] = tls
    if console:
        record["sessionCredentialFromConsole"] = "true"
    return record
