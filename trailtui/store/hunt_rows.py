"""Which of the store's rows a hunt run needs, as one DuckDB statement.

The client `HuntEngine` decides every hit; this SQL only chooses the events it
is fed.  For each hunt the chosen rows are a set that gives the engine the same
hits, in the same order, as the whole range would:

* a predicate, outside-access or chain hunt (and any hunt below whose rule SQL
  cannot follow): every row its SQL superset (`store_where`) selects;
* a threshold counting events by a built-in group key: the rows in a window
  of the group that holds at least `count` of its matches (the hits, and a few
  more: windows are widened by `SLACK_MICROS`).  Feeding the engine fewer
  non-hits changes no window that fires: a firing window holds hits only;
  counting distinct values of a field or an `||` chain of fields, the same
  with the window's distinct values (`distinct_sql`), when every matching
  row's value there is a string, a list of strings or nothing;
* a sequence by a built-in key: every A with a B of its group within the
  window after it, and every such B;
* the instance-credentials chain hunt: every issuing call it matches; per
  access key, its rows at the key's oldest time when a call issued it (its
  first address: the instance's own) and at its newest when one of its uses
  may come from a public address (who it belongs to, as the chain index
  keeps it from the first row fed), or all its rows when one of them is not
  printable ASCII where the filter's regular expressions look
  (`ascii_guard`); and every use that may come from a public address (the
  ones the hunt judges);
* a first-seen hunt over the whole range (no `--baseline-*`): per group and
  raw value (finer than the hunt's value: an IP is finer than its /24), the
  oldest and newest rows of the recent period and of the baseline, every row
  near the boundary, and the newest match (where the recent period starts).
  The tracker's candidates, its strike-outs and the baseline's first and last
  times all come from those rows.

Those rules need each row's group key and match to be exact in SQL: they are
for rows not flagged `odd` (the typed columns are then exact), so when the
range holds any odd row they give way to the first rule.  Odd rows are always
chosen.

Hunts that learn known accounts from the records (outside access, credential
chains) learn from every candidate event a plain run reads: for each
`recipientAccountId` and each organisation path of the files, the first few
candidate rows in reading order are chosen too (`LEARNING_ROWS`, with every
row of their times), and the caller checks that one of them is a candidate.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass

from trailtui.chains.issuance import ISSUING_EVENTS
from trailtui.filters import EventFilter
from trailtui.hunts.engine import hunt_gate
from trailtui.hunts.model import Hunt
from trailtui.hunts.runner import candidate_filter
from trailtui.sources.pushdown import STORE, to_sql
from trailtui.sources.pushdown.dialects import ASCII_STORE, Kind
from trailtui.sources.pushdown.functions import IPV4_PATTERN, ipv4_in, outside_ascii
from trailtui.sources.pushdown.literals import sql_string
from trailtui.sources.pushdown.tree import Node, alternative_paths, field_path
from trailtui.store.dialect import store_where

SLACK_MICROS = 1_000  # windows and boundaries widened by this much: float seconds in the engine, integers here
LEARNING_ROWS = 8

# The group keys of `trailtui.hunts.grouping` over the store's columns; exact
# for rows not flagged odd (each column holds the field's string or NULL, and
# `principal` holds `principal_label(userIdentity)`).
GROUP_KEYS = {
    "principal": "principal",
    "access_key": "coalesce(nullif(useridentity_accesskeyid, ''), principal)",
    "source_ip": "coalesce(sourceipaddress, '')",
    "account": "coalesce(nullif(useridentity_accountid, ''), recipientaccountid, '')",
}
# Columns whose raw values split a first-seen hunt's values at least as finely.
NOVELTY_COLUMNS = {
    "api": ("eventsource", "eventname"),
    "network": ("sourceipaddress",),
    "region": ("awsregion",),
    "user_agent": ("useragent",),
}
ROW_COLUMNS = "file_id, seq, ts, block_at, block_len, block_line, odd"
# IPv4 networks none of whose addresses Python's ipaddress calls global (in
# every version): a use from one of them is never judged by the chain hunt.
NON_GLOBAL_V4 = ("0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12",
                 "192.168.0.0/16")
INSTANCE_CHAIN = "instance-credentials-off-instance"
_ISSUING = ", ".join(sql_string(name) for name in sorted(ISSUING_EVENTS))  # SQL IN list of the issuing calls
EVERY_HUNT = -1  # a row every hunt is fed (odd rows)
# A distinct expression `a || b || ...` longer than this takes all its rows: its SQL
# grows ~500 characters an alternative (a hostile catalogue: 5,000 of them made 2.4 MB).
MAX_DISTINCT_ALTERNATIVES = 16


@dataclass(frozen=True, slots=True)
class HuntRows:
    """How one hunt's rows are chosen: `rule` is 'all' (every row `where`
    selects), 'threshold', 'distinct' (a threshold on distinct values),
    'sequence', 'first-seen' or 'instance-chain' (`guard`: SQL true on a row
    where `where`, or for 'distinct' its `values`, may not be exact)."""

    index: int
    hunt: Hunt
    rule: str
    where: str
    then: str = ""
    key: str = ""
    guard: str = ""
    values: str = ""  # a 'distinct' plan: SQL VARCHAR[] of a row's distinct values


def _exact(hunt: Hunt) -> str | None:
    found = to_sql(hunt.filter, STORE)
    return found.where if found.exact else None


def plan_rows(index: int, hunt: Hunt, whole_range: bool, clean: bool) -> HuntRows:
    """How `hunt`'s rows are chosen.  `whole_range`: no first-seen baseline
    was given; `clean`: the range holds no odd row."""
    then = store_where(hunt.sequence.then).where if hunt.sequence is not None else ""
    everything = HuntRows(index, hunt, "all", store_where(hunt.filter).where, then=then)
    if not clean:
        return everything
    if hunt.threshold is not None:
        key = GROUP_KEYS.get(hunt.threshold.by)
        if key is None:
            return everything
        if hunt.threshold.distinct is None:
            return HuntRows(index, hunt, "threshold", everything.where, key=key)
        found = distinct_sql(hunt.threshold.distinct)
        if found is None:
            return everything
        return HuntRows(index, hunt, "distinct", everything.where, key=key, values=found[0], guard=found[1])
    if hunt.sequence is not None:
        key = GROUP_KEYS.get(hunt.sequence.by)
        if key is None:
            return everything
        return HuntRows(index, hunt, "sequence", everything.where, then=then, key=key)
    if hunt.chain is not None and hunt.chain.check == INSTANCE_CHAIN:
        guard = ascii_guard(hunt.filter)
        return everything if guard is None else HuntRows(index, hunt, "instance-chain", everything.where,
                                                          guard=guard)
    if hunt.first_seen is not None and whole_range:
        key = GROUP_KEYS.get(hunt.first_seen.by)
        exact = _exact(hunt)
        if key is None or exact is None or hunt.first_seen.of not in NOVELTY_COLUMNS:
            return everything
        return HuntRows(index, hunt, "first-seen", exact, key=key)
    return everything


def ascii_guard(flt: EventFilter) -> str | None:
    """SQL true on the rows where `store_where(flt)` may differ from the
    filter, when that is only where a regular expression tests a value
    outside printable ASCII; None when the filter is not exact even there."""
    if flt.ast is None or not to_sql(flt, ASCII_STORE).exact:
        return None
    columns = sorted(_regex_columns(flt.ast))
    return " OR ".join(outside_ascii(column, STORE) for column in columns) or "FALSE"


def _regex_columns(node: Node) -> set[str]:
    found: set[str] = set()
    if node.get("type") == "function_expression" and node.get("value") == "regex_match" and node.get("children"):
        path = field_path(node["children"][0])
        column = STORE.column(path) if path is not None else None
        if column is not None:
            found.add(column.sql)
    for child in node.get("children") or ():
        if isinstance(child, dict):
            found |= _regex_columns(child)
    return found


def maybe_public(column: str) -> str:
    """SQL true wherever `trailtui.hunts.chained.is_public_address` may be:
    an address with a colon (IPv6), or a dotted quad outside `NON_GLOBAL_V4`
    (anything else Python does not read as an address)."""
    networks = [ipaddress.IPv4Network(n) for n in NON_GLOBAL_V4]
    quad = f"coalesce({STORE.regex_function}({column}, {sql_string(IPV4_PATTERN)}), FALSE)"
    private = ipv4_in(column, networks, STORE)
    return f"(coalesce(strpos({column}, ':') > 0, FALSE) OR ({quad} AND NOT {private}))"


def instance_chain_counts(plan: HuntRows, rows_of: str, where: str) -> str:
    """The distinct keys, issuing rows and longest key the chain index would
    take: past its caps (or its cut of long keys) the per-key rows do not hold."""
    return (f"SELECT count(DISTINCT nullif(s.useridentity_accesskeyid, '')), "  # noqa: S608 - our literals
            f"count(*) FILTER (WHERE s.eventname IN ({_ISSUING})), "
            f"coalesce(max(strlen(s.useridentity_accesskeyid)), 0) "
            f"FROM {rows_of} WHERE {where} AND NOT s.odd AND ({_gated_sql(plan.hunt, plan.where)})")


def _instance_chain(plan: HuntRows, name: str) -> tuple[str, str]:
    """The chain hunt's rows: issuing calls; a key's oldest rows when some
    issuing call issued it (its first address: the instance's own) and its
    newest when one of its uses may come from a public address (its owner,
    for such a use); that use; and a key's rows whole under its guard."""
    i = plan.index
    public = maybe_public("sourceipaddress")
    keyed = (f"SELECT *, nullif(useridentity_accesskeyid, '') AS k, {public} AS p "  # noqa: S608
             f"FROM {name} WHERE NOT odd AND m{i}")
    spans = (f"SELECT *, min(ts) OVER w AS lo, max(ts) OVER w AS hi, bool_or(u{i}) OVER w AS au, "  # noqa: S608
             f"bool_or(p) OVER w AS ap, k IN (SELECT r{i} FROM {name} WHERE r{i} IS NOT NULL) AS issued "
             f"FROM ({keyed}) AS keyed WINDOW w AS (PARTITION BY k)")
    return spans, (f"eventname IN ({_ISSUING}) OR (k IS NOT NULL AND "
                   f"(au OR p OR (ts = lo AND issued) OR (ts = hi AND ap)))")


def issued_key_sql(plan: HuntRows) -> str:
    """SQL: the key an issuing call of the chain hunt (or an odd row, which
    every hunt is fed) may have issued, NULL on any other row."""
    return (f"CASE WHEN s.eventname IN ({_ISSUING}) AND (s.odd OR {_gated_sql(plan.hunt, plan.where)}) "
            f"THEN json_extract_string(s.response_elements, '$.credentials.accessKeyId') END")


def distinct_sql(expression: EventFilter) -> tuple[str, str] | None:
    """For a threshold's `distinct` expression that is a field or an `||`
    chain of fields with store columns: SQL giving a row's distinct values
    (VARCHAR[], what `trailtui.hunts.grouping.distinct_values` gives), and
    SQL true on a row where that may not hold (a value of another JSON type:
    a number, a boolean, an object, a list holding one).  None otherwise."""
    alternatives = alternative_paths(expression.ast) if expression.ast is not None else None
    if not alternatives or len(alternatives) > MAX_DISTINCT_ALTERNATIVES:
        return None
    present: list[tuple[str, str]] = []
    uncertain: list[str] = []
    for path in alternatives:
        column = STORE.column(path)
        if column is not None and column.kind is Kind.STRING:
            present.append((f"({column.sql} IS NOT NULL AND {column.sql} <> '')", f"[{column.sql}]"))
        elif column is not None and column.kind is Kind.JSON_TEXT and column.json_source is not None:
            source, at = column.json_source
            kind = f"json_type({source}, {at})"
            text = f"json_extract_string({source}, {at})"
            listed = f"json_extract({source}, {at})"
            present.append((f"coalesce(CASE {kind} WHEN 'VARCHAR' THEN {text} <> '' WHEN 'ARRAY' THEN "
                            f"json_array_length({source}, {at}) > 0 ELSE FALSE END, FALSE)",
                            f"CASE {kind} WHEN 'VARCHAR' THEN [{text}] ELSE list_filter(CAST({listed} AS VARCHAR[]), "
                            f"lambda x: x IS NOT NULL AND x <> '') END"))
            uncertain.append(f"coalesce({kind} NOT IN ('VARCHAR', 'ARRAY', 'NULL'), FALSE)")
            uncertain.append(f"coalesce({kind} = 'ARRAY' AND len(list_filter(json_type({listed}, '$[*]'), "
                             f"lambda x: x NOT IN ('VARCHAR', 'NULL'))) > 0, FALSE)")
        else:
            return None
    cases = " ".join(f"WHEN {test} THEN {values}" for test, values in present)
    return f"CASE {cases} ELSE []::VARCHAR[] END", " OR ".join(uncertain) or "FALSE"


def _distinct(plan: HuntRows, name: str) -> tuple[str, str]:
    """The rows of windows holding `count` distinct values: each row's values
    as rows of their own, counted distinct over the window's time frame."""
    rule = plan.hunt.threshold
    assert rule is not None  # noqa: S101 - only threshold plans get here
    span = _micros(rule.window.total_seconds())
    i = plan.index
    exploded = (f"SELECT {ROW_COLUMNS}, {plan.key} AS g, unnest(d{i}) AS v FROM {name} "  # noqa: S608
                f"WHERE NOT odd AND m{i} AND len(d{i}) > 0")
    counted = (f"SELECT *, count(DISTINCT v) OVER (PARTITION BY g ORDER BY ts "  # noqa: S608
               f"RANGE BETWEEN CURRENT ROW AND {span} FOLLOWING) AS c FROM ({exploded}) AS exploded")
    return _fired(counted, int(rule.count), span)


def distinct_uncertain(plan: HuntRows, rows_of: str, where: str) -> str:
    """SQL counting (up to one) the range's rows of a 'distinct' plan whose values may not be exact."""
    return (f"SELECT count(*) FROM (SELECT 1 FROM {rows_of} WHERE {where} AND NOT s.odd "  # noqa: S608
            f"AND ({_gated_sql(plan.hunt, plan.where)}) AND ({plan.guard}) LIMIT 1) AS found")


def _micros(seconds: float) -> int:
    return int(seconds * 1_000_000) + SLACK_MICROS


def _threshold(plan: HuntRows, name: str) -> tuple[str, str]:
    rule = plan.hunt.threshold
    assert rule is not None  # noqa: S101 - only threshold plans get here
    span = _micros(rule.window.total_seconds())
    counted = (f"SELECT *, {plan.key} AS g, count(*) OVER (PARTITION BY {plan.key} ORDER BY ts "  # noqa: S608
               f"RANGE BETWEEN CURRENT ROW AND {span} FOLLOWING) AS c FROM {name} WHERE NOT odd AND m{plan.index}")
    return _fired(counted, int(rule.count), span)


def _fired(counted: str, count: int, span: int) -> tuple[str, str]:
    """Rows of `counted` (with `g`, `ts` and `c`, what the window from each row
    on holds) within `span` after a row whose window reached `count`."""
    fired = (f"SELECT *, max(CASE WHEN c >= {count} THEN 1 ELSE 0 END) OVER (PARTITION BY g ORDER BY ts "  # noqa: S608
             f"RANGE BETWEEN {span} PRECEDING AND CURRENT ROW) AS f FROM ({counted}) AS counted")
    return fired, "f = 1"


def _sequence(plan: HuntRows, name: str) -> tuple[str, str]:
    rule = plan.hunt.sequence
    assert rule is not None  # noqa: S101 - only sequence plans get here
    span = _micros(rule.window.total_seconds())
    i = plan.index
    a, b = f"CASE WHEN m{i} THEN 1 ELSE 0 END", f"CASE WHEN t{i} THEN 1 ELSE 0 END"
    window = "OVER (PARTITION BY g ORDER BY ts RANGE BETWEEN {})"
    later = f"sum({b}) {window.format(f'CURRENT ROW AND {span} FOLLOWING')} - {b}"
    earlier = f"sum({a}) {window.format(f'{span} PRECEDING AND CURRENT ROW')} - {a}"
    inner = f"SELECT *, {plan.key} AS g FROM {name} WHERE NOT odd AND (m{i} OR t{i})"  # noqa: S608
    flagged = f"SELECT *, (m{i} AND {later} > 0) OR (t{i} AND {earlier} > 0) AS f FROM ({inner}) AS grouped"  # noqa: S608
    return flagged, "f"


def _matched(columns: Sequence[str], left: str, right: str) -> str:
    return " AND ".join(f"{left}.{c} IS NOT DISTINCT FROM {right}.{c}" for c in columns)


def _first_seen(plan: HuntRows, rows_of: str, where: str, newest: int) -> tuple[str, str]:
    """Aggregates and a join over the segments themselves (a first-seen hunt
    matches most of a trail: a window sorting it by text, or a copy of it,
    costs seconds); `newest` is the time of the hunt's newest match."""
    rule = plan.hunt.first_seen
    assert rule is not None  # noqa: S101 - only first-seen plans get here
    recent = int(rule.recent.total_seconds() * 1_000_000)
    values = NOVELTY_COLUMNS[rule.of]
    classes = ["g", *values]
    listed = ", ".join(classes)
    zone = (f"CASE WHEN ts >= {newest - recent + SLACK_MICROS} THEN 2 "
            f"WHEN ts >= {newest - recent - SLACK_MICROS} THEN 1 ELSE 0 END")
    matched = f"FROM {rows_of} WHERE {where} AND NOT s.odd AND ({_gated_sql(plan.hunt, plan.where)})"
    rows = f"SELECT *, {zone} AS z FROM (SELECT {', '.join(BASE_COLUMNS[:7])}, {plan.key} AS g, " \
           f"{', '.join(f's.{v}' for v in values)} {matched}) AS fs"  # noqa: S608 - whitelisted columns
    spans = f"SELECT {listed}, z, min(ts) AS lo, max(ts) AS hi FROM ({rows}) AS zoned GROUP BY {listed}, z"  # noqa: S608
    joined = (f"SELECT r.*, p.lo, p.hi FROM ({rows}) AS r JOIN ({spans}) AS p "  # noqa: S608 - fixed identifiers
              f"ON {_matched(classes, 'r', 'p')} AND r.z = p.z")
    return joined, f"z = 1 OR ts = lo OR ts = hi OR ts = {newest}"


def first_rows_statement(rows_of: str, where: str, learning: str, organisation: bool) -> str:
    """Per recipient account (and organisation path, from `orgs`), the time
    from which its first `LEARNING_ROWS` candidate rows (by time) start."""
    keys = [("'r:' || s.recipientaccountid", "s.recipientaccountid IS NOT NULL", "")]
    if organisation:
        keys.append(("'o:' || o.org", "TRUE", " JOIN orgs o ON s.file_id = o.file_id"))
    return " UNION ALL ".join(
        f"SELECT {key} AS k, list_min(max(coalesce(s.t, 0), {LEARNING_ROWS})) AS since "  # noqa: S608
        f"FROM {rows_of}{join} WHERE {where} AND {present} AND ({learning}) GROUP BY 1" for key, present, join in keys)


def _learning(rows_of: str, where: str, learning: str, firsts: dict[str, int], organisation: bool
              ) -> list[tuple[str, str, str]]:
    """The first candidate rows of each key of `firsts` (key -> the time they
    start from), with the key each is a first row of."""
    if not firsts:
        return []
    since = min(firsts.values())
    bound = f" AND s.t >= {since}" if since > 0 else ""  # the newest row groups only
    keys, starts = list(firsts), [firsts[k] for k in firsts]
    table = ("(SELECT unnest(" + _text_list(keys) + ") AS k, unnest([" + ", ".join(map(str, starts)) + "]) AS since)")
    parts = [(f"SELECT {', '.join(BASE_COLUMNS[:7])}, 'r:' || s.recipientaccountid AS k FROM {rows_of} "  # noqa: S608
              f"WHERE {where}{bound} AND ({learning})", )]
    if organisation:
        parts.append((f"SELECT {', '.join(BASE_COLUMNS[:7])}, 'o:' || o.org AS k FROM {rows_of} "  # noqa: S608
                      f"JOIN orgs o ON s.file_id = o.file_id WHERE {where}{bound} AND ({learning})", ))
    return [(f"SELECT c.*, f.since FROM ({rows}) AS c JOIN {table} AS f ON c.k = f.k",  # noqa: S608 - our literals
             "ts >= since", "k") for (rows,) in parts]


def _text_list(values: Sequence[str]) -> str:
    from trailtui.sources.pushdown.literals import sql_string

    return "[" + ", ".join(sql_string(v) for v in values) + "]::VARCHAR[]"


BASE_COLUMNS = ("s.file_id", "s.seq", "coalesce(s.t, 0) AS ts", "s.block_at", "s.block_len", "s.block_line",
                "s.odd", "s.principal", "s.useridentity_accesskeyid", "s.useridentity_accountid",
                "s.recipientaccountid", "s.sourceipaddress", "s.eventsource", "s.eventname", "s.awsregion",
                "s.useragent")


def _gated(hunt: Hunt) -> bool:
    """Whether `candidate_filter` admits `hunt`'s events by its eventName gate alone."""
    gate = hunt_gate(hunt)
    return gate is not None and not any("\\" in v for v in gate.names | gate.prefixes | gate.folded)


def _gated_sql(hunt: Hunt, where: str) -> str:
    """`where` evaluated only on the rows the hunt's eventName gate admits:
    a CASE runs its branch on those rows alone, where `gate AND where` in a
    select list computes both for every row (JSON extraction and regular
    expressions included)."""
    if not _gated(hunt) or where in ("TRUE", "FALSE"):
        return where
    gate = store_where(candidate_filter([hunt])).where
    return f"CASE WHEN {gate} THEN ({where}) ELSE FALSE END"


def flag_sql(plan: HuntRows) -> str:
    """SQL true for every row the hunt's events (both steps of a sequence) may be."""
    where = _gated_sql(plan.hunt, plan.where)
    return f"{where} OR {_gated_sql(plan.hunt, plan.then)}" if plan.then else where


def learning_sql(hunts: Sequence[Hunt], plans: Sequence[HuntRows]) -> str:
    """A superset of `candidate_filter(hunts)` over the columns: the eventName
    gates, OR'd with the SQL of the other hunts."""
    gated = [hunt for hunt in hunts if _gated(hunt)]
    parts = [store_where(candidate_filter(gated)).where] if gated else []
    parts += [flag_sql(plan) for plan in plans if not _gated(plan.hunt)]
    return " OR ".join(f"({part})" for part in parts) if parts else "FALSE"


def rows_statement(rows_of: str, predicates: Sequence[str], plans: Sequence[HuntRows], newest: dict[int, int],
                   learning: str | None = None, firsts: dict[str, int] | None = None,
                   organisation: bool = False) -> str:
    """The statement choosing the rows (`ROW_COLUMNS`, each once, unordered,
    with `lkeys`: the accounts and paths it is one of the first candidates of,
    and `hps`: the indexes of the hunts it was chosen for, `EVERY_HUNT` for all).
    `rows_of` is the segments' FROM text (rows `s`) and `predicates` pick the
    range's rows from it; `newest`: each first-seen plan's newest match;
    `learning` is a SQL superset of the catalogue's candidate filter
    (`learning_sql`) and `firsts` the time each learned key's first rows start
    from (`first_rows_statement`), when known accounts are learned;
    `organisation`: a table `orgs` (file_id, org) names the files' organisation paths."""
    small = [p for p in plans if p.rule != "first-seen"]
    flags = [(f"m{p.index}", _gated_sql(p.hunt, p.where)) for p in small]
    flags += [(f"t{p.index}", _gated_sql(p.hunt, p.then)) for p in small if p.hunt.sequence is not None]
    guards = [(f"u{p.index}", p.guard) for p in small if p.rule == "instance-chain"]
    guards += [(f"r{p.index}", issued_key_sql(p)) for p in small if p.rule == "instance-chain"]
    guards += [(f"d{p.index}", f"CASE WHEN {_gated_sql(p.hunt, p.where)} THEN {p.values} END")
               for p in small if p.rule == "distinct"]
    columns = [*BASE_COLUMNS, *(f"({sql}) AS {name}" for name, sql in flags + guards)]
    where = " AND ".join(predicates) or "TRUE"
    # Which rows to keep: the hunts' eventName gates as one test (a row fails
    # 45 separate gates at the cost of one), or the full flag of a hunt
    # without a gate.  A superset of the rows some flag is true on: every
    # part below tests its own flags.
    kept = f"s.odd OR ({learning_sql([p.hunt for p in small], small)})"
    base = f"SELECT {', '.join(columns)} FROM {rows_of} WHERE {where} AND ({kept})"  # noqa: S608
    direct = " OR ".join(["odd", *(f"m{p.index}" for p in small if p.rule == "all"),
                          *(f"t{p.index}" for p in small if p.rule == "all" and p.hunt.sequence is not None)])
    nothing = "CAST(NULL AS VARCHAR)"
    parts: list[tuple[str, str, str, str]] = [("SELECT * FROM base", direct, nothing, _direct_plans(small))]
    builders = {"threshold": _threshold, "distinct": _distinct, "sequence": _sequence,
                "instance-chain": _instance_chain}
    for plan in plans:
        build = builders.get(plan.rule)
        if build is not None:
            parts.append((*build(plan, "base"), nothing, f"[{plan.index}]"))
        elif plan.rule == "first-seen" and plan.index in newest:
            parts.append((*_first_seen(plan, rows_of, where, newest[plan.index]), nothing, f"[{plan.index}]"))
    if learning is not None and firsts:
        parts += [(*part, "[]::INTEGER[]") for part in _learning(rows_of, where, learning, firsts, organisation)]
    union = " UNION ALL ".join(f"SELECT {ROW_COLUMNS}, {label} AS lkey, {chosen} AS hp FROM ({rows}) AS part "  # noqa: S608
                               f"WHERE {condition}" for rows, condition, label, chosen in parts)
    return (f"WITH base AS MATERIALIZED ({base}) SELECT {ROW_COLUMNS}, "  # noqa: S608 - fixed identifiers
            f"list(DISTINCT lkey) FILTER (WHERE lkey IS NOT NULL) AS lkeys, "
            f"list_distinct(flatten(list(hp))) AS hps FROM ({union}) AS chosen GROUP BY ALL")


def _direct_plans(small: Sequence[HuntRows]) -> str:
    """SQL: the hunts a row of the direct part was chosen for (`EVERY_HUNT`
    for an odd row, which every hunt is fed)."""
    labels = [f"CASE WHEN m{p.index}{f' OR t{p.index}' if p.hunt.sequence is not None else ''} THEN {p.index} END"
              for p in small if p.rule == "all"]
    chosen = f"list_filter([{', '.join(labels)}], lambda x: x IS NOT NULL)" if labels else "[]::INTEGER[]"
    return f"CASE WHEN odd THEN [{EVERY_HUNT}] ELSE {chosen} END"
