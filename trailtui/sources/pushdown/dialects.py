"""Where a JMESPath field lives in each SQL table, as a fixed whitelist.

SQL identifiers are only ever taken from these tables, never from user text.
A path not listed is either read as JSON text from a column that holds JSON
(only superset-safe tests are pushed then) or not pushed down at all.
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import Enum

from trailtui.sources.pushdown.literals import Untranslatable, json_path


class Kind(Enum):
    """How a column's SQL value relates to the raw JSON value."""

    STRING = "string"          # the raw value is a string; SQL holds it exactly (NULL when missing)
    BOOL = "bool"              # the raw value is a boolean; SQL BOOLEAN
    BOOL_TEXT = "bool_text"    # the raw value is a boolean; SQL holds 'true'/'false' text
    JSON_TEXT = "json_text"    # json_extract_scalar of some raw value: exact for strings, text for
                               # numbers/booleans, NULL for objects/arrays -> only supersets are safe
    HASHED = "hashed"          # `text_hash` of the raw value when it is a string (NULL otherwise):
                               # equality and membership only, as supersets


@dataclass(frozen=True, slots=True)
class Column:
    sql: str
    kind: Kind
    # For a path read from compact raw JSON (the store's `raw`, written by orjson):
    # (the raw column, the path's last key).  `"key":<value as JSON>` must then
    # appear verbatim in the text, a cheap test to run before JSON extraction.
    compact_key: tuple[str, str] | None = None
    # For a JSON_TEXT column: (the column holding JSON text, the JSONPath literal),
    # so a dialect with typed JSON can test the value's JSON form exactly.
    json_source: tuple[str, str] | None = None


_STRING_FIELDS = (
    "eventVersion", "eventTime", "eventSource", "eventName", "awsRegion", "sourceIPAddress", "userAgent",
    "errorCode", "errorMessage", "requestID", "eventID", "eventType", "apiVersion", "recipientAccountId",
    "sharedEventID", "vpcEndpointId", "vpcEndpointAccountId", "eventCategory", "sessionCredentialFromConsole",
)
_IDENTITY_FIELDS = ("type", "principalId", "arn", "accountId", "invokedBy", "accessKeyId", "userName")
_ISSUER_FIELDS = ("type", "principalId", "arn", "accountId", "userName")


def text_hash(text: str) -> int:
    """The value a HASHED column holds for a string: CRC-32 of its UTF-8.  A
    filter on such a field is pushed down as a superset (equal hashes), and the
    re-check decides; random IDs cost 4 bytes a row instead of 20."""
    return zlib.crc32(text.encode("utf-8", "surrogatepass"))


def _lower_path(path: tuple[str, ...]) -> str:
    return ".".join(part.lower() for part in path)


def _strings(paths: list[tuple[str, ...]]) -> dict[tuple[str, ...], Column]:
    return {path: Column(_lower_path(path), Kind.STRING) for path in paths}


def _identity_paths(with_extras: bool) -> list[tuple[str, ...]]:
    paths: list[tuple[str, ...]] = [("userIdentity", f) for f in _IDENTITY_FIELDS]
    paths += [("userIdentity", "sessionContext", "sessionIssuer", f) for f in _ISSUER_FIELDS]
    paths.append(("userIdentity", "sessionContext", "attributes", "mfaAuthenticated"))
    if with_extras:
        paths += [("userIdentity", "sessionContext", "attributes", "creationDate"),
                  ("userIdentity", "sessionContext", "ec2RoleDelivery"),
                  ("userIdentity", "onBehalfOf", "userId"), ("userIdentity", "onBehalfOf", "identityStoreArn")]
    return paths


@dataclass(frozen=True, slots=True)
class Dialect:
    """One SQL table shape.  `json_columns` maps a raw top-level field to the
    SQL column holding its JSON text; `raw_json_column` (Lake's `eventjson`)
    can answer any other path."""

    name: str
    columns: Mapping[tuple[str, ...], Column]
    json_columns: Mapping[str, str] = field(default_factory=dict)
    raw_json_column: str | None = None
    json_function: str = "json_extract_scalar"  # Trino's; DuckDB's is json_extract_string
    raw_json_compact: bool = False  # the JSON columns hold compact JSON text (no spaces, one encoding)
    regex_function: str = "regexp_like"  # Trino's; DuckDB's is regexp_matches
    # Trino's IPADDRESS type and contains(CIDR, address), documented for Athena engine v3.
    ip_functions: bool = False
    # Trino's json_format(json_extract(...)): a JSON value's canonical text, so
    # tests on JSON fields can be exact (a string literal is '"text"', false is 'false').
    typed_json: bool = False
    # A STRING column is NULL unless the raw value is a string (a row where it
    # is not is flagged odd and always re-checked): `type(field) == 'string'`
    # is then the column's NOT NULL.
    strings_typed: bool = False
    # `regex_match` on a string column counted exact: its SQL agrees with the
    # filter wherever the value is printable ASCII (`ASCII_STORE`); whoever
    # uses this dialect keeps the other rows apart (`ascii_guard`).
    regex_ascii_exact: bool = False

    def column(self, path: tuple[str, ...]) -> Column | None:
        known = self.columns.get(path)
        if known is not None:
            return known
        try:
            if len(path) > 1 and path[0] in self.json_columns:
                source = (self.json_columns[path[0]], json_path(path[1:]))
                compact = (source[0], path[-1]) if self.raw_json_compact else None
                return Column(f"{self.json_function}({source[0]}, {source[1]})", Kind.JSON_TEXT, compact,
                              json_source=source)
            if self.raw_json_column:
                compact = (self.raw_json_column, path[-1]) if self.raw_json_compact else None
                source = (self.raw_json_column, json_path(path))
                return Column(f"{self.json_function}({source[0]}, {source[1]})", Kind.JSON_TEXT, compact,
                              json_source=source)
        except Untranslatable:
            return None
        return None


def _athena_columns() -> dict[tuple[str, ...], Column]:
    paths = [(f,) for f in _STRING_FIELDS] + _identity_paths(with_extras=True)
    paths += [("addendum", f) for f in ("reason", "updatedFields", "originalRequestID", "originalEventID")]
    paths += [("tlsDetails", f) for f in ("tlsVersion", "cipherSuite", "clientProvidedHostHeader")]
    columns = _strings(paths)
    columns[("readOnly",)] = Column("readonly", Kind.BOOL_TEXT)
    return columns


def _lake_columns() -> dict[tuple[str, ...], Column]:
    # eventtime and creationdate are TIMESTAMPs in Lake: compare their raw text
    # through eventjson instead, which keeps JMESPath's string semantics exact.
    top = [f for f in _STRING_FIELDS if f not in ("eventTime", "sessionCredentialFromConsole",
                                                  "vpcEndpointAccountId")]
    columns = _strings([(f,) for f in top] + _identity_paths(with_extras=False))
    columns[("tlsDetails", "tlsVersion")] = Column("tlsdetails.tlsversion", Kind.STRING)
    columns[("tlsDetails", "cipherSuite")] = Column("tlsdetails.ciphersuite", Kind.STRING)
    columns[("tlsDetails", "clientProvidedHostHeader")] = Column("tlsdetails.clientprovidedhostheader", Kind.STRING)
    columns[("readOnly",)] = Column("readonly", Kind.BOOL)
    columns[("managementEvent",)] = Column("managementevent", Kind.BOOL)
    for path in [("eventTime",), ("sessionCredentialFromConsole",), ("vpcEndpointAccountId",),
                 ("userIdentity", "sessionContext", "attributes", "creationDate")]:
        columns[path] = Column(f"json_extract_scalar(eventjson, {json_path(path)})", Kind.STRING)
    return columns


# The official CloudTrail table (Athena UG, partition projection variant).
ATHENA = Dialect(
    name="athena",
    columns=_athena_columns(),
    json_columns={"requestParameters": "requestparameters", "responseElements": "responseelements",
                  "additionalEventData": "additionaleventdata", "serviceEventDetails": "serviceeventdetails",
                  "edgeDeviceDetails": "edgedevicedetails"},
    ip_functions=True,
    typed_json=True,
)

# CloudTrail Lake's event schema; `eventjson` holds the raw event.
LAKE = Dialect(name="lake", columns=_lake_columns(), raw_json_column="eventjson", typed_json=True)


def _store_columns() -> dict[tuple[str, ...], Column]:
    """The local store's typed columns (`trailtui.store`): each holds the raw
    value when it is a string (a boolean for `readOnly`) and NULL otherwise;
    a row where some value had another type is flagged `odd` and always
    re-checked, so these columns are exact for every other row."""
    strings: list[tuple[str, ...]] = [(f,) for f in STORE_TOP_FIELDS]
    strings += [("userIdentity", f) for f in STORE_IDENTITY_FIELDS]
    strings += [("userIdentity", "sessionContext", "sessionIssuer", f) for f in STORE_ISSUER_FIELDS]
    strings += [("userIdentity", "sessionContext", f) for f in STORE_CONTEXT_FIELDS]
    columns = {path: Column(STORE_COLUMN_NAMES.get(path, "_".join(p.lower() for p in path)), Kind.STRING)
               for path in strings}
    columns[("readOnly",)] = Column("readonly", Kind.BOOL)
    for name in STORE_HASHED_FIELDS:
        columns[(name,)] = Column(f"{name.lower()}_hash", Kind.HASHED)
    return columns


STORE_TOP_FIELDS = ("eventTime", "eventSource", "eventName", "eventType", "awsRegion", "recipientAccountId",
                    "sourceIPAddress", "userAgent", "errorCode", "errorMessage")
# Random IDs: their columns hold `text_hash` of the value (the event's block holds the value).
STORE_HASHED_FIELDS = ("eventID", "requestID")
# invokedBy completes the principal (`arn || principalId || invokedBy`), so counts by principal are one GROUP BY.
STORE_IDENTITY_FIELDS = ("type", "arn", "accountId", "accessKeyId", "userName", "principalId", "invokedBy")
STORE_ISSUER_FIELDS = ("arn", "userName")
# ec2RoleDelivery marks instance-profile credentials: the instance hunts select on it.
STORE_CONTEXT_FIELDS = ("ec2RoleDelivery",)
STORE_COLUMN_NAMES: dict[tuple[str, ...], str] = {
    ("userIdentity", "sessionContext", "sessionIssuer", "arn"): "issuer_arn",
    ("userIdentity", "sessionContext", "sessionIssuer", "userName"): "issuer_username",
    ("userIdentity", "sessionContext", "ec2RoleDelivery"): "ec2_role_delivery",
}

# The store's columns holding a top-level field as compact JSON text (orjson):
# a path under one of them is read with DuckDB's JSON extraction.  Whole events
# are kept outside DuckDB (compressed blocks, `trailtui.store.blocks`): a path
# elsewhere is not pushed down, the re-check decides.
STORE_JSON_COLUMNS: dict[str, str] = {"requestParameters": "request_parameters",
                                      "responseElements": "response_elements"}
# The local investigation store (DuckDB over Parquet).
STORE = Dialect(name="store", columns=_store_columns(), json_columns=STORE_JSON_COLUMNS,
                json_function="json_extract_string", raw_json_compact=True, regex_function="regexp_matches",
                strings_typed=True)

# The store, with regular expressions counted exact on printable ASCII values:
# for a caller that deals with every other row itself (the hunts' per-key rows).
ASCII_STORE = replace(STORE, name="store-ascii", regex_ascii_exact=True)
