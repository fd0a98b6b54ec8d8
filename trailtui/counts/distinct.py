"""An estimate of how many distinct keys a stream holds, in 16 KiB.

HyperLogLog with 2^14 one-byte registers: a relative standard error of about
1.04 / sqrt(16384) = 0.8 %, linear counting for small cardinalities.  Used only
once a count has seen more distinct keys than it can keep exactly.
"""

from __future__ import annotations

import math
from collections.abc import Hashable

PRECISION = 14
REGISTERS = 1 << PRECISION
_MASK64 = (1 << 64) - 1
_REST_BITS = 64 - PRECISION
_REST_MASK = (1 << _REST_BITS) - 1
_ALPHA = 0.7213 / (1 + 1.079 / REGISTERS)


class DistinctEstimate:
    def __init__(self) -> None:
        self.registers = bytearray(REGISTERS)

    def add(self, item: Hashable) -> None:
        # splitmix64's finaliser, inlined (this runs once per new key)
        value = (hash(item) + 0x9E3779B97F4A7C15) & _MASK64
        value = ((value ^ (value >> 30)) * 0xBF58476D1CE4E5B9) & _MASK64
        value = ((value ^ (value >> 27)) * 0x94D049BB133111EB) & _MASK64
        value ^= value >> 31
        rank = _REST_BITS - (value & _REST_MASK).bit_length() + 1
        index = value >> _REST_BITS
        if rank > self.registers[index]:
            self.registers[index] = rank

    def estimate(self) -> int:
        registers = self.registers
        total = math.fsum(2.0 ** -r for r in registers)
        raw = _ALPHA * REGISTERS * REGISTERS / total
        zeros = registers.count(0)
        if raw <= 2.5 * REGISTERS and zeros:
            return round(REGISTERS * math.log(REGISTERS / zeros))
        return round(raw)
