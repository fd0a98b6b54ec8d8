"""One Sigma detection item (field, modifier, value) as a JMESPath predicate.

Sigma's matching rules, as trailtui applies them to a CloudTrail record:

* strings match case-insensitively unless the rule says `|cased`; `*` and `?`
  are wildcards; `|contains`, `|startswith`, `|endswith` are wildcards that
  pySigma has already placed around the value;
* a dotted field (`userIdentity.sessionContext.sessionIssuer.type`) walks
  nested objects; a step through a list, or into a string, reaches nothing;
* a string match against a field that holds an object, a list, a number or a
  boolean applies to the value's compact JSON text (`{"a":1}`, `true`, `5`),
  which is how Athena's CloudTrail table holds `requestParameters` and
  `responseElements`; a missing field (or JSON null) never matches a string;
* `null` and `|exists: false` match a missing field or a JSON null.

Fields CloudTrail always writes as strings are matched directly, so their
predicates stay the plain functions that sources push down to SQL.
"""

from __future__ import annotations

import re

from sigma.types import (
    SigmaBool,
    SigmaCasedString,
    SigmaCIDRExpression,
    SigmaCompareExpression,
    SigmaExists,
    SigmaExpansion,
    SigmaFieldReference,
    SigmaNull,
    SigmaNumber,
    SigmaRegularExpression,
    SigmaRegularExpressionFlag,
    SigmaString,
    SigmaType,
    SpecialChars,
)

from trailtui.filters.literal import jmespath_literal


class Unsupported(ValueError):
    """A rule feature trailtui cannot run exactly; the message says which."""


# Top-level and identity fields CloudTrail writes as JSON strings.
STRING_FIELDS = frozenset({
    "eventVersion", "eventTime", "eventSource", "eventName", "awsRegion", "sourceIPAddress", "userAgent",
    "errorCode", "errorMessage", "requestID", "eventID", "eventType", "apiVersion", "recipientAccountId",
    "sharedEventID", "vpcEndpointId", "eventCategory", "sessionCredentialFromConsole",
    "userIdentity.type", "userIdentity.principalId", "userIdentity.arn", "userIdentity.accountId",
    "userIdentity.accessKeyId", "userIdentity.userName", "userIdentity.invokedBy",
    "userIdentity.identityProvider", "userIdentity.sessionContext.sessionIssuer.type",
    "userIdentity.sessionContext.sessionIssuer.principalId", "userIdentity.sessionContext.sessionIssuer.arn",
    "userIdentity.sessionContext.sessionIssuer.accountId", "userIdentity.sessionContext.sessionIssuer.userName",
    "userIdentity.sessionContext.sourceIdentity",
})

_COMPARATORS = {
    SigmaCompareExpression.CompareOperators.LT: "<",
    SigmaCompareExpression.CompareOperators.LTE: "<=",
    SigmaCompareExpression.CompareOperators.GT: ">",
    SigmaCompareExpression.CompareOperators.GTE: ">=",
}


def field_path(name: str) -> str:
    """`a.b.c` as a JMESPath path with every step quoted, so any field name
    (dashes, digits, reserved words) is a field and nothing else."""
    steps = name.split(".")
    if not name or any(not step for step in steps):
        raise Unsupported(f"field name {name!r} is empty or has an empty step")
    return ".".join(jmespath_literal_identifier(step) for step in steps)


def jmespath_literal_identifier(step: str) -> str:
    """A quoted JMESPath identifier: JSON string syntax, as the grammar defines it."""
    escaped = step.replace("\\", "\\\\").replace('"', '\\"')
    escaped = "".join(ch if ch.isprintable() else f"\\u{ord(ch):04x}" for ch in escaped)
    return f'"{escaped}"'


class ItemConverter:
    """Detection items of one field into JMESPath text."""

    def __init__(self, field: str) -> None:
        self.field = field
        self.path = field_path(field)
        self.textual = field in STRING_FIELDS

    def convert(self, value: SigmaType) -> str:
        """The predicate for one value (pySigma has already applied the modifiers)."""
        if isinstance(value, SigmaString):  # SigmaCasedString is one too
            return self._string(value, cased=isinstance(value, SigmaCasedString))
        if isinstance(value, SigmaNumber):
            return self._number(value)
        if isinstance(value, SigmaBool):
            return self._bool(value)
        if isinstance(value, SigmaNull):
            return f"{self.path} == `null`"
        if isinstance(value, SigmaExists):
            return f"{self.path} {'!=' if value.exists else '=='} `null`"
        if isinstance(value, SigmaRegularExpression):
            return self._regex(value)
        if isinstance(value, SigmaCIDRExpression):
            return f"cidr_match({self.path}, {jmespath_literal(str(value.network))})"
        if isinstance(value, SigmaCompareExpression):
            return self._compare(value)
        if isinstance(value, SigmaFieldReference):
            return self._fieldref(value)
        if isinstance(value, SigmaExpansion):
            return "(" + " || ".join(self.convert(item) for item in value.values) + ")"
        raise Unsupported(f"value type {type(value).__name__} on field {self.field!r}")

    def _subject(self) -> tuple[str, str]:
        """(the text a string match reads, a guard that must hold first)."""
        if self.textual:
            return self.path, ""
        return f"to_string({self.path})", f"{self.path} != `null` && "

    def _string(self, value: SigmaString, cased: bool) -> str:
        if value.contains_placeholder():
            raise Unsupported(f"placeholder in {self.field!r} (|expand needs values trailtui does not have)")
        parts = _squeeze([p for p in value.s if isinstance(p, (str, SpecialChars))])
        subject, guard = self._subject()
        if parts and all(p is SpecialChars.WILDCARD_MULTI for p in parts):
            return f"{self.path} != `null`"
        body = _string_test(subject, parts, cased)
        return f"({guard}{body})" if guard else body

    def _number(self, value: SigmaNumber) -> str:
        number = str(value.number)
        return f"({self.path} == `{number}` || {self.path} == {jmespath_literal(number)})"

    def _bool(self, value: SigmaBool) -> str:
        literal = "true" if value.boolean else "false"
        return f"({self.path} == `{literal}` || iequals({self.path}, '{literal}'))"

    def _regex(self, value: SigmaRegularExpression) -> str:
        flags = "".join(letter for flag, letter in (
            (SigmaRegularExpressionFlag.IGNORECASE, "i"),
            (SigmaRegularExpressionFlag.MULTILINE, "m"),
            (SigmaRegularExpressionFlag.DOTALL, "s"),
        ) if flag in value.flags)
        pattern = (f"(?{flags})" if flags else "") + value.regexp.to_plain()
        try:
            re.compile(pattern)
        except re.error as exc:
            raise Unsupported(f"regular expression on {self.field!r} does not compile: {exc}") from None
        subject, guard = self._subject()
        body = f"regex_match({subject}, {jmespath_literal(pattern)})"
        return f"({guard}{body})" if guard else body

    def _compare(self, value: SigmaCompareExpression) -> str:
        operator = _COMPARATORS.get(value.op)
        if operator is None:
            raise Unsupported(f"comparison {value.op} on {self.field!r}")
        return f"{self.path} {operator} `{value.number.number}`"

    def _fieldref(self, value: SigmaFieldReference) -> str:
        if value.starts_with or value.ends_with:
            raise Unsupported(f"|fieldref with a wildcard on {self.field!r}")
        other = field_path(value.field)
        return (f"({self.path} != `null` && ({self.path} == {other}"
                f" || iequals(to_string({self.path}), to_string({other}))))")



def _squeeze(parts: list[str | SpecialChars]) -> list[str | SpecialChars]:
    """Adjacent `*` wildcards are one; empty text parts are dropped."""
    out: list[str | SpecialChars] = []
    for part in parts:
        if part == "":
            continue
        if part is SpecialChars.WILDCARD_MULTI and out and out[-1] is SpecialChars.WILDCARD_MULTI:
            continue
        out.append(part)
    return out


def _string_test(subject: str, parts: list[str | SpecialChars], cased: bool) -> str:
    star = SpecialChars.WILDCARD_MULTI
    texts = [p for p in parts if isinstance(p, str)]
    if SpecialChars.WILDCARD_SINGLE not in parts and len(texts) == 1:
        text = jmespath_literal(texts[0])
        shape = (parts[0] is star, parts[-1] is star)
        forms = {
            (False, False): ("{s} == {t}", "iequals({s}, {t})"),
            (True, True): ("contains({s}, {t})", "icontains({s}, {t})"),
            (False, True): ("starts_with({s}, {t})", "istarts_with({s}, {t})"),
            (True, False): ("ends_with({s}, {t})", "iends_with({s}, {t})"),
        }
        test = forms[shape][0 if cased else 1].format(s=subject, t=text)
        if shape == (True, True) and not subject.startswith("to_string("):
            # contains() on a list tests its elements; a Sigma substring test is on text.
            return f"(type({subject}) == 'string' && {test})"
        return test
    return f"regex_match({subject}, {jmespath_literal(_wildcard_regex(parts, cased))})"


def _wildcard_regex(parts: list[str | SpecialChars], cased: bool) -> str:
    pieces = []
    for part in parts:
        if part is SpecialChars.WILDCARD_MULTI:
            pieces.append(".*")
        elif part is SpecialChars.WILDCARD_SINGLE:
            pieces.append(".")
        else:
            pieces.append(re.escape(str(part)))
    return ("(?s)" if cased else "(?is)") + "^(?:" + "".join(pieces) + ")$"
