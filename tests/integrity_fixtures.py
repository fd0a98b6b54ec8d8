"""Signed CloudTrail digest chains for integrity tests, built the way CloudTrail
builds them (independently of the verifier): hourly digests listing gzip log
files by the SHA-256 of their content, each signed with RSA PKCS#1 v1.5 SHA-256
over `end\\nbucket/key\\nsha256(inflated digest)\\nprevious signature|null`.

Objects live in a plain dict (key -> StoredObject) so a test can tamper with
them before writing them to a directory (with `.metadata.json` sidecars) or to
a bucket on the moto server (with S3 user metadata).
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

T0 = datetime(2024, 3, 1, 0, 13, 7, tzinfo=UTC)
HOUR = timedelta(hours=1)
BUCKET = "trail-bucket"
ACCOUNT = "123456789012"


def signing_key(name: str = "aws") -> rsa.RSAPrivateKey:
    """A throw-away RSA key per name, made once per test session."""
    return _generated_key(name)


@lru_cache(maxsize=4)
def _generated_key(name: str) -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def public_der(key: rsa.RSAPrivateKey) -> bytes:
    """PKCS#1 RSAPublicKey DER, as CloudTrail's ListPublicKeys documents it."""
    return key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.PKCS1)


def fingerprint_of(key: rsa.RSAPrivateKey) -> str:
    return hashlib.md5(public_der(key), usedforsecurity=False).hexdigest()


def key_list(*keys: rsa.RSAPrivateKey, spki: bool = False) -> dict[str, Any]:
    """What `aws cloudtrail list-public-keys` prints (Value is base64 text)."""
    out = []
    for key in keys:
        der = (key.public_key().public_bytes(serialization.Encoding.DER,
                                             serialization.PublicFormat.SubjectPublicKeyInfo)
               if spki else public_der(key))
        out.append({"Value": base64.b64encode(der).decode(), "ValidityStartTime": "2024-01-01T00:00:00Z",
                    "ValidityEndTime": "2030-01-01T00:00:00Z",
                    "Fingerprint": hashlib.md5(der, usedforsecurity=False).hexdigest()})
    return {"PublicKeyList": out}


def stamp(when: datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class StoredObject:
    body: bytes
    metadata: dict[str, str] | None = None  # None: no S3 user metadata / no sidecar


@dataclass
class ChainSpec:
    bucket: str = BUCKET
    account: str = ACCOUNT
    region: str = "us-east-1"
    home_region: str = "us-east-1"
    trail: str = "mytrail"
    prefix: str = ""
    org: str | None = None
    start: datetime = T0
    hours: int = 4
    logs_per_hour: int = 2
    restarts: frozenset[int] = frozenset()  # digest indexes whose previous link is null
    backfill: bool = False

    def base(self) -> str:
        parts = ([self.prefix] if self.prefix else []) + ["AWSLogs"] + ([self.org] if self.org else []) + [self.account]
        return "/".join(parts) + "/"

    def digest_key(self, end: datetime) -> str:
        suffix = "_backfill" if self.backfill else ""
        return (f"{self.base()}CloudTrail-Digest/{self.region}/{end:%Y/%m/%d}/{self.account}_CloudTrail-Digest_"
                f"{self.region}_{self.trail}_{self.home_region}_{end:%Y%m%dT%H%M%SZ}{suffix}.json.gz")

    def log_key(self, delivered: datetime, unique: str) -> str:
        return (f"{self.base()}CloudTrail/{self.region}/{delivered:%Y/%m/%d}/{self.account}_CloudTrail_"
                f"{self.region}_{delivered:%Y%m%dT%H%MZ}_{unique}.json.gz")


def log_body(delivered: datetime, index: int) -> bytes:
    record = {"eventVersion": "1.08", "eventTime": stamp(delivered - timedelta(minutes=3)),
              "eventSource": "s3.amazonaws.com", "eventName": "GetObject", "awsRegion": "us-east-1",
              "eventID": f"e-{delivered:%H%M}-{index}", "sourceIPAddress": "198.51.100.7",
              "userIdentity": {"type": "IAMUser", "arn": f"arn:aws:iam::{ACCOUNT}:user/alice"}}
    return json.dumps({"Records": [record]}, separators=(",", ":")).encode()


def gz(data: bytes) -> bytes:
    return gzip.compress(data, mtime=0)


def sign(key: rsa.RSAPrivateKey, doc: dict[str, Any], inflated: bytes) -> str:
    previous = doc.get("previousDigestSignature")
    text = (f"{doc['digestEndTime']}\n{doc['digestS3Bucket']}/{doc['digestS3Object']}\n"
            f"{hashlib.sha256(inflated).hexdigest()}\n{'null' if previous is None else previous}")
    return key.sign(text.encode(), padding.PKCS1v15(), hashes.SHA256()).hex()


def digest_bytes(doc: dict[str, Any]) -> bytes:
    return json.dumps(doc, separators=(",", ":")).encode()


def signed(doc: dict[str, Any], key: rsa.RSAPrivateKey, extra: dict[str, str] | None = None) -> StoredObject:
    inflated = digest_bytes(doc)
    metadata = {"signature": sign(key, doc, inflated), "signature-algorithm": "SHA256withRSA"}
    metadata.update(extra or {})
    return StoredObject(gz(inflated), metadata)


@dataclass
class Trail:
    """A built trail: every object, plus the digest and log keys in order."""

    objects: dict[str, StoredObject] = field(default_factory=dict)
    digests: list[str] = field(default_factory=list)  # oldest first
    logs: list[list[str]] = field(default_factory=list)  # per digest
    docs: dict[str, dict[str, Any]] = field(default_factory=dict)

    def doc(self, key: str) -> dict[str, Any]:
        return json.loads(gzip.decompress(self.objects[key].body))

    def resign(self, key: str, mutate: Callable[[dict[str, Any]], None],
               signer: rsa.RSAPrivateKey | None = None) -> None:
        """Edit a digest's JSON and sign it again (as only the key holder could)."""
        doc = self.doc(key)
        mutate(doc)
        old = self.objects[key].metadata or {}
        self.objects[key] = signed(doc, signer or signing_key(), {k: v for k, v in old.items()
                                                                  if k not in ("signature", "signature-algorithm")})

    def relink_after(self, key: str) -> None:
        """Re-sign the digests after `key` so their previous-digest fields match
        it again (what CloudTrail would have written had `key` been so)."""
        index = self.digests.index(key)
        for newer in self.digests[index + 1:]:
            older = self.objects[self.digests[self.digests.index(newer) - 1]]
            inflated = gzip.decompress(older.body)
            signature = (older.metadata or {}).get("signature")

            def link(doc: dict[str, Any], inflated: bytes = inflated, signature: Any = signature) -> None:
                doc["previousDigestHashValue"] = hashlib.sha256(inflated).hexdigest()
                doc["previousDigestSignature"] = signature

            self.resign(newer, link)


def build_trail(spec: ChainSpec | None = None, trail: Trail | None = None,
                signer: rsa.RSAPrivateKey | None = None) -> Trail:
    """Hourly digests ending at start+1h ... start+hours*h, each listing
    `logs_per_hour` log files delivered inside its hour."""
    spec = spec or ChainSpec()
    trail = trail or Trail()
    signer = signer or signing_key()
    previous: dict[str, Any] | None = None
    previous_signature: str | None = None
    previous_inflated = b""
    for i in range(spec.hours):
        begin, end = spec.start + i * HOUR, spec.start + (i + 1) * HOUR
        entries, keys = [], []
        for j in range(spec.logs_per_hour):
            delivered = begin + timedelta(minutes=7 + j * (50 // max(1, spec.logs_per_hour)))
            body = log_body(delivered, j)
            key = spec.log_key(delivered, f"{spec.trail[:4]}{i:04d}{j:08d}"[:16].ljust(16, "0"))
            trail.objects[key] = StoredObject(gz(body))
            keys.append(key)
            entries.append({"s3Bucket": spec.bucket, "s3Object": key, "hashValue": hashlib.sha256(body).hexdigest(),
                            "hashAlgorithm": "SHA-256", "newestEventTime": stamp(delivered),
                            "oldestEventTime": stamp(delivered)})
        linked = previous is not None and i not in spec.restarts
        digest_key = spec.digest_key(end)
        doc = {
            "awsAccountId": spec.account, "digestStartTime": stamp(begin), "digestEndTime": stamp(end),
            "digestS3Bucket": spec.bucket, "digestS3Object": digest_key,
            "digestPublicKeyFingerprint": fingerprint_of(signer), "digestSignatureAlgorithm": "SHA256withRSA",
            "newestEventTime": stamp(end), "oldestEventTime": stamp(begin),
            "previousDigestS3Bucket": spec.bucket if linked else None,
            "previousDigestS3Object": previous["digestS3Object"] if linked and previous else None,
            "previousDigestHashValue": hashlib.sha256(previous_inflated).hexdigest() if linked else None,
            "previousDigestHashAlgorithm": "SHA-256" if linked else None,
            "previousDigestSignature": previous_signature if linked else None,
            "logFiles": entries,
        }
        extra = {"backfill-generation-timestamp": stamp(end + 5 * HOUR)} if spec.backfill else None
        obj = signed(doc, signer, extra)
        trail.objects[digest_key] = obj
        trail.digests.append(digest_key)
        trail.logs.append(keys)
        trail.docs[digest_key] = doc
        previous, previous_signature, previous_inflated = doc, obj.metadata["signature"], digest_bytes(doc)
    return trail


def write_local(trail: Trail, root: Path, sidecars: bool = True) -> Path:
    """The trail as a local mirror of the bucket (keys under `root`)."""
    for key, obj in trail.objects.items():
        path = root.joinpath(*key.split("/"))
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(obj.body)
        if sidecars and obj.metadata is not None:
            Path(str(path) + ".metadata.json").write_text(json.dumps(obj.metadata))
    return root


def upload(trail: Trail, endpoint: str, bucket: str = BUCKET) -> None:
    """The trail into a moto S3 bucket, signatures as user metadata."""
    import boto3

    s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1")
    s3.create_bucket(Bucket=bucket)
    for key, obj in trail.objects.items():
        extra = {"Metadata": obj.metadata} if obj.metadata else {}
        s3.put_object(Bucket=bucket, Key=key, Body=obj.body, **extra)


def register_keys(endpoint: str, region: str, *keys: rsa.RSAPrivateKey) -> None:
    """Make the moto server's ListPublicKeys in `region` return these keys
    (see tests/moto_ext/cloudtrail_keys.py)."""
    import boto3

    s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1")
    from tests.moto_ext.cloudtrail_keys import KEYS_BUCKET

    try:
        s3.create_bucket(Bucket=KEYS_BUCKET)
    except s3.exceptions.BucketAlreadyOwnedByYou:
        pass
    s3.put_object(Bucket=KEYS_BUCKET, Key=f"{region}.json", Body=json.dumps(key_list(*keys)).encode())


def copy_spec(spec: ChainSpec, **changes: Any) -> ChainSpec:
    return replace(spec, **changes)
