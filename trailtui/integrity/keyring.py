"""CloudTrail's public keys, by fingerprint.

Keys come from `ListPublicKeys` in the digest's region (botocore hands the
`Value` blob over already base64-decoded) or from a file holding what
`aws cloudtrail list-public-keys` prints (there `Value` is base64 text).  A key
is DER, PKCS#1 `RSAPublicKey` or X.509 SubjectPublicKeyInfo; its fingerprint is
the MD5 of those DER bytes, which we recompute rather than trust.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import orjson
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.serialization import load_der_public_key

from trailtui.regular_file import read_regular

KEY_FILE_LIMIT = 16 << 20  # a list-public-keys answer is a few KB


class KeyFileError(ValueError):
    """A --public-keys file we cannot use; the message names the file and why."""


def fingerprint(der: bytes) -> str:
    return hashlib.md5(der, usedforsecurity=False).hexdigest()


@dataclass(slots=True)
class KeyRing:
    """Public keys by lowercase fingerprint, loaded lazily into RSA objects."""

    der_by_fingerprint: dict[str, bytes] = field(default_factory=dict)
    # why a key a file or ListPublicKeys named was not taken, by the lowercase
    # fingerprint it claimed: a digest signed with it can then say why
    rejected: dict[str, str] = field(default_factory=dict)
    _loaded: dict[str, rsa.RSAPublicKey | None] = field(default_factory=dict)

    def add(self, der: bytes) -> str:
        print_ = fingerprint(der)
        self.der_by_fingerprint.setdefault(print_, der)
        return print_

    def __contains__(self, print_: str) -> bool:
        return print_.lower() in self.der_by_fingerprint

    def __len__(self) -> int:
        return len(self.der_by_fingerprint)

    def public_key(self, print_: str) -> rsa.RSAPublicKey | None:
        """The RSA key for a fingerprint; None when absent or not a loadable RSA key."""
        print_ = print_.lower()
        if print_ not in self._loaded:
            der = self.der_by_fingerprint.get(print_)
            key = None
            if der is not None:
                try:
                    loaded = load_der_public_key(der)  # PKCS#1 and SPKI both load
                    key = loaded if isinstance(loaded, rsa.RSAPublicKey) else None
                except (ValueError, TypeError):
                    key = None
            self._loaded[print_] = key
        return self._loaded[print_]

    def verify(self, print_: str, signature_hex: str, message: bytes) -> bool:
        """RSA PKCS#1 v1.5 with SHA-256 (`SHA256withRSA`) over `message`."""
        key = self.public_key(print_)
        if key is None:
            return False
        try:
            signature = binascii.unhexlify(signature_hex.strip())
        except (binascii.Error, ValueError):
            return False
        try:
            key.verify(signature, message, padding.PKCS1v15(), hashes.SHA256())
        except InvalidSignature:
            return False
        return True


def _entries(doc: Any) -> list[Any]:
    if isinstance(doc, dict):
        doc = doc.get("PublicKeyList", doc.get("publicKeyList"))
    if not isinstance(doc, list):
        raise ValueError("expected the JSON printed by `aws cloudtrail list-public-keys` ({\"PublicKeyList\": [...]})")
    return doc


def _der_from_text(value: Any) -> bytes:
    """Strict base64 (whitespace and PEM armour aside): a lenient decoder
    drops stray characters and yields a different key without a word."""
    if not isinstance(value, str):
        raise ValueError("its Value is not base64 text" if value is not None else "it has no Value")
    text = value.strip()
    if text.startswith("-----BEGIN"):
        text = "".join(line for line in text.splitlines() if not line.startswith("-----"))
    text = "".join(text.split())
    try:
        der = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("its Value is not valid base64") from None
    if not der:
        raise ValueError("its Value is empty")
    return der


def _loads_as_rsa(der: bytes) -> bool:
    try:
        return isinstance(load_der_public_key(der), rsa.RSAPublicKey)
    except (ValueError, TypeError):
        return False


def _entry_key(entry: Any) -> tuple[bytes, str | None]:
    """The DER bytes and the stated fingerprint of one entry (ValueError says why not)."""
    if not isinstance(entry, dict):
        raise ValueError("it is not an object")
    value = entry.get("Value")
    der = bytes(value) if isinstance(value, (bytes, bytearray)) else _der_from_text(value)
    stated = entry.get("Fingerprint")
    return der, stated.strip().lower() if isinstance(stated, str) else None


def add_key_entries(ring: KeyRing, entries: Iterable[Any], where: str) -> list[str]:
    """Add `PublicKeyList` entries; returns one warning per entry skipped,
    saying which key (number and stated fingerprint) and why."""
    warnings = []
    for index, entry in enumerate(entries):
        stated = entry.get("Fingerprint") if isinstance(entry, dict) else None
        name = f"key #{index + 1}" + (f" (fingerprint {stated})" if isinstance(stated, str) else "")
        try:
            der, claimed = _entry_key(entry)
        except ValueError as exc:
            reason = f"{name}: {exc}; skipped"
        else:
            actual = fingerprint(der)
            if claimed is not None and claimed != actual:
                reason = f"key #{index + 1} says fingerprint {stated} but its Value hashes to {actual}; skipped"
            elif not _loads_as_rsa(der):
                reason = f"{name}: its Value is not a DER RSA public key; skipped"
            else:
                ring.add(der)
                continue
        if isinstance(stated, str):
            ring.rejected.setdefault(stated.strip().lower(), reason)
        warnings.append(f"{where}: {reason}")
    return warnings


def load_key_file(path: str, ring: KeyRing | None = None) -> tuple[KeyRing, list[str]]:
    """Read a `list-public-keys` JSON file into a key ring (raises KeyFileError)."""
    ring = ring if ring is not None else KeyRing()
    try:
        doc = orjson.loads(read_regular(path, KEY_FILE_LIMIT))
        entries = _entries(doc)
    except OSError as exc:
        raise KeyFileError(f"{path}: {exc.strerror or exc}") from None
    except (orjson.JSONDecodeError, ValueError) as exc:
        raise KeyFileError(f"{path}: {exc}") from None
    warnings = add_key_entries(ring, entries, path)
    if not ring:
        reasons = "; ".join(w.removeprefix(f"{path}: ") for w in warnings) or "the key list is empty"
        raise KeyFileError(f"{path}: no usable public key in the file ({reasons})")
    return ring, warnings


async def fetch_public_keys(factory: Any, region: str, start: datetime, end: datetime, ring: KeyRing) -> list[str]:
    """`ListPublicKeys` in `region` for [start, end] into `ring` (botocore gives raw DER)."""
    async with factory.async_client("cloudtrail", region) as client:
        paginator = client.get_paginator("list_public_keys")
        entries: list[Any] = []
        async for page in paginator.paginate(StartTime=start, EndTime=end):
            entries.extend(page.get("PublicKeyList", []))
    return add_key_entries(ring, entries, f"ListPublicKeys in {region}")
