"""The part of each event the store's columns do not hold, in small
compressed blocks (`segment-N.events`, next to `segment-N.parquet`).

A query that matched a few hundred events among millions must rebuild each of
them whole.  Kept in Parquet, every one costs the decompression of its whole
page (thousands of events); here it costs one block of `BLOCK_EVENTS` events,
a few microseconds.  Blocks are zstd frames compressed with one dictionary per
store, trained on the store's first events: small frames of JSON compress
poorly alone, and with a dictionary of the trail's recurring keys and values
they come out smaller than the gzipped log files.

A block holds the events of one log file only (so compaction copies blocks of
live files whole), one compact JSON text (orjson) per line.  Each frame
carries a checksum and its dictionary's id: a damaged block, or one read with
another dictionary, is an error, never a wrong event.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import orjson

BLOCK_EVENTS = 32
LEVEL = 3
DICTIONARY_BYTES = 112 * 1024
DICTIONARY_SAMPLES = 4000    # events the dictionary is trained on
MIN_DICTIONARY_SAMPLES = 64  # fewer (a tiny tree): no dictionary, plain frames
MAX_BLOCK_BYTES = 64 * 1024 * 1024  # a block claiming more than this is damage
MAX_INFLATED_BYTES = 512 * 1024 * 1024  # nor is a block inflating to more read (its header is not checksummed)


class BlockError(Exception):
    """A block could not be read back (damaged, truncated, wrong dictionary)."""


def dictionary_name(data: bytes) -> str:
    return f"events-{hashlib.sha256(data).hexdigest()[:16]}.dict" if data else ""


def train(samples: Sequence[bytes]) -> bytes:
    """A compression dictionary for events like `samples` (b"" when too few to train on)."""
    import zstandard

    if len(samples) < MIN_DICTIONARY_SAMPLES:
        return b""
    try:
        return zstandard.train_dictionary(DICTIONARY_BYTES, list(samples)).as_bytes()
    except zstandard.ZstdError:  # samples too uniform or too small to learn from
        return b""


@lru_cache(maxsize=4)
def _dictionary(path: str) -> Any:
    import zstandard

    data = Path(path).read_bytes() if path else b""
    if path and dictionary_name(data) != Path(path).name:
        raise BlockError("dictionary damaged")
    return zstandard.ZstdCompressionDict(data) if data else None


def compressor(dictionary_path: str) -> Any:
    import zstandard

    found = _dictionary(dictionary_path)
    return zstandard.ZstdCompressor(level=LEVEL, dict_data=found, write_checksum=True, write_dict_id=True,
                                    write_content_size=True)


def decompressor(dictionary_path: str) -> Any:
    import zstandard

    found = _dictionary(dictionary_path)
    return zstandard.ZstdDecompressor(dict_data=found) if found is not None else zstandard.ZstdDecompressor()


def block_texts(lines: Iterable[bytes]) -> bytes:
    return b"\n".join(lines)


def inflate(unpack: Any, frame: bytes, limit: int) -> bytes:
    """One zstd frame decompressed, its size as its header claims it checked
    against `limit` before any memory is taken for it (the decompressor
    allocates what the header says: a frame claiming a terabyte is a
    MemoryError, not a refusal).  Raises BlockError."""
    import zstandard

    try:
        claimed = zstandard.frame_content_size(frame)
        if not 0 <= claimed <= limit:
            raise BlockError(f"a frame claims {claimed} bytes")
        inflated: bytes = unpack.decompress(frame)
    except zstandard.ZstdError as exc:  # a damaged frame, a checksum mismatch, another dictionary
        raise BlockError(f"damaged frame ({exc})") from None
    return inflated


def read_blocks(events_file: Path, spans: Iterable[tuple[int, int]], dictionary_path: str) -> dict[int, bytes]:
    """The text of each block `(offset, length)` of `events_file`, by offset
    (its events one a line: `block_line` cuts one out)."""

    out: dict[int, bytes] = {}
    try:
        unpack = decompressor(dictionary_path)
        fd = os.open(events_file, os.O_RDONLY)
    except OSError as exc:
        raise BlockError(f"cannot read {events_file.name} ({exc.strerror or exc})") from None
    try:
        for offset, length in sorted(set(spans)):
            if length <= 0 or length > MAX_BLOCK_BYTES:
                raise BlockError(f"{events_file.name}: block of {length} bytes")
            frame = os.pread(fd, length, offset)
            if len(frame) != length:
                raise BlockError(f"{events_file.name} is truncated")
            try:
                out[offset] = inflate(unpack, frame, MAX_INFLATED_BYTES)
            except BlockError as exc:
                raise BlockError(f"{events_file.name}: {exc}") from None
    except OSError as exc:
        raise BlockError(f"cannot read {events_file.name} ({exc.strerror or exc})") from None
    finally:
        os.close(fd)
    return out


def block_line(block: bytes, index: int) -> memoryview:
    """Line `index` of a block's text, without copying the block into lines:
    a search most often wants one or two of a block's 32 events (splitting
    every block read was a third of reading the hunts' events).  Raises
    BlockError past the block's last line."""
    start = 0
    for _ in range(index):
        start = block.find(b"\n", start) + 1
        if start == 0:
            raise BlockError("a row points past its block")
    end = block.find(b"\n", start)
    return memoryview(block)[start:] if end < 0 else memoryview(block)[start:end]


def event(line: bytes | memoryview) -> dict[str, Any]:
    """One block line as the event it was written from."""
    try:
        found = orjson.loads(line)
    except orjson.JSONDecodeError:
        raise BlockError("a block line is not JSON") from None
    if type(found) is not dict:
        raise BlockError("a block line is not an event")
    return found
