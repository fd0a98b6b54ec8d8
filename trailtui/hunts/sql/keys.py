"""The SQL for what a threshold or sequence hunt groups by, and for an event's
time, so windows computed by the server equal the client engine's.

The group keys restate `trailtui.hunts.grouping` (and `principal_label`) over
the dialect's columns.  On Athena the client sees exactly what the table holds
(rows are turned back into records), so the keys agree on every row.  Lake's
identity columns hold strings only: an identity field written as a number in
the raw event is NULL there while the client reads its text, so on Lake such a
(hostile) record may group differently.
"""

from __future__ import annotations

from trailtui.sources.pushdown import Dialect

SQL_GROUP_KEYS = ("principal", "access_key", "source_ip", "account")


# The identity fields the keys read, selected once under short names (the
# keys then fit CloudTrail Lake's 10,000-character statements).
_FIELDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("k_kind", ("userIdentity", "type")), ("k_arn", ("userIdentity", "arn")),
    ("k_user", ("userIdentity", "userName")), ("k_pid", ("userIdentity", "principalId")),
    ("k_acct", ("userIdentity", "accountId")), ("k_inv", ("userIdentity", "invokedBy")),
    ("k_iss", ("userIdentity", "sessionContext", "sessionIssuer", "userName")),
    ("k_obo", ("userIdentity", "onBehalfOf", "userId")), ("k_idp", ("userIdentity", "identityProvider")),
    ("k_akid", ("userIdentity", "accessKeyId")), ("k_ip", ("sourceIPAddress",)), ("k_rcpt", ("recipientAccountId",)),
)


def key_columns(dialect: Dialect) -> list[tuple[str, str]]:
    """(alias, SQL) of every field the keys read, for the innermost SELECT."""
    out = []
    for alias, path in _FIELDS:
        column = dialect.column(path)
        out.append((alias, column.sql if column is not None else "CAST(NULL AS VARCHAR)"))
    return out


def _present(value: str) -> str:
    return f"coalesce({value} <> '', FALSE)"


def _last_segment(arn: str) -> str:
    """`arn.split(':', 5)[-1]` when the ARN has five colons, else the ARN."""
    return (f"CASE WHEN length({arn}) - length(replace({arn}, ':', '')) >= 5 "
            f"THEN regexp_extract({arn}, '^(?:[^:]*:){{5}}([\\s\\S]*)$', 1) ELSE {arn} END")


def _after(text: str, marker: str) -> str:
    return f"substr({text}, strpos({text}, '{marker}') + {len(marker)})"


def _assumed_role() -> str:
    """`role/session` (or `role`) from an AssumedRole ARN, else from the
    session issuer; '' when neither gives one."""
    rest = _after("k_arn", ":assumed-role/")
    slash = f"strpos({rest}, '/')"
    from_arn = (f"CASE WHEN {slash} > 0 AND {slash} < length({rest}) THEN {rest} "
                f"WHEN {slash} > 0 THEN substr({rest}, 1, {slash} - 1) ELSE {rest} END")
    session = f"CASE WHEN strpos(k_pid, ':') > 0 THEN {_after('k_pid', ':')} ELSE '' END"
    from_issuer = f"CASE WHEN ({session}) <> '' THEN k_iss || '/' || ({session}) ELSE k_iss END"
    return (f"CASE WHEN {_present('k_arn')} AND strpos(k_arn, ':assumed-role/') > 0 THEN {from_arn} "
            f"WHEN {_present('k_iss')} THEN {from_issuer} ELSE '' END")


def derived_columns() -> list[tuple[str, str]]:
    """(alias, SQL) over `key_columns`, for the next SELECT out: the assumed
    role label and the ARN's last segment, each used twice by the principal."""
    return [("k_role", _assumed_role()), ("k_last", _last_segment("k_arn"))]


def principal_sql() -> str:
    """`principal_label(userIdentity)` over `key_columns` and `derived_columns` (never NULL)."""
    role = "k_role"
    person = "coalesce(nullif(k_user, ''), nullif(k_pid, ''), '?')"
    return " ".join([
        "CASE",
        f"WHEN k_kind = 'Root' THEN CASE WHEN {_present('k_acct')} THEN 'root@' || k_acct ELSE 'root' END",
        f"WHEN k_kind = 'IAMUser' THEN CASE WHEN {_present('k_user')} THEN 'user/' || k_user",
        f"WHEN {_present('k_arn')} THEN k_last",
        f"WHEN {_present('k_pid')} THEN 'user/' || k_pid ELSE 'iam-user' END",
        f"WHEN k_kind = 'AssumedRole' AND {role} <> '' THEN 'role/' || {role}",
        f"WHEN k_kind = 'FederatedUser' AND {_present('k_arn')} AND strpos(k_arn, ':federated-user/') > 0",
        f"THEN 'federated/' || {_after('k_arn', ':federated-user/')}",
        f"WHEN k_kind = 'FederatedUser' AND {_present('k_iss')} THEN 'federated/' || k_iss",
        "WHEN k_kind = 'AWSService' THEN coalesce(nullif(k_inv, ''), 'aws-service')",
        "WHEN k_kind = 'AWSAccount' THEN 'account/' || coalesce(nullif(k_acct, ''), nullif(k_pid, ''), '?')",
        "WHEN k_kind = 'IdentityCenterUser' THEN 'sso/' || coalesce(nullif(k_user, ''), nullif(k_obo, ''), "
        "nullif(k_pid, ''), '?')",
        "WHEN k_kind IN ('SAMLUser', 'WebIdentityUser') THEN (CASE WHEN k_kind = 'SAMLUser' THEN 'saml/' "
        f"ELSE 'web/' END) || {person} || (CASE WHEN {_present('k_idp')} THEN '@' || "
        "regexp_extract(k_idp, '([^/]*)$', 1) ELSE '' END)",
        f"WHEN {_present('k_arn')} THEN k_last",
        f"WHEN {_present('k_user')} THEN k_user",
        f"WHEN {_present('k_inv')} THEN k_inv",
        f"WHEN {_present('k_pid')} THEN k_pid",
        "ELSE coalesce(nullif(lower(k_kind), ''), 'unknown') END",
    ])


def group_sql(by: str) -> str | None:
    """The SQL of a built-in group key over `key_columns`, or None (a JMESPath
    key runs on the client)."""
    if by == "principal":
        return principal_sql()
    if by == "access_key":
        return f"coalesce(nullif(k_akid, ''), {principal_sql()})"
    if by == "source_ip":
        return "coalesce(k_ip, '')"
    if by == "account":
        return "coalesce(nullif(k_acct, ''), k_rcpt, '')"
    return None


def time_sql(dialect: Dialect) -> str:
    """Seconds since the epoch of `eventTime`, NULL when unreadable (such a
    record is skipped, as the client skips it).  Athena holds ISO-8601 text,
    Lake a TIMESTAMP."""
    if dialect.name == "lake":
        return "to_unixtime(eventtime)"
    return "try(to_unixtime(from_iso8601_timestamp(eventtime)))"
