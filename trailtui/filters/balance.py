"""Keep a filter's tree shallow however many terms it has.

JMESPath parses `a || b || c ...` left-nested: a list of 5,000 IOC addresses
joined by `||` becomes a tree 5,000 deep, which every recursive walker (the
reference interpreter, the predicate compiler, the SQL translators) and the
Python compiler (at most 200 nested parentheses) refuse.  `||` and `&&` are
associative in JMESPath (each returns the first truthy, resp. falsy, operand
or the last one, evaluating left to right), so a chain can be regrouped as a
balanced tree, ~13 deep for 5,000 terms, with the same value, the same
evaluation order and the same errors.

`nesting_depth` measures what cannot be regrouped (parentheses, brackets,
braces and `!`), before parsing, so an absurd filter is refused in one line
instead of exhausting the parser's recursion.
"""

from __future__ import annotations

from typing import Any

_CHAINS = ("or_expression", "and_expression")
_QUOTES = "'\"`"


def balanced(node: Any) -> Any:
    """The AST with every `||`/`&&` chain regrouped as a balanced tree (in place
    where possible; returns the new root)."""
    if not isinstance(node, dict):
        return node
    kind = node.get("type")
    if kind in _CHAINS:
        return _regroup(kind, _operands(node, kind))
    children = node.get("children")
    if isinstance(children, list):
        node["children"] = [balanced(child) for child in children]
    return node


def _operands(node: dict[str, Any], kind: str) -> list[Any]:
    """The chain's operands left to right, found without recursion (the chain
    may be thousands deep); each operand balanced in turn."""
    operands: list[Any] = []
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, dict) and current.get("type") == kind:
            left, right = current["children"]
            stack.append(right)
            stack.append(left)
        else:
            operands.append(balanced(current))
    return operands


def _regroup(kind: str, operands: list[Any]) -> Any:
    if len(operands) == 1:
        return operands[0]
    middle = len(operands) // 2
    return {"type": kind, "children": [_regroup(kind, operands[:middle]), _regroup(kind, operands[middle:])]}


def nesting_depth(text: str) -> int:
    """The deepest nesting of `(`, `[`, `{` and runs of `!` outside quoted
    literals: what the parser recurses on."""
    depth = deepest = 0
    quote = ""
    escaped = False
    nots = 0
    for char in text:
        if quote:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == quote:
                quote = ""
            continue
        if char in _QUOTES:
            quote = char
        elif char in "([{":
            depth += 1
        elif char in ")]}":
            depth = max(0, depth - 1)
        if char == "!":
            nots += 1
        elif not char.isspace():
            nots = 0
        deepest = max(deepest, depth + nots)
    return deepest
