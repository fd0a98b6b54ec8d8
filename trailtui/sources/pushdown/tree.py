"""Reading the JMESPath AST (the dicts `jmespath.compile(...).parsed` holds).

Only the shapes pushdown understands are recognised here: plain field paths
(`userIdentity.arn`, `@.eventName`), literals, and the top-level `&&` chain.
"""

from __future__ import annotations

from typing import Any

Node = dict[str, Any]

_MIRROR = {"eq": "eq", "ne": "ne", "lt": "gt", "lte": "gte", "gt": "lt", "gte": "lte"}


def field_path(node: Node) -> tuple[str, ...] | None:
    """`('userIdentity', 'arn')` for `userIdentity.arn`; None for anything that
    is not a plain chain of field names (indexes, projections, functions...)."""
    kind = node.get("type")
    if kind == "field":
        return (node["value"],)
    if kind != "subexpression":
        return None
    path: list[str] = []
    for child in node.get("children", []):
        if child.get("type") == "current" and not path:
            continue
        sub = field_path(child)
        if sub is None:
            return None
        path.extend(sub)
    return tuple(path) or None


def alternative_paths(node: Node) -> list[tuple[str, ...]] | None:
    """The field paths of `a || b || ...` in order (one for a plain field);
    None when some alternative is not a plain field path."""
    if node.get("type") == "or_expression":
        found: list[tuple[str, ...]] = []
        for child in node.get("children", []):
            paths = alternative_paths(child)
            if paths is None:
                return None
            found += paths
        return found
    path = field_path(node)
    return [path] if path is not None else None


def is_literal(node: Node) -> bool:
    return node.get("type") == "literal"


def path_and_literal(node: Node) -> tuple[tuple[str, ...], Any, str] | None:
    """For a comparator `path OP literal` (either side): (path, value, op) with
    the operator mirrored when the literal came first; else None."""
    left, right = node["children"]
    op = node["value"]
    if is_literal(right):
        path = field_path(left)
        return (path, right["value"], op) if path else None
    if is_literal(left):
        path = field_path(right)
        return (path, left["value"], _MIRROR[op]) if path else None
    return None


def conjuncts(node: Node | None) -> list[Node]:
    """The operands of a top-level `a && b && c` chain (one item otherwise)."""
    if node is None:
        return []
    if node.get("type") == "and_expression":
        return [part for child in node["children"] for part in conjuncts(child)]
    return [node]
