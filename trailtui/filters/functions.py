"""JMESPath functions analysts need, and tolerant versions of stock ones.

Stock `contains`, `starts_with` and `ends_with` raise a type error when the field
is missing (null); over CloudTrail, where half the fields are optional, that turns
every filter into an error.  Here a missing or non-string subject is simply no match.
"""

from __future__ import annotations

import ipaddress
import re
from functools import lru_cache
from typing import Any

import re2
from jmespath import functions


@lru_cache(maxsize=256)
def _network(cidr: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network | None:
    try:
        return ipaddress.ip_network(cidr, strict=False)
    except ValueError:
        return None


@lru_cache(maxsize=4096)
def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def _re2_options() -> re2.Options:
    options = re2.Options()
    options.log_errors = False  # RE2 would print parse errors on stderr, under the console
    options.never_capture = True  # a filter only asks whether it matches
    return options


_RE2_OPTIONS = _re2_options()


def regex_problem(pattern: str) -> str | None:
    """Why RE2 cannot compile a pattern Python's `re` reads (a backreference,
    lookaround: the dialects differ), for a one-line filter error; None when
    RE2 reads it, or when no engine does (such a pattern matches nothing, as
    it always has)."""
    try:
        _compile_regex(pattern)
    except re2.error as exc:
        try:
            re.compile(pattern)
        except (re.error, RecursionError, OverflowError):
            return None
        reason = exc.args[0].decode("utf-8", "replace") if exc.args and isinstance(exc.args[0], bytes) else str(exc)
        return reason
    return None


def _compile_regex(pattern: str) -> Any:
    return re2.compile(pattern, _RE2_OPTIONS)


@lru_cache(maxsize=256)
def _regex(pattern: str) -> Any:
    """The compiled pattern, or None when RE2 cannot read it (it matches nothing)."""
    try:
        return _compile_regex(pattern)
    except (re2.error, UnicodeEncodeError):
        return None


class TrailFunctions(functions.Functions):
    """Function table used by every trailtui filter."""

    @functions.signature({"types": []}, {"types": []})
    def _func_contains(self, subject: Any, search: Any) -> bool:
        if isinstance(subject, str):
            return isinstance(search, str) and search in subject
        if isinstance(subject, list):
            return search in subject
        return False

    @functions.signature({"types": []}, {"types": []})
    def _func_starts_with(self, subject: Any, prefix: Any) -> bool:
        return isinstance(subject, str) and isinstance(prefix, str) and subject.startswith(prefix)

    @functions.signature({"types": []}, {"types": []})
    def _func_ends_with(self, subject: Any, suffix: Any) -> bool:
        return isinstance(subject, str) and isinstance(suffix, str) and subject.endswith(suffix)

    @functions.signature({"types": []}, {"types": []})
    def _func_cidr_match(self, address: Any, cidr: Any) -> bool:
        """`cidr_match(sourceIPAddress, '10.0.0.0/8')`; a host name (AWS service
        callers use them) or a missing field is no match."""
        if not isinstance(address, str) or not isinstance(cidr, str):
            return False
        net, ip = _network(cidr), _address(address)
        return net is not None and ip is not None and ip.version == net.version and ip in net

    @functions.signature({"types": []}, {"types": []})
    def _func_icontains(self, subject: Any, search: Any) -> bool:
        """Case-insensitive substring (or list element) test."""
        if not isinstance(search, str):
            return False
        needle = search.casefold()
        if isinstance(subject, str):
            return needle in subject.casefold()
        if isinstance(subject, list):
            return any(isinstance(item, str) and item.casefold() == needle for item in subject)
        return False

    @functions.signature({"types": []}, {"types": []})
    def _func_iequals(self, left: Any, right: Any) -> bool:
        return isinstance(left, str) and isinstance(right, str) and left.casefold() == right.casefold()

    @functions.signature({"types": []}, {"types": []})
    def _func_istarts_with(self, subject: Any, prefix: Any) -> bool:
        return isinstance(subject, str) and isinstance(prefix, str) and subject.casefold().startswith(prefix.casefold())

    @functions.signature({"types": []}, {"types": []})
    def _func_iends_with(self, subject: Any, suffix: Any) -> bool:
        return isinstance(subject, str) and isinstance(suffix, str) and subject.casefold().endswith(suffix.casefold())

    @functions.signature({"types": []})
    def _func_casefold(self, subject: Any) -> Any:
        """Unicode case folding (what `iequals` compares); null for a non-string."""
        return subject.casefold() if isinstance(subject, str) else None

    @functions.signature({"types": []})
    def _func_lower(self, subject: Any) -> Any:
        return subject.lower() if isinstance(subject, str) else None

    @functions.signature({"types": []})
    def _func_upper(self, subject: Any) -> Any:
        return subject.upper() if isinstance(subject, str) else None

    @functions.signature({"types": []}, {"types": []})
    def _func_regex_match(self, subject: Any, pattern: Any) -> bool:
        """Search semantics (a match anywhere), in RE2's linear-time engine: no
        pattern can take more than time proportional to the subject's length,
        so a planted value never stalls a scan.  A pattern RE2 cannot read
        (backreferences, lookaround) matches nothing; a literal one is refused
        when the filter is compiled."""
        if not isinstance(subject, str) or not isinstance(pattern, str):
            return False
        compiled = _regex(pattern)
        if compiled is None:
            return False
        try:
            return compiled.search(subject) is not None
        except UnicodeEncodeError:  # a lone surrogate in the subject: not text RE2 can read
            return False


CUSTOM_FUNCTIONS = (
    "cidr_match", "icontains", "iequals", "istarts_with", "iends_with", "casefold", "lower", "upper", "regex_match",
)
