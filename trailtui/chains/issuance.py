"""Which events issue credentials, and what they say about the issue.

An issuing event is a successful STS call whose response names the new key
(`responseElements.credentials.accessKeyId`); EC2 delivering instance-profile
credentials is such a call made by `ec2.amazonaws.com`.  Console sign-ins are
recognised separately (`sign_in_of`): a ConsoleLogin names no key, so its
session keys are matched to it by principal and session creation time.
Every field is read defensively: records are attacker-written and any field
may hold any JSON type.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from trailtui.events import Event, principal_label

ISSUING_EVENTS = frozenset({
    "AssumeRole", "AssumeRoleWithSAML", "AssumeRoleWithWebIdentity", "GetSessionToken", "GetFederationToken",
})
MAX_FIELD = 2048  # longer strings are cut: a hostile record cannot inflate the index


def text(value: Any) -> str:
    """A string field as str ('' for anything else), cut to MAX_FIELD."""
    return value[:MAX_FIELD] if isinstance(value, str) else ""


def mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def identity_of(raw: dict[str, Any]) -> dict[str, Any]:
    return mapping(raw.get("userIdentity"))


def arn_account(arn: str) -> str:
    """The account id of an ARN (`arn:aws:iam::123456789012:role/R` -> 123456789012), or ''."""
    parts = arn.split(":", 5)
    return parts[4] if len(parts) == 6 and parts[4].isdigit() else ""


def principal_of(identity: dict[str, Any]) -> str:
    """Who made a call, as exactly as the record allows: the ARN when there is
    one (it names the account, which matters across accounts), else the label."""
    arn = text(identity.get("arn"))
    if arn:
        return arn
    if identity.get("type") == "AWSService":
        return text(identity.get("invokedBy")) or "aws-service"
    return principal_label(identity)[:MAX_FIELD]


@dataclass(frozen=True, slots=True)
class Issuance:
    """One key and the event that issued it."""

    access_key: str
    event_id: str
    event_name: str
    time: datetime
    issuer_key: str  # the key the issuing call was made with ('' for SAML, web identity, AWS services)
    issuer_type: str  # userIdentity.type of the caller
    issuer_principal: str
    issuer_source_ip: str
    issuer_account: str
    recipient_account: str
    role_arn: str
    session_name: str
    source_identity: str

    @property
    def role_account(self) -> str:
        return arn_account(self.role_arn)


def _role_and_session(name: str, request: dict[str, Any], response: dict[str, Any],
                      identity: dict[str, Any]) -> tuple[str, str]:
    if name == "GetFederationToken":
        federated = text(mapping(response.get("federatedUser")).get("arn"))
        return federated, text(request.get("name"))
    if name == "GetSessionToken":
        return text(identity.get("arn")), ""
    assumed = text(mapping(response.get("assumedRoleUser")).get("arn"))
    role = text(request.get("roleArn"))
    session = text(request.get("roleSessionName"))
    if not session and ":assumed-role/" in assumed:
        session = assumed.rsplit("/", 1)[-1]
    return role or assumed, session


def issuance_of(event: Event) -> Issuance | None:
    """The Issuance an event records, or None when it issued no key."""
    raw = event.raw
    name = raw.get("eventName")
    if not isinstance(name, str) or name not in ISSUING_EVENTS or raw.get("errorCode"):
        return None
    response = mapping(raw.get("responseElements"))
    key = text(mapping(response.get("credentials")).get("accessKeyId"))
    if not key:
        return None
    request = mapping(raw.get("requestParameters"))
    identity = identity_of(raw)
    role, session = _role_and_session(name, request, response, identity)
    issuer_key = text(identity.get("accessKeyId"))[:MAX_FIELD]
    return Issuance(
        access_key=key,
        event_id=event.event_id[:MAX_FIELD],
        event_name=name,
        time=event.time,
        issuer_key=issuer_key,  # may equal `key` in a corrupt or anonymised record: the walk treats it as a loop
        issuer_type=text(identity.get("type")),
        issuer_principal=_issuer_principal(name, identity, request),
        issuer_source_ip=event.source_ip[:MAX_FIELD],
        issuer_account=text(identity.get("accountId")) or arn_account(text(identity.get("arn"))),
        recipient_account=text(raw.get("recipientAccountId")),
        role_arn=role,
        session_name=session,
        source_identity=text(request.get("sourceIdentity")) or text(response.get("sourceIdentity")),
    )


def _issuer_principal(name: str, identity: dict[str, Any], request: dict[str, Any]) -> str:
    """For SAML and web identity the caller is the identity provider's user:
    name it with its provider so the origin says which IdP vouched for it."""
    if name in ("AssumeRoleWithSAML", "AssumeRoleWithWebIdentity"):
        user = text(identity.get("userName")) or text(identity.get("principalId"))
        provider = text(request.get("principalArn")) or text(identity.get("identityProvider"))
        if user and provider:
            return f"{user}@{provider}"
        return user or provider or principal_label(identity)[:MAX_FIELD]
    return principal_of(identity)


def origin_kind_of(issuance: Issuance) -> str:
    """What kind of origin an issuance made without a key is."""
    if issuance.event_name == "AssumeRoleWithSAML" or issuance.issuer_type == "SAMLUser":
        return "saml"
    if issuance.event_name == "AssumeRoleWithWebIdentity" or issuance.issuer_type == "WebIdentityUser":
        return "web-identity"
    if issuance.issuer_type == "AWSService":
        return "aws-service"
    return "unknown"


def is_ec2_issued(issuance: Issuance) -> bool:
    """Instance-profile credentials: EC2 assumed the role for an instance."""
    return issuance.issuer_type == "AWSService" and (
        issuance.issuer_principal == "ec2.amazonaws.com" or issuance.issuer_source_ip == "ec2.amazonaws.com")


@dataclass(frozen=True, slots=True)
class SignIn:
    """A successful ConsoleLogin: the origin of the console session it starts."""

    principal: str
    event_id: str
    time: datetime
    source_ip: str


def sign_in_of(event: Event) -> SignIn | None:
    raw = event.raw
    if raw.get("eventName") != "ConsoleLogin" or raw.get("errorCode"):
        return None
    if mapping(raw.get("responseElements")).get("ConsoleLogin") not in (None, "Success"):
        return None
    identity = identity_of(raw)
    principal = text(identity.get("arn")) or text(identity.get("principalId"))
    if not principal:
        return None
    return SignIn(principal, event.event_id[:MAX_FIELD], event.time, event.source_ip[:MAX_FIELD])
