"""A Sigma rule's detection, as parsed by pySigma, into one JMESPath filter.

pySigma resolves the condition (`1 of selection_*`, `all of them`, `not`,
parentheses) and the value modifiers into a tree of AND/OR/NOT over
field-equals-value leaves; this module only walks that tree, so no Sigma
syntax is parsed here.
"""

from __future__ import annotations

from sigma.conditions import (
    ConditionAND,
    ConditionFieldEqualsValueExpression,
    ConditionItem,
    ConditionNOT,
    ConditionOR,
    ConditionValueExpression,
)
from sigma.rule import SigmaRule

from trailtui.sigma.values import ItemConverter, Unsupported

# A rule's filter is evaluated on every event: a bound on its size keeps a
# hostile or generated rule from making every scan slow.
MAX_FILTER_CHARS = 200_000
MAX_DEPTH = 64


def rule_filter(rule: SigmaRule) -> str:
    """The JMESPath filter equal to the rule's detection (its conditions OR'd,
    as Sigma defines several conditions)."""
    conditions = rule.detection.parsed_condition
    if not conditions:
        raise Unsupported("the rule has no condition")
    parts = [_node(condition.parse(), 0) for condition in conditions]
    text = parts[0] if len(parts) == 1 else " || ".join(f"({p})" for p in parts)
    if len(text) > MAX_FILTER_CHARS:
        raise Unsupported(f"the converted filter is {len(text):,} characters (limit {MAX_FILTER_CHARS:,})")
    return text


def _node(node: object, depth: int) -> str:
    if depth > MAX_DEPTH:
        raise Unsupported(f"the condition nests deeper than {MAX_DEPTH}")
    if isinstance(node, ConditionAND):
        return _join(node, " && ", depth)
    if isinstance(node, ConditionOR):
        return _join(node, " || ", depth)
    if isinstance(node, ConditionNOT):
        return f"!({_node(node.args[0], depth + 1)})"
    if isinstance(node, ConditionFieldEqualsValueExpression):
        return ItemConverter(node.field).convert(node.value)
    if isinstance(node, ConditionValueExpression):
        raise Unsupported("keyword search (a value without a field) is not supported on CloudTrail records")
    raise Unsupported(f"condition element {type(node).__name__}")


def _join(node: ConditionItem, operator: str, depth: int) -> str:
    parts = [_node(arg, depth + 1) for arg in node.args]
    if not parts:
        raise Unsupported("an empty AND/OR in the condition")
    return parts[0] if len(parts) == 1 else "(" + operator.join(parts) + ")"
