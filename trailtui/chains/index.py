"""What one streaming pass keeps: issuance links and a summary per key.

Memory is bounded whatever the size of the source: at most MAX_KEYS key
summaries, MAX_ISSUANCES issuance links, MAX_SIGN_INS console sign-ins and
MAX_IPS_PER_KEY addresses per key.  Past a cap new entries are counted in
`dropped` (and reported), never stored.  At about 500 bytes a key and 700 an
issuance the caps hold the index under ~250 MB on the most hostile input; a
real trail of 2 million events holds a few thousand keys.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from trailtui.chains.issuance import (
    ISSUING_EVENTS,
    MAX_FIELD,
    Issuance,
    SignIn,
    identity_of,
    issuance_of,
    mapping,
    principal_of,
    sign_in_of,
    text,
)
from trailtui.events import Event

MAX_KEYS = 200_000
MAX_ISSUANCES = 200_000
MAX_SIGN_INS = 50_000
MAX_SIGN_INS_PER_PRINCIPAL = 64
MAX_IPS_PER_KEY = 32
MAX_ACCOUNTS = 10_000

# `AWSLogs/o-xxxxxxxxxx/123456789012/CloudTrail/...`: an organisation trail's path names the org and the account.
_ORG_PATH = re.compile(r"AWSLogs/(o-[a-z0-9]{10,32})/(\d{12})/")


class KeyUse:
    """How one access key was used: counts, first and last time, addresses,
    and who it belonged to (from the first event seen with it)."""

    __slots__ = ("count", "first", "last", "first_ip", "first_event", "ips", "principal", "identity_type",
                 "session_created", "ec2_delivery", "account")

    def __init__(self, event: Event, identity: dict[str, object]) -> None:
        context = mapping(identity.get("sessionContext"))
        self.count = 0
        self.first: datetime = event.time
        self.last: datetime = event.time
        self.first_ip = event.source_ip[:MAX_FIELD]
        self.first_event = event.event_id[:MAX_FIELD]
        self.ips: list[str] = []
        self.principal = principal_of(identity)
        self.identity_type = text(identity.get("type"))
        self.session_created = text(mapping(context.get("attributes")).get("creationDate"))
        self.ec2_delivery = bool(context.get("ec2RoleDelivery"))
        self.account = text(identity.get("accountId"))

    def add(self, event: Event) -> None:
        self.count += 1
        address = event.source_ip[:MAX_FIELD]
        if event.time < self.first:
            self.first, self.first_ip, self.first_event = event.time, address, event.event_id[:MAX_FIELD]
        if event.time > self.last:
            self.last = event.time
        if address and address not in self.ips and len(self.ips) < MAX_IPS_PER_KEY:
            self.ips.append(address)


@dataclass(frozen=True, slots=True)
class TargetEvent:
    """The event a chain was asked for by id: its own key and the key it issued."""

    event_id: str
    access_key: str
    issued_key: str


@dataclass(slots=True)
class ChainIndex:
    """Feed every event once (any order); then ask `resolve` about any key."""

    want_event_id: str = ""
    keys: dict[str, KeyUse] = field(default_factory=dict)
    issuances: dict[str, Issuance] = field(default_factory=dict)
    issued_by: dict[str, list[str]] = field(default_factory=dict)  # issuer key -> keys it issued
    sign_ins: dict[str, list[SignIn]] = field(default_factory=dict)
    accounts: set[str] = field(default_factory=set)
    organisations: set[str] = field(default_factory=set)
    target: TargetEvent | None = None
    events: int = 0
    dropped: Counter[str] = field(default_factory=Counter)
    _sign_in_count: int = 0

    def feed(self, event: Event) -> None:
        self.events += 1
        raw = event.raw
        identity = identity_of(raw)
        self._note_accounts(event)
        key = event.access_key[:MAX_FIELD]
        if key:
            self._use(key, event, identity)
        name = raw.get("eventName")
        issuance = issuance_of(event) if isinstance(name, str) and name in ISSUING_EVENTS else None
        if issuance is not None:
            self._issue(issuance)
        elif name == "ConsoleLogin":
            sign_in = sign_in_of(event)
            if sign_in is not None:
                self._sign_in(sign_in)
        if self.want_event_id and self.target is None and event.event_id == self.want_event_id:
            self.target = TargetEvent(event.event_id, key, issuance.access_key if issuance else "")

    def _use(self, key: str, event: Event, identity: dict[str, object]) -> None:
        use = self.keys.get(key)
        if use is None:
            if len(self.keys) >= MAX_KEYS:
                self.dropped["keys"] += 1
                return
            use = self.keys[key] = KeyUse(event, identity)
        use.add(event)

    def _issue(self, issuance: Issuance) -> None:
        key = issuance.access_key
        known = self.issuances.get(key)
        if known is not None:
            if _better(issuance, known):
                self.issuances[key] = issuance
                if issuance.issuer_key and issuance.issuer_key != known.issuer_key:
                    self.issued_by.setdefault(issuance.issuer_key, []).append(key)
            return
        if len(self.issuances) >= MAX_ISSUANCES:
            self.dropped["issuances"] += 1
            return
        self.issuances[key] = issuance
        if issuance.issuer_key:
            self.issued_by.setdefault(issuance.issuer_key, []).append(key)

    def _sign_in(self, sign_in: SignIn) -> None:
        found = self.sign_ins.setdefault(sign_in.principal, [])
        if self._sign_in_count >= MAX_SIGN_INS or len(found) >= MAX_SIGN_INS_PER_PRINCIPAL:
            self.dropped["sign-ins"] += 1
            return
        self._sign_in_count += 1
        found.append(sign_in)

    def _note_accounts(self, event: Event) -> None:
        if len(self.accounts) >= MAX_ACCOUNTS:
            return
        account = event.raw.get("recipientAccountId")
        if isinstance(account, str) and account.isdigit() and len(account) == 12:
            self.accounts.add(account)
        if "/o-" in event.location:
            match = _ORG_PATH.search(event.location)
            if match:
                self.organisations.add(match.group(1))
                self.accounts.add(match.group(2))

    def truncated(self) -> str:
        """'' when nothing was dropped, else one line saying what was."""
        if not self.dropped:
            return ""
        parts = ", ".join(f"{count:,} {what}" for what, count in sorted(self.dropped.items()))
        return f"index full: {parts} not kept (caps: {MAX_KEYS:,} keys, {MAX_ISSUANCES:,} issuances)"



def _better(new: Issuance, known: Issuance) -> bool:
    """Two events naming one issued key: a cross-account AssumeRole is logged in
    both accounts (keep the caller's copy), and a record naming its own key as
    issuer (corrupt or anonymised) gives way to one that does not."""
    if known.issuer_key == known.access_key and new.issuer_key != new.access_key:
        return True
    return known.recipient_account != known.issuer_account and new.recipient_account == new.issuer_account
