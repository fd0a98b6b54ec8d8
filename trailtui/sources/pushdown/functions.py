"""trailtui's own JMESPath functions (`trailtui.filters.functions`) as SQL supersets.

Every translation here is a *superset* of what the function matches, never
exact, so it is only pushed in positive polarity and the client re-check
decides:

* `icontains`, `iequals`, `istarts_with`, `iends_with` compare Unicode case
  folds; SQL's `lower()` agrees with them on printable ASCII only (`'ß'` folds
  to `'ss'`, the long s to `'s'`).  So the literal must be printable ASCII and
  any row whose value holds another character is kept for the re-check.
* `lower(x)` / `upper(x)` as the subject of a comparison or a string function:
  the same rule (Python's and Trino's case mappings agree on ASCII).
* `regex_match(x, 'p')` becomes `regexp_like` (Trino: Java-style syntax run by
  Joni; the local store's DuckDB: RE2).  The filter's own engine is RE2, whose
  dialect differs from Java's in corners (`$` before a final newline, which
  characters `.` excludes, `{` as a literal, `&&` in classes, possessive
  quantifiers, inline flags).  Only patterns in a small common subset are
  pushed (literal characters, `.`, `|`, `^`, `$`, groups, `* + ?` and `{n,m}`
  quantifiers, simple classes, escaped metacharacters); rows whose value holds
  a character outside printable ASCII (line terminators among them) are kept.
* `cidr_match(ip, 'net')` becomes `contains('net', TRY_CAST(ip AS IPADDRESS))`
  where the dialect has Trino's IP functions (Athena engine v3); Trino reads an
  IPv4-mapped IPv6 address as IPv4, which only widens the result, and a scoped
  IPv6 address (`fe80::1%eth0`), which Python reads and Trino does not, is kept.
  On the local store (typed string columns) an IPv4 network is exact instead
  (`typed_cidr`): Python reads an IPv4 address only as four decimal octets
  without leading zeros, which a regular expression says exactly; such a text
  is then in the network when it starts with the network's whole octets and
  its next octet is in the range the rest of the prefix leaves.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from typing import Any

from trailtui.sources.pushdown.dialects import Column, Dialect, Kind
from trailtui.sources.pushdown.literals import Untranslatable, like_predicate, sql_string
from trailtui.sources.pushdown.tree import Node, alternative_paths, field_path

_PRINTABLE_ASCII = re.compile(r"[ -~]*")
_OUTSIDE_ASCII = "'[^ -~]'"
_CASELESS = {"icontains": "infix", "istarts_with": "prefix", "iends_with": "suffix", "iequals": "equal"}
_CASE_FUNCTIONS = ("lower", "upper")
_LIKE = {"starts_with": "prefix", "ends_with": "suffix", "contains": "infix"}
MAX_PATTERN_CHARS = 500

_LITERAL_CHARS = r"A-Za-z0-9 _\-,:/@=#%!~<>'\""
_ESCAPED = r"\\[.\-/()\[\]{}*+?|^$\\]"
_CLASS = rf"\[\^?(?:[A-Za-z0-9 _\-.:/@=#%!~<>]|{_ESCAPED})+\]"
_TOKEN = re.compile(rf"[{_LITERAL_CHARS}]|{_ESCAPED}|{_CLASS}|\{{\d{{1,3}}(?:,\d{{0,3}})?\}}|\(\?:|[.|^$()*+?]")
_NO_QUANTIFIER_AFTER = re.compile(r"[*+?}]")


@dataclass(frozen=True, slots=True)
class Subject:
    """The value a function tests: `sql` (the column, or lower/upper of it)
    and `column`, the column itself (for the outside-ASCII escape)."""

    sql: str
    column: Column
    folded: bool


def subject_of(node: Node, dialect: Dialect, allowed: tuple[Kind, ...]) -> Subject:
    """A plain column path, or `lower(path)` / `upper(path)`."""
    if node.get("type") == "function_expression" and node.get("value") in _CASE_FUNCTIONS:
        children = node.get("children", [])
        if len(children) != 1:
            raise Untranslatable("lower()/upper() take one argument")
        inner = subject_of(children[0], dialect, allowed)
        if inner.folded:
            raise Untranslatable("nested case functions")
        return Subject(f"{node['value']}({inner.sql})", inner.column, True)
    path = field_path(node)
    if path is None:
        raise Untranslatable("not a column path")
    column = dialect.column(path)
    if column is None or column.kind not in allowed:
        raise Untranslatable(f"{'.'.join(path)} has no string column")
    return Subject(column.sql, column, False)


def _or_outside_ascii(test: str, subject: Subject, dialect: Dialect) -> str:
    """`test`, or any row whose value holds a character outside printable ASCII."""
    return f"({test} OR {outside_ascii(subject.column.sql, dialect)})"


def _ascii_literal(value: Any) -> str:
    if not isinstance(value, str) or not _PRINTABLE_ASCII.fullmatch(value):
        raise Untranslatable("literal outside printable ASCII")
    return value


def caseless(name: str, children: list[Node], dialect: Dialect) -> str:
    """`icontains`, `iequals`, `istarts_with`, `iends_with` with one literal."""
    if len(children) != 2:
        raise Untranslatable(f"{name}() takes two arguments")
    first, second = children
    if name == "iequals" and first.get("type") == "literal":
        first, second = second, first
    if second.get("type") != "literal":
        raise Untranslatable(f"{name}() needs a literal")
    literal = _ascii_literal(second["value"]).lower()
    # icontains() also tests list elements, which a string column cannot hold.
    kinds = (Kind.STRING,) if name == "icontains" else (Kind.STRING, Kind.JSON_TEXT)
    subject = subject_of(first, dialect, kinds)
    lowered = subject.sql if subject.folded and subject.sql.startswith("lower(") else f"lower({subject.sql})"
    where = _CASELESS[name]
    if where == "equal":
        test = f"coalesce({lowered} = {sql_string(literal)}, FALSE)"
    else:
        test = like_predicate(lowered, literal, where)
    return _or_outside_ascii(test, subject, dialect)


def folded_like(name: str, children: list[Node], dialect: Dialect) -> str:
    """`contains`/`starts_with`/`ends_with` over `lower(x)` or `upper(x)`."""
    subject = subject_of(children[0], dialect, (Kind.STRING, Kind.JSON_TEXT))
    if not subject.folded or children[1].get("type") != "literal":
        raise Untranslatable(f"{name}() is translated elsewhere")
    literal = _ascii_literal(children[1]["value"])
    return _or_outside_ascii(like_predicate(subject.sql, literal, _LIKE[name]), subject, dialect)


def folded_equality(subject_node: Node, value: Any, dialect: Dialect) -> str:
    """`lower(x) == 'literal'` (or upper)."""
    subject = subject_of(subject_node, dialect, (Kind.STRING, Kind.JSON_TEXT))
    if not subject.folded:
        raise Untranslatable("not a case function")
    literal = _ascii_literal(value)
    return _or_outside_ascii(f"coalesce({subject.sql} = {sql_string(literal)}, FALSE)", subject, dialect)


def portable_pattern(pattern: str) -> bool:
    """True when `pattern` is in the subset RE2 and Java/Joni read alike."""
    if not 0 < len(pattern) <= MAX_PATTERN_CHARS:
        return False
    position, previous = 0, ""
    while position < len(pattern):
        match = _TOKEN.match(pattern, position)
        if match is None:
            return False
        piece = match.group(0)
        quantifier = piece in ("*", "+", "?") or piece.startswith("{")
        if quantifier and (previous in ("", "(", "(?:", "|", "^") or
                           (_NO_QUANTIFIER_AFTER.fullmatch(previous) and piece != "?")):
            return False  # a dangling or possessive quantifier: the dialects disagree
        previous, position = piece, match.end()
    return True


def regex(children: list[Node], dialect: Dialect) -> str:
    """`regex_match(x, 'pattern')` through the dialect's regex function."""
    if len(children) != 2 or children[1].get("type") != "literal":
        raise Untranslatable("regex_match() needs a literal pattern")
    pattern = children[1]["value"]
    if not isinstance(pattern, str) or not portable_pattern(pattern):
        raise Untranslatable("pattern outside the portable regex subset")
    tests = [_or_outside_ascii(f"coalesce({dialect.regex_function}({subject.sql}, {sql_string(pattern)}), FALSE)",
                               subject, dialect)
             for subject in subjects_of(children[0], dialect, (Kind.STRING, Kind.JSON_TEXT))]
    return tests[0] if len(tests) == 1 else "(" + " OR ".join(tests) + ")"


def subjects_of(node: Node, dialect: Dialect, allowed: tuple[Kind, ...]) -> list[Subject]:
    """`subject_of`, or each field of `a || b || ...` (also under one
    lower()/upper()): the value of `a || b` is one of them, so a test true on
    any of them is a superset of the test on the value."""
    if node.get("type") == "function_expression" and node.get("value") in _CASE_FUNCTIONS:
        children = node.get("children", [])
        if len(children) == 1 and children[0].get("type") == "or_expression":
            return [Subject(f"{node['value']}({plain.sql})", plain.column, True)
                    for plain in _alternatives(children[0], dialect, allowed)]
    if node.get("type") == "or_expression":
        return _alternatives(node, dialect, allowed)
    return [subject_of(node, dialect, allowed)]


def _alternatives(node: Node, dialect: Dialect, allowed: tuple[Kind, ...]) -> list[Subject]:
    paths = alternative_paths(node)
    if paths is None:
        raise Untranslatable("an alternative that is not a field")
    subjects: list[Subject] = []
    for path in paths:
        column = dialect.column(path)
        if column is None or column.kind not in allowed:
            raise Untranslatable("an alternative without a string column")
        subjects.append(Subject(column.sql, column, False))
    return subjects


_OCTET = "(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
IPV4_PATTERN = rf"^{_OCTET}(\.{_OCTET}){{3}}$"


def _network_test(column: str, network: ipaddress.IPv4Network) -> str:
    """SQL true where `column`, known to hold a dotted quad Python reads (no
    leading zeros), lies in `network`: its whole octets as a text prefix,
    then the one partial octet's range, if any."""
    octets = str(network.network_address).split(".")
    whole, rest = divmod(network.prefixlen, 8)
    if whole == 4:
        return f"({column} = {sql_string(str(network.network_address))})"
    tests = [f"starts_with({column}, {sql_string('.'.join(octets[:whole]) + '.')})"] if whole else []
    if rest:
        low = int(octets[whole])
        high = low + (1 << (8 - rest)) - 1
        tests.append(f"TRY_CAST(split_part({column}, '.', {whole + 1}) AS INTEGER) BETWEEN {low} AND {high}")
    return "(" + " AND ".join(tests) + ")" if tests else "TRUE"


def ipv4_in(column: str, networks: list[ipaddress.IPv4Network], dialect: Dialect) -> str:
    """SQL true exactly where `column` holds an IPv4 address Python reads and
    that lies in one of `networks` (two-valued).  Text tests, not the
    address's integer: a prefix compare costs a fraction of four splits and
    casts, and the regular expression has made the text canonical."""
    tests = " OR ".join(_network_test(column, network) for network in networks)
    return f"coalesce({dialect.regex_function}({column}, {sql_string(IPV4_PATTERN)}) AND ({tests}), FALSE)"


def typed_cidr(children: list[Node], dialect: Dialect) -> str | None:
    """`cidr_match(field, 'a.b.c.d/n')` exactly, on a dialect whose string
    columns hold exactly the field's string (the local store); None where
    that does not apply (an IPv6 network, a case function, no such column)."""
    if not dialect.strings_typed or len(children) != 2 or children[1].get("type") != "literal":
        return None
    literal = children[1]["value"]
    if not isinstance(literal, str):
        return None
    try:
        network = ipaddress.ip_network(literal, strict=False)
    except ValueError:
        return None
    path = field_path(children[0])
    column = dialect.column(path) if path is not None else None
    if not isinstance(network, ipaddress.IPv4Network) or column is None or column.kind is not Kind.STRING:
        return None
    return ipv4_in(column.sql, [network], dialect)


def ascii_regex(children: list[Node], dialect: Dialect) -> str | None:
    """`regex_match(field, 'p')` on a string column, without the escape for
    values outside printable ASCII: exact on every other value (RE2 both
    sides, pattern in the portable subset).  None where that does not apply."""
    if len(children) != 2 or children[1].get("type") != "literal" or not isinstance(children[1]["value"], str):
        return None
    pattern = children[1]["value"]
    path = field_path(children[0])
    column = dialect.column(path) if path is not None else None
    if column is None or column.kind is not Kind.STRING or not portable_pattern(pattern):
        return None
    return f"coalesce({dialect.regex_function}({column.sql}, {sql_string(pattern)}), FALSE)"


def outside_ascii(column: str, dialect: Dialect) -> str:
    """SQL true where `column` holds a character outside printable ASCII."""
    return f"coalesce({dialect.regex_function}({column}, {_OUTSIDE_ASCII}), FALSE)"


def cidr(children: list[Node], dialect: Dialect) -> str:
    """`cidr_match(ip, 'net')` through Trino's IP address functions."""
    if not dialect.ip_functions:
        raise Untranslatable("no IP address functions in this dialect")
    if len(children) != 2 or children[1].get("type") != "literal" or not isinstance(children[1]["value"], str):
        raise Untranslatable("cidr_match() needs a literal network")
    try:
        network = ipaddress.ip_network(children[1]["value"], strict=False)
    except ValueError:
        raise Untranslatable("not a network") from None
    subject = subject_of(children[0], dialect, (Kind.STRING,))
    if subject.folded:
        raise Untranslatable("cidr_match() of a case function")
    column = subject.sql
    return (f"(coalesce(contains({sql_string(str(network))}, TRY_CAST({column} AS IPADDRESS)), FALSE) "
            f"OR coalesce(strpos({column}, '%') > 0, FALSE))")
