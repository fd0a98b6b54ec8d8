"""One case file per source under `$XDG_DATA_HOME/trailtui/cases/`
(`~/.local/share/trailtui/cases/` when unset).

The file is JSON: `{"version": 1, "source": URL, "marks": [{"event", "note",
"marked_at"}], "integrity": {"summary": ..., "results": [...]} | null}`, the
integrity part being what `trailtui verify --format json` prints (non-VALID
results only).  Every change rewrites it whole, atomically and 0600 (the
marks are few, the notes short), so a reader or a crash never sees half a
file.  A local source is keyed by its resolved absolute path, so `./trail`
and `/home/me/trail` are the same case.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from trailtui.export.marks import Mark, parse_mark
from trailtui.export.output import atomic_text_file

VERSION = 1
MAX_CASE_BYTES = 64 * 1024 * 1024  # a case file larger than this is not read (it is not ours)
MAX_INTEGRITY_RESULTS = 200  # non-VALID results kept with the verdict


def cases_dir(env: Mapping[str, str] | None = None) -> Path:
    env = os.environ if env is None else env
    base = env.get("XDG_DATA_HOME") or str(Path(env.get("HOME") or Path.home()) / ".local" / "share")
    return Path(base).expanduser() / "trailtui" / "cases"


def source_key(url: str) -> str:
    """The identity of a source: a local path resolved to an absolute path,
    any other URL as given (without a trailing slash)."""
    if "://" not in url or url.startswith("file://"):
        path = url[len("file://"):] if url.startswith("file://") else url
        return str(Path(path).expanduser().resolve())
    return url.rstrip("/")


def case_path(url: str, env: Mapping[str, str] | None = None) -> Path:
    """`<slug>-<hash>.json`: readable in a directory listing, unique per source."""
    key = source_key(url)
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]
    slug = re.sub(r"[^A-Za-z0-9._-]+", "_", key).strip("_.")[-48:] or "source"
    return cases_dir(env) / f"{slug}-{digest}.json"


@dataclass(slots=True)
class Case:
    """What is on disk for one source; `problems` says what could not be read."""

    source: str
    marks: list[Mark] = field(default_factory=list)
    integrity: dict[str, Any] | None = None
    problems: list[str] = field(default_factory=list)


def load_case(url: str, path: Path | None = None) -> Case:
    """The case of `url`; an absent file is an empty case, a damaged one an
    empty (or partial) case with a one-line problem naming the file."""
    path = path or case_path(url)
    case = Case(url)
    try:
        if path.stat().st_size > MAX_CASE_BYTES:
            case.problems.append(f"{path}: larger than {MAX_CASE_BYTES:,} bytes, not read")
            return case
        data = orjson.loads(path.read_bytes())
    except FileNotFoundError:
        return case
    except (OSError, orjson.JSONDecodeError) as exc:
        case.problems.append(f"{path}: cannot read the case ({exc})")
        return case
    if not isinstance(data, dict):
        case.problems.append(f"{path}: not a trailtui case file")
        return case
    marks = data.get("marks")
    for number, item in enumerate(marks if isinstance(marks, list) else [], start=1):
        try:
            case.marks.append(parse_mark(orjson.dumps(item)))
        except ValueError as exc:
            case.problems.append(f"{path}: mark {number}: {exc} (skipped)")
    integrity = data.get("integrity")
    case.integrity = integrity if isinstance(integrity, dict) else None
    return case


def _document(case: Case) -> bytes:
    marks = [orjson.loads(mark.to_json()) for mark in case.marks]
    return orjson.dumps({"version": VERSION, "source": case.source, "marks": marks,
                         "integrity": case.integrity}, option=orjson.OPT_INDENT_2)


def save_case(case: Case, path: Path) -> Path:
    """Replace the case file atomically (temp file, fsync, rename), mode 0600,
    in a directory created 0700."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    with atomic_text_file(path, force=True) as handle:
        handle.write(_document(case).decode("utf-8"))
    return path


class CaseStore:
    """Writes a source's case on every change.  A failed write is kept as
    `problem` (the console says so) and retried on the next change."""

    def __init__(self, url: str, path: Path | None = None) -> None:
        self.url = url
        self.path = path or case_path(url)
        self.problem: str | None = None

    def load(self) -> Case:
        return load_case(self.url, self.path)

    def save(self, marks: list[Mark], integrity: dict[str, Any] | None) -> bool:
        try:
            save_case(Case(self.url, marks, integrity), self.path)
        except OSError as exc:
            self.problem = f"{self.path}: cannot save the case ({exc.strerror or exc})"
            return False
        self.problem = None
        return True


def integrity_document(summary: dict[str, Any], results: list[dict[str, Any]]) -> dict[str, Any]:
    """What `verify --format json` prints, with only the first non-VALID results."""
    bad = [r for r in results if r.get("status") != "VALID"][:MAX_INTEGRITY_RESULTS]
    return {"summary": summary, "results": bad}
