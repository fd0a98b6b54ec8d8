"""Write signed CloudTrail digest files exactly as CloudTrail does.

This is a reusable library, not only the demo's: integrity tests build signed
chains with it (a throw-away key from `DigestSigner.throwaway()`), then tamper
with the files and check the verifier's verdicts.

What CloudTrail does, and therefore what this writes (facts from the
CloudTrail user guide):

* One digest an hour per account and region, even when no log file was
  delivered in the hour, at
  `[prefix/]AWSLogs/[o-ORG/]ACCOUNT/CloudTrail-Digest/REGION/YYYY/MM/DD/
  ACCOUNT_CloudTrail-Digest_REGION_TRAIL_HOMEREGION_YYYYMMDDTHHMMSSZ.json.gz`
  (date and stamp = `digestEndTime`; backfill digests end in `_backfill.json.gz`).
* The body is compact JSON with CloudTrail's field order; like the real
  service it escapes `/` as `\\/`, so a verifier that re-encodes instead of
  hashing the exact bytes fails loudly.
* `logFiles[].hashValue` and `previousDigestHashValue` are hex SHA-256 of the
  *decompressed* bytes.
* The signature (hex, RSA PKCS#1 v1.5 over SHA-256, "SHA256withRSA") covers the
  four lines `digestEndTime`, `digestS3Bucket/digestS3Object`, hex SHA-256 of the
  decompressed digest, and `previousDigestSignature` (`null` for the first).
  CloudTrail keeps it in S3 user metadata; locally it is a sidecar
  `X.json.gz.metadata.json` = `{"signature": ..., "signature-algorithm": ...}`.
* The public key is published by `ListPublicKeys`: `Value` is the DER PKCS#1
  key, `Fingerprint` the hex MD5 of those DER bytes.

Example::

    signer = DigestSigner.throwaway()
    chain = DigestChainWriter(root, signer, bucket="b", account_id="111122223333",
                              region="us-east-1", trail_name="t", home_region="us-east-1")
    entry = DigestLogFile.from_content(log_key, log_json_bytes)
    written = chain.write(start, start + timedelta(hours=1), [entry])
    (root / "keys.json").write_bytes(orjson.dumps(public_key_listing([signer.key_entry(t0, t1)])))
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from trailtui.demo.compression import gzip_member

SIGNATURE_ALGORITHM = "SHA256withRSA"
HASH_ALGORITHM = "SHA-256"
METADATA_SUFFIX = ".metadata.json"


def iso_z(moment: datetime) -> str:
    """CloudTrail's timestamp form: `2024-03-01T00:13:07Z` (UTC, whole seconds)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def signing_string(digest_end_time: str, bucket: str, key: str, digest_body: bytes,
                   previous_signature: str | None) -> bytes:
    """The exact bytes CloudTrail signs for a digest (UTF-8, `\\n`-joined, no
    trailing newline).  `digest_body` is the decompressed digest file."""
    previous = "null" if previous_signature is None else previous_signature
    return f"{digest_end_time}\n{bucket}/{key}\n{sha256_hex(digest_body)}\n{previous}".encode()


class DigestSigner:
    """An RSA key that signs digests the way CloudTrail does (SHA256withRSA).

    PKCS#1 v1.5 signatures are deterministic, so the same key and input always
    give the same signature: the demo's output stays byte-identical.
    """

    def __init__(self, private_key: rsa.RSAPrivateKey) -> None:
        self._key = private_key
        self.public_key_der: bytes = private_key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.PKCS1)
        self.fingerprint: str = hashlib.md5(self.public_key_der, usedforsecurity=False).hexdigest()

    @classmethod
    def from_pem(cls, pem: bytes, password: bytes | None = None, *, trusted: bool = False) -> DigestSigner:
        """Load a PEM private key.  `trusted` skips OpenSSL's RSA consistency check
        (~80 ms a load), for a known-good key such as the shipped demo key."""
        key = serialization.load_pem_private_key(pem, password, unsafe_skip_rsa_key_validation=trusted)
        if not isinstance(key, rsa.RSAPrivateKey):
            raise ValueError("the digest signing key must be an RSA private key")
        return cls(key)

    @classmethod
    def throwaway(cls, bits: int = 2048) -> DigestSigner:
        """A fresh random key, for tests that need a second, unknown or rotated key."""
        return cls(rsa.generate_private_key(public_exponent=65537, key_size=bits))

    def sign(self, message: bytes) -> str:
        """Hex RSA PKCS#1 v1.5 / SHA-256 signature of `message`."""
        return self._key.sign(message, padding.PKCS1v15(), hashes.SHA256()).hex()

    def key_entry(self, valid_from: datetime, valid_until: datetime) -> dict[str, str]:
        """This key as one `PublicKeyList` item of `aws cloudtrail list-public-keys`
        (AWS CLI v2 prints timestamps as ISO 8601 with `+00:00`)."""
        return {
            "Value": base64.b64encode(self.public_key_der).decode(),
            "ValidityStartTime": valid_from.astimezone(UTC).isoformat(),
            "ValidityEndTime": valid_until.astimezone(UTC).isoformat(),
            "Fingerprint": self.fingerprint,
        }


def public_key_listing(entries: Iterable[dict[str, str]]) -> dict[str, Any]:
    """The JSON document `aws cloudtrail list-public-keys` prints."""
    return {"PublicKeyList": list(entries)}


@dataclass(frozen=True, slots=True)
class DigestLogFile:
    """One `logFiles[]` entry: where a delivered log file is and what it hashes to."""

    s3_object: str
    hash_value: str
    oldest_event_time: str | None
    newest_event_time: str | None
    s3_bucket: str | None = None  # None: the digest's own bucket

    @classmethod
    def from_content(cls, s3_object: str, content: bytes, *, oldest_event_time: str | None = None,
                     newest_event_time: str | None = None, s3_bucket: str | None = None) -> DigestLogFile:
        """Entry for a log whose *decompressed* bytes are `content`; event times
        are read from the records when not given."""
        if oldest_event_time is None or newest_event_time is None:
            times = sorted(r["eventTime"] for r in orjson.loads(content).get("Records", [])
                           if isinstance(r, dict) and isinstance(r.get("eventTime"), str))
            oldest_event_time = oldest_event_time or (times[0] if times else None)
            newest_event_time = newest_event_time or (times[-1] if times else None)
        return cls(s3_object, sha256_hex(content), oldest_event_time, newest_event_time, s3_bucket)


@dataclass(frozen=True, slots=True)
class WrittenDigest:
    """What one `write` produced, for the next link and for tests."""

    key: str
    path: Path
    body: bytes          # decompressed JSON, exactly as hashed and signed
    signature: str
    start: str
    end: str

    @property
    def hash_value(self) -> str:
        return sha256_hex(self.body)


def encode_digest(fields: dict[str, Any], escape_slashes: bool = True) -> bytes:
    """Compact JSON; `\\/` like CloudTrail's own encoder when `escape_slashes`
    (`/` only ever occurs inside strings, so the replacement is safe)."""
    body = orjson.dumps(fields)
    return body.replace(b"/", b"\\/") if escape_slashes else body


class DigestChainWriter:
    """Writes the hourly, signed, linked digests of one trail for one account
    and region under `root` (a local mirror of the bucket).

    Each `write` links to the previous digest of the same kind (standard or
    backfill) and signs over its signature; `restart()` makes the next digest
    start a new chain (null links), as after logging was stopped and resumed.
    """

    def __init__(self, root: Path, signer: DigestSigner, *, bucket: str, account_id: str, region: str,
                 trail_name: str, home_region: str, org_id: str | None = None, key_prefix: str = "",
                 escape_slashes: bool = True, write_metadata: bool = True) -> None:
        self.root = Path(root)
        self.signer = signer
        self.bucket = bucket
        self.account_id = account_id
        self.region = region
        self.trail_name = trail_name
        self.home_region = home_region
        self.org_id = org_id
        self.key_prefix = key_prefix.strip("/")
        self.escape_slashes = escape_slashes
        self.write_metadata = write_metadata
        self._previous: dict[bool, WrittenDigest | None] = {False: None, True: None}

    @property
    def previous(self) -> WrittenDigest | None:
        """The last standard digest written (None at the start of a chain)."""
        return self._previous[False]

    def restart(self) -> None:
        self._previous = {False: None, True: None}

    def folder(self) -> str:
        parts = [self.key_prefix] if self.key_prefix else []
        parts += ["AWSLogs"] + ([self.org_id] if self.org_id else []) + [self.account_id, "CloudTrail-Digest",
                                                                         self.region]
        return "/".join(parts)

    def key_for(self, end: datetime, backfill: bool = False) -> str:
        end = end.astimezone(UTC)
        name = (f"{self.account_id}_CloudTrail-Digest_{self.region}_{self.trail_name}_{self.home_region}_"
                f"{end.strftime('%Y%m%dT%H%M%SZ')}{'_backfill' if backfill else ''}.json.gz")
        return f"{self.folder()}/{end.strftime('%Y/%m/%d')}/{name}"

    def fields(self, key: str, start: datetime, end: datetime, log_files: Sequence[DigestLogFile],
               previous: WrittenDigest | None) -> dict[str, Any]:
        """The digest JSON object, in CloudTrail's field order."""
        newest = max((f.newest_event_time for f in log_files if f.newest_event_time), default=None)
        oldest = min((f.oldest_event_time for f in log_files if f.oldest_event_time), default=None)
        return {
            "awsAccountId": self.account_id,
            "digestStartTime": iso_z(start),
            "digestEndTime": iso_z(end),
            "digestS3Bucket": self.bucket,
            "digestS3Object": key,
            "digestPublicKeyFingerprint": self.signer.fingerprint,
            "digestSignatureAlgorithm": SIGNATURE_ALGORITHM,
            "newestEventTime": newest,
            "oldestEventTime": oldest,
            "previousDigestS3Bucket": self.bucket if previous else None,
            "previousDigestS3Object": previous.key if previous else None,
            "previousDigestHashValue": previous.hash_value if previous else None,
            "previousDigestHashAlgorithm": HASH_ALGORITHM if previous else None,
            "previousDigestSignature": previous.signature if previous else None,
            "logFiles": [
                {
                    "s3Bucket": f.s3_bucket or self.bucket,
                    "s3Object": f.s3_object,
                    "hashValue": f.hash_value,
                    "hashAlgorithm": HASH_ALGORITHM,
                    "newestEventTime": f.newest_event_time,
                    "oldestEventTime": f.oldest_event_time,
                }
                for f in log_files
            ],
        }

    def write(self, start: datetime, end: datetime, log_files: Sequence[DigestLogFile], *,
              backfill_generated: datetime | None = None) -> WrittenDigest:
        """Write, sign and link the digest covering deliveries in [start, end).

        `backfill_generated` makes it a backfill digest (its own chain, key suffix
        `_backfill`, and the `backfill-generation-timestamp` metadata)."""
        backfill = backfill_generated is not None
        key = self.key_for(end, backfill)
        previous = self._previous[backfill]
        fields = self.fields(key, start, end, log_files, previous)
        body = encode_digest(fields, self.escape_slashes)
        signature = self.signer.sign(signing_string(
            fields["digestEndTime"], self.bucket, key, body, fields["previousDigestSignature"]))
        path = self.root.joinpath(*key.split("/"))
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(gzip_member(body))
        if self.write_metadata:
            metadata = {"signature": signature, "signature-algorithm": SIGNATURE_ALGORITHM}
            if backfill_generated is not None:
                metadata["backfill-generation-timestamp"] = iso_z(backfill_generated)
            path.with_name(path.name + METADATA_SUFFIX).write_bytes(orjson.dumps(metadata))
        written = WrittenDigest(key, path, body, signature, fields["digestStartTime"], fields["digestEndTime"])
        self._previous[backfill] = written
        return written
