"""Sigma rule files into hunts: every rule either runs or is refused with one
line saying why, and no rule file can stop the others.

pySigma (the maintained parser) reads the YAML and resolves conditions and
modifiers; `condition.py` and `correlation.py` turn what it parsed into the
JMESPath filters, thresholds and sequences every source already runs.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from sigma.collection import SigmaCollection
from sigma.correlations import SigmaCorrelationRule
from sigma.exceptions import SigmaError
from sigma.rule import SigmaRule, SigmaRuleBase
from sigma.rule.attributes import SigmaLevel
from sigma.types import SigmaRuleLocation  # type: ignore[attr-defined]  # defined in sigma.types, not re-exported

from trailtui.filters import EventFilter, FilterError
from trailtui.hunts.model import Hunt, RuleOrigin
from trailtui.sigma.condition import rule_filter
from trailtui.sigma.correlation import correlation_shape
from trailtui.sigma.values import Unsupported

MAX_FILE_BYTES = 1 << 20
MAX_FILES = 5_000
MAX_ALIASES = 100
RULE_SUFFIXES = (".yml", ".yaml")

_SEVERITY = {"informational": "low", "low": "low", "medium": "medium", "high": "high", "critical": "critical"}
_TECHNIQUE = re.compile(r"^t\d{4}(\.\d{3})?$")


@dataclass(frozen=True, slots=True)
class Refusal:
    """A file or rule that does not run, and why, in one line."""

    path: str
    title: str
    reason: str

    def __str__(self) -> str:
        what = f"{self.path}: {self.title}" if self.title else self.path
        return f"{what}: {self.reason}"


@dataclass(frozen=True, slots=True)
class SigmaLoad:
    hunts: tuple[Hunt, ...]
    refused: tuple[Refusal, ...]


def load_sigma(paths: Sequence[str | Path], taken_ids: Iterable[str] = ()) -> SigmaLoad:
    """Every CloudTrail rule under `paths` (files or folders) as a hunt; hunt ids
    are `sigma-<rule name>` made unique against `taken_ids`."""
    refused: list[Refusal] = []
    collections: list[SigmaCollection] = []
    for path in _rule_files(paths, refused):
        collection = _parse_file(path, refused)
        if collection is not None:
            collections.append(collection)
    merged = SigmaCollection.merge(collections, resolve_references=False)
    builder = _HuntBuilder(set(taken_ids), refused)
    return SigmaLoad(tuple(builder.build(merged)), tuple(refused))


def _rule_files(paths: Sequence[str | Path], refused: list[Refusal]) -> Iterator[Path]:
    count = 0
    for given in paths:
        root = Path(given)
        try:
            mode = root.stat().st_mode
        except OSError as exc:
            refused.append(Refusal(str(root), "", f"cannot read ({exc.strerror or exc})"))
            continue
        found = sorted(p for p in root.rglob("*") if p.suffix.lower() in RULE_SUFFIXES) if stat.S_ISDIR(mode) \
            else [root]
        for path in found:
            count += 1
            if count > MAX_FILES:
                refused.append(Refusal(str(path), "", f"more than {MAX_FILES:,} rule files; the rest are not read"))
                return
            yield path


def _read_rule_text(path: Path) -> str:
    """The file's text, read only if it is a regular file of bounded size (a
    FIFO or device named like a rule must not hang the load)."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise Unsupported("not a regular file")
        if info.st_size > MAX_FILE_BYTES:
            raise Unsupported(f"larger than {MAX_FILE_BYTES // 1024} KiB")
        data = os.read(fd, MAX_FILE_BYTES + 1)
    finally:
        os.close(fd)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Unsupported(f"not UTF-8 text (byte {exc.start})") from None


def _parse_file(path: Path, refused: list[Refusal]) -> SigmaCollection | None:
    try:
        text = _read_rule_text(path)
        _check_aliases(text)
        return SigmaCollection.from_yaml(text, collect_errors=True, collect_filters=True, resolve_references=False,
                                         source=SigmaRuleLocation(path))
    except Unsupported as exc:
        refused.append(Refusal(str(path), "", str(exc)))
    except OSError as exc:
        refused.append(Refusal(str(path), "", f"cannot read ({exc.strerror or exc})"))
    except yaml.YAMLError as exc:
        refused.append(Refusal(str(path), "", f"not valid YAML ({_one_line(exc)})"))
    except SigmaError as exc:
        refused.append(Refusal(str(path), "", f"not a Sigma rule ({_one_line(exc)})"))
    except Exception as exc:  # noqa: BLE001  pySigma on untrusted YAML raises many kinds; one file, one line
        refused.append(Refusal(str(path), "", f"not a Sigma rule ({type(exc).__name__}: {_one_line(exc)})"))
    return None


def _check_aliases(text: str) -> None:
    """YAML aliases can expand a small file into an enormous tree (the
    'billion laughs'); rules have no need for more than a few."""
    aliases = 0
    try:
        for token in yaml.scan(text, Loader=yaml.SafeLoader):
            if isinstance(token, yaml.AliasToken):
                aliases += 1
                if aliases > MAX_ALIASES:
                    raise Unsupported(f"more than {MAX_ALIASES} YAML aliases")
    except yaml.YAMLError:
        return  # the parser will say what is wrong with it


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text[:200] + ("…" if len(text) > 200 else "")


class _HuntBuilder:
    """Rules of one merged collection into hunts, refusing what cannot run."""

    def __init__(self, taken: set[str], refused: list[Refusal]) -> None:
        self.taken = taken
        self.refused = refused
        self.filters: dict[int, str] = {}

    def build(self, collection: SigmaCollection) -> Iterator[Hunt]:
        rules = [r for r in collection.rules if isinstance(r, SigmaRule)]
        correlations = [r for r in collection.rules if isinstance(r, SigmaCorrelationRule)]
        folded = self._folded(correlations, collection)
        for rule in rules:
            hunt = self._rule_hunt(rule, folded.get(id(rule)))
            if hunt is not None:
                yield hunt
        for correlation in correlations:
            hunt = self._correlation_hunt(correlation, collection)
            if hunt is not None:
                yield hunt
        self._report_collection_errors(collection)

    def _report_collection_errors(self, collection: SigmaCollection) -> None:
        """Errors pySigma collected for documents that are not rules, one line a
        file (the first error, and how many more) unless the file was already
        refused."""
        said = {refusal.path for refusal in self.refused}
        by_path: dict[str, list[str]] = {}
        for error in collection.errors:
            location = getattr(error, "source", None)
            by_path.setdefault(str(getattr(location, "path", "") or "?"), []).append(_one_line(error))
        for path, messages in by_path.items():
            if path in said:
                continue
            more = f" and {len(messages) - 1} more" if len(messages) > 1 else ""
            self.refused.append(Refusal(path, "", f"not a Sigma rule ({messages[0]}{more})"))

    def _folded(self, correlations: list[SigmaCorrelationRule], collection: SigmaCollection) -> dict[int, str]:
        """Rules that only feed a correlation (`generate: false`, Sigma's
        default) do not run on their own."""
        folded: dict[int, str] = {}
        for correlation in correlations:
            if correlation.generate:
                continue
            for reference in correlation.rules or []:
                try:
                    target = collection[reference.reference]
                except (SigmaError, ValueError, KeyError):
                    continue
                folded[id(target)] = correlation.title
        return folded

    def _rule_hunt(self, rule: SigmaRule, folded_into: str | None) -> Hunt | None:
        try:
            text = self._filter_of(rule)
        except Unsupported as exc:
            self._refuse(rule, str(exc))
            return None
        if folded_into is not None:
            self._refuse(rule, f"runs only inside correlation {folded_into!r} (generate: false)")
            return None
        try:
            compiled = EventFilter.compile(text)
        except FilterError as exc:
            self._refuse(rule, f"converted filter does not compile: {exc}")
            return None
        return self._hunt(rule, compiled)

    def _filter_of(self, rule: SigmaRule) -> str:
        cached = self.filters.get(id(rule))
        if cached is not None:
            return cached
        if rule.errors:
            more = f" and {len(rule.errors) - 1} more" if len(rule.errors) > 1 else ""
            raise Unsupported(f"not a Sigma rule ({_one_line(rule.errors[0])}{more})")
        _check_logsource(rule)
        try:
            text = rule_filter(rule)
        except SigmaError as exc:
            raise Unsupported(_one_line(exc)) from None
        self.filters[id(rule)] = text
        return text

    def _correlation_hunt(self, rule: SigmaCorrelationRule, collection: SigmaCollection) -> Hunt | None:
        try:
            rule.resolve_rule_references(collection)
            referenced = [ref.rule for ref in rule.rules or []]
            filters = []
            for target in referenced:
                if not isinstance(target, SigmaRule):
                    raise Unsupported("a correlation of correlations")
                filters.append(self._filter_of(target))
            shape = correlation_shape(rule, filters)
            compiled = EventFilter.compile(shape.filter_text)
        except Unsupported as exc:
            self._refuse(rule, str(exc))
            return None
        except FilterError as exc:
            self._refuse(rule, f"converted filter does not compile: {exc}")
            return None
        except (SigmaError, ValueError, KeyError) as exc:
            self._refuse(rule, f"cannot resolve the rules it refers to ({_one_line(exc)})")
            return None
        return self._hunt(rule, compiled, shape.threshold, shape.sequence)

    def _hunt(self, rule: SigmaRuleBase, compiled: EventFilter, threshold: Any = None, sequence: Any = None) -> Hunt:
        hunt_id = self._unique_id(rule)
        return Hunt(
            id=hunt_id,
            title=str(rule.title or hunt_id),
            severity=_severity(rule.level),
            technique=_technique(rule),
            why=" ".join(str(rule.description or rule.title or "").split()),
            filter=compiled,
            threshold=threshold,
            sequence=sequence,
            origin=RuleOrigin(
                kind="sigma",
                rule_id=str(rule.id or ""),
                author=str(rule.author or ""),
                path=_path_of(rule),
                references=tuple(str(r) for r in (rule.references or [])),
            ),
        )

    def _unique_id(self, rule: SigmaRuleBase) -> str:
        base = "sigma-" + _slug(str(rule.name or "") or _path_stem(rule) or str(rule.title or "rule"))
        candidate, n = base, 1
        while candidate in self.taken:
            n += 1
            candidate = f"{base}-{n}"
        self.taken.add(candidate)
        return candidate

    def _refuse(self, rule: SigmaRuleBase, reason: str) -> None:
        self.refused.append(Refusal(_path_of(rule), str(rule.title or rule.id or ""), reason))


def _check_logsource(rule: SigmaRule) -> None:
    source = rule.logsource
    product = (source.product or "").lower()
    service = (source.service or "").lower()
    if product != "aws" or service != "cloudtrail":
        said = "/".join(x for x in (source.product, source.service, source.category) if x) or "none"
        raise Unsupported(f"logsource is {said}, not aws/cloudtrail")


def _severity(level: SigmaLevel | None) -> str:
    name = level.name.lower() if level is not None else "medium"
    return _SEVERITY.get(name, "medium")


def _technique(rule: SigmaRuleBase) -> str:
    for tag in rule.tags or []:
        if tag.namespace == "attack" and _TECHNIQUE.match(tag.name):
            return tag.name.upper()
    return ""


def _path_of(rule: SigmaRuleBase) -> str:
    source = getattr(rule, "source", None)
    return str(getattr(source, "path", "") or "")


def _path_stem(rule: SigmaRuleBase) -> str:
    path = _path_of(rule)
    return Path(path).stem if path else ""


def _slug(text: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return (slug or "rule")[:50].rstrip("-")
