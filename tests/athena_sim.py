"""A stand-in for Athena in tests: the CloudTrail table, built from the DDL
that `trailtui athena-ddl` prints, filled the way the Hive JSON SerDe fills it,
and queried with the SQL AthenaSource sends (Trino, transpiled to DuckDB by
sqlglot).  The rows it returns are what the test server is then seeded with.

Filling follows the SerDe: names match case-insensitively, a nested object in a
STRING column becomes its JSON text, a boolean becomes 'true'/'false', a
missing or null field is NULL; the `"timestamp"` partition is the log file's
date folder.
"""

from __future__ import annotations

import json
import re
from typing import Any

from tests.moto_ext._duckdb_load import insert_rows
from trailtui.sources.athena_table import COLUMNS

Type = Any  # 'string' | ('struct', [(name, Type)]) | ('array', Type) | ('map',)
_TOKEN = re.compile(r"\s*(<|>|:|,|[A-Za-z_][A-Za-z0-9_]*)")


def _tokens(text: str) -> list[str]:
    out, pos = [], 0
    text = text.strip()
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        assert match, f"cannot read DDL at {text[pos:pos + 20]!r}"
        out.append(match.group(1))
        pos = match.end()
    return out


def _type(tokens: list[str], i: int) -> tuple[Type, int]:
    word = tokens[i].lower()
    if word == "string":
        return "string", i + 1
    if word == "map":  # map<string,string>
        return ("map",), i + 6
    if word == "array":
        inner, i = _type(tokens, i + 2)
        return ("array", inner), i + 1
    assert word == "struct", word
    fields, i = [], i + 2
    while True:
        name = tokens[i]
        kind, i = _type(tokens, i + 2)
        fields.append((name.lower(), kind))
        if tokens[i] == ">":
            return ("struct", fields), i + 1
        i += 1


def ddl_columns() -> list[tuple[str, Type]]:
    tokens, columns, i = _tokens(COLUMNS), [], 0
    while i < len(tokens):
        name = tokens[i]
        kind, i = _type(tokens, i + 1)
        columns.append((name.lower(), kind))
        i += 1  # the comma
    return columns


def _duck(kind: Type) -> str:
    if kind == "string":
        return "VARCHAR"
    if kind[0] == "map":
        return "MAP(VARCHAR, VARCHAR)"
    if kind[0] == "array":
        return _duck(kind[1]) + "[]"
    return "STRUCT(" + ", ".join(f'"{n}" {_duck(k)}' for n, k in kind[1]) + ")"


def _field(value: Any, name: str) -> Any:
    if not isinstance(value, dict):
        return None
    for key, item in value.items():
        if key.lower() == name:
            return item
    return None


def _fill(value: Any, kind: Type) -> Any:
    if value is None:
        return None
    if kind == "string":
        if isinstance(value, str):
            return value
        return json.dumps(value, separators=(",", ":"))  # booleans -> 'true', objects -> JSON text
    if kind[0] == "map":
        return {k: _fill(v, "string") for k, v in value.items()} if isinstance(value, dict) else None
    if kind[0] == "array":
        return [_fill(v, kind[1]) for v in value] if isinstance(value, list) else None
    if not isinstance(value, dict):
        return None
    return {name: _fill(_field(value, name), sub) for name, sub in kind[1]}


_CIDR = re.compile(r"contains\(('(?:[^']|'')*'), TRY_CAST\(([a-z_.]+) AS IPADDRESS\)\)")


def _cidr_sql(match: re.Match[str]) -> str:
    """Trino's contains(CIDR, TRY_CAST(ip AS IPADDRESS)) in plain SQL (DuckDB's
    inet extension cannot be downloaded here): IPv4 dotted quads compared as
    integers; for an IPv6 network every value with a ':' (a superset, which the
    client re-check narrows, as Athena's own answer is)."""
    import ipaddress

    network = ipaddress.ip_network(match.group(1)[1:-1].replace("''", "'"), strict=False)
    column = match.group(2)
    if network.version == 6:
        return f"({column} LIKE '%:%')"
    octets = " + ".join(f"(CAST(split_part({column}, '.', {i + 1}) AS BIGINT) * {256 ** (3 - i)})" for i in range(4))
    low, high = int(network.network_address), int(network.broadcast_address)
    return (f"(CASE WHEN regexp_like({column}, '^[0-9]{{1,3}}([.][0-9]{{1,3}}){{3}}$') "
            f"THEN {octets} BETWEEN {low} AND {high} ELSE NULL END)")


def run(sql: str, events: list[dict[str, Any]], partitions: dict[str, str],
        database: str, table: str) -> tuple[list[str], list[tuple]]:
    """Run AthenaSource's SQL over the events; (column names, rows)."""
    import duckdb
    import sqlglot

    columns = ddl_columns()
    con = duckdb.connect()
    try:
        con.execute(f'CREATE SCHEMA "{database}"')
        types = [(name, _duck(kind)) for name, kind in columns] + [("timestamp", "VARCHAR")]
        definition = ", ".join(f'"{name}" {duck}' for name, duck in types)
        con.execute(f'CREATE TABLE "{database}"."{table}" ({definition})')
        rows = [[_fill(_field(raw, name), kind) for name, kind in columns] + [partitions[raw["eventID"]]]
                for raw in events]
        insert_rows(con, f'"{database}"."{table}"', types, rows)
        duck = sqlglot.transpile(_CIDR.sub(_cidr_sql, sql), read="trino", write="duckdb")[0]
        cursor = con.execute(duck)
        return [d[0] for d in cursor.description], cursor.fetchall()
    finally:
        con.close()


def seed_body(names: list[str], rows: list[tuple]) -> dict[str, Any]:
    """The body for moto's /moto-api/static/athena/query-results: a header row
    (as Athena sends for SELECT) then the rows, every column varchar."""
    def cell(value: Any) -> dict[str, str]:
        return {} if value is None else {"VarCharValue": str(value)}

    info = [{"CatalogName": "hive", "SchemaName": "", "TableName": "", "Name": n, "Label": n, "Type": "varchar",
             "Precision": 2147483647, "Scale": 0, "Nullable": "UNKNOWN", "CaseSensitive": True} for n in names]
    data = [{"Data": [cell(n) for n in names]}] + [{"Data": [cell(v) for v in row]} for row in rows]
    return {"results": [{"rows": data, "column_info": info}]}
