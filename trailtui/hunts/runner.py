"""Hunts over any `EventSource`, as an async stream of progress with hits.

The source gets one query whose filter is the OR of every selected hunt's
predicates, so sources that push filters down (SQL, date pruning, worker
processes) only hand back candidate events; the engine then tests each
candidate against each hunt.  Progress is yielded page by page so a console can
show counts while the scan is still running.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Sequence
from dataclasses import dataclass, field

import orjson

from trailtui.filters import EventFilter
from trailtui.filters.literal import jmespath_literal
from trailtui.hunts.context import HuntContext
from trailtui.hunts.engine import Hit, HuntEngine, hunt_gate
from trailtui.hunts.gates import Gate
from trailtui.hunts.model import Hunt
from trailtui.sources.base import EventSource, Problem, Query
from trailtui.timerange import TimeRange


@dataclass(slots=True)
class HuntProgress:
    """One step of a hunt run.  `hits` are new since the previous step;
    `scanned` and `candidates` are running totals."""

    hits: list[Hit] = field(default_factory=list)
    scanned: int = 0
    candidates: int = 0
    problems: list[Problem] = field(default_factory=list)
    progress: float | None = None
    status: str = ""
    # Set on the last step of a run compiled to SQL: hunt ids by where they
    # ran ({"server": [...], "client": [...]}), the bytes the server scanned
    # (what the query is billed on) and the engine ("athena", "lake").
    ran: dict[str, list[str]] | None = None
    scanned_bytes: int | None = None
    engine: str = ""
    # One-line warnings about how the run was answered (e.g. the store could
    # not answer and a plain scan did), not about the data.
    notices: list[str] = field(default_factory=list)


def candidate_filter(hunts: Sequence[Hunt]) -> EventFilter:
    """A filter matching every event any of the hunts could use, cheap enough to
    push to the source: one membership test on eventName for the gated hunts
    (see gates.py), OR'd with the full filter of each hunt that has no gate.
    It is only a pre-selection: each hunt re-tests its own filter."""
    gate = Gate()
    ungated: list[str] = []
    for hunt in hunts:
        found = hunt_gate(hunt)
        if found is not None and not any("\\" in v for v in found.names | found.prefixes | found.folded):
            gate = gate | found
            continue
        ungated.append(hunt.filter.text)
        if hunt.sequence is not None:
            ungated.append(hunt.sequence.then.text)
    parts: list[str] = []
    if gate.names:  # a JSON literal is built once at compile time, a [...] list on every event
        names = orjson.dumps(sorted(gate.names)).decode().replace("`", "\\`")
        parts.append(f"contains(`{names}`, eventName)")
    if gate.folded:
        folded = orjson.dumps(sorted(gate.folded)).decode().replace("`", "\\`")
        parts.append(f"contains(`{folded}`, casefold(eventName))")
    parts.extend(f"starts_with(eventName, {jmespath_literal(p)})" for p in sorted(gate.prefixes))
    parts.extend(f"({text})" for text in dict.fromkeys(ungated))
    if not parts:
        return EventFilter.compile("")
    return EventFilter.compile(" || ".join(parts))


async def run_hunts(
    source: EventSource,
    hunts: Sequence[Hunt],
    time_range: TimeRange | None = None,
    page_size: int = 500,
    context: HuntContext | None = None,
    server: bool = True,
) -> AsyncGenerator[HuntProgress]:
    """Run `hunts` over `source` in one pass, newest first.  The caller owns the
    source (and closes it); cancelling the consumer stops the scan.  The last
    step carries the hits only the whole range can decide (first seen,
    outside access judged on learned accounts).  A SQL source (Athena, Lake)
    runs every hunt it can exactly itself (`trailtui.hunts.sql`) unless
    `server` is False; so does a local source whose store holds the range
    (`trailtui.store.hunting`)."""
    notices: list[str] = []
    if server:
        from trailtui.hunts.sql.run import SqlHunting, run_hunts_in_sql

        if isinstance(source, SqlHunting):
            async for step in run_hunts_in_sql(source, hunts, time_range or TimeRange(), context):
                yield step
            return
        from trailtui.store.hunting import hunts_from_store

        stored = await hunts_from_store(source, hunts, time_range or TimeRange(), context)
        if stored.steps is not None:
            async for step in stored.steps:
                yield step
            return
        notices = [stored.notice] if stored.notice else []
        source = stored.plain or source
    engine = HuntEngine(hunts, context)
    query = Query(filter=candidate_filter(hunts), time_range=time_range or TimeRange(), page_size=page_size)
    scanned = 0
    candidates = 0
    async for page in source.search(query):
        scanned += page.scanned
        candidates += len(page.events)
        hits: list[Hit] = []
        for event in page.events:
            hits.extend(engine.feed(event))
        yield HuntProgress(hits, scanned, candidates, list(page.problems), page.progress, page.status,
                           notices=notices + page.notices)
        notices = []
    final = engine.finish()
    if final:
        yield HuntProgress(final, scanned, candidates, [], 1.0, "")
