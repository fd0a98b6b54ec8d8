"""Generate a demo trail: log files, signed digests, key file and manifest.

The work is cut into chunks of (account, region, day); each chunk draws from
its own random generator seeded from (seed, account, region, day), so the
bytes written do not depend on how many processes run or in which order.
Chunks run in a process pool; digests are written afterwards, one chain per
account and region (also in the pool), because a digest lists the files
delivered in its hour whichever chunk wrote them.

The tree is built in a staging directory next to the target and moved into
place at the end, so an interrupted run never leaves a half demo that looks
complete.
"""

from __future__ import annotations

import bisect
import gc
import hashlib
import multiprocessing
import os
import random
import shutil
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson

from trailtui.demo.background import ChunkBackground, TimedRecord
from trailtui.demo.digests import DigestChainWriter, DigestLogFile
from trailtui.demo.hostile import hostile_records
from trailtui.demo.incident import DemoIncident, PlantedRecord, incident_records, plan_incident
from trailtui.demo.keys import PUBLIC_KEYS_FILE, demo_key_listing, demo_signer
from trailtui.demo.logfiles import LAG_SECONDS, WINDOW_SECONDS, DeliveredLog, LogFileWriter
from trailtui.demo.manifest import MANIFEST_FILE, DemoCounts, build_manifest, current_manifest, write_manifest
from trailtui.demo.spec import ACCOUNTS, BUCKET, HOME_REGION, ORG_ID, TRAIL_NAME, DemoSpec, chunk_seed

Progress = Callable[[int, int, str], None]  # (done, total, phase)
WEEKEND_SHARE = 0.55
DIGEST_HORIZON = WINDOW_SECONDS + LAG_SECONDS[1]  # last delivery can be this long after the period ends


@dataclass(frozen=True, slots=True)
class ChunkTask:
    spec: DemoSpec
    account: str
    region: str
    day: date
    events: int
    root: str


@dataclass(frozen=True, slots=True)
class ChainTask:
    spec: DemoSpec
    account: str
    region: str
    root: str
    logs: tuple[DeliveredLog, ...]


@dataclass(frozen=True, slots=True)
class DemoResult:
    directory: Path
    manifest: Path
    public_keys: Path
    counts: DemoCounts
    incident: DemoIncident
    reused: bool


def planted_records(spec: DemoSpec) -> list[PlantedRecord]:
    return incident_records(spec) + hostile_records(spec)


def _largest_remainder(total: int, weights: list[float]) -> list[int]:
    whole = sum(weights)
    exact = [total * w / whole for w in weights]
    counts = [int(x) for x in exact]
    order = sorted(range(len(weights)), key=lambda i: (counts[i] - exact[i], i))
    for i in order[: total - sum(counts)]:
        counts[i] += 1
    return counts


def plan_chunks(spec: DemoSpec, root: Path, background: int) -> list[ChunkTask]:
    """Split `background` events over accounts, regions and days (weekdays busier,
    each day a little different, partial first/last days in proportion)."""
    keys: list[tuple[str, str, date]] = []
    weights: list[float] = []
    for day in spec.calendar_days():
        lo, hi = spec.day_window(day)
        wobble = random.Random(chunk_seed(spec.seed, "day", day.isoformat())).uniform(0.85, 1.15)
        day_weight = (hi - lo).total_seconds() / 86400 * wobble * (WEEKEND_SHARE if day.weekday() >= 5 else 1.0)
        for account in ACCOUNTS:
            for region, share in account.regions:
                keys.append((account.id, region, day))
                weights.append(day_weight * account.share * share)
    counts = _largest_remainder(background, weights)
    return [ChunkTask(spec, a, r, d, n, str(root)) for (a, r, d), n in zip(keys, counts, strict=True)]


def run_chunk(task: ChunkTask) -> list[DeliveredLog]:
    """Build and deliver one chunk's records (runs in a worker process).

    Bursts are planned first, then built in start order; whenever the next
    burst starts in a later 5-minute window, every earlier window is complete
    and is written out, so memory holds a few windows, not the whole day.
    The cyclic garbage collector is paused: records are acyclic, and its
    passes over hundreds of thousands of live dicts cost a quarter of the time.
    """
    spec = task.spec
    rng = random.Random(chunk_seed(spec.seed, task.account, task.region, task.day.isoformat()))
    lo, hi = (int(t.timestamp()) for t in spec.day_window(task.day))
    collecting = gc.isenabled()
    gc.disable()
    try:
        background = ChunkBackground(task.account, task.region, lo, hi, rng)
        bursts, pending = background.plan(task.events)
        pending += [(t, record) for t, account, region, record in planted_records(spec)
                    if account == task.account and region == task.region and lo <= t < hi]
        writer = LogFileWriter(Path(task.root), ORG_ID, task.account, task.region, random.Random(
            chunk_seed(spec.seed, "delivery", task.account, task.region, task.day.isoformat())))
        flushed_to = lo - lo % WINDOW_SECONDS
        for i, burst in enumerate(bursts):
            pending.extend(background.materialize(burst))
            if i + 1 < len(bursts) and bursts[i + 1].start // WINDOW_SECONDS * WINDOW_SECONDS > flushed_to:
                flushed_to = bursts[i + 1].start // WINDOW_SECONDS * WINDOW_SECONDS
                pending = _flush(writer, pending, flushed_to)
        _flush(writer, pending, None)
        return writer.logs
    finally:
        if collecting:
            gc.enable()


def _flush(writer: LogFileWriter, pending: list[TimedRecord], horizon: int | None) -> list[TimedRecord]:
    """Write the records older than `horizon` (all when None); return the rest."""
    if not pending:
        return pending
    pending.sort(key=lambda pair: pair[0])
    cut = len(pending) if horizon is None else bisect.bisect_left(pending, horizon, key=lambda pair: pair[0])
    writer.write_sorted(pending[:cut])
    return pending[cut:]


def digest_offset(account: str, region: str) -> int:
    """Seconds past the hour at which this account/region's digests close (fixed per
    chain, like CloudTrail's `…T230404Z` stamps)."""
    return int.from_bytes(hashlib.sha256(f"digest:{account}:{region}".encode()).digest()[:4], "big") % 3600


def run_chain(task: ChainTask) -> int:
    """Write the hourly signed digest chain of one account and region."""
    spec = task.spec
    writer = DigestChainWriter(Path(task.root), demo_signer(), bucket=BUCKET, account_id=task.account,
                               region=task.region, trail_name=TRAIL_NAME, home_region=HOME_REGION, org_id=ORG_ID)
    offset = digest_offset(task.account, task.region)
    first = int(spec.start.timestamp())
    start = (first - offset) // 3600 * 3600 + offset
    horizon = int(spec.end.timestamp()) + DIGEST_HORIZON
    by_hour: dict[int, list[DeliveredLog]] = defaultdict(list)
    for log in task.logs:
        by_hour[(log.delivered - start) // 3600].append(log)
    written, hour = 0, 0
    while start + hour * 3600 <= horizon:
        lo = datetime.fromtimestamp(start + hour * 3600, UTC)
        entries = [DigestLogFile(log.key, log.hash_value, log.oldest_event_time, log.newest_event_time)
                   for log in sorted(by_hour.get(hour, ()), key=lambda item: item.key)]
        writer.write(lo, lo + timedelta(hours=1), entries)
        written += 1
        hour += 1
    return written


def _pool_map(func: Callable[[Any], Any], tasks: list[Any], workers: int, progress: Progress | None,
              phase: str) -> list[Any]:
    results = []
    if workers <= 1:
        for i, task in enumerate(tasks):
            results.append(func(task))
            if progress:
                progress(i + 1, len(tasks), phase)
        return results
    context = multiprocessing.get_context("forkserver")
    with context.Pool(workers) as pool:
        for i, result in enumerate(pool.imap_unordered(func, tasks, chunksize=1)):
            results.append(result)
            if progress:
                progress(i + 1, len(tasks), phase)
    return results


def default_workers() -> int:
    return max(1, min(2, os.cpu_count() or 1))


def staging_dir(directory: Path) -> Path:
    return directory.parent / f".{directory.name}.partial"


def generate_demo(spec: DemoSpec, directory: Path, *, workers: int | None = None,
                  progress: Progress | None = None) -> DemoResult:
    """Write the demo described by `spec` into `directory` (replacing a previous
    demo there, never touching other files) and return what was written."""
    directory = Path(directory).absolute()
    if directory.exists() and not directory.is_dir():
        raise NotADirectoryError(20, "exists and is not a directory", str(directory))
    workers = default_workers() if workers is None else workers
    stage = staging_dir(directory)
    if stage.exists():
        shutil.rmtree(stage)
    stage.mkdir(parents=True)
    planted = planted_records(spec)
    tasks = plan_chunks(spec, stage, max(0, spec.events - len(planted)))
    tasks.sort(key=lambda task: -task.events)  # biggest first: better balance across workers
    chunk_logs = _pool_map(run_chunk, tasks, workers, progress, "log files")
    logs = sorted((log for chunk in chunk_logs for log in chunk), key=lambda log: log.key)
    per_chain: dict[tuple[str, str], list[DeliveredLog]] = defaultdict(list)
    for log in logs:
        per_chain[(log.account, log.region)].append(log)
    chains = [ChainTask(spec, account.id, region, str(stage), tuple(per_chain.get((account.id, region), ())))
              for account in ACCOUNTS for region, _ in account.regions]
    digests = sum(_pool_map(run_chain, chains, workers, progress, "digests"))
    signer = demo_signer()
    listing = demo_key_listing(signer, spec.start, spec.end)
    (stage / PUBLIC_KEYS_FILE).write_bytes(orjson.dumps(listing, option=orjson.OPT_INDENT_2) + b"\n")
    counts = DemoCounts(sum(log.events for log in logs), len(logs), digests,
                        sum(log.compressed_bytes for log in logs), sum(log.raw_bytes for log in logs),
                        min((log.oldest_event_time for log in logs), default=None),
                        max((log.newest_event_time for log in logs), default=None))
    incident = plan_incident(spec)
    write_manifest(stage, build_manifest(spec, counts, incident, signer.fingerprint))
    _move_into_place(stage, directory)
    return DemoResult(directory, directory / MANIFEST_FILE, directory / PUBLIC_KEYS_FILE, counts, incident, False)


OWNED = ("AWSLogs", PUBLIC_KEYS_FILE, MANIFEST_FILE)


def _move_into_place(stage: Path, directory: Path) -> None:
    """Replace only what a demo owns in `directory` with the staged tree."""
    if not directory.exists():
        stage.rename(directory)
        return
    for name in OWNED:
        old = directory / name
        if old.is_dir() and not old.is_symlink():
            shutil.rmtree(old)
        elif old.exists() or old.is_symlink():
            old.unlink()
    for name in OWNED:
        (stage / name).rename(directory / name)
    stage.rmdir()


def existing_demo(spec: DemoSpec, directory: Path) -> DemoResult | None:
    """The demo already in `directory` when it was made with the same parameters."""
    directory = Path(directory).absolute()
    manifest = current_manifest(directory, spec)
    if manifest is None:
        return None
    counts = DemoCounts(int(manifest.get("events", 0)), int(manifest.get("log_files", 0)),
                        int(manifest.get("digest_files", 0)), int(manifest.get("compressed_bytes", 0)),
                        int(manifest.get("uncompressed_bytes", 0)), manifest.get("oldest_event"),
                        manifest.get("newest_event"))
    return DemoResult(directory, directory / MANIFEST_FILE, directory / PUBLIC_KEYS_FILE, counts,
                      plan_incident(spec), True)
