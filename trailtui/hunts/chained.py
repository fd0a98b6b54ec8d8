"""Hunts that credential chains make exact (`chain = {check = "..."}`).

Each tracker keeps its own `ChainIndex` of the events its filter lets through
and holds back the events it may report (at most MAX_PENDING); the verdict
waits for `finish`, when every issuing event and every use of a key in the
range is known.

- instance-credentials-off-instance: EC2 issues instance-profile credentials
  with an AssumeRole made by `ec2.amazonaws.com` (session name = instance id),
  and the instance uses fresh credentials at once, so the first address a key
  EC2 issued in the range is used from is the instance's own.  A use of that
  instance's credentials (any key of the same instance, issued in the range or
  carrying `ec2RoleDelivery`) from a public address none of those first uses
  came from fires.  With no issuing event for the instance in the range its own
  addresses are unknown and nothing is reported (the predicate hunt
  `instance-credentials-outside-aws` still looks at every public use).
- role-outside-organisation: an issuing call for a role whose account is not
  among the known accounts (the organisation trail's `o-…` path accounts,
  `recipientAccountId`s, `--known-accounts`): the chain has left the
  organisation.  The detail names the chain's origin.
"""

from __future__ import annotations

import ipaddress
from typing import Protocol

from trailtui.chains import ChainIndex, Issuance, KeyUse, issuance_of, resolve
from trailtui.chains.issuance import is_ec2_issued
from trailtui.events import Event
from trailtui.hunts.accounts import KnownAccounts
from trailtui.hunts.model import Hunt

MAX_PENDING = 5_000


class ChainTracker(Protocol):
    hunt: Hunt

    def offer(self, event: Event) -> list[Event]: ...

    def finish(self) -> list[Event]: ...

    def detail(self, event: Event) -> str: ...


def is_public_address(text: str) -> bool:
    """A globally routable IP address (not a service name such as
    `ec2.amazonaws.com`, not `AWS Internal`, not a private or reserved range)."""
    try:
        return ipaddress.ip_address(text).is_global
    except ValueError:
        return False


def instance_of(use: KeyUse | None, issuance: Issuance | None) -> str:
    """The instance a key belongs to, or '' when it is not instance credentials."""
    if issuance is not None:
        return issuance.session_name if is_ec2_issued(issuance) and issuance.session_name else ""
    if use is None or ":assumed-role/" not in use.principal:
        return ""
    session = use.principal.rsplit("/", 1)[-1]
    return session if use.ec2_delivery or session.startswith("i-") else ""


class InstanceCredentialsTracker:
    def __init__(self, hunt: Hunt) -> None:
        self.hunt = hunt
        self.index = ChainIndex()
        self._matches = hunt.filter.predicate()
        self._pending: list[Event] = []
        self._details: dict[int, str] = {}

    def offer(self, event: Event) -> list[Event]:
        if not self._matches(event.raw):
            return []
        self.index.feed(event)
        if event.access_key and is_public_address(event.source_ip) and len(self._pending) < MAX_PENDING:
            self._pending.append(event)
        return []

    def _own_addresses(self) -> dict[str, set[str]]:
        own: dict[str, set[str]] = {}
        for key, issuance in self.index.issuances.items():
            use = self.index.keys.get(key)
            if is_ec2_issued(issuance) and issuance.session_name and use is not None and use.first_ip:
                own.setdefault(issuance.session_name, set()).add(use.first_ip)
        return own

    def finish(self) -> list[Event]:
        own = self._own_addresses()
        out: list[Event] = []
        for event in self._pending:
            key = event.access_key
            instance = instance_of(self.index.keys.get(key), self.index.issuances.get(key))
            addresses = own.get(instance) if instance else None
            if not addresses or event.source_ip in addresses:
                continue
            issuance = self.index.issuances.get(key)
            issued = (f" (issued by ec2.amazonaws.com at {issuance.time:%Y-%m-%dT%H:%M:%SZ}, event "
                      f"{issuance.event_id})") if issuance is not None else ""
            self._details[id(event)] = (f"credentials {key} of instance {instance}{issued} used from "
                                        f"{event.source_ip}; the instance's own calls came from "
                                        f"{', '.join(sorted(addresses))}")
            out.append(event)
        self._pending.clear()
        return out

    def detail(self, event: Event) -> str:
        return self._details.pop(id(event), "")


class OutsideRoleTracker:
    def __init__(self, hunt: Hunt, known: KnownAccounts) -> None:
        self.hunt = hunt
        self.index = ChainIndex()
        self._known = known
        self._matches = hunt.filter.predicate()
        self._pending: list[tuple[Event, Issuance]] = []
        self._details: dict[int, str] = {}

    def offer(self, event: Event) -> list[Event]:
        if not self._matches(event.raw):
            return []
        self.index.feed(event)
        issuance = issuance_of(event)
        if issuance is None or not issuance.role_account or issuance.role_account == issuance.issuer_account:
            return []
        if len(self._pending) < MAX_PENDING:
            self._pending.append((event, issuance))
        return []

    def finish(self) -> list[Event]:
        out: list[Event] = []
        for event, issuance in self._pending:
            if issuance.role_account in self._known:
                continue
            origin = resolve(self.index, issuance.access_key).origin
            self._details[id(event)] = (
                f"{issuance.event_name} of {issuance.role_arn}: account {issuance.role_account} is outside the "
                f"known accounts ({self._known.provenance()}); chain origin {origin.kind} "
                f"{origin.principal or origin.access_key or '-'}")
            out.append(event)
        self._pending.clear()
        return out

    def detail(self, event: Event) -> str:
        return self._details.pop(id(event), "")


def chain_tracker(hunt: Hunt, known: KnownAccounts) -> ChainTracker:
    if hunt.chain is None:
        raise ValueError(f"hunt {hunt.id} has no chain check")
    if hunt.chain.check == "instance-credentials-off-instance":
        return InstanceCredentialsTracker(hunt)
    return OutsideRoleTracker(hunt, known)
