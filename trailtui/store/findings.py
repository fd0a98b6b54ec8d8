"""A hunt run's findings, kept beside the store and given back while nothing
they depend on has changed.

Deciding the whole catalogue from the store still reads tens of thousands of
events and feeds them to the engine (seconds on millions of events), yet an
analyst asks the same question again and again: the console's hunts window
reopened, `trailtui hunt` after `trailtui index`, a report after the hunt.
A run's outcome is a function of its inputs alone, so it is kept under a key
naming all of them, in two parts: the question (one findings file per
question, replaced when the files change) and the files it was asked of:

- the hunts (every field of every hunt, filters by their text), the time
  range, the run's context (listed accounts, first-seen baseline);
- every log file of the range by its identity (location, size and mtime, or
  ETag): a file added, changed or gone gives another key;
- this trailtui's code (version, and the size and mtime of every module of
  the package: an upgrade or an edited rule gives another key), and the
  libraries that decide hits (`DECIDING_LIBRARIES`, by their module files).

Anything the key cannot name exactly (an unknown object in a hunt) means no
findings are kept.  A findings file is one zstd frame with a checksum; one
that cannot be read is ignored and removed, and the run goes the long way.
Its events stay the JSON text they were kept as until something reads them
(`TextEvent`): printing them as they are decodes nothing.  Findings count in
the store's size: at most `MAX_FINDINGS` files, and one is kept only while
the whole store stays within its budget (`SIZE_BUDGET` times the gzipped log
bytes the store holds, and `SMALL_STORE` more; on the 2M-event demo the
catalogue's 28,606 hits take 2.8 MB beside 284 MB of store).
"""

from __future__ import annotations

import dataclasses
import gc
import hashlib
import os
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any, NamedTuple

import orjson

from trailtui.events import EPOCH, TextEvent
from trailtui.filters import EventFilter
from trailtui.hunts.accounts import KnownAccounts
from trailtui.hunts.context import HuntContext
from trailtui.hunts.engine import Hit
from trailtui.hunts.model import Hunt
from trailtui.regular_file import read_regular
from trailtui.sources.base import Problem
from trailtui.store.blocks import BlockError, inflate
from trailtui.store.listing import LogIdentity
from trailtui.store.status import folder_bytes
from trailtui.timerange import TimeRange

FORMAT = 4
PREFIX = "findings-"
SUFFIX = ".zst"
MAX_FINDINGS = 3       # findings files (questions) kept per store, the least recently used let go
SIZE_BUDGET = 1.2      # the store's size, findings included, at most this times the gzipped logs (README)
SMALL_STORE = 64 * 1024  # plus this: a store of a few files is mostly fixed cost (Parquet footers, dictionary)
MAX_STORED = 256 << 20   # a findings file larger than this is damage (none is written)
MAX_INFLATED = 1 << 30   # nor is one inflating to more
MAX_HEAD = 256 << 20     # its head line (the hits' labels) is at most this
LEVEL = 3


class _Unkeyed(Exception):
    """Something in the run's inputs the key cannot name exactly."""


@dataclasses.dataclass(slots=True)
class Findings:
    """What a run from the store yielded: its hits in order (`final`: the ones
    only the whole range decides, yielded last), the events scanned and fed,
    the accounts it learned (the table's provenance line names them) and the
    problems of the files it read plainly (files with no event: corrupt, not
    CloudTrail)."""

    hits: list[Hit]
    final: list[Hit]
    scanned: int
    fed: int
    known: KnownAccounts
    problems: list[Problem] = dataclasses.field(default_factory=list)  # of files read plainly, with no event


class FindingsKey(NamedTuple):
    run: str    # the question: hunts, range, context, code (names the findings file)
    files: str  # the files it was asked of (checked against the file's own)


def findings_key(hunts: Sequence[Hunt], window: TimeRange, context: HuntContext | None,
                 files: Iterable[LogIdentity]) -> FindingsKey | None:
    """The key of a run over `files` (None: the inputs cannot be named exactly)."""
    try:
        question = orjson.dumps([FORMAT, _code(), _canonical(list(hunts)), _canonical(window),
                                 _canonical(context if context is not None else HuntContext())])
    except (_Unkeyed, TypeError):
        return None
    digest = hashlib.blake2b(digest_size=20)
    for log in files:
        digest.update(f"{log.location}\0{log.size}\0{log.mtime_ns}\0{log.etag}\n".encode("utf-8", "surrogatepass"))
    return FindingsKey(hashlib.blake2b(question, digest_size=20).hexdigest(), digest.hexdigest())


# The libraries whose answers a hit depends on (filters, SQL, JSON, blocks).
DECIDING_LIBRARIES = ("jmespath", "duckdb", "orjson", "msgspec", "zstandard")


@cache
def _code() -> str:
    """This trailtui's code: its version, every module's size and mtime, and
    the libraries that decide hits, each by where its module file is, its size
    and mtime (an upgrade writes it anew; found without importing them, and
    ~40x faster than reading their versions from importlib.metadata)."""
    from importlib.util import find_spec

    from trailtui import __version__

    package = Path(__file__).resolve().parent.parent
    digest = hashlib.blake2b(__version__.encode(), digest_size=16)
    for name in DECIDING_LIBRARIES:
        spec = find_spec(name)
        origin = spec.origin if spec is not None else None
        try:
            info = os.stat(origin) if origin else None
        except OSError:
            info = None
        digest.update(f"{name}\0{origin}\0{info and info.st_size}\0{info and info.st_mtime_ns}\n".encode())
    for root, dirs, names in os.walk(package):
        dirs.sort()
        for name in sorted(names):
            if name.endswith((".py", ".toml")):
                path = Path(root, name)
                info = path.stat()
                digest.update(f"{path.relative_to(package)}\0{info.st_size}\0{info.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def _canonical(value: Any) -> Any:
    """`value` as plain JSON values naming it exactly; raises _Unkeyed."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, EventFilter):
        return ["filter", value.text]
    if isinstance(value, timedelta):
        return ["timedelta", value.days, value.seconds, value.microseconds]
    if isinstance(value, datetime):
        return ["datetime", value.isoformat()]
    if isinstance(value, (list, tuple)):
        return [_canonical(item) for item in value]
    if isinstance(value, (set, frozenset)):
        return ["set", sorted(orjson.dumps(_canonical(item)).decode() for item in value)]
    if isinstance(value, dict):
        return ["dict", sorted((str(k), orjson.dumps(_canonical(v)).decode()) for k, v in value.items())]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return [type(value).__qualname__,
                *([f.name, _canonical(getattr(value, f.name))] for f in dataclasses.fields(value))]
    raise _Unkeyed(type(value).__qualname__)


def _path(folder: Path, key: FindingsKey) -> Path:
    return folder / f"{PREFIX}{key.run}{SUFFIX}"


def findings_kept(folder: Path, key: FindingsKey) -> bool:
    """True when findings of the question are kept (`save_findings` removes
    the question's older ones when it cannot keep new ones)."""
    return _path(folder, key).is_file()


def load_findings(folder: Path, key: FindingsKey, hunts: Sequence[Hunt]) -> Findings | None:
    """The findings kept under `key`, or None (none kept, kept for other files,
    or unreadable: then removed)."""
    path = _path(folder, key)
    try:  # a FIFO or a device at that name is refused, never waited on
        data = read_regular(path, MAX_STORED)
    except FileNotFoundError:
        return None
    except OSError:  # not a regular file, too large, unreadable: not findings
        _forget(path)
        return None
    try:
        found = _decoded(data, key, hunts)
    except (BlockError, ValueError, KeyError, IndexError, TypeError, OverflowError):  # OverflowError: a time
        _forget(path)
        return None
    try:
        os.utime(path)  # the findings used last are kept longest
    except OSError:
        pass
    return found


def _forget(path: Path) -> None:
    """Whatever is at a findings file's name removed, if it can be (a folder
    there stays: the next save cannot replace it, and no findings are kept)."""
    try:
        path.unlink(missing_ok=True)
    except OSError:
        pass


def _decoded(data: bytes, key: FindingsKey, hunts: Sequence[Hunt]) -> Findings:
    """A findings file: one line of JSON (the run, and per hit its hunt,
    labels and the length of its event's text), then the events' texts back
    to back, each exactly as orjson wrote it: they are printed as they are
    and decoded only when read (`TextEvent`)."""
    inflated = inflate(_zstd().ZstdDecompressor(), data, MAX_INFLATED)
    end = inflated.find(b"\n", 0, MAX_HEAD)
    if end < 0:
        raise ValueError("no findings head")
    view = memoryview(inflated)  # the events' texts are slices of it, not copies
    collecting = gc.isenabled()
    gc.disable()  # tens of thousands of new objects, none in a cycle: the collector would walk them again and again
    try:
        return _findings(orjson.loads(view[:end]), view[end + 1:], key, hunts)
    finally:
        if collecting:
            gc.enable()


def _findings(doc: dict[str, Any], texts: memoryview, key: FindingsKey, hunts: Sequence[Hunt]) -> Findings:
    if doc["format"] != FORMAT or doc["run"] != key.run or doc["files"] != key.files or doc["hunts"] != len(hunts):
        raise ValueError("findings of another run")
    known = KnownAccounts(**_known_fields(doc["known"]))
    hits: list[Hit] = []
    final: list[Hit] = []
    at = 0
    for index, attempt, detail, last, location, micros, principal, access_key, length in doc["hits"]:
        if not all(type(v) is str for v in (location, detail, principal, access_key)) \
                or type(index) is not int or not 0 <= index < len(hunts) or type(length) is not int or length < 2:
            raise TypeError("a hit is not an event of one of the hunts")
        text = texts[at:at + length]
        at += length
        if len(text) != length or text[0] != 0x7B:  # '{': an object, as every record is
            raise ValueError("findings cut short")
        when = EPOCH + timedelta(microseconds=micros)
        hit = Hit(hunts[index], TextEvent(text, location, when, principal, access_key), bool(attempt), detail)
        (final if last else hits).append(hit)
    if at != len(texts):
        raise ValueError("findings with text left over")
    problems = [Problem(str(location), str(message)) for location, message in doc["problems"]]
    return Findings(hits, final, int(doc["scanned"]), int(doc["fed"]), known, problems)


def _known_fields(doc: dict[str, Any]) -> dict[str, Any]:
    return {"listed": frozenset(doc["listed"]), "listed_from": str(doc["listed_from"]),
            "organisation": set(doc["organisation"]), "organisation_ids": set(doc["organisation_ids"]),
            "recipients": set(doc["recipients"])}


def save_findings(folder: Path, key: FindingsKey, hunts: Sequence[Hunt], findings: Findings,
                  covered_bytes: int) -> bool:
    """Keep `findings` under `key` (False: not kept, and the question's older
    findings removed: an event JSON cannot hold exactly, the findings are over
    their size share, or the folder cannot be written)."""
    target = _path(folder, key)
    frame = _encoded(key, hunts, findings)
    budget = SIZE_BUDGET * covered_bytes + SMALL_STORE
    if frame is None or len(frame) > MAX_STORED or _others(folder, target) + len(frame) > budget:
        _forget(target)
        return False
    from trailtui.export.output import atomic_bytes_file  # temp files: only when writing (as the manifest)

    try:  # 0600, fsync'd, renamed into place; anything but a regular file at the name is refused
        with atomic_bytes_file(target, force=True) as out:
            out.write(frame)
    except OSError:
        _forget(target)
        return False
    _prune(folder)
    return True


def _encoded(key: FindingsKey, hunts: Sequence[Hunt], findings: Findings) -> bytes | None:
    """One checksummed zstd frame (the layout `_decoded` reads), or None when
    JSON cannot hold the findings exactly (an integer beyond 64 bits, a lone
    surrogate) or a hit is of a hunt not in the run."""
    position = {id(hunt): index for index, hunt in enumerate(hunts)}
    known = findings.known
    try:
        texts = [orjson.dumps(hit.event.raw) for group in (findings.hits, findings.final) for hit in group]
        rows = [[position[id(hit.hunt)], hit.attempt, hit.detail, last, hit.event.location,
                 _micros(hit.event.time), hit.event.principal, hit.event.access_key]
                for last, group in ((False, findings.hits), (True, findings.final)) for hit in group]
        for row, text in zip(rows, texts, strict=True):
            row.append(len(text))
        head = orjson.dumps({"format": FORMAT, "run": key.run, "files": key.files, "hunts": len(hunts),
                             "scanned": findings.scanned, "fed": findings.fed, "hits": rows,
                             "problems": [[p.location, p.message] for p in findings.problems],
                             "known": {"listed": sorted(known.listed), "listed_from": known.listed_from,
                                       "organisation": sorted(known.organisation),
                                       "organisation_ids": sorted(known.organisation_ids),
                                       "recipients": sorted(known.recipients)}})
    except (KeyError, TypeError):
        return None
    compressor = _zstd().ZstdCompressor(level=LEVEL, write_checksum=True, write_content_size=True)
    frame: bytes = compressor.compress(b"".join([head, b"\n", *texts]))
    return frame


def _others(folder: Path, target: Path) -> int:
    """The store's bytes on disk but the findings `target` replaces."""
    try:
        replaced = target.stat().st_size
    except OSError:
        replaced = 0
    return folder_bytes(folder) - replaced


def _micros(when: datetime) -> int:
    """An event's time exactly, as microseconds since the epoch (its labels are
    kept as the event had them, not derived again on the way back)."""
    delta = when - EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def _prune(folder: Path) -> None:
    """All but the `MAX_FINDINGS` findings files used last removed."""
    try:
        kept = sorted(((p.stat().st_mtime_ns, p) for p in folder.glob(f"{PREFIX}*{SUFFIX}")), reverse=True)
    except OSError:
        return
    for _, path in kept[MAX_FINDINGS:]:
        _forget(path)


@cache
def _zstd() -> Any:
    import zstandard

    return zstandard
