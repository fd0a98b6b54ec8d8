"""Deliver records the way CloudTrail does: into log files per ~5 minutes.

For each account and region, the events of each 5-minute window go into one
file (several when the window is busy), delivered 5-15 minutes after the window
closes.  The delivery minute is in the file name and the file lives in the
folder of its delivery date, so no event is ever newer than its file's stamp.
Files are `{"Records":[...]}` compact JSON, one gzip member (level 6, mtime 0).
"""

from __future__ import annotations

import hashlib
import random
import time
from dataclasses import dataclass
from pathlib import Path

import orjson

from trailtui.demo.compression import gzip_member
from trailtui.demo.identities import ALNUM, random_token
from trailtui.demo.records import Record

WINDOW_SECONDS = 300
MAX_EVENTS_PER_FILE = 400
LAG_SECONDS = (300, 900)          # delivery 5-15 minutes after the window closes


@dataclass(frozen=True, slots=True)
class DeliveredLog:
    """One written log file, with what its digest entry needs."""

    account: str
    region: str
    key: str              # path relative to the bucket root (= the demo directory)
    delivered: int        # epoch seconds of the delivery minute in the name
    hash_value: str       # hex SHA-256 of the decompressed file
    oldest_event_time: str
    newest_event_time: str
    events: int
    compressed_bytes: int
    raw_bytes: int


def log_folder(org_id: str, account: str, region: str) -> str:
    return f"AWSLogs/{org_id}/{account}/CloudTrail/{region}"


def log_key(org_id: str, account: str, region: str, delivered: int, unique: str) -> str:
    stamp = time.gmtime(delivered)
    name = f"{account}_CloudTrail_{region}_{time.strftime('%Y%m%dT%H%MZ', stamp)}_{unique}.json.gz"
    return f"{log_folder(org_id, account, region)}/{time.strftime('%Y/%m/%d', stamp)}/{name}"


def _split(records: list[tuple[int, Record]]) -> list[list[tuple[int, Record]]]:
    parts = -(-len(records) // MAX_EVENTS_PER_FILE)
    size = -(-len(records) // parts)
    return [records[i:i + size] for i in range(0, len(records), size)]


class LogFileWriter:
    """Writes one account/region's records as delivered log files under `root`.

    Feed it records in time order, a batch at a time (`write_sorted`), each
    batch holding only whole 5-minute windows; the random draws (delivery lag,
    file name) happen window by window, so the output does not depend on how
    the records were batched."""

    def __init__(self, root: Path, org_id: str, account: str, region: str, rng: random.Random) -> None:
        self.root, self.org_id, self.account, self.region, self.rng = root, org_id, account, region, rng
        self.logs: list[DeliveredLog] = []
        self._made: set[Path] = set()

    def write_sorted(self, records: list[tuple[int, Record]]) -> None:
        i = 0
        while i < len(records):
            window = records[i][0] // WINDOW_SECONDS
            j = i
            while j < len(records) and records[j][0] // WINDOW_SECONDS == window:
                j += 1
            for part in _split(records[i:j]):
                self._write_file(window, part)
            i = j

    def _write_file(self, window: int, part: list[tuple[int, Record]]) -> None:
        rng = self.rng
        lag = LAG_SECONDS[0] + int(rng.random() * (LAG_SECONDS[1] - LAG_SECONDS[0]))
        delivered = ((window + 1) * WINDOW_SECONDS + lag) // 60 * 60
        key = log_key(self.org_id, self.account, self.region, delivered, random_token(rng, 16, ALNUM))
        body = orjson.dumps({"Records": [record for _, record in part]})
        packed = gzip_member(body)
        path = self.root / key
        if path.parent not in self._made:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._made.add(path.parent)
        path.write_bytes(packed)
        self.logs.append(DeliveredLog(self.account, self.region, key, delivered, hashlib.sha256(body).hexdigest(),
                                      part[0][1]["eventTime"], part[-1][1]["eventTime"], len(part), len(packed),
                                      len(body)))


def deliver(records: list[tuple[int, Record]], *, root: Path, org_id: str, account: str, region: str,
            rng: random.Random) -> list[DeliveredLog]:
    """Write `records` (sorted by time) as delivered log files under `root`."""
    writer = LogFileWriter(root, org_id, account, region, rng)
    writer.write_sorted(records)
    return writer.logs
