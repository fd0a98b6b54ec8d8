"""Who acts in the demo: CloudTrail `userIdentity` objects and the ids in them.

Ids (access keys, principal ids) are derived by hashing a name, so a principal
keeps the same ids in every chunk, process and run without shared state.  The
dict shapes and key order follow real records for each `userIdentity.type`.
"""

from __future__ import annotations

import base64
import hashlib
import random
from typing import Any

Identity = dict[str, Any]


def stable_id(prefix: str, *parts: object, length: int = 16) -> str:
    """`prefix` + `length` upper-case base32 characters derived from `parts`
    (AKIA/ASIA keys: 16; AIDA/AROA principal ids: 17)."""
    digest = hashlib.sha256(":".join(str(p) for p in parts).encode()).digest()
    return prefix + base64.b32encode(digest).decode()[:length]


def random_uuid(rng: random.Random) -> str:
    """A version-4 UUID string drawn from `rng` (eventID, requestID)."""
    value = (rng.getrandbits(128) & ~(0xF000 << 64) | (0x4000 << 64)) & ~(0xC << 60) | (0x8 << 60)
    text = f"{value:032x}"
    return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"


UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"   # base32: what AWS ids look like
HEX = "0123456789abcdef"
B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"


def _byte_table(alphabet: str) -> bytes:
    return bytes(ord(alphabet[i % len(alphabet)]) for i in range(256))


_TABLES = {alphabet: _byte_table(alphabet) for alphabet in (UPPER, HEX, B64, ALNUM)}


def random_token(rng: random.Random, length: int, alphabet: str = UPPER) -> str:
    """`length` random characters of `alphabet`, one random byte each (this runs
    millions of times for a big demo; the slight modulo bias does not matter)."""
    table = _TABLES.get(alphabet) or _byte_table(alphabet)
    return rng.randbytes(length).translate(table).decode()


def iam_user(account: str, name: str, access_key: str | None = None, *,
             console_session: tuple[str, str] | None = None) -> Identity:
    """An IAM user calling with a long-term key (AKIA…), or with a console
    session (`console_session` = (ASIA key, creationDate))."""
    identity: Identity = {
        "type": "IAMUser",
        "principalId": stable_id("AIDA", account, name, length=17),
        "arn": f"arn:aws:iam::{account}:user/{name}",
        "accountId": account,
        "accessKeyId": access_key if access_key is not None else user_access_key(account, name),
        "userName": name,
    }
    if console_session:
        identity["accessKeyId"] = console_session[0]
        identity["sessionContext"] = {
            "sessionIssuer": {}, "webIdFederationData": {},
            "attributes": {"creationDate": console_session[1], "mfaAuthenticated": "true"},
        }
    return identity


def user_access_key(account: str, name: str) -> str:
    return stable_id("AKIA", "user-key", account, name)


def session_key(*parts: object) -> str:
    return stable_id("ASIA", "session", *parts)


def role_session(account: str, role: str, session: str, created: str, *, role_path: str = "/",
                 mfa: bool = False, key_parts: tuple[object, ...] = (), ec2: bool = False,
                 invoked_by: str | None = None, web_identity: dict[str, Any] | None = None) -> Identity:
    """An AssumedRole session (`arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION`)."""
    role_id = stable_id("AROA", account, role, length=17)
    context: dict[str, Any] = {
        "sessionIssuer": {
            "type": "Role",
            "principalId": role_id,
            "arn": f"arn:aws:iam::{account}:role{role_path}{role}",
            "accountId": account,
            "userName": role,
        },
        "webIdFederationData": web_identity or {},
        "attributes": {"creationDate": created, "mfaAuthenticated": "true" if mfa else "false"},
    }
    if ec2:
        context["ec2RoleDelivery"] = "2.0"
    identity: Identity = {
        "type": "AssumedRole",
        "principalId": f"{role_id}:{session}",
        "arn": f"arn:aws:sts::{account}:assumed-role/{role}/{session}",
        "accountId": account,
        "accessKeyId": session_key(account, role, session, *key_parts),
        "sessionContext": context,
    }
    if invoked_by:
        identity["invokedBy"] = invoked_by
    return identity


def root(account: str, *, console_session: tuple[str, str] | None = None) -> Identity:
    identity: Identity = {
        "type": "Root",
        "principalId": account,
        "arn": f"arn:aws:iam::{account}:root",
        "accountId": account,
        "accessKeyId": console_session[0] if console_session else "",
    }
    if console_session:
        identity["sessionContext"] = {
            "sessionIssuer": {}, "webIdFederationData": {},
            "attributes": {"creationDate": console_session[1], "mfaAuthenticated": "true"},
        }
    return identity


def aws_service(invoked_by: str) -> Identity:
    return {"type": "AWSService", "invokedBy": invoked_by}


def service_event_identity(account: str, invoked_by: str = "AWS Internal") -> Identity:
    """The identity of an `AwsServiceEvent` (no type: AWS itself acted)."""
    return {"accountId": account, "invokedBy": invoked_by}


IDENTITY_STORE = "d-9067a3c2e1"


def identity_center_user(account: str, user: str) -> Identity:
    """An IAM Identity Center (SSO portal) user, the 2024+ `IdentityCenterUser` type."""
    return {
        "type": "IdentityCenterUser",
        "accountId": account,
        "onBehalfOf": {
            "userId": identity_center_user_id(user),
            "identityStoreArn": f"arn:aws:identitystore::{account}:identitystore/{IDENTITY_STORE}",
        },
        "credentialId": stable_id("", "sso-credential", user, length=24).lower(),
    }


def identity_center_user_id(user: str) -> str:
    digest = hashlib.sha256(f"sso-user:{user}".encode()).hexdigest()
    return f"{digest[:8]}-{digest[8:12]}-{digest[12:16]}-{digest[16:20]}-{digest[20:32]}"


SAML_ISSUER = "http://www.okta.com/exk8acme2demo0trail5d7"


def saml_user(account: str, user: str, provider: str = "Okta") -> Identity:
    seed = f"{SAML_ISSUER}{account}{provider}".encode()
    issuer = base64.b64encode(hashlib.sha1(seed, usedforsecurity=False).digest()).decode()
    return {
        "type": "SAMLUser",
        "principalId": f"{issuer}:{user}",
        "userName": user,
        "identityProvider": issuer,
    }


def web_identity_user(account: str, provider_host: str, subject: str) -> Identity:
    provider_arn = f"arn:aws:iam::{account}:oidc-provider/{provider_host}"
    return {
        "type": "WebIdentityUser",
        "principalId": f"{provider_arn}:sts.amazonaws.com:{subject}",
        "userName": subject,
        "identityProvider": provider_arn,
    }
