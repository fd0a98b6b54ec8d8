"""Which event names a hunt can possibly match, read from its filter's AST.

Nearly every hunt starts with `eventName == 'X'`, `contains([...], eventName)`
or `starts_with(eventName, 'X')` somewhere every match must pass through.  That
"gate" lets the engine test an event only against the few hunts whose gate its
name opens (a dictionary lookup instead of dozens of expressions), and lets the
query pushed to the source be one cheap membership test instead of the OR of
every hunt.  The gate is exact, never a guess: it is only taken from parts of the
expression every truthy result depends on (`&&` chains, `||` whose branches are
all gated), so a gated-out event can never match.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

FIELD = "eventName"


@dataclass(frozen=True, slots=True)
class Gate:
    """Event names (exact), name prefixes and case-folded names (from
    `iequals(eventName, 'x')`, as Sigma rules match) a filter can match;
    nothing else can."""

    names: frozenset[str] = frozenset()
    prefixes: frozenset[str] = frozenset()
    folded: frozenset[str] = frozenset()

    def opens(self, name: Any) -> bool:
        return isinstance(name, str) and (name in self.names or any(name.startswith(p) for p in self.prefixes)
                                          or (bool(self.folded) and name.casefold() in self.folded))

    def __or__(self, other: Gate) -> Gate:
        return Gate(self.names | other.names, self.prefixes | other.prefixes, self.folded | other.folded)

    @property
    def size(self) -> int:
        return len(self.names) + len(self.prefixes) + len(self.folded)


def _is_target(node: dict[str, Any]) -> bool:
    return node.get("type") == "field" and node.get("value") == FIELD


def _string_literal(node: dict[str, Any]) -> str | None:
    value = node.get("value")
    return value if node.get("type") == "literal" and isinstance(value, str) else None


def _string_list(node: dict[str, Any]) -> list[str] | None:
    """`['a', 'b']` (a multi-select of raw strings) or `` `["a", "b"]` `` (a JSON literal)."""
    if node.get("type") == "literal" and isinstance(node.get("value"), list):
        values = node["value"]
        return values if all(isinstance(v, str) for v in values) else None
    if node.get("type") == "multi_select_list":
        found = [_string_literal(child) for child in node.get("children", [])]
        strings = [v for v in found if v is not None]
        return strings if len(strings) == len(found) else None
    return None


def _leaf_gate(node: dict[str, Any]) -> Gate | None:
    kind, children = node.get("type"), node.get("children", [])
    if kind == "comparator" and node.get("value") == "eq" and len(children) == 2:
        left, right = children
        for path, value in ((left, right), (right, left)):
            literal = _string_literal(value)
            if _is_target(path) and literal is not None:
                return Gate(names=frozenset([literal]))
    if kind == "function_expression" and len(children) == 2:
        name = node.get("value")
        if name == "contains" and _is_target(children[1]):
            values = _string_list(children[0])
            if values is not None:
                return Gate(names=frozenset(values))
        if name == "iequals":
            for path, value in ((children[0], children[1]), (children[1], children[0])):
                literal = _string_literal(value)
                if _is_target(path) and literal is not None:
                    return Gate(folded=frozenset([literal.casefold()]))
        if name == "starts_with" and _is_target(children[0]):
            prefix = _string_literal(children[1])
            if prefix is not None:
                return Gate(prefixes=frozenset([prefix]))
    return None


def gate_of(node: Any) -> Gate | None:
    """The gate of an expression AST, or None when its matches are not
    confined to known event names."""
    if not isinstance(node, dict):
        return None
    kind, children = node.get("type"), node.get("children", [])
    if kind == "and_expression" and len(children) == 2:
        gates = [g for g in (gate_of(children[0]), gate_of(children[1])) if g is not None]
        return min(gates, key=lambda g: g.size) if gates else None
    if kind == "or_expression" and len(children) == 2:
        left, right = gate_of(children[0]), gate_of(children[1])
        return left | right if left is not None and right is not None else None
    return _leaf_gate(node)
