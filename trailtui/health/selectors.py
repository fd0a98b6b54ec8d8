"""What a trail records: management events, data events, Insights.

Both selector styles are read.  Basic selectors say it with `ReadWriteType`,
`IncludeManagementEvents` and `ExcludeManagementEventSources`; advanced ones
with field selectors (`eventCategory`, `readOnly`, `eventSource` ...), where a
management selector without a `readOnly` field means read *and* write.  The
category is taken from the `eventCategory` field, never from the selector's
free-text name.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from trailtui.health.context import TrailContext, read_dict
from trailtui.health.fixes import compact_json, trail_command
from trailtui.health.results import Status, Verdict

MANAGEMENT_SELECTOR = {"Name": "Management events", "FieldSelectors": [{"Field": "eventCategory",
                                                                        "Equals": ["Management"]}]}
BASIC_MANAGEMENT = {"ReadWriteType": "All", "IncludeManagementEvents": True, "DataResources": [],
                    "ExcludeManagementEventSources": []}
ALL_INSIGHTS = [{"InsightType": "ApiCallRateInsight"}, {"InsightType": "ApiErrorRateInsight"}]


@dataclass
class Coverage:
    """Which management events are recorded, as far as the selectors say."""

    read: bool = False
    write: bool = False
    limits: list[str] = field(default_factory=list)   # exclusions and filters, in words
    default: bool = False


def _basic(selectors: list[dict[str, Any]]) -> Coverage:
    coverage = Coverage()
    excluded: set[str] | None = None
    for selector in selectors:
        if selector.get("IncludeManagementEvents", True) is not True:
            continue
        kind = selector.get("ReadWriteType", "All")
        coverage.read |= kind in ("All", "ReadOnly")
        coverage.write |= kind in ("All", "WriteOnly")
        sources = set(selector.get("ExcludeManagementEventSources") or [])
        excluded = sources if excluded is None else excluded & sources
    if excluded:
        coverage.limits.append("exclude events from " + ", ".join(sorted(excluded)))
    return coverage


def _fields(selector: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {str(f.get("Field")): f for f in selector.get("FieldSelectors") or [] if isinstance(f, dict)}


def _category(selector: dict[str, Any]) -> list[str]:
    return list(_fields(selector).get("eventCategory", {}).get("Equals") or [])


def _advanced(selectors: list[dict[str, Any]]) -> Coverage:
    coverage = Coverage()
    for selector in selectors:
        if "Management" not in _category(selector):
            continue
        fields = _fields(selector)
        read_only = fields.get("readOnly", {}).get("Equals") or []
        coverage.read |= not read_only or "true" in read_only
        coverage.write |= not read_only or "false" in read_only
        for name, spec in fields.items():
            if name in ("eventCategory", "readOnly"):
                continue
            operators = {k: v for k, v in spec.items() if k != "Field" and v}
            words = "; ".join(f"{op} {', '.join(map(str, vals))}" for op, vals in operators.items())
            verb = "exclude" if name == "eventSource" and all(op.startswith("Not") for op in operators) \
                else "filter on"
            coverage.limits.append(f"{verb} {name} ({words})")
    return coverage


def management_coverage(selectors: dict[str, Any]) -> Coverage:
    basic = selectors.get("EventSelectors") or []
    advanced = selectors.get("AdvancedEventSelectors") or []
    if advanced:
        return _advanced(advanced)
    if basic:
        return _basic(basic)
    return Coverage(read=True, write=True, default=True)


def _management_fix(ctx: TrailContext, selectors: dict[str, Any]) -> str:
    """Put back a full management selector and keep every data selector as is."""
    advanced = selectors.get("AdvancedEventSelectors") or []
    if advanced:
        kept = [s for s in advanced if "Management" not in _category(s)]
        return trail_command("put-event-selectors", ctx.name, ctx.region, "--advanced-event-selectors",
                             compact_json([MANAGEMENT_SELECTOR, *kept]))
    kept = []
    for selector in selectors.get("EventSelectors") or []:
        if selector.get("DataResources"):
            kept.append({**selector, "IncludeManagementEvents": False, "ExcludeManagementEventSources": []})
    return trail_command("put-event-selectors", ctx.name, ctx.region, "--event-selectors",
                         compact_json([BASIC_MANAGEMENT, *kept]))


def management_events(ctx: TrailContext) -> Verdict:
    selectors = read_dict(ctx.trail.event_selectors, "the trail's event selectors were not read")
    if isinstance(selectors, Verdict):
        return selectors
    coverage = management_coverage(selectors)
    fix = _management_fix(ctx, selectors)
    if not coverage.read and not coverage.write:
        return Verdict(Status.FAIL, "management events are not recorded: changes to IAM, networks, trails "
                       "and keys leave no trace", fix)
    if not (coverage.read and coverage.write):
        have, lack = ("read", "write") if coverage.read else ("write", "read")
        limits = "".join(f"; the selectors also {limit}" for limit in coverage.limits)
        return Verdict(Status.FAIL, f"only {have} management events are recorded; {lack} events are dropped"
                       + limits, fix)
    if coverage.limits:
        return Verdict(Status.WARN, "read and write management events are recorded, but the selectors "
                       + "; ".join(coverage.limits), fix)
    if coverage.default:
        return Verdict(Status.PASS, "default selectors: every management event, read and write")
    return Verdict(Status.PASS, "every management event, read and write, is recorded")


def _basic_data(selectors: list[dict[str, Any]]) -> list[str]:
    found = []
    for selector in selectors:
        kind = {"All": "read+write", "ReadOnly": "read", "WriteOnly": "write"}.get(
            selector.get("ReadWriteType", "All"), "read+write")
        for resource in selector.get("DataResources") or []:
            values = [str(v) for v in resource.get("Values") or []]
            broad = [v for v in values if v.rstrip(":") in ("arn:aws:s3", "arn:aws:lambda", "arn:aws:dynamodb")
                     or v in ("arn:aws:s3:::",)]
            scope = "all resources" if broad else f"{len(values)} resource(s)"
            found.append(f"{resource.get('Type', '?')} ({scope}, {kind})")
    return found


def _advanced_data(selectors: list[dict[str, Any]]) -> list[str]:
    found = []
    for selector in selectors:
        category = _category(selector)
        if not ({"Data", "NetworkActivity"} & set(category)):
            continue
        fields = _fields(selector)
        types = fields.get("resources.type", {}).get("Equals") or fields.get("eventSource", {}).get("Equals") \
            or category
        read_only = fields.get("readOnly", {}).get("Equals") or []
        kind = "read" if read_only == ["true"] else "write" if read_only == ["false"] else "read+write"
        scope = "some resources" if "resources.ARN" in fields else "all resources"
        found.append(f"{', '.join(map(str, types))} ({scope}, {kind})")
    return found


def data_events(ctx: TrailContext) -> Verdict:
    selectors = read_dict(ctx.trail.event_selectors, "the trail's event selectors were not read")
    if isinstance(selectors, Verdict):
        return selectors
    found = _advanced_data(selectors.get("AdvancedEventSelectors") or []) + _basic_data(
        selectors.get("EventSelectors") or [])
    if found:
        return Verdict(Status.INFO, "data events recorded: " + "; ".join(found))
    return Verdict(Status.INFO, "no data events (S3 object reads/writes, Lambda invokes...) are recorded")


def insights(ctx: TrailContext) -> Verdict:
    value = read_dict(ctx.trail.insight_selectors, "the trail's Insights selectors were not read")
    if isinstance(value, Verdict):
        return value
    selectors = value.get("InsightSelectors")
    types = [str(s.get("InsightType")) for s in selectors or [] if isinstance(s, dict)]
    if types:
        return Verdict(Status.INFO, "Insights on: " + ", ".join(sorted(set(types))))
    return Verdict(Status.INFO, "Insights off: unusual API call or error rates are not flagged",
                   trail_command("put-insight-selectors", ctx.name, ctx.region, "--insight-selectors",
                                 compact_json(ALL_INSIGHTS)))
