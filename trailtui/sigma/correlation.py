"""Sigma correlation rules as trailtui's threshold and sequence hunts.

`event_count` is a threshold on events, `value_count` a threshold on distinct
values of a field, `temporal_ordered` over two rules a sequence.  Everything
else is refused with the reason, because the engine could only approximate it:
`temporal` without an order (the engine's sequences are ordered), more than two
steps, the value aggregations, and conditions that fire on absence (`lt`,
`lte`, `eq`, `neq`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sigma.correlations import (
    SigmaCorrelationCondition,
    SigmaCorrelationConditionOperator,
    SigmaCorrelationRule,
    SigmaCorrelationType,
)

from trailtui.filters import EventFilter
from trailtui.hunts.model import Sequence, Threshold
from trailtui.sigma.values import Unsupported, field_path

# Longest window a correlation may ask for: the engine keeps every event of a
# window per group, so a month-long window on a busy trail is memory, not insight.
MAX_WINDOW = timedelta(days=7)


@dataclass(frozen=True, slots=True)
class CorrelationShape:
    """What a correlation becomes: the hunt's own filter, and its rule."""

    filter_text: str
    threshold: Threshold | None = None
    sequence: Sequence | None = None


def correlation_shape(rule: SigmaCorrelationRule, filters: list[str]) -> CorrelationShape:
    """`filters` are the converted filters of the rules it refers to, in order."""
    if rule.aliases.aliases:
        raise Unsupported("correlation field aliases are not supported")
    window = _window(rule)
    by = group_expression(rule.group_by)
    kind = rule.type
    if kind in (SigmaCorrelationType.EVENT_COUNT, SigmaCorrelationType.VALUE_COUNT):
        condition = rule.condition
        if not isinstance(condition, SigmaCorrelationCondition):
            raise Unsupported("an extended condition on a count correlation")
        distinct = None
        if kind is SigmaCorrelationType.VALUE_COUNT:
            if not condition.fieldref:
                raise Unsupported("value_count needs a condition field")
            distinct = EventFilter.compile(field_path(str(condition.fieldref)))
        threshold = Threshold(count=_at_least(condition), window=window, by=by, distinct=distinct)
        return CorrelationShape(" || ".join(f"({f})" for f in filters), threshold=threshold)
    if kind is SigmaCorrelationType.TEMPORAL_ORDERED:
        if len(filters) != 2:
            raise Unsupported(f"temporal_ordered over {len(filters)} rules (two steps are supported)")
        return CorrelationShape(filters[0], sequence=Sequence(then=EventFilter.compile(filters[1]),
                                                             window=window, by=by))
    if kind is SigmaCorrelationType.TEMPORAL:
        raise Unsupported("temporal correlation without an order (use temporal_ordered)")
    raise Unsupported(f"{kind.name.lower()} correlation")


def group_expression(fields: list[str] | None) -> str:
    """The engine's `by` for Sigma's `group-by`: one field, a tuple of fields,
    or one group for everything when the rule names none."""
    if not fields:
        return '`"all events"`'
    paths = [field_path(name) for name in fields]
    return paths[0] if len(paths) == 1 else "[" + ", ".join(paths) + "]"


def _window(rule: SigmaCorrelationRule) -> timedelta:
    window = timedelta(seconds=int(rule.timespan.seconds))
    if window <= timedelta(0):
        raise Unsupported("timespan must be positive")
    if window > MAX_WINDOW:
        raise Unsupported(f"timespan {rule.timespan.spec} is longer than {MAX_WINDOW.days} days")
    return window


def _at_least(condition: SigmaCorrelationCondition) -> int:
    count = int(condition.count)
    if condition.op is SigmaCorrelationConditionOperator.GTE:
        return max(1, count)
    if condition.op is SigmaCorrelationConditionOperator.GT:
        return max(1, count + 1)
    raise Unsupported(f"condition {condition.op.name.lower()} fires on absence, which a scan cannot see")
