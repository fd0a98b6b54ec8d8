"""Walk a credential chain over a `ChainIndex`.

Back: key -> the event that issued it -> the key that event was made with ->
... until a key nobody issued in the range (an origin) or a keyless issuer (a
SAML or web identity, an AWS service).  Forward: breadth first through every
key issued with the start key or below it.  Both walks remember the keys they
visited, so a loop in the data (a record naming its own key, two records naming
each other's) ends the walk instead of spinning; both are bounded in length.
"""

from __future__ import annotations

from datetime import timedelta

from trailtui.chains.index import ChainIndex, KeyUse
from trailtui.chains.issuance import MAX_FIELD, Issuance, issuance_of, origin_kind_of
from trailtui.chains.model import Chain, KeySummary, Link, Origin
from trailtui.events import Event, parse_event_time

MAX_CHAIN_LINKS = 64  # back from a key; real role chains are a handful of links deep
MAX_FORWARD_LINKS = 1_000  # keys issued below the start key
SIGN_IN_SLACK = timedelta(minutes=5)  # a console session's creationDate vs its ConsoleLogin's eventTime


def start_key(index: ChainIndex, access_key: str | None = None, event_id: str | None = None) -> str | None:
    """The key a chain is resolved from: the one given, or the key the event
    with `event_id` was made with (or, for a keyless issuing call such as
    AssumeRoleWithSAML, the key it issued).  None when the event is not in the index."""
    if access_key:
        return access_key
    target = index.target
    if target is None or (event_id and target.event_id != event_id):
        return None
    return target.access_key or target.issued_key or None


def key_of_event(event: Event) -> str | None:
    """The key to resolve for one event: the key it was made with, or the key
    it issued when it was made without one (AssumeRoleWithSAML, an AWS service)."""
    if event.access_key:
        return event.access_key[:MAX_FIELD]
    issuance = issuance_of(event)
    return issuance.access_key if issuance is not None else None


def _link(issuance: Issuance) -> Link:
    return Link(
        access_key=issuance.access_key, issued_by_event_id=issuance.event_id, issued_at=issuance.time,
        issuer_principal=issuance.issuer_principal, issuer_source_ip=issuance.issuer_source_ip,
        role_arn=issuance.role_arn, session_name=issuance.session_name, source_identity=issuance.source_identity,
        issuer_key=issuance.issuer_key, event_name=issuance.event_name,
    )


def _walk_back(index: ChainIndex, key: str) -> tuple[list[Issuance], str, str]:
    """Issuances from `key` up (newest link first), the topmost key reached
    ('' when the top issuer had none) and a note when the walk was cut short."""
    chain: list[Issuance] = []
    seen = {key}
    current = key
    while True:
        issuance = index.issuances.get(current)
        if issuance is None:
            return chain, current, ""
        if len(chain) >= MAX_CHAIN_LINKS:
            return chain, current, f"chain longer than {MAX_CHAIN_LINKS} links: stopped at {current}"
        chain.append(issuance)
        parent = issuance.issuer_key
        if not parent:
            return chain, "", ""
        if parent in seen:
            return chain, parent, f"loop in the records: {parent} was issued below itself; stopped there"
        seen.add(parent)
        current = parent


def _sign_in_origin(index: ChainIndex, key: str, use: KeyUse) -> Origin | None:
    """A console session key (an IAM user's or root's temporary key) whose
    creationDate matches a ConsoleLogin of the same principal."""
    if not key.startswith("ASIA") or use.identity_type not in ("IAMUser", "Root") or not use.session_created:
        return None
    created = parse_event_time(use.session_created)
    if created is None:
        return None
    candidates = [s for s in index.sign_ins.get(use.principal, ()) if abs(s.time - created) <= SIGN_IN_SLACK]
    if not candidates:
        return None
    best = min(candidates, key=lambda s: abs(s.time - created))
    return Origin("console-sign-in", use.principal, key, best.source_ip, best.event_id, best.time)


def _origin(index: ChainIndex, top_key: str, top: Issuance | None, note: str) -> Origin:
    if not top_key and top is not None:  # issued without a key: SAML, web identity, an AWS service
        kind = origin_kind_of(top)
        return Origin(kind, top.issuer_principal, "", top.issuer_source_ip, top.event_id, top.time,
                      "" if kind != "unknown" else f"issued by {top.issuer_principal or 'a caller'} without a key")
    use = index.keys.get(top_key)
    principal = use.principal if use else (top.issuer_principal if top else "")
    if note:
        return Origin("unknown", principal, top_key, note=note)
    if use is not None:
        sign_in = _sign_in_origin(index, top_key, use)
        if sign_in is not None:
            return sign_in
    # the origin key's own act that started the chain, else its first event in the range
    event_id = top.event_id if top else (use.first_event if use else "")
    when = top.time if top else (use.first if use else None)
    address = top.issuer_source_ip if top else (use.first_ip if use else "")
    if top_key.startswith("AKIA"):
        return Origin("long-term-key", principal, top_key, address, event_id, when)
    why = "no issuing event for this key in the range" if use or top else "this key is not in the range"
    if use is not None and use.ec2_delivery:
        why = "instance-profile credentials (ec2RoleDelivery); EC2's AssumeRole for them is not in the range"
    return Origin("unknown", principal, top_key, address, event_id, when, why)


def _forward(index: ChainIndex, key: str, seen: set[str]) -> tuple[list[Link], str]:
    out: list[Link] = []
    queue = [key]
    for current in queue:
        for issued in index.issued_by.get(current, ()):
            if issued in seen:
                continue
            if len(out) >= MAX_FORWARD_LINKS:
                return out, f"more than {MAX_FORWARD_LINKS:,} keys issued below {key}: the rest are not listed"
            seen.add(issued)
            issuance = index.issuances.get(issued)
            if issuance is not None:
                out.append(_link(issuance))
                queue.append(issued)
    return out, ""


def _summary(use: KeyUse | None) -> KeySummary:
    if use is None:
        return KeySummary(0, None, None, ())
    return KeySummary(use.count, use.first, use.last, tuple(use.ips), use.principal)


def resolve(index: ChainIndex, key: str) -> Chain:
    """The chain of `key`: never raises on odd data; a key with no issuing
    event in the range resolves to an origin of kind `unknown` that says so."""
    back, top_key, note = _walk_back(index, key)
    origin = _origin(index, top_key, back[-1] if back else None, note)
    path = [_link(issuance) for issuance in reversed(back)]
    seen = {key, *(link.access_key for link in path)}
    if top_key:
        seen.add(top_key)
    forward, forward_note = _forward(index, key, seen)
    ordered = ([origin.access_key] if origin.access_key else []) + [link.access_key for link in path + forward]
    if key not in ordered:
        ordered.append(key)
    keys = {k: _summary(index.keys.get(k)) for k in dict.fromkeys(ordered)}
    notes = tuple(n for n in (origin.note, forward_note, index.truncated()) if n)
    return Chain(key, origin, tuple(path), tuple(forward), keys, notes)
