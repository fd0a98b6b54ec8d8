"""A resolved chain as a tree a console can draw: origin -> sessions -> keys.

A session is one role session (role ARN + session name) opened with one key;
it may hold several keys (the same session assumed twice).  Each node knows the
keys and issuing events that are "its events", and the filter that shows them,
so choosing a node narrows the event list to exactly those events.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from trailtui.chains.model import Chain, KeySummary, Link, iso
from trailtui.filters.literal import jmespath_literal

MAX_FILTER_KEYS = 200  # an origin whose chain holds more keys filters on its own key only
MAX_TREE_DEPTH = 64


@dataclass(slots=True)
class ChainNode:
    """`kind` is origin, session or key; `keys` and `event_ids` select its events."""

    kind: str
    title: str
    keys: list[str] = field(default_factory=list)
    event_ids: list[str] = field(default_factory=list)
    events: int = 0
    source_ips: list[str] = field(default_factory=list)
    source_identity: str = ""
    children: list[ChainNode] = field(default_factory=list)
    asked: bool = False
    detail: list[str] = field(default_factory=list)  # full values, for a detail line under the tree

    def filter_expression(self) -> str:
        """A JMESPath filter matching this node's events (and its issuing events)."""
        parts: list[str] = []
        if len(self.keys) == 1:
            parts.append(f"userIdentity.accessKeyId == {jmespath_literal(self.keys[0])}")
        elif self.keys:
            listed = ", ".join(jmespath_literal(k) for k in self.keys)
            parts.append(f"contains([{listed}], userIdentity.accessKeyId)")
        if len(self.event_ids) == 1:
            parts.append(f"eventID == {jmespath_literal(self.event_ids[0])}")
        elif self.event_ids:
            listed = ", ".join(jmespath_literal(e) for e in self.event_ids)
            parts.append(f"contains([{listed}], eventID)")
        return " || ".join(parts)


def short_arn(arn: str) -> str:
    """`role/deploy@222222222222` for `arn:aws:iam::222222222222:role/deploy`: what
    fits on a line at 80 columns and still names the account."""
    parts = arn.split(":", 5)
    if len(parts) != 6:
        return arn
    return f"{parts[5]}@{parts[4]}" if parts[4] else parts[5]


def _link_detail(link: Link) -> list[str]:
    session = f"session {link.session_name or '-'}"
    if link.source_identity:
        session += f"  source identity {link.source_identity}"
    return [f"role {link.role_arn or '-'}", session,
            f"issued {iso(link.issued_at)} from {link.issuer_source_ip or '-'}  event {link.issued_by_event_id or '-'}",
            f"by {link.issuer_principal or '-'}"]


def _key_node(chain: Chain, key: str) -> ChainNode:
    summary = chain.keys.get(key) or KeySummary(0, None, None, ())
    detail = [f"key {key}  {summary.events} events", f"{iso(summary.first) or '-'} .. {iso(summary.last) or '-'}",
              "from " + (", ".join(summary.source_ips) or "-")]
    return ChainNode("key", key, [key], [], summary.events, list(summary.source_ips), asked=key == chain.start_key,
                     detail=detail)


def _sessions(chain: Chain, links: list[Link], depth: int, seen: set[str]) -> list[ChainNode]:
    """Group links by (role, session name); under each key, the sessions it opened."""
    grouped: dict[tuple[str, str, str], ChainNode] = {}
    for link in links:
        if link.access_key in seen:
            continue
        seen.add(link.access_key)
        group = (link.role_arn, link.session_name, link.event_name)
        node = grouped.get(group)
        if node is None:
            title = f"{link.event_name or 'session'}  {short_arn(link.role_arn) or '-'}"
            if link.session_name:
                title += f"  session {link.session_name}"
            node = grouped[group] = ChainNode("session", title, source_identity=link.source_identity,
                                              detail=_link_detail(link))
        key = _key_node(chain, link.access_key)
        node.keys.append(link.access_key)
        node.event_ids.append(link.issued_by_event_id)
        node.events += key.events
        node.source_ips.extend(ip for ip in key.source_ips if ip not in node.source_ips)
        node.asked = node.asked or key.asked
        if depth < MAX_TREE_DEPTH:
            key.children = _sessions(chain, list(chain.children(link.access_key)), depth + 1, seen)
        node.children.append(key)
    return list(grouped.values())


def chain_tree(chain: Chain) -> ChainNode:
    """The tree of `chain`, rooted at its origin; every link appears once."""
    origin = chain.origin
    principal = short_arn(origin.principal) if origin.principal.startswith("arn:") else origin.principal
    title = f"origin  {origin.kind}  {principal or '-'}"
    detail = [f"{origin.kind}  {origin.principal or '-'}",
              f"key {origin.access_key or '-'}  from {origin.source_ip or '-'}",
              f"event {origin.event_id or '-'}  at {iso(origin.time) or '-'}"]
    if origin.note:
        detail.append(origin.note)
    root = ChainNode("origin", title, source_ips=[origin.source_ip] if origin.source_ip else [], detail=detail)
    seen: set[str] = set()
    if origin.access_key:
        seen.add(origin.access_key)
        summary = chain.keys.get(origin.access_key)
        root.keys = [origin.access_key]
        root.events = summary.events if summary else 0
        root.source_ips = list(summary.source_ips) if summary else root.source_ips
        root.asked = origin.access_key == chain.start_key
    elif origin.event_id:
        root.event_ids = [origin.event_id]
    root.children = _sessions(chain, chain.roots(), 1, seen)
    stray = [link for link in chain.links if link.access_key not in seen]
    root.children.extend(_sessions(chain, stray, 1, seen))  # a cut chain: links whose issuer is not in the tree
    if chain.start_key not in seen and chain.start_key != origin.access_key:
        root.children.append(_key_node(chain, chain.start_key))
    all_keys = list(chain.keys)
    if origin.access_key and len(all_keys) <= MAX_FILTER_KEYS:
        root.keys = all_keys  # the origin's events are the whole chain's
        root.event_ids = [link.issued_by_event_id for link in chain.links][:MAX_FILTER_KEYS]
    return root
