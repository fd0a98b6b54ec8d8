"""The one way the demo compresses a file: a single gzip member, level 6, mtime 0.

CloudTrail delivers every log and digest as one gzip member; verifiers must treat
anything after it as tampering, so the writer never produces more than one.
A fixed mtime (0) and level keep the output byte-identical for the same input,
which is what makes the demo deterministic.  zlib at level 6 was measured at
~75 MB/s of JSON here (isal's fastest levels are ~5-10x faster but only go up
to level 3); the demo generator's time is dominated by building records, so the
specified level 6 costs little (see bench/bench_demo.py).
"""

from __future__ import annotations

import zlib

GZIP_LEVEL = 6
_GZIP_WBITS = 31  # 16 + MAX_WBITS: gzip wrapper, header with mtime 0 and no name


def gzip_member(data: bytes, level: int = GZIP_LEVEL) -> bytes:
    """`data` as exactly one gzip member with mtime 0 (deterministic bytes)."""
    compressor = zlib.compressobj(level, zlib.DEFLATED, _GZIP_WBITS)
    return compressor.compress(data) + compressor.flush()
