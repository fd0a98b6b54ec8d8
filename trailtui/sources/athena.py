"""Athena over the CloudTrail table: `athena://WORKGROUP/DATABASE.TABLE`.

The table is the one AWS documents (and `trailtui athena-ddl` prints): JSON
SerDe columns, `"timestamp"` partition projection.  One query per search:
partitions and `eventtime` bound the time range, the translatable part of the
filter becomes the WHERE clause, rows come back newest first.  Athena has no
raw-event column, so each row is turned back into a CloudTrail record (struct
columns read as JSON, lower-case Hive names mapped back to CloudTrail's
camelCase, JSON-string columns parsed); the full filter is then re-applied.

Queries run through PyAthena's asyncio cursor on a guarded boto3 session;
cancelling the search stops the query on the server (StopQueryExecution).
Add `?output=s3://bucket/prefix/` when the workgroup has no result location.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import re
from collections.abc import AsyncGenerator, AsyncIterator, Callable
from typing import Any
from urllib.parse import parse_qs

from trailtui.aws.athena_connection import async_cursor, connect_athena
from trailtui.aws.clients import ClientFactory
from trailtui.aws.config import AwsConfig
from trailtui.aws.errors import describe_error, error_code, error_message, is_access_denied
from trailtui.events import Event
from trailtui.safe import visible
from trailtui.sources.athena_rows import SELECT_LIST, row_to_record
from trailtui.sources.base import Capabilities, Page, Problem, Query, SourceError, split_pages
from trailtui.sources.cost import scan_cost
from trailtui.sources.pushdown import ATHENA, newest_first_statement, to_sql
from trailtui.sources.pushdown.timebounds import TimeSql, athena_time
from trailtui.sources.recheck import accept
from trailtui.sources.tagged import TaggedRows
from trailtui.timerange import TimeRange

# PyAthena logs failures with tracebacks; trailtui reports them in one line.
logging.getLogger("pyathena").addHandler(logging.NullHandler())

_NAME = re.compile(r"[A-Za-z0-9_]{1,255}")
_WORKGROUP = re.compile(r"[A-Za-z0-9._\-]{1,128}")
_OUTPUT = re.compile(r"s3://[a-z0-9][a-z0-9.\-]{1,61}[a-z0-9](/[^\s'\"]*)?")
FETCH_ROWS = 1000  # GetQueryResults' maximum page
_NO_PARTITION = re.compile(r"timestamp.*(cannot be resolved|not found)|COLUMN_NOT_FOUND.*timestamp", re.I | re.S)
_NO_TABLE = re.compile(r"TABLE_NOT_FOUND|Table .* does not exist|Table not found|EntityNotFoundException", re.I)


def parse_athena_url(url: str) -> tuple[str, str, str, str | None]:
    """`athena://WG/DB.TABLE[?output=s3://...]` -> (workgroup, database, table, output)."""
    rest = url[len("athena://"):] if url.lower().startswith("athena://") else url
    rest, _, params = rest.partition("?")
    workgroup, _, target = rest.strip("/").partition("/")
    database, _, table = target.partition(".")
    if not (_WORKGROUP.fullmatch(workgroup) and _NAME.fullmatch(database) and _NAME.fullmatch(table)):
        raise SourceError(f"{url!r}: use athena://WORKGROUP/DATABASE.TABLE (letters, digits, _)")
    outputs = parse_qs(params).get("output")
    output = outputs[0] if outputs else None
    if output is not None and not _OUTPUT.fullmatch(output):
        raise SourceError(f"{url!r}: output must be an s3://bucket/prefix/ URL")
    return workgroup, database, table, output


def athena_statement(database: str, table: str, query: Query, partitions: bool = True) -> tuple[str, bool]:
    """The SQL for a search and whether it selects exactly the matching rows
    (only then is the LIMIT pushed down)."""
    times = athena_time(query.time_range)
    return newest_first_statement(
        f'SELECT {SELECT_LIST} FROM "{database}"."{table}"',  # noqa: S608 - names match _NAME/_WORKGROUP; filter literals are escaped by to_sql
        [p for p in times.predicates if partitions or not p.startswith('"timestamp"')],
        to_sql(query.filter, ATHENA), times.exact, query.limit)


def _root_cause(exc: BaseException) -> BaseException:
    """PyAthena wraps botocore errors; find the one that says what happened."""
    seen = exc
    while seen.__cause__ is not None and not hasattr(seen, "response"):
        seen = seen.__cause__
    return seen


class AthenaSource:
    """A CloudTrail table in Athena."""

    capabilities = Capabilities(sql_pushdown=True, server_time_pruning=True, raw_json=False, server_cancel=True)
    poll_interval = 0.5
    dialect = ATHENA
    max_select_rows = 10_000

    def __init__(self, url: str, aws: AwsConfig, factory: ClientFactory | None = None) -> None:
        self.url = url
        self.workgroup, self.database, self.table, self.output = parse_athena_url(url)
        self._factory = factory or ClientFactory(aws)

    async def close(self) -> None:
        """Nothing is held between searches."""

    def __repr__(self) -> str:
        return f"AthenaSource({self.url!r})"

    async def search(self, query: Query) -> AsyncIterator[Page]:
        await self._check_workgroup()
        try:
            async for page in self._search(query, partitions=True):
                yield page
        except _PartitionMissing:
            async for page in self._search(query, partitions=False):
                yield page

    def search_statement(self, query: Query) -> str:
        """The SQL `search(query)` sends first (with the partition column)."""
        return athena_statement(self.database, self.table, query, partitions=True)[0]

    async def table_parameters(self) -> dict[str, str] | str:
        """The table's parameters (partition projection among them) from the Glue
        catalogue, or why they cannot be read.  Read-only: GetTable."""
        try:
            async with self._factory.async_client("glue") as glue:
                found = await glue.get_table(DatabaseName=self.database, Name=self.table)
        except Exception as exc:  # noqa: BLE001 - SDK, transport and allow-list errors share no base
            return describe_error(exc, f"glue table {self.database}.{self.table}")
        parameters = found.get("Table", {}).get("Parameters") or {}
        return {str(k): str(v) for k, v in parameters.items()}

    # -- small SELECTs of other modules' making (GROUP BY counts) -------------------
    def from_clause(self) -> str:
        return f'"{self.database}"."{self.table}"'

    def time_sql(self, window: TimeRange, partitions: bool = True) -> TimeSql:
        times = athena_time(window)
        kept = tuple(p for p in times.predicates if partitions or not p.startswith('"timestamp"'))
        return TimeSql(kept, times.exact)

    async def select_rows(self, statement: Callable[[bool], str]) -> list[list[str | None]]:
        """Every row of `statement(partitions)`, each cell as text (NULL: None),
        at most `max_select_rows`; retried without the partition column when
        the table has none."""
        await self._check_workgroup()
        try:
            return await self._select(statement(True), partitions=True)
        except _PartitionMissing:
            return await self._select(statement(False), partitions=False)

    async def _select(self, sql: str, partitions: bool) -> list[list[str | None]]:
        connection = await self._connected()
        try:
            latest: dict[str, Any] = {}
            cursor = async_cursor(connection, FETCH_ROWS, lambda qe: latest.update(execution=qe))
            running = asyncio.create_task(cursor.execute(sql))
            try:
                await running
            except Exception as exc:  # noqa: BLE001 - PyAthena wraps what went wrong; worded in one line
                self._raise_failure(exc, latest.get("execution"), partitions)
            finally:
                if not running.done():
                    running.cancel()  # PyAthena sends StopQueryExecution
                    await asyncio.gather(running, return_exceptions=True)
            rows: list[list[str | None]] = []
            while len(rows) < self.max_select_rows:
                fetched = await cursor.fetchmany(FETCH_ROWS)
                if not fetched:
                    break
                rows.extend([None if cell is None else str(cell) for cell in row] for row in fetched)
            return rows[: self.max_select_rows]
        finally:
            connection.close()

    async def _check_workgroup(self) -> None:
        """Say clearly when results have nowhere to go (Athena's own message is
        about 'output location')."""
        if self.output or os.environ.get("AWS_ATHENA_S3_STAGING_DIR"):
            return
        try:
            async with self._factory.async_client("athena") as athena:
                found = await athena.get_work_group(WorkGroup=self.workgroup)
        except Exception as exc:  # noqa: BLE001 - SDK, transport and allow-list errors share no base
            if is_access_denied(exc) or not hasattr(exc, "response"):
                return  # cannot tell; the query itself will say
            message = error_message(exc)
            if "not found" in message.lower() or error_code(exc) == "ResourceNotFoundException":
                raise SourceError(f"athena workgroup {self.workgroup} not found: check the name and --region") from None
            raise SourceError(describe_error(exc, f"athena workgroup {self.workgroup}")) from None
        if "WorkGroup" not in found:
            raise SourceError(f"athena workgroup {self.workgroup} not found: check the name and --region")
        config = found["WorkGroup"].get("Configuration", {})
        location = config.get("ResultConfiguration", {}).get("OutputLocation")
        managed = config.get("ManagedQueryResultsConfiguration", {}).get("Enabled")
        if not location and not managed:
            raise SourceError(
                f"athena workgroup {self.workgroup} has no query result location: set one in the workgroup, "
                f"or add ?output=s3://BUCKET/PREFIX/ to the source URL")

    async def _connect(self) -> Any:
        return await connect_athena(self._factory, self.workgroup, self.database, self.poll_interval, self.output)

    async def _search(self, query: Query, partitions: bool) -> AsyncIterator[Page]:
        sql, _ = athena_statement(self.database, self.table, query, partitions)
        connection = await self._connected()
        try:
            async for page in self._execute(connection, sql, query, partitions):
                yield page
        finally:
            connection.close()

    async def _polled(self, cursor: Any, sql: str, latest: dict[str, Any],
                      partitions: bool) -> AsyncGenerator[str, None]:
        """Start `sql` and yield its status line at each poll until it ends; a
        failure is raised as one line, and closing this early stops the query."""
        running = asyncio.create_task(cursor.execute(sql))
        try:
            while True:
                done, _ = await asyncio.wait({running}, timeout=self.poll_interval)
                if done:
                    break
                yield _status_line(latest.get("execution"))
            try:
                running.result()
            except Exception as exc:  # noqa: BLE001 - PyAthena, SDK and transport errors share no base
                self._raise_failure(exc, latest.get("execution"), partitions)
        finally:
            if not running.done():
                running.cancel()  # PyAthena sends StopQueryExecution and waits for CANCELLED
                await asyncio.gather(running, return_exceptions=True)

    async def _connected(self) -> Any:
        try:
            return await self._connect()
        except Exception as exc:  # noqa: BLE001 - PyAthena, SDK and transport errors share no base
            raise SourceError(describe_error(_root_cause(exc), f"athena://{self.workgroup}")) from None

    async def _execute(self, connection: Any, sql: str, query: Query, partitions: bool) -> AsyncIterator[Page]:
        latest: dict[str, Any] = {}
        cursor = async_cursor(connection, FETCH_ROWS, lambda qe: latest.update(execution=qe))
        async with contextlib.aclosing(self._polled(cursor, sql, latest, partitions)) as statuses:
            async for status in statuses:
                yield Page(status=status)
        location = f"athena://{self.workgroup}/{cursor.query_id}"
        names = [column[0].lower() for column in cursor.description or []]
        emitted = 0
        while True:
            rows = await cursor.fetchmany(FETCH_ROWS)
            if not rows:
                break
            events: list[Event] = []
            problems: list[Problem] = []
            for row in rows:
                event = accept(query, row_to_record(dict(zip(names, row, strict=False))), location, problems)
                if event is not None:
                    events.append(event)
            events = query.cap(events, emitted)
            emitted += len(events)
            for page in split_pages(events, query.page_size, scanned=len(rows), problems=problems,
                                    status=_status_line(latest.get("execution"))):
                yield page
            if query.limit is not None and emitted >= query.limit:
                return
        yield Page(progress=1.0, status=_status_line(latest.get("execution")),
                   scanned_bytes=_scanned_bytes(latest.get("execution"), cursor))

    # -- statements of other modules' making that select whole events (compiled hunts) -----
    async def tagged_rows(self, statement: Callable[[bool], str], tag: str) -> AsyncIterator[TaggedRows]:
        """The events `statement(partitions)` selects (SELECT_LIST plus column
        `tag`), newest first as the statement orders them; retried without the
        partition column when the table has none."""
        await self._check_workgroup()
        try:
            async for part in self._tagged(statement(True), tag, partitions=True):
                yield part
        except _PartitionMissing:
            async for part in self._tagged(statement(False), tag, partitions=False):
                yield part

    async def _tagged(self, sql: str, tag: str, partitions: bool) -> AsyncIterator[TaggedRows]:
        connection = await self._connected()
        try:
            latest: dict[str, Any] = {}
            cursor = async_cursor(connection, FETCH_ROWS, lambda qe: latest.update(execution=qe))
            async with contextlib.aclosing(self._polled(cursor, sql, latest, partitions)) as statuses:
                async for status in statuses:
                    yield TaggedRows(status=status)
            location = f"athena://{self.workgroup}/{cursor.query_id}"
            names = [column[0].lower() for column in cursor.description or []]
            while True:
                rows = await cursor.fetchmany(FETCH_ROWS)
                if not rows:
                    break
                cells = [dict(zip(names, row, strict=False)) for row in rows]
                yield TaggedRows([(row_to_record(c), str(c.get(tag) or "")) for c in cells], location,
                                 status=_status_line(latest.get("execution")))
            execution = latest.get("execution")
            scanned = getattr(execution, "data_scanned_in_bytes", None)
            yield TaggedRows(location=location, status=_status_line(execution),
                             scanned_bytes=int(scanned) if scanned is not None else None)
        finally:
            connection.close()

    def _raise_failure(self, exc: BaseException, execution: Any, partitions: bool) -> None:
        root = _root_cause(exc)
        if hasattr(root, "response"):
            where = f"athena://{self.workgroup}/{self.database}.{self.table}"
            message = error_message(root)
            if "output location" in message.lower():
                raise SourceError(f"athena workgroup {self.workgroup} has no query result location: set one in "
                                  "the workgroup, or add ?output=s3://BUCKET/PREFIX/ to the source URL") from None
            raise SourceError(describe_error(root, where)) from None
        reason = str(getattr(execution, "state_change_reason", None) or exc or "no reason given")
        state = getattr(execution, "state", None) or "FAILED"
        if partitions and _NO_PARTITION.search(reason):
            raise _PartitionMissing() from None
        if _NO_TABLE.search(reason):
            raise SourceError(f"athena table {self.database}.{self.table} not found (workgroup {self.workgroup}): "
                              "create it with `trailtui athena-ddl`") from None
        if "access denied" in reason.lower():
            raise SourceError(f"athena query {state}: access denied: {visible(reason)}") from None
        raise SourceError(f"athena query {state}: {visible(reason)}") from None


class _PartitionMissing(Exception):
    """The table has no `"timestamp"` partition column: query without it."""


def _scanned_bytes(execution: Any, cursor: Any) -> int:
    """GetQueryExecution's Statistics.DataScannedInBytes for the finished query
    (0 when the server reports none)."""
    for holder in (execution, cursor):
        value = getattr(holder, "data_scanned_in_bytes", None)
        if isinstance(value, int) and value >= 0:
            return value
    return 0


def _status_line(execution: Any) -> str:
    if execution is None:
        return "QUEUED"
    scanned = getattr(execution, "data_scanned_in_bytes", None) or 0
    found = scan_cost("athena", int(scanned))
    cost = f", ~${found.usd:.4f}" if found is not None and execution.state == "SUCCEEDED" else ""
    return f"{execution.state} {scanned / 1e6:.1f} MB scanned{cost}"
