"""Who a resource policy lets in, read from the policy text in a CloudTrail
record, and whether any of them is outside the organisation.

Policies in `requestParameters` are written by whoever made the call, so they
are read defensively: JSON text is parsed only up to a size no AWS policy
reaches, walks stop after fixed numbers of statements and principals, and any
shape (missing keys, wrong types, a string where a list belongs) yields what can
be read and never an exception.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import orjson

from trailtui.hunts.accounts import KnownAccounts

# The largest resource policy AWS accepts is well under this (S3 20 KB, KMS 32 KB).
MAX_POLICY_CHARS = 128 * 1024
MAX_STATEMENTS = 500
MAX_GRANTS = 2_000
MAX_DEPTH = 6

# Condition keys that limit who can use an Allow with Principal '*': the caller's
# account, organisation, ARN or network, or the calling service's source.
NARROWING_KEYS = frozenset({
    "aws:sourceaccount", "aws:sourcearn", "aws:sourceowner", "aws:sourceorgid", "aws:sourceorgpaths",
    "aws:principalorgid", "aws:principalorgpaths", "aws:principalaccount", "aws:principalarn",
    "aws:userid", "aws:username", "aws:sourcevpc", "aws:sourcevpce", "aws:sourceip", "aws:vpcsourceip",
    "aws:principalisawsservice", "aws:principalservicename", "kms:calleraccount", "kms:viaservice",
    "aws:principaltype",
})
# Narrowing keys whose values name accounts (directly or inside an ARN).
ACCOUNT_KEYS = frozenset({
    "aws:sourceaccount", "aws:sourceowner", "aws:principalaccount", "kms:calleraccount",
    "aws:sourcearn", "aws:principalarn",
})
EVERYONE = frozenset({"*", "all"})
_ACCOUNT_IN_TEXT = re.compile(r"(?<![0-9])[0-9]{12}(?![0-9])")
_ACCOUNT_ARN = re.compile(r"^arn:aws[a-z-]*:(?:iam|sts)::([0-9]{12}|\*):")
_BARE_ACCOUNT = re.compile(r"^[0-9]{12}$")


@dataclass(frozen=True, slots=True)
class Grant:
    """One principal an Allow names, and what its condition says about who."""

    principal: str
    narrowed: bool = False
    condition_accounts: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Exposure:
    """Who outside the known accounts a policy lets in."""

    everyone: bool = False
    accounts: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return self.everyone or bool(self.accounts)

    def describe(self) -> str:
        parts = []
        if self.everyone:
            parts.append("everyone ('*' with no narrowing condition)")
        if self.accounts:
            more = len(self.accounts) - 5
            shown = ", ".join(self.accounts[:5]) + (f" and {more} more" if more > 0 else "")
            parts.append(f"account{'s' if len(self.accounts) > 1 else ''} {shown}")
        return "opens access to " + " and ".join(parts)


def grants(value: Any) -> list[Grant]:
    """The principals allowed by `value`: a policy document (object or JSON
    text), a statement, a list of either, principal strings ('*', 'all', an
    account id, an ARN), or sharing items like `{"userId": ...}`/`{"group": "all"}`."""
    out: list[Grant] = []
    _collect(value, out, 0)
    return out[:MAX_GRANTS]


def _collect(value: Any, out: list[Grant], depth: int) -> None:
    if depth > MAX_DEPTH or len(out) >= MAX_GRANTS:
        return
    if isinstance(value, str):
        text = value.strip()
        if text[:1] in ("{", "["):
            if len(text) <= MAX_POLICY_CHARS:
                try:
                    parsed = orjson.loads(text)
                except orjson.JSONDecodeError:
                    return
                _collect(parsed, out, depth + 1)
        elif text:
            out.append(Grant(text))
    elif isinstance(value, list):
        for item in value[:MAX_STATEMENTS]:
            _collect(item, out, depth + 1)
    elif isinstance(value, dict):
        _collect_object(value, out, depth)


def _collect_object(value: dict[str, Any], out: list[Grant], depth: int) -> None:
    if "Statement" in value:
        statements = value["Statement"]
        for statement in (statements if isinstance(statements, list) else [statements])[:MAX_STATEMENTS]:
            _statement(statement, out)
    elif "Principal" in value or "NotPrincipal" in value:
        _statement(value, out)
    else:  # sharing items ({"userId": ...}, {"group": "all"}) or a wrapper ({"policy": "..."})
        for key in ("userId", "group", "AWS", "policy", "Policy"):
            if key in value:
                _collect(value[key], out, depth + 1)


def _statement(statement: Any, out: list[Grant]) -> None:
    if not isinstance(statement, dict):
        return
    effect = statement.get("Effect")
    if isinstance(effect, str) and effect.strip().lower() != "allow":
        return
    narrowed, accounts = _condition(statement.get("Condition"))
    if "NotPrincipal" in statement:  # Allow to everyone except the named: everyone, in practice
        out.append(Grant("*", narrowed, accounts))
    for principal in _principal_strings(statement.get("Principal")):
        if len(out) >= MAX_GRANTS:
            return
        out.append(Grant(principal, narrowed, accounts))


def _principal_strings(principal: Any) -> list[str]:
    if isinstance(principal, str):
        return [principal.strip()]
    if isinstance(principal, list):
        return [p.strip() for p in principal[:MAX_GRANTS] if isinstance(p, str)]
    if isinstance(principal, dict):
        found: list[str] = []
        for key in ("AWS", "CanonicalUser"):  # Service and Federated principals are not other accounts
            found.extend(_principal_strings(principal.get(key)))
        return found
    return []


def _condition(condition: Any) -> tuple[bool, tuple[str, ...]]:
    """(whether a condition limits who, account ids it names).  Negated
    operators (StringNotEquals, ...), `...IfExists` and `Null` do not limit who:
    a caller without the key, or with any other value, passes them."""
    if not isinstance(condition, dict):
        return False, ()
    narrowed = False
    accounts: list[str] = []
    for operator, block in list(condition.items())[:64]:
        if not isinstance(operator, str) or not isinstance(block, dict):
            continue
        op = operator.lower()
        if "not" in op or op.endswith("ifexists") or op == "null":
            continue
        for key, values in list(block.items())[:64]:
            name = key.lower() if isinstance(key, str) else ""
            if name not in NARROWING_KEYS or values in (None, "", []):
                continue
            narrowed = True
            if name in ACCOUNT_KEYS:
                accounts.extend(_ACCOUNT_IN_TEXT.findall(str(values)[:4096]))
    return narrowed, tuple(dict.fromkeys(accounts))


def account_of(principal: str) -> str | None:
    """The account a principal string belongs to ('*' for any account), or None
    for service principals, canonical ids and anything unrecognised."""
    if _BARE_ACCOUNT.match(principal):
        return principal
    match = _ACCOUNT_ARN.match(principal)
    return match.group(1) if match else None


def exposure(found: list[Grant], own: set[str], known: KnownAccounts) -> Exposure:
    """Which grants reach outside `own` (the record's accounts) and `known`."""
    everyone = False
    accounts: list[str] = []

    def outside(account: str) -> bool:
        return account not in own and account not in known

    for grant in found:
        principal = grant.principal
        account = "*" if principal.lower() in EVERYONE else account_of(principal)
        if account == "*":
            if not grant.narrowed:
                everyone = True
            accounts.extend(a for a in grant.condition_accounts if outside(a))
        elif account is not None and outside(account):
            accounts.append(account)
    return Exposure(everyone, tuple(dict.fromkeys(accounts)))
