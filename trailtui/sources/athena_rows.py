"""Rows of the CloudTrail Athena table turned back into CloudTrail records.

The official table (Athena UG, JSON SerDe) lower-cases every name, keeps
`requestparameters`-like objects as JSON text, `readonly` as 'true'/'false'
text, and nests identity data in structs.  The query reads each struct as JSON
(`json_format(CAST(col AS JSON))`), and this module maps the names back to
CloudTrail's spelling, parses JSON text and restores booleans, so filters and
the detail view see the same record shape as from a log file.  Fields the
table does not have (or that were null) are left out.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson

# column -> CloudTrail field, for plain string columns
STRING_COLUMNS: dict[str, str] = {
    "eventversion": "eventVersion", "eventtime": "eventTime", "eventsource": "eventSource",
    "eventname": "eventName", "awsregion": "awsRegion", "sourceipaddress": "sourceIPAddress",
    "useragent": "userAgent", "errorcode": "errorCode", "errormessage": "errorMessage", "requestid": "requestID",
    "eventid": "eventID", "eventtype": "eventType", "apiversion": "apiVersion",
    "recipientaccountid": "recipientAccountId", "sharedeventid": "sharedEventID", "vpcendpointid": "vpcEndpointId",
    "vpcendpointaccountid": "vpcEndpointAccountId", "eventcategory": "eventCategory",
    "sessioncredentialfromconsole": "sessionCredentialFromConsole",
}
# column -> CloudTrail field, for STRING columns that hold JSON text
JSON_TEXT_COLUMNS: dict[str, str] = {
    "requestparameters": "requestParameters", "responseelements": "responseElements",
    "additionaleventdata": "additionalEventData", "serviceeventdetails": "serviceEventDetails",
    "edgedevicedetails": "edgeDeviceDetails",
}

# A struct's field names: lower-case name -> CloudTrail name, or (name, nested
# struct names); None as nested names keeps the keys (a map<string,string>).
Names = Mapping[str, str | tuple[str, "Names | None"]]
_ISSUER: Names = {"type": "type", "principalid": "principalId", "arn": "arn", "accountid": "accountId",
                  "username": "userName"}
_IDENTITY: Names = {
    "type": "type", "principalid": "principalId", "arn": "arn", "accountid": "accountId", "invokedby": "invokedBy",
    "accesskeyid": "accessKeyId", "username": "userName",
    "onbehalfof": ("onBehalfOf", {"userid": "userId", "identitystorearn": "identityStoreArn"}),
    "sessioncontext": ("sessionContext", {
        "attributes": ("attributes", {"mfaauthenticated": "mfaAuthenticated", "creationdate": "creationDate"}),
        "sessionissuer": ("sessionIssuer", _ISSUER),
        "ec2roledelivery": "ec2RoleDelivery",
        "webidfederationdata": ("webIdFederationData", {"federatedprovider": "federatedProvider",
                                                        "attributes": ("attributes", None)}),
    }),
}
STRUCT_COLUMNS: dict[str, tuple[str, Names]] = {
    "useridentity": ("userIdentity", _IDENTITY),
    "resources": ("resources", {"arn": "ARN", "accountid": "accountId", "type": "type"}),
    "addendum": ("addendum", {"reason": "reason", "updatedfields": "updatedFields",
                              "originalrequestid": "originalRequestID", "originaleventid": "originalEventID"}),
    "tlsdetails": ("tlsDetails", {"tlsversion": "tlsVersion", "ciphersuite": "cipherSuite",
                                  "clientprovidedhostheader": "clientProvidedHostHeader"}),
}

SELECT_LIST = ", ".join(
    [f"{column} AS {column}" for column in STRING_COLUMNS]
    + [f"{column} AS {column}" for column in JSON_TEXT_COLUMNS]
    + ["readonly AS readonly"]
    + [f"json_format(CAST({column} AS JSON)) AS {column}" for column in STRUCT_COLUMNS]
)


def _rename(value: Any, names: Names | None) -> Any:
    """Apply CloudTrail's names to a decoded struct (or array of structs), dropping nulls."""
    if names is None or value is None:
        return value
    if isinstance(value, list):
        return [_rename(item, names) for item in value]
    if not isinstance(value, dict):
        return value
    out: dict[str, Any] = {}
    for key, item in value.items():
        if item is None:
            continue
        spec = names.get(key.lower(), key)
        if isinstance(spec, tuple):
            out[spec[0]] = _rename(item, spec[1])
        else:
            out[spec] = item
    return out


def _json(text: Any) -> Any:
    if not isinstance(text, str):
        return text
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return text  # not JSON after all: keep the text as Athena returned it


def row_to_record(row: Mapping[str, Any]) -> dict[str, Any]:
    """One result row (column name -> value, names as selected) -> a CloudTrail record."""
    record: dict[str, Any] = {}
    for column, name in STRING_COLUMNS.items():
        if row.get(column) is not None:
            record[name] = row[column]
    for column, name in JSON_TEXT_COLUMNS.items():
        if row.get(column) is not None:
            record[name] = _json(row[column])
    readonly = row.get("readonly")
    if readonly is not None:
        record["readOnly"] = {"true": True, "false": False}.get(str(readonly).lower(), readonly)
    for column, (name, names) in STRUCT_COLUMNS.items():
        value = _json(row.get(column))
        if value is not None:
            record[name] = _rename(value, names)
    return record
