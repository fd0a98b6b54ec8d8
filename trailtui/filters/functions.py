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


@lru_cache(maxsize=256)
def _regex(pattern: str) -> re.Pattern[str] | None:
    try:
        return re.compile(pattern)
    except re.error:
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
        """Python `re.search` semantics; an invalid pattern matches nothing."""
        if not isinstance(subject, str) or not isinstance(pattern, str):
            return False
        compiled = _regex(pattern)
        return compiled is not None and compiled.search(subject) is not None


CUSTOM_FUNCTIONS = (
    "cidr_match", "icontains", "iequals", "istarts_with", "iends_with", "casefold", "lower", "upper", "regex_match",
)
