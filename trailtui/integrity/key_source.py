"""Where public keys come from during a run: a key file, or `ListPublicKeys`
in each digest's region (asked again around a digest's time when its
fingerprint is unknown, e.g. after a key rotation or for a backfill digest)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Protocol

from trailtui.aws.clients import ClientFactory
from trailtui.aws.errors import describe_error
from trailtui.integrity.keyring import KeyRing, fetch_public_keys


class KeySourceError(Exception):
    """Public keys could not be obtained at all (fatal for the run)."""


class KeySource(Protocol):
    warnings: list[str]

    async def prepare(self, region: str, start: datetime, end: datetime) -> None:
        """Load the keys of `region` for [start, end] before digests are checked."""
        ...

    async def ring(self, region: str, fingerprint: str, when: datetime) -> KeyRing:
        """The key ring to check a digest of `region` ending at `when` with."""
        ...


class FileKeys:
    """Keys from `--public-keys` files, used for every region."""

    def __init__(self, ring: KeyRing, warnings: list[str]) -> None:
        self._ring = ring
        self.warnings = warnings

    async def prepare(self, region: str, start: datetime, end: datetime) -> None:
        return None

    async def ring(self, region: str, fingerprint: str, when: datetime) -> KeyRing:
        return self._ring


class OnlineKeys:
    """Keys from `ListPublicKeys`, one ring per region (keys are regional)."""

    def __init__(self, factory: ClientFactory) -> None:
        self._factory = factory
        self._rings: dict[str, KeyRing] = {}
        self._asked: set[tuple[str, datetime]] = set()
        self.warnings: list[str] = []

    async def _ask(self, region: str, start: datetime, end: datetime) -> None:
        ring = self._rings.setdefault(region, KeyRing())
        try:
            self.warnings += await fetch_public_keys(self._factory, region, start, end, ring)
        except Exception as exc:
            raise KeySourceError(
                f"cannot get CloudTrail public keys in {region}: {describe_error(exc, 'ListPublicKeys')} "
                "(or pass --public-keys FILE saved from `aws cloudtrail list-public-keys`)"
            ) from None

    async def prepare(self, region: str, start: datetime, end: datetime) -> None:
        await self._ask(region, start - timedelta(hours=1), end + timedelta(hours=2))

    async def ring(self, region: str, fingerprint: str, when: datetime) -> KeyRing:
        ring = self._rings.setdefault(region, KeyRing())
        hour = when.replace(minute=0, second=0, microsecond=0)
        if fingerprint not in ring and (region, hour) not in self._asked:
            self._asked.add((region, hour))
            await self._ask(region, hour - timedelta(hours=2), hour + timedelta(hours=2))
        return ring
