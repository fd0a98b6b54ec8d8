"""Load the hunt catalogue (`hunts.toml`, shipped in the package) and check
every entry, so a typo in a hunt is a clear one-line error naming the hunt and
the field, not a silent hunt that never fires."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from trailtui.filters import EventFilter, FilterError
from trailtui.hunts.model import (
    CHAIN_CHECKS,
    NOVELTY_KINDS,
    SEVERITIES,
    ChainCheck,
    FirstSeen,
    Hunt,
    Outside,
    Sequence,
    Threshold,
    parse_window,
)

_ID = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}$")
_TECHNIQUE = re.compile(r"^T\d{4}(\.\d{3})?$")
_REQUIRED = ("id", "title", "severity", "technique", "why", "filter")
_RULES = ("threshold", "sequence", "outside", "first_seen", "chain")
_KNOWN = set(_REQUIRED) | set(_RULES)


class CatalogueError(ValueError):
    """A catalogue entry that cannot be used; the message names it."""


@dataclass(frozen=True, slots=True)
class Catalogue:
    """The hunts in file order, with lookup by id."""

    hunts: tuple[Hunt, ...]

    def __iter__(self) -> Iterator[Hunt]:
        return iter(self.hunts)

    def __len__(self) -> int:
        return len(self.hunts)

    def get(self, hunt_id: str) -> Hunt | None:
        return next((h for h in self.hunts if h.id == hunt_id), None)

    def select(self, ids: Iterable[str] | None) -> tuple[Hunt, ...]:
        """The hunts named (in the order given), or all of them for None/empty.
        Raises CatalogueError naming the first unknown id."""
        wanted = list(ids or [])
        if not wanted:
            return self.hunts
        chosen: list[Hunt] = []
        for hunt_id in wanted:
            hunt = self.get(hunt_id)
            if hunt is None:
                raise CatalogueError(f"unknown hunt {hunt_id!r} (trailtui hunt --list shows them)")
            if hunt not in chosen:
                chosen.append(hunt)
        return tuple(chosen)


def _text(entry: dict[str, Any], key: str, where: str) -> str:
    value = entry.get(key)
    if not isinstance(value, str) or not value.strip():
        raise CatalogueError(f"{where}: '{key}' must be a non-empty string")
    return value.strip()


# Node types whose first child is the thing being indexed/projected/dotted:
# a `not_expression` there means `!a.b`, which JMESPath reads as `(!a).b`.
_POSTFIX = {"subexpression", "index_expression", "projection", "filter_projection", "value_projection", "flatten"}


def _ambiguous_negation(node: Any) -> bool:
    stack = [node]
    while stack:
        current = stack.pop()
        if not isinstance(current, dict):
            continue
        children = [c for c in current.get("children", []) if isinstance(c, dict)]
        if current.get("type") in _POSTFIX and children and children[0].get("type") == "not_expression":
            return True
        stack.extend(children)
    return False


def _expression(text: str, where: str, key: str) -> EventFilter:
    try:
        compiled = EventFilter.compile(text)
    except FilterError as exc:
        raise CatalogueError(f"{where}: '{key}' {exc}") from None
    if _ambiguous_negation(compiled.ast):
        raise CatalogueError(f"{where}: '{key}' has !a.b, which JMESPath reads as (!a).b: write !(a.b)")
    return compiled


def _window(table: dict[str, Any], where: str) -> Any:
    try:
        return parse_window(table.get("window", ""))
    except ValueError as exc:
        raise CatalogueError(f"{where}: {exc}") from None


def _by(table: dict[str, Any], where: str) -> str:
    by = table.get("by", "principal")
    if not isinstance(by, str) or not by.strip():
        raise CatalogueError(f"{where}: 'by' must be a non-empty string")
    return by.strip()


def _threshold(table: Any, where: str) -> Threshold:
    where = f"{where} threshold"
    if not isinstance(table, dict):
        raise CatalogueError(f"{where}: must be a table like {{count = 5, window = \"10m\"}}")
    unknown = set(table) - {"count", "window", "by", "distinct"}
    if unknown:
        raise CatalogueError(f"{where}: unknown key {sorted(unknown)[0]!r}")
    count = table.get("count")
    if not isinstance(count, int) or isinstance(count, bool) or count < 1:
        raise CatalogueError(f"{where}: 'count' must be a whole number >= 1")
    distinct = table.get("distinct")
    if distinct is not None and (not isinstance(distinct, str) or not distinct.strip()):
        raise CatalogueError(f"{where}: 'distinct' must be a JMESPath field path")
    return Threshold(
        count=count,
        window=_window(table, where),
        by=_by(table, where),
        distinct=_expression(distinct, where, "distinct") if distinct else None,
    )


def _sequence(table: Any, where: str) -> Sequence:
    where = f"{where} sequence"
    if not isinstance(table, dict):
        raise CatalogueError(f"{where}: must be a table like {{then = \"...\", window = \"1h\"}}")
    unknown = set(table) - {"then", "window", "by"}
    if unknown:
        raise CatalogueError(f"{where}: unknown key {sorted(unknown)[0]!r}")
    then = table.get("then")
    if not isinstance(then, str) or not then.strip():
        raise CatalogueError(f"{where}: 'then' must be a JMESPath expression")
    return Sequence(then=_expression(then, where, "then"), window=_window(table, where), by=_by(table, where))


def _outside(table: Any, where: str) -> Outside:
    where = f"{where} outside"
    if not isinstance(table, dict):
        raise CatalogueError(f"{where}: must be a table like {{policy = \"requestParameters.policy\"}}")
    unknown = set(table) - {"policy"}
    if unknown:
        raise CatalogueError(f"{where}: unknown key {sorted(unknown)[0]!r}")
    policy = table.get("policy")
    if not isinstance(policy, str) or not policy.strip():
        raise CatalogueError(f"{where}: 'policy' must be a JMESPath expression")
    return Outside(policy=_expression(" ".join(policy.split()), where, "policy"))


def _first_seen(table: Any, where: str) -> FirstSeen:
    where = f"{where} first_seen"
    if not isinstance(table, dict):
        raise CatalogueError(f"{where}: must be a table like {{of = \"api\", recent = \"2d\"}}")
    unknown = set(table) - {"of", "recent", "by"}
    if unknown:
        raise CatalogueError(f"{where}: unknown key {sorted(unknown)[0]!r}")
    of = table.get("of")
    if not isinstance(of, str) or not of.strip():
        raise CatalogueError(f"{where}: 'of' must be one of {', '.join(NOVELTY_KINDS)} or a JMESPath expression")
    of = of.strip()
    if of not in NOVELTY_KINDS:
        _expression(of, where, "of")
    try:
        recent = parse_window(table.get("recent", ""))
    except ValueError as exc:
        raise CatalogueError(f"{where}: recent {exc}") from None
    return FirstSeen(of=of, recent=recent, by=_by(table, where))


def _chain(table: Any, where: str) -> ChainCheck:
    where = f"{where} chain"
    checks = ", ".join(CHAIN_CHECKS)
    if not isinstance(table, dict):
        raise CatalogueError(f"{where}: must be a table like {{check = \"role-outside-organisation\"}}")
    unknown = set(table) - {"check"}
    if unknown:
        raise CatalogueError(f"{where}: unknown key {sorted(unknown)[0]!r}")
    check = table.get("check")
    if check not in CHAIN_CHECKS:
        raise CatalogueError(f"{where}: 'check' must be one of {checks}")
    return ChainCheck(check)


def parse_hunt(entry: Any, position: int) -> Hunt:
    """One `[[hunt]]` table -> Hunt, or CatalogueError naming it and the field."""
    if not isinstance(entry, dict):
        raise CatalogueError(f"hunt #{position}: must be a table")
    where = f"hunt {entry.get('id')!r}" if isinstance(entry.get("id"), str) else f"hunt #{position}"
    unknown = set(entry) - _KNOWN
    if unknown:
        raise CatalogueError(f"{where}: unknown key {sorted(unknown)[0]!r}")
    hunt_id = _text(entry, "id", where)
    if not _ID.match(hunt_id):
        raise CatalogueError(f"{where}: id must be lower-case letters, digits and dashes")
    severity = _text(entry, "severity", where)
    if severity not in SEVERITIES:
        raise CatalogueError(f"{where}: severity must be one of {', '.join(SEVERITIES)}")
    technique = _text(entry, "technique", where)
    if not _TECHNIQUE.match(technique):
        raise CatalogueError(f"{where}: technique must be a MITRE ATT&CK id like T1562.008")
    rules = [rule for rule in _RULES if rule in entry]
    if len(rules) > 1:
        raise CatalogueError(f"{where}: a hunt has at most one of {', '.join(_RULES)} ({' and '.join(rules)} given)")
    return Hunt(
        id=hunt_id,
        title=_text(entry, "title", where),
        severity=severity,
        technique=technique,
        why=" ".join(_text(entry, "why", where).split()),
        filter=_expression(" ".join(_text(entry, "filter", where).split()), where, "filter"),
        threshold=_threshold(entry["threshold"], where) if "threshold" in entry else None,
        sequence=_sequence(entry["sequence"], where) if "sequence" in entry else None,
        outside=_outside(entry["outside"], where) if "outside" in entry else None,
        first_seen=_first_seen(entry["first_seen"], where) if "first_seen" in entry else None,
        chain=_chain(entry["chain"], where) if "chain" in entry else None,
    )


def parse_catalogue(text: str, origin: str = "hunts.toml") -> Catalogue:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CatalogueError(f"{origin}: {exc}") from None
    entries = data.get("hunt")
    if not isinstance(entries, list) or not entries:
        raise CatalogueError(f"{origin}: no [[hunt]] tables")
    hunts = [parse_hunt(entry, i + 1) for i, entry in enumerate(entries)]
    seen: set[str] = set()
    for hunt in hunts:
        if hunt.id in seen:
            raise CatalogueError(f"{origin}: hunt id {hunt.id!r} appears twice")
        seen.add(hunt.id)
    return Catalogue(tuple(hunts))


def load_catalogue(path: str | Path | None = None) -> Catalogue:
    """The built-in catalogue, or the TOML file at `path`."""
    if path is None:
        return _builtin_catalogue()
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise CatalogueError(f"{path}: cannot read ({exc.strerror or exc})") from None
    return parse_catalogue(text, str(path))


@cache
def _builtin_catalogue() -> Catalogue:
    """Parsed once per process (~30 ms): the console's hunt list and the
    markdown report both ask for it, and it is immutable."""
    text = resources.files("trailtui.hunts").joinpath("hunts.toml").read_text(encoding="utf-8")
    return parse_catalogue(text, "trailtui/hunts/hunts.toml")
