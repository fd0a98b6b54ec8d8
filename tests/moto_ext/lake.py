"""CloudTrail Lake queries for the test server; moto has none.

Tests create an event data store over HTTP:
`POST /moto-api/trailtui/lake/event-data-stores {"region", "account_id"?, "id",
"status"? (ENABLED), "events": [raw...], "polls"? (DescribeQuery calls before a
query finishes; 1000 keeps it RUNNING until cancelled), "fail"? (ErrorMessage:
the query ends FAILED)}`.

`StartQuery` runs the statement for real: the Trino SQL is transpiled to DuckDB
with sqlglot and evaluated over a table shaped like Lake's event schema
(`eventjson` raw text, `eventtime` TIMESTAMP, `readonly` BOOLEAN, structs for
`useridentity` and `tlsdetails`).  `DescribeQuery` moves QUEUED -> RUNNING ->
FINISHED; `GetQueryResults` pages rows (lists of one-key maps of strings) with
`MaxQueryResults` 1..1000 and NextToken; `CancelQuery` cancels or raises
InactiveQueryException; validation errors are AWS's.
"""

from __future__ import annotations

import json
import re
import threading
import time
import uuid
from datetime import UTC, datetime
from typing import Any

from tests.moto_ext._duckdb_load import insert_rows
from tests.moto_ext._routes import add_route, on_reset, request_json

DEFAULT_ACCOUNT = "123456789012"
TERMINAL = ("FINISHED", "FAILED", "CANCELLED", "TIMED_OUT")
_FROM = re.compile(r"(?<!DISTINCT )\bFROM\s+([A-Za-z0-9][A-Za-z0-9\-]*)", re.IGNORECASE)  # not IS DISTINCT FROM TRUE

_lock = threading.Lock()
_stores: dict[tuple[str, str, str], dict[str, Any]] = {}
_queries: dict[str, dict[str, Any]] = {}

_IDENTITY = ("type", "principalId", "arn", "accountId", "accessKeyId", "userName", "invokedBy")
_ISSUER = ("type", "principalId", "arn", "accountId", "userName")
_STRINGS = ("eventVersion", "eventSource", "eventName", "awsRegion", "sourceIPAddress", "userAgent", "errorCode",
            "errorMessage", "requestID", "eventID", "eventType", "apiVersion", "recipientAccountId",
            "sharedEventID", "vpcEndpointId", "eventCategory")
_SCHEMA = (
    "eventjson VARCHAR, eventtime TIMESTAMP, "
    + ", ".join(f"{name.lower()} VARCHAR" for name in _STRINGS)
    + ", readonly BOOLEAN, managementevent BOOLEAN, useridentity STRUCT("
    + ", ".join(f'"{f.lower()}" VARCHAR' for f in _IDENTITY)
    + ", sessioncontext STRUCT(attributes STRUCT(creationdate TIMESTAMP, mfaauthenticated VARCHAR), "
    + "sessionissuer STRUCT(" + ", ".join(f'"{f.lower()}" VARCHAR' for f in _ISSUER) + "))), "
    + "tlsdetails STRUCT(tlsversion VARCHAR, ciphersuite VARCHAR, clientprovidedhostheader VARCHAR)"
)


def _error(code: str, message: str) -> Exception:
    from moto.core.exceptions import JsonRESTError

    return JsonRESTError(code, message)


def _time(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC).replace(tzinfo=None)
    except ValueError:
        return None


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _row(raw: dict[str, Any]) -> list[Any]:
    identity = raw.get("userIdentity") if isinstance(raw.get("userIdentity"), dict) else {}
    context = identity.get("sessionContext") if isinstance(identity.get("sessionContext"), dict) else {}
    attributes = context.get("attributes") if isinstance(context.get("attributes"), dict) else {}
    issuer = context.get("sessionIssuer") if isinstance(context.get("sessionIssuer"), dict) else {}
    tls = raw.get("tlsDetails") if isinstance(raw.get("tlsDetails"), dict) else {}
    user = {f.lower(): _text(identity.get(f)) for f in _IDENTITY}
    user["sessioncontext"] = {
        "attributes": {"creationdate": _time(attributes.get("creationDate")),
                       "mfaauthenticated": _text(attributes.get("mfaAuthenticated"))},
        "sessionissuer": {f.lower(): _text(issuer.get(f)) for f in _ISSUER},
    }
    return ([json.dumps(raw), _time(raw.get("eventTime"))] + [_text(raw.get(f)) for f in _STRINGS]
            + [raw.get("readOnly") if isinstance(raw.get("readOnly"), bool) else None,
               raw.get("managementEvent") if isinstance(raw.get("managementEvent"), bool) else None,
               user if identity else None,
               {"tlsversion": _text(tls.get("tlsVersion")), "ciphersuite": _text(tls.get("cipherSuite")),
                "clientprovidedhostheader": _text(tls.get("clientProvidedHostHeader"))} if tls else None])


def _render(value: Any) -> str:
    """Lake returns every value as a string; timestamps as `YYYY-MM-DD HH:MM:SS.mmm`."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S.") + f"{value.microsecond // 1000:03d}"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _load(events: list[dict[str, Any]]) -> Any:
    """A DuckDB database holding the store's events in Lake's shape (built once, at seeding)."""
    import duckdb

    con = duckdb.connect()
    con.execute(f"CREATE TABLE eds ({_SCHEMA})")
    columns = [(name, kind) for name, kind, *_ in con.execute("DESCRIBE eds").fetchall()]
    insert_rows(con, "eds", columns, [_row(raw) for raw in events])
    return con


def _evaluate(statement: str, database: Any) -> tuple[list[str], list[tuple]]:
    import duckdb
    import sqlglot

    try:
        tree = sqlglot.parse_one(_FROM.sub("FROM eds", statement, count=1), read="trino")
    except sqlglot.errors.ParseError as exc:
        raise _error("InvalidQueryStatementException", f"Query statement is invalid: {str(exc)[:200]}") from None
    if tree.key not in ("select", "union", "except", "intersect"):
        raise _error("InvalidQueryStatementException", "Only SELECT statements are allowed.")
    cursor = database.cursor()  # a connection of its own: the server is threaded
    try:
        result = cursor.execute(tree.sql("duckdb"))
        return [d[0] for d in result.description], result.fetchall()
    except duckdb.Error as exc:
        raise _error("InvalidQueryStatementException", f"Query statement is invalid: {str(exc)[:200]}") from None
    finally:
        cursor.close()


def _seed(body: dict[str, Any]) -> dict[str, Any]:
    key = (body.get("account_id", DEFAULT_ACCOUNT), body["region"], body["id"])
    events = list(body.get("events", []))
    with _lock:
        _stores[key] = {"status": body.get("status", "ENABLED"), "events": events, "database": _load(events),
                        "polls": int(body.get("polls", 2)), "fail": body.get("fail")}
    return {"id": body["id"]}


def _list_queries(_: dict[str, Any]) -> list[dict[str, Any]]:
    with _lock:
        return [{"QueryId": q["id"], "QueryStatus": q["status"], "QueryString": q["sql"]} for q in _queries.values()]


def _reset() -> None:
    with _lock:
        for store in _stores.values():
            store["database"].close()
        _stores.clear()
        _queries.clear()


def _query(self: Any, params: dict[str, Any]) -> dict[str, Any]:
    query_id = params.get("QueryId")
    with _lock:
        query = _queries.get(query_id or "")
    if query is None or query["account"] != self.current_account or query["region"] != self.region:
        raise _error("QueryIdNotFoundException", f"The query ID {query_id} does not exist or is not valid.")
    return query


def start_query(self: Any) -> str:
    params = request_json(self)
    statement = params.get("QueryStatement")
    if not isinstance(statement, str) or not 1 <= len(statement) <= 10000:
        raise _error("InvalidParameterException", "QueryStatement must be 1 to 10000 characters.")
    match = _FROM.search(statement)
    if match is None:
        raise _error("InvalidQueryStatementException", "The query must name an event data store in FROM.")
    store_id = match.group(1)
    with _lock:
        store = _stores.get((self.current_account, self.region, store_id))
    if store is None:
        raise _error("EventDataStoreNotFoundException", f"The event data store {store_id} does not exist.")
    if store["status"] != "ENABLED":
        raise _error("InactiveEventDataStoreException", f"The event data store {store_id} is inactive.")
    names, rows = _evaluate(statement, store["database"])
    query = {
        "id": str(uuid.uuid4()), "sql": statement, "status": "QUEUED", "polls": store["polls"],
        "names": names, "rows": rows, "fail": store.get("fail"), "created": time.time(),
        "account": self.current_account, "region": self.region,
        "scanned": len(store["events"]), "bytes": sum(len(json.dumps(e)) for e in store["events"]),
    }
    with _lock:
        _queries[query["id"]] = query
    return json.dumps({"QueryId": query["id"]})


def _advance(query: dict[str, Any]) -> None:
    with _lock:
        if query["status"] in TERMINAL:
            return
        query["polls"] -= 1
        if query["polls"] <= 0:
            query["status"] = "FAILED" if query["fail"] else "FINISHED"
        else:
            query["status"] = "RUNNING"


def describe_query(self: Any) -> str:
    query = _query(self, request_json(self))
    _advance(query)
    result = {
        "QueryId": query["id"], "QueryString": query["sql"], "QueryStatus": query["status"],
        "QueryStatistics": {"EventsMatched": len(query["rows"]), "EventsScanned": query["scanned"],
                            "BytesScanned": query["bytes"], "ExecutionTimeInMillis": 5,
                            "CreationTime": query["created"]},
    }
    if query["status"] == "FAILED":
        result["ErrorMessage"] = query["fail"]
    return json.dumps(result)


def get_query_results(self: Any) -> str:
    params = request_json(self)
    query = _query(self, params)
    limit = params.get("MaxQueryResults", 1000)
    if not isinstance(limit, int) or not 1 <= limit <= 1000:
        raise _error("InvalidMaxResultsException", "MaxQueryResults must be between 1 and 1000.")
    result: dict[str, Any] = {"QueryStatus": query["status"]}
    if query["status"] == "FAILED":
        result["ErrorMessage"] = query["fail"]
    if query["status"] != "FINISHED":
        return json.dumps(result)
    offset = 0
    if params.get("NextToken"):
        try:
            token_id, offset_text = params["NextToken"].rsplit(":", 1)
            offset = int(offset_text)
        except ValueError:
            raise _error("InvalidNextTokenException", "Invalid NextToken.") from None
        if token_id != query["id"]:
            raise _error("InvalidNextTokenException", "NextToken belongs to another query.")
    page = query["rows"][offset:offset + limit]
    result["QueryResultRows"] = [[{name: _render(value)} for name, value in zip(query["names"], row, strict=True)]
                                 for row in page]
    result["QueryStatistics"] = {"ResultsCount": len(page), "TotalResultsCount": len(query["rows"]),
                                 "BytesScanned": query["bytes"]}
    if offset + limit < len(query["rows"]):
        result["NextToken"] = f"{query['id']}:{offset + limit}"
    return json.dumps(result)


def cancel_query(self: Any) -> str:
    query = _query(self, request_json(self))
    with _lock:
        if query["status"] in TERMINAL:
            raise _error("InactiveQueryException", f"The query {query['id']} is not running.")
        query["status"] = "CANCELLED"
    return json.dumps({"QueryId": query["id"], "QueryStatus": "CANCELLED"})


def install() -> None:
    from moto.cloudtrail.responses import CloudTrailResponse

    for action in (start_query, describe_query, get_query_results, cancel_query):
        setattr(CloudTrailResponse, action.__name__, action)
    add_route("lake/event-data-stores", _seed)
    add_route("lake/queries", _list_queries)
    on_reset(_reset)
