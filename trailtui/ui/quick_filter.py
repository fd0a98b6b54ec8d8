"""Quick filters (`f`): the three everyday questions, without JMESPath.

Each field becomes a clause; the clauses are ANDed and the result is put in the
filter bar, so the analyst sees (and can refine) the expression:
- principal: case-insensitive substring of anything in `userIdentity`
  (ARN, user name, principal id, access key, account, session issuer);
- source IP: a CIDR (`10.0.0.0/8`) or a prefix (`203.0.113.`);
- event name: case-insensitive substring of `eventName`.
Pure Python, no Textual."""

from __future__ import annotations

from trailtui.filters.literal import jmespath_literal


def quick_filter(principal: str = "", source_ip: str = "", event_name: str = "") -> str:
    clauses = []
    if principal.strip():
        clauses.append(f"icontains(to_string(userIdentity), {jmespath_literal(principal.strip())})")
    ip = source_ip.strip()
    if ip:
        if "/" in ip:
            clauses.append(f"cidr_match(sourceIPAddress, {jmespath_literal(ip)})")
        else:
            clauses.append(f"starts_with(sourceIPAddress, {jmespath_literal(ip)})")
    if event_name.strip():
        clauses.append(f"icontains(eventName, {jmespath_literal(event_name.strip())})")
    return " && ".join(clauses)
