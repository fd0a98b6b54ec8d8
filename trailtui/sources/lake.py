"""CloudTrail Lake: `lake://EVENT_DATA_STORE_ID` (or the store's ARN).

One SQL query per search: StartQuery, DescribeQuery until it is done (its
QueryStatistics become the status line), then GetQueryResults pages of up to
1,000 rows with NextToken (there is no paginator).  Rows are lists of one-key
maps of strings, so the statement aliases its one column, `eventjson`, the raw
event.  Cancelling the search cancels the query on the server (CancelQuery).

CloudTrail Lake is closed to new customers since 31 May 2026; existing event
data stores keep working, and this source is for them.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Callable
from typing import Any, TypeVar

from trailtui.aws.clients import ClientFactory
from trailtui.aws.config import AwsConfig
from trailtui.aws.errors import describe_error, error_code, error_message, is_sdk_error
from trailtui.safe import visible
from trailtui.sources.base import Capabilities, Page, Problem, Query, SourceError, split_pages
from trailtui.sources.cost import scan_cost
from trailtui.sources.pushdown import LAKE, newest_first_statement, to_sql
from trailtui.sources.pushdown.timebounds import TimeSql, lake_time
from trailtui.sources.recheck import accept, parse_json
from trailtui.sources.tagged import TaggedRows
from trailtui.timerange import TimeRange

T = TypeVar("T")
_STORE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9\-]{2,63}")
_STORE_ARN = re.compile(r"arn:aws[a-z\-]*:cloudtrail:([a-z0-9\-]+):(\d{12}):eventdatastore/([A-Za-z0-9\-]+)")
PAGE_ROWS = 1000  # GetQueryResults' maximum
RUNNING = ("QUEUED", "RUNNING")


def parse_lake_url(url: str) -> tuple[str, str | None]:
    """`lake://ID` or `lake://arn:...:eventdatastore/ID` -> (ID, region from the ARN)."""
    rest = url[len("lake://"):] if url.lower().startswith("lake://") else url
    rest = rest.strip("/")
    arn = _STORE_ARN.fullmatch(rest)
    if arn:
        return arn.group(3), arn.group(1)
    if not _STORE_ID.fullmatch(rest):
        raise SourceError(f"{url!r}: not an event data store ID or ARN (use lake://EVENT_DATA_STORE_ID)")
    return rest, None


def lake_statement(store_id: str, query: Query) -> tuple[str, bool]:
    """The SQL for a search and whether it selects exactly the matching rows
    (only then is the LIMIT pushed down)."""
    times = lake_time(query.time_range)
    return newest_first_statement(f"SELECT eventjson AS eventjson FROM {store_id}", times.predicates,  # noqa: S608 - store_id is validated by parse_lake_url; literals are escaped by to_sql
                                  to_sql(query.filter, LAKE), times.exact, query.limit)


def _status_line(status: str, stats: dict[str, Any]) -> str:
    scanned = stats.get("EventsScanned")
    scanned_bytes = stats.get("BytesScanned") or 0
    if scanned is None:
        return status
    found = scan_cost("lake", int(scanned_bytes))
    cost = f", ~${found.usd:.4f}" if found is not None and status == "FINISHED" else ""
    return f"{status} {scanned:,} events scanned, {scanned_bytes / 1e6:.1f} MB{cost}"


def _row_json(row: list[dict[str, str]]) -> str | None:
    for cell in row:
        for key, value in cell.items():
            if key.lower() == "eventjson":
                return value
    return None


class LakeSource:
    """A CloudTrail Lake event data store, queried with SQL."""

    capabilities = Capabilities(sql_pushdown=True, server_time_pruning=True, raw_json=True, server_cancel=True)
    poll_delays = (0.2, 0.4, 0.8, 1.0)  # DescribeQuery back-off, seconds
    page_rows = PAGE_ROWS
    dialect = LAKE
    max_select_rows = 10_000

    def __init__(self, url: str, aws: AwsConfig, factory: ClientFactory | None = None) -> None:
        self.url = url
        self.store_id, arn_region = parse_lake_url(url)
        self._factory = factory or ClientFactory(aws)
        self._region = arn_region or aws.region

    async def close(self) -> None:
        """Nothing is held between searches."""

    def __repr__(self) -> str:
        return f"LakeSource({self.url!r})"

    async def search(self, query: Query) -> AsyncIterator[Page]:
        sql, _ = lake_statement(self.store_id, query)
        async for page in self._with_client(lambda client: self._run(client, sql, query)):
            yield page

    async def _with_client(self, work: Callable[[Any], AsyncIterator[T]]) -> AsyncIterator[T]:
        """`work(client)`'s items, with an SDK error worded as one SourceError line."""
        try:
            async with self._factory.async_client("cloudtrail", self._region) as client:
                async for item in work(client):
                    yield item
        except SourceError:
            raise
        except Exception as exc:
            if is_sdk_error(exc):
                raise SourceError(self._describe(exc)) from None
            raise

    def search_statement(self, query: Query) -> str:
        """The SQL `search(query)` sends."""
        return lake_statement(self.store_id, query)[0]

    # -- small SELECTs of other modules' making (GROUP BY counts) -------------------
    def from_clause(self) -> str:
        return self.store_id

    def time_sql(self, window: TimeRange, partitions: bool = True) -> TimeSql:
        return lake_time(window)

    async def select_rows(self, statement: Callable[[bool], str]) -> list[list[str | None]]:
        """Every row of `statement(True)`, each cell as text (empty: None), at
        most `max_select_rows`.  Cancelling cancels the query on the server."""
        try:
            async with self._factory.async_client("cloudtrail", self._region) as client:
                return await self._select(client, statement(True))
        except SourceError:
            raise
        except Exception as exc:
            if is_sdk_error(exc):
                raise SourceError(self._describe(exc)) from None
            raise

    async def _select(self, client: Any, sql: str) -> list[list[str | None]]:
        started = await client.start_query(QueryStatement=sql)
        query_id = started["QueryId"]
        ended: list[str] = []
        try:
            async for _ in self._wait(client, query_id, ended):
                pass
            rows: list[list[str | None]] = []
            token: str | None = None
            while len(rows) < self.max_select_rows:
                kwargs: dict[str, Any] = {"QueryId": query_id, "MaxQueryResults": self.page_rows}
                if token:
                    kwargs["NextToken"] = token
                result = await client.get_query_results(**kwargs)
                for row in result.get("QueryResultRows") or []:
                    rows.append([next(iter(cell.values()), None) or None for cell in row])
                token = result.get("NextToken")
                if not token:
                    break
            return rows[: self.max_select_rows]
        finally:
            if not ended:
                await self._cancel(client, query_id)

    async def _run(self, client: Any, sql: str, query: Query) -> AsyncIterator[Page]:
        started = await client.start_query(QueryStatement=sql)
        query_id = started["QueryId"]
        ended: list[str] = []  # the terminal status, once seen: nothing to cancel then
        try:
            async for page in self._wait(client, query_id, ended):
                yield page
            async for page in self._results(client, query_id, query):
                yield page
        finally:
            if not ended:
                await self._cancel(client, query_id)

    async def _wait(self, client: Any, query_id: str, ended: list[str]) -> AsyncIterator[Page]:
        """DescribeQuery until the query leaves QUEUED/RUNNING; a status page each poll."""
        polls = 0
        while True:
            described = await client.describe_query(QueryId=query_id)
            status = described.get("QueryStatus", "")
            if status not in RUNNING:
                ended.append(status)
            if status == "FINISHED":
                return
            if status not in RUNNING:
                message = visible(described.get("ErrorMessage") or "no reason given")
                raise SourceError(f"lake query {query_id} {status}: {message}")
            yield Page(status=_status_line(status, described.get("QueryStatistics") or {}))
            await asyncio.sleep(self.poll_delays[min(polls, len(self.poll_delays) - 1)])
            polls += 1

    async def _results(self, client: Any, query_id: str, query: Query) -> AsyncIterator[Page]:
        token: str | None = None
        emitted = fetched = 0
        location = f"lake://{self.store_id}/{query_id}"
        while True:
            kwargs: dict[str, Any] = {"QueryId": query_id, "MaxQueryResults": self.page_rows}
            if token:
                kwargs["NextToken"] = token
            result = await client.get_query_results(**kwargs)
            rows = result.get("QueryResultRows") or []
            fetched += len(rows)
            events, problems = [], []
            for row in rows:
                raw = parse_json(_row_json(row))
                if raw is None:
                    problems.append(Problem(location, "a result row without a readable eventjson column"))
                    continue
                event = accept(query, raw, location, problems)
                if event is not None:
                    events.append(event)
            events = query.cap(events, emitted)
            emitted += len(events)
            token = result.get("NextToken")
            stats = result.get("QueryStatistics") or {}
            total = stats.get("TotalResultsCount")
            progress = 1.0 if not token else (min(1.0, fetched / total) if total else None)
            status = f"FINISHED {total if total is not None else '?'} rows"
            found = scan_cost("lake", stats.get("BytesScanned") if isinstance(stats.get("BytesScanned"), int) else None)
            if found is not None:
                status += f", {found.scanned_bytes / 1e6:.1f} MB scanned, ~${found.usd:.4f}"
            for page in split_pages(events, query.page_size, scanned=len(rows), problems=problems, progress=progress,
                                    status=status):
                yield page
            if not token or (query.limit is not None and emitted >= query.limit):
                return

    # -- statements of other modules' making that select whole events (compiled hunts) -----
    async def tagged_rows(self, statement: Callable[[bool], str], tag: str) -> AsyncIterator[TaggedRows]:
        """The events `statement(True)` selects (`eventjson` plus column
        `tag`), in the statement's order; cancelling cancels the query."""
        async for part in self._with_client(lambda client: self._tagged(client, statement(True), tag)):
            yield part

    async def _tagged(self, client: Any, sql: str, tag: str) -> AsyncIterator[TaggedRows]:
        started = await client.start_query(QueryStatement=sql)
        query_id = started["QueryId"]
        ended: list[str] = []
        location = f"lake://{self.store_id}/{query_id}"
        try:
            async for page in self._wait(client, query_id, ended):
                yield TaggedRows(location=location, status=page.status)
            token: str | None = None
            while True:
                kwargs: dict[str, Any] = {"QueryId": query_id, "MaxQueryResults": self.page_rows}
                if token:
                    kwargs["NextToken"] = token
                result = await client.get_query_results(**kwargs)
                rows = []
                for row in result.get("QueryResultRows") or []:
                    cells = {key.lower(): value for cell in row for key, value in cell.items()}
                    rows.append((parse_json(cells.get("eventjson")), cells.get(tag.lower()) or ""))
                yield TaggedRows(rows, location, status="FINISHED")
                token = result.get("NextToken")
                if not token:
                    break
            described = await client.describe_query(QueryId=query_id)
            stats = described.get("QueryStatistics") or {}
            scanned = stats.get("BytesScanned")
            yield TaggedRows(location=location, status=_status_line("FINISHED", stats),
                             scanned_bytes=int(scanned) if isinstance(scanned, int) else None)
        finally:
            if not ended:
                await self._cancel(client, query_id)

    async def _cancel(self, client: Any, query_id: str) -> None:
        """CancelQuery, even while the search itself is being cancelled."""
        try:
            await asyncio.shield(client.cancel_query(QueryId=query_id))
        except asyncio.CancelledError:
            raise
        except Exception:  # noqa: BLE001, S110 - already finished (InactiveQueryException) or unreachable: nothing to stop
            pass

    def _describe(self, exc: BaseException) -> str:
        code = error_code(exc)
        message = error_message(exc)
        where = f"lake://{self.store_id}"
        lowered = message.lower()
        if "no longer open to new customers" in lowered or "no longer accepting new customers" in lowered:
            return ("CloudTrail Lake is closed to new customers (since 31 May 2026): "
                    "use an athena:// or s3:// source instead")
        if code == "EventDataStoreNotFoundException":
            return (f"{where}: event data store not found in {self._region or 'the default region'} "
                    "(check the ID and --region)")
        if code == "InactiveEventDataStoreException":
            return (f"{where}: event data store is not enabled (stopped or pending deletion): "
                    "start ingestion or pick another store")
        if code == "InvalidQueryStatementException":
            return f"{where}: query rejected by CloudTrail Lake: {visible(message)}"
        if code == "MaxConcurrentQueriesException":
            return f"{where}: 10 Lake queries are already running: wait for one to finish and retry"
        return describe_error(exc, where)
