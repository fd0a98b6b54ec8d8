"""Where public keys come from during a run: a key file, or `ListPublicKeys`
in each digest's region (asked again around a digest's time when its
fingerprint is unknown, e.g. after a key rotation or for a backfill digest)."""

from __future__ import annotations

import asyncio
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


MAX_EXTRA_ASKS = 8  # per region: an unknown fingerprint on every digest must not mean a call per digest


class OnlineKeys:
    """Keys from `ListPublicKeys`, one ring per region (keys are regional)."""

    def __init__(self, factory: ClientFactory) -> None:
        self._factory = factory
        self._rings: dict[str, KeyRing] = {}
        self._asked: set[tuple[str, datetime]] = set()
        self._locks: dict[str, asyncio.Lock] = {}
        self.warnings: list[str] = []

    async def _ask(self, region: str, start: datetime, end: datetime) -> None:
        ring = self._rings.setdefault(region, KeyRing())
        try:
            self.warnings += await fetch_public_keys(self._factory, region, start, end, ring)
        except Exception as exc:  # noqa: BLE001 - SDK, transport and allow-list errors share no base
            raise KeySourceError(
                f"cannot get CloudTrail public keys in {region}: {describe_error(exc, 'ListPublicKeys')} "
                "(or pass --public-keys FILE saved from `aws cloudtrail list-public-keys`)"
            ) from None

    async def prepare(self, region: str, start: datetime, end: datetime) -> None:
        await self._ask(region, start - timedelta(hours=1), end + timedelta(hours=2))

    async def ring(self, region: str, fingerprint: str, when: datetime) -> KeyRing:
        ring = self._rings.setdefault(region, KeyRing())
        if fingerprint in ring:
            return ring
        # One question at a time per region, so a digest checked while another
        # digest's question is in flight sees the answer instead of "not found".
        async with self._locks.setdefault(region, asyncio.Lock()):
            hour = when.replace(minute=0, second=0, microsecond=0)
            asked_here = sum(1 for asked_region, _ in self._asked if asked_region == region)
            if fingerprint not in ring and (region, hour) not in self._asked and asked_here < MAX_EXTRA_ASKS:
                self._asked.add((region, hour))
                await self._ask(region, hour - timedelta(hours=2), hour + timedelta(hours=2))
        return ring
