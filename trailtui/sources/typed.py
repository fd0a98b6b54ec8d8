"""Decode only what a filter reads: a msgspec Struct built for the filter.

Full decoding builds a dict for every object in every event; a Struct that names
only the filter's fields (plus `eventTime`, `eventName`, `eventSource`, which say
whether a record is a CloudTrail event at all) lets msgspec skip the rest, several
times faster.  The typed pass is only ever a *pre-check*: a file
in which no record can match is skipped, and any file with a possible match is
decoded again in full by `decode_log` and filtered with the exact predicate, so
the events returned are always the plain path's.

For that pre-check to be sound the typed values must equal orjson's.  They do
for strings, floats, objects and duplicate keys; they differ for integers beyond
64 bits (orjson gives a float, msgspec an int), so such a value raises
`Undecidable` and the file takes the plain path.  Files that msgspec cannot
decode as `{"Records": [...]}` of CloudTrail records, or that are not valid
UTF-8, take the plain path too, so their problems are reported exactly as
`decode_log` words them.

One known difference, in problems only: a number beyond the float range
(`1e400`) in a field the filter does not read is skipped by msgspec but makes
orjson refuse the whole file.  If no record of such a file can match, it is
passed over without the "not valid JSON" line the plain path would print; the
events are the same (none) either way.  Fuzzing msgspec against orjson found no
other case (tests/test_fastpath.py checks numbers and malformed documents).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import msgspec

from trailtui.filters import EventFilter
from trailtui.filters.expression import function_table
from trailtui.filters.fastpath import (
    EVALUATION_ERRORS,
    NeedsWholeRecord,
    Path,
    compile_typed_predicate,
    root_paths,
    typed_expression,
)

UNSET = msgspec.UNSET
SHAPE_FIELDS = ("eventTime", "eventName", "eventSource")
_INT_MIN, _INT_MAX = -(2 ** 63), 2 ** 64 - 1  # what orjson keeps as int


class Undecidable(Exception):
    """A typed value orjson would decode differently; the caller must decode in full."""


@dataclass(slots=True)
class _Node:
    """A field in the path tree: decoded whole (Any) or as a nested Struct."""

    whole: bool = False
    children: dict[str, _Node] = field(default_factory=dict)


def _tree(paths: list[Path]) -> dict[str, _Node]:
    root: dict[str, _Node] = {}
    for path in paths:
        level = root
        for depth, key in enumerate(path):
            node = level.setdefault(key, _Node())
            if depth == len(path) - 1:
                node.whole = True
            level = node.children
    return root


def _check_number(value: Any) -> Any:
    kind = type(value)
    if kind is int:
        if value < _INT_MIN or value > _INT_MAX:
            raise Undecidable("integer beyond 64 bits")
    elif kind is list:
        for item in value:
            _check_number(item)
    elif kind is dict:
        for item in value.values():
            _check_number(item)
    return value


def _orjson_number(value: Any) -> Any:
    """`value`, after making sure orjson would have decoded it the same."""
    return _check_number(value) if type(value) in (int, list, dict) else value


class _StructBuilder:
    """Builds Struct types from the path tree and a getter per path."""

    def __init__(self, paths: list[Path]) -> None:
        self._count = 0
        tree = _tree(paths)
        for name in SHAPE_FIELDS:  # always decoded whole: they decide what a record is
            tree.setdefault(name, _Node()).whole = True
        self._tree = tree
        # For each tree node: (struct type it decodes to or None, attribute name in its parent).
        self._types: dict[int, type | None] = {}
        self._attrs: dict[int, str] = {}
        self.record_type = self._struct(tree, top=True)

    def _struct(self, level: dict[str, _Node], top: bool) -> type:
        fields: list[tuple[str, Any, Any]] = []
        rename: dict[str, str] = {}
        for index, (key, node) in enumerate(level.items()):
            attr = f"f{index}"
            rename[attr] = key
            self._attrs[id(node)] = attr
            if node.whole:
                self._types[id(node)] = None
                kind: Any = Any
            else:
                nested = self._struct(node.children, top=False)
                self._types[id(node)] = nested
                kind = nested | None | bool | int | float | str | list[Any]
            default = UNSET if top and key in SHAPE_FIELDS else None
            fields.append((attr, kind, default))
        self._count += 1
        return msgspec.defstruct(f"Typed{self._count}", fields, rename=rename, gc=False)

    def attribute(self, key: str) -> str:
        return self._attrs[id(self._tree[key])]

    def getter(self, path: Path, exact: bool = True) -> Callable[[Any], Any]:
        """Read `path` from a typed record the way `jmespath` reads it from a dict.

        Generated as one small function (attribute names are our own `fN`; keys
        and types travel in its namespace, never in its text): this runs for
        every record, and nested closures would double its cost."""
        namespace: dict[str, Any] = {"UNSET": UNSET, "check": _check_number, "NUMERIC": (int, list, dict)}
        level: dict[str, _Node] | None = self._tree
        holder: type | None = None  # the Struct type holding the current key; None at the top
        lines = ["def get(record):"]
        steps: list[tuple[Any, ...]] = []  # the same reads, for callers that inline them
        for depth, key in enumerate(path):
            node = level.get(key) if level is not None else None
            if depth == 0:
                assert node is not None  # noqa: S101 - narrows the type: the plan's first key is always present
                attr = self._attrs[id(node)]
                lines.append(f"    v = record.{attr}")
                if key in SHAPE_FIELDS:
                    lines.append("    if v is UNSET: v = None")
                steps.append(("attr", attr, UNSET if key in SHAPE_FIELDS else None))
            elif node is not None and holder is not None:
                namespace[f"T{depth}"] = holder
                attr = self._attrs[id(node)]
                lines.append(f"    v = v.{attr} if type(v) is T{depth} else None")
                steps.append(("struct", attr, holder))
            else:  # below a field decoded whole: plain dict access
                namespace[f"K{depth}"] = key
                lines.append(f"    v = v.get(K{depth}) if isinstance(v, dict) else None")
                steps.append(("key", key))
                node = None
            holder = self._types.get(id(node)) if node is not None else None
            level = node.children if node is not None and holder is not None else None
        if exact:
            lines.append("    if type(v) in NUMERIC: check(v)")
            steps.append(("call", _orjson_number))
        lines.append("    return v")
        exec("\n".join(lines), namespace)  # noqa: S102 - text built from our own identifiers only
        getter: Callable[[Any], Any] = namespace["get"]
        getter.steps = steps  # type: ignore[attr-defined]  # read by typed_expression
        return getter


@dataclass(frozen=True, slots=True)
class TypedPlan:
    """How to pre-check files for one filter: a decoder, a record predicate, and
    `verdict(records, bounded, in_range, parse_time)`: the number of records when
    none of them can match, None when the plain path must decide (a possible
    match, a record that is not CloudTrail-shaped, whose problem `decode_log`
    words, or one whose time cannot be read, which the plain path reports).
    May raise Undecidable or RecursionError: also None."""

    decoder: msgspec.json.Decoder[Any]
    test: Callable[[Any], bool]
    verdict: Callable[..., int | None]
    time_attr: str
    name_attr: str
    source_attr: str


_VERDICT = """
def verdict(records, bounded, in_range, parse_time):
    for r in records:
        when = r.{time}
        if when is UNSET or (r.{name} is UNSET and r.{source} is UNSET):
            return None
        when = parse_time(when)
        if when is None:  # an unreadable time: the plain path skips and reports the record
            return None
        if bounded and not in_range(when):
            continue
        try:
            if {test}:
                return None
        except _errors:
            pass
    return len(records)
"""


def _verdict(builder: _StructBuilder, ast: dict[str, Any] | None, functions: Any) -> Callable[..., int | None]:
    """The per-file loop as one generated function: the filter's expression is
    inlined, so a record costs no Python call beyond the field reads."""
    namespace: dict[str, Any]
    if ast is None:
        test, namespace = "True", {}
    else:
        test, namespace = typed_expression(ast, functions, builder.getter)
    namespace = {**namespace, "UNSET": UNSET, "_errors": EVALUATION_ERRORS}
    source = _VERDICT.format(time=builder.attribute("eventTime"), name=builder.attribute("eventName"),
                             source=builder.attribute("eventSource"), test=test)
    exec(compile(source, "<trailtui typed scan>", "exec"), namespace)  # noqa: S102 - our names only
    verdict: Callable[..., int | None] = namespace["verdict"]
    return verdict


def plan_for(flt: EventFilter) -> TypedPlan | None:
    """The typed plan for a filter, or None when it needs whole records (`@`)
    or names a key msgspec cannot map; such filters take the plain path."""
    ast = flt.ast
    functions = function_table()
    try:
        paths = root_paths(ast, functions) if ast is not None else []
        builder = _StructBuilder(paths)
        test = compile_typed_predicate(ast, functions, builder.getter) if ast is not None else _always
    except (NeedsWholeRecord, ValueError):  # ValueError: a key msgspec cannot name (quotes, controls)
        return None
    record_type: Any = builder.record_type  # a msgspec Struct class built at run time
    document = msgspec.defstruct("TypedLog", [("records", list[record_type])],
                                 rename={"records": "Records"}, gc=False)
    return TypedPlan(msgspec.json.Decoder(document), test, _verdict(builder, ast, functions),
                     builder.attribute("eventTime"), builder.attribute("eventName"), builder.attribute("eventSource"))


def _always(record: Any) -> bool:
    return True


def decode_typed(plan: TypedPlan, text: bytes) -> list[Any] | None:
    """The typed records of a `{"Records": [...]}` document, or None when the
    plain decoder must judge the file (not UTF-8, another shape, malformed)."""
    if not text.isascii():
        try:
            text.decode("utf-8")
        except UnicodeDecodeError:
            return None
    try:
        records: list[Any] = plan.decoder.decode(text).records
        return records
    except (msgspec.DecodeError, RecursionError, ValueError):
        return None
