"""Reading IAM policy documents (bucket and key policies) just enough to judge
them: who is allowed what, on which resources, under which conditions.

This is not an IAM evaluator.  It answers the narrow questions the checks ask
("is there an Allow for cloudtrail.amazonaws.com covering s3:PutObject on this
ARN?", "does anyone-at-all get something without a restricting condition?")
and is conservative: anything it cannot read makes the check say so.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any

# Condition keys that narrow a `"Principal": "*"` grant to known callers.
RESTRICTING_KEYS = frozenset(k.lower() for k in (
    "aws:SourceArn", "aws:SourceAccount", "aws:SourceOrgID", "aws:SourceOrgPaths", "aws:PrincipalOrgID",
    "aws:PrincipalOrgPaths", "aws:PrincipalAccount", "aws:PrincipalArn", "aws:PrincipalServiceName",
    "aws:SourceVpce", "aws:SourceVpc", "aws:SourceIp", "aws:userid", "aws:username", "kms:CallerAccount",
    "kms:ViaService", "s3:DataAccessPointAccount", "s3:DataAccessPointArn",
))


class PolicyError(ValueError):
    """The document is not a policy we can read."""


def _strings(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list):
        return tuple(str(v) for v in value)
    return (str(value),)


@dataclass(frozen=True, slots=True)
class Statement:
    sid: str
    effect: str
    anyone: bool                       # Principal "*" or {"AWS": "*"}
    aws: tuple[str, ...]
    services: tuple[str, ...]
    actions: tuple[str, ...]
    not_action: bool
    resources: tuple[str, ...]
    conditions: dict[str, dict[str, tuple[str, ...]]]   # operator -> key (lower) -> values

    @property
    def allow(self) -> bool:
        return self.effect.lower() == "allow"

    def grants(self, action: str) -> bool:
        """Does this statement's Action (or NotAction) cover `action`?"""
        hit = any(fnmatchcase(action.lower(), pattern.lower()) for pattern in self.actions)
        return not hit if self.not_action else hit

    def covers(self, resource: str) -> bool:
        return not self.resources or any(fnmatchcase(resource, pattern) for pattern in self.resources)

    def for_service(self, service: str) -> bool:
        return service in self.services

    def condition_keys(self) -> set[str]:
        return {key for keys in self.conditions.values() for key in keys}

    def condition_values(self, key: str) -> tuple[str, ...]:
        found: list[str] = []
        for keys in self.conditions.values():
            found.extend(keys.get(key.lower(), ()))
        return tuple(found)

    def restricted(self) -> bool:
        """Has a condition that narrows who may use it (for `"*"` principals)."""
        return bool(self.condition_keys() & RESTRICTING_KEYS)

    @property
    def label(self) -> str:
        return f"statement {self.sid!r}" if self.sid else "a statement"


def _statement(raw: Any) -> Statement:
    if not isinstance(raw, dict):
        raise PolicyError("a Statement entry is not an object")
    principal = raw.get("Principal", raw.get("NotPrincipal"))
    anyone = principal == "*"
    aws: tuple[str, ...] = ()
    services: tuple[str, ...] = ()
    if isinstance(principal, dict):
        aws = _strings(principal.get("AWS"))
        services = _strings(principal.get("Service"))
        anyone = anyone or "*" in aws
    conditions: dict[str, dict[str, tuple[str, ...]]] = {}
    raw_conditions = raw.get("Condition") or {}
    if isinstance(raw_conditions, dict):
        for operator, pairs in raw_conditions.items():
            if isinstance(pairs, dict):
                conditions[str(operator)] = {str(k).lower(): _strings(v) for k, v in pairs.items()}
    return Statement(
        sid=str(raw.get("Sid", "") or ""),
        effect=str(raw.get("Effect", "")),
        anyone=anyone,
        aws=aws,
        services=services,
        actions=_strings(raw.get("Action", raw.get("NotAction"))),
        not_action="NotAction" in raw and "Action" not in raw,
        resources=_strings(raw.get("Resource", raw.get("NotResource"))),
        conditions=conditions,
    )


def parse_policy(text: Any) -> list[Statement]:
    """Statements of a policy given as JSON text (or an already-parsed dict)."""
    try:
        document = json.loads(text) if isinstance(text, str) else text
    except ValueError as exc:
        raise PolicyError(f"not valid JSON ({exc.args[0] if exc.args else exc})") from None
    if not isinstance(document, dict):
        raise PolicyError("not a JSON object")
    raw = document.get("Statement", [])
    raw_list = raw if isinstance(raw, list) else [raw]
    return [_statement(s) for s in raw_list]
