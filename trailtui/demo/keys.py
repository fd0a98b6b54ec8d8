"""The demo's signing key and its `list-public-keys` form.

`demo_key.pem` is a fixed RSA-2048 private key shipped with trailtui so that
demo digests are signed deterministically.  It is a DEMO KEY: public, protects
nothing, and must never be used for anything real.  Real CloudTrail uses one
key pair per region; the demo uses this one key for every region, so a single
key file verifies the whole demo trail.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from importlib import resources
from typing import Any

from trailtui.demo.digests import DigestSigner, public_key_listing

DEMO_KEY_FILE = "demo_key.pem"
PUBLIC_KEYS_FILE = "list-public-keys.json"
KEY_VALIDITY = timedelta(days=30)   # CloudTrail's published keys show 30-day windows


def demo_signer() -> DigestSigner:
    pem = resources.files("trailtui.demo").joinpath(DEMO_KEY_FILE).read_bytes()
    return DigestSigner.from_pem(pem, trusted=True)


def demo_key_listing(signer: DigestSigner, start: datetime, end: datetime) -> dict[str, Any]:
    """`aws cloudtrail list-public-keys` output covering [start, end] with
    margin: from the day before `start`, at least 30 days, past `end` by a day."""
    valid_from = (start - timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    valid_until = max(valid_from + KEY_VALIDITY, (end + timedelta(days=1)).replace(microsecond=0))
    return public_key_listing([signer.key_entry(valid_from, valid_until)])
