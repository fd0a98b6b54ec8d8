"""The values a first-seen hunt compares with the baseline: the API called, the
source network, the region and the user-agent family.  Each is coarse on
purpose (a /24, a tool name without its version) so ordinary churn such as a
new DHCP lease or an SDK upgrade is not new."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable
from typing import Any

from jmespath.exceptions import JMESPathError

from trailtui.filters import EventFilter

NoveltyValue = Callable[[dict[str, Any]], str]

_PRODUCT = re.compile(r"^\[?\s*([A-Za-z][A-Za-z0-9._-]*)")
_VERSIONISH = re.compile(r"[-_.]v?[0-9][0-9._-]*$")
# Families whose first token is not the tool: a browser, or AWS's own consoles.
_BROWSER = ("mozilla", "opera")


def api(raw: dict[str, Any]) -> str:
    source, name = raw.get("eventSource"), raw.get("eventName")
    if not isinstance(source, str) or not isinstance(name, str) or not name:
        return ""
    return f"{source.removesuffix('.amazonaws.com')}:{name}"


def _ipv4_net(text: str) -> str | None:
    """`a.b.c.d` -> `a.b.c.0/24` without the ipaddress module (the common case,
    read for every event); None when `text` is not a plain dotted quad."""
    parts = text.split(".")
    if len(parts) != 4 or not all(p.isascii() and p.isdigit() and len(p) <= 3 and int(p) <= 255 for p in parts):
        return None
    return f"{int(parts[0])}.{int(parts[1])}.{int(parts[2])}.0/24"


def network(raw: dict[str, Any]) -> str:
    """The /24 (IPv4) or /48 (IPv6) of sourceIPAddress; '' for service names."""
    text = raw.get("sourceIPAddress")
    if not isinstance(text, str) or len(text) > 64:
        return ""
    if ":" not in text:
        return _ipv4_net(text) or ""
    try:
        address = ipaddress.ip_address(text.strip())
    except ValueError:
        return ""
    prefix = 24 if address.version == 4 else 48
    return str(ipaddress.ip_network(f"{address}/{prefix}", strict=False))


def region(raw: dict[str, Any]) -> str:
    value = raw.get("awsRegion")
    return value if isinstance(value, str) and len(value) <= 64 else ""


def user_agent_family(raw: dict[str, Any]) -> str:
    """`aws-cli/2.15 Python/3.11 ...` -> `aws-cli`; `Boto3/1.34 ...` -> `boto3`;
    a browser -> `browser`; AWS consoles and services keep their name."""
    text = raw.get("userAgent")
    if not isinstance(text, str) or not text.strip():
        return ""
    match = _PRODUCT.match(text.strip()[:256])
    if match is None:
        return "other"
    product = _VERSIONISH.sub("", match.group(1).lower()) or match.group(1).lower()
    return "browser" if product in _BROWSER else product


BUILT_IN: dict[str, NoveltyValue] = {
    "api": api, "network": network, "region": region, "user_agent": user_agent_family,
}


def novelty_value(of: str) -> NoveltyValue:
    """The function giving an event's value for `of`: a built-in name, or a
    JMESPath expression whose string value is used ('' when not a string)."""
    built_in = BUILT_IN.get(of)
    if built_in is not None:
        return built_in
    expression = EventFilter.compile(of)

    def by_expression(raw: dict[str, Any]) -> str:
        try:
            value = expression.evaluate(raw)
        except JMESPathError:
            return ""
        return value[:256] if isinstance(value, str) else ""

    return by_expression
