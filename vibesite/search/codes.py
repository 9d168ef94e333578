"""Per-dimension min/max scalar quantization of unit vectors: int8, or int4 packed two a byte.

Bytes (little-endian): ``dim`` float32 offsets, ``dim`` float32 scales, then the codes, row
after row: one byte per dimension (8 bits), or (4 bits) one byte per pair of dimensions, the
even dimension in the low nibble and the odd one in the high nibble (a last odd dimension
gets a byte of its own). ``v ~= offset + scale * code`` per dimension.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

BITS = (4, 8)


def row_bytes(dim: int, bits: int) -> int:
    return dim if bits == 8 else (dim + 1) // 2


@dataclass(frozen=True)
class Quantized:
    """Per-dimension min/max codes of unit vectors (``bits`` 8: 0..255, 4: 0..15)."""

    offsets: np.ndarray  # (dim,) float32: the per-dimension minimum
    scales: np.ndarray  # (dim,) float32: (max - min) / (2**bits - 1), or 1 where max == min
    codes: np.ndarray  # (n, dim) uint8, unpacked
    bits: int = 8

    def dequantize(self) -> np.ndarray:
        return (self.offsets.astype(np.float64)
                + self.scales.astype(np.float64) * self.codes.astype(np.float64))

    def scores(self, queries: np.ndarray) -> np.ndarray:
        """``(queries, rows)``: ``sum_d q_d * (offset_d + scale_d * code_rd)`` of each unit
        query vector against every row, in float64, 4,096 rows at a time."""
        q = np.asarray(queries, dtype=np.float64).reshape(-1, self.codes.shape[1])
        weights = q * self.scales.astype(np.float64)  # (n, dim)
        base = q @ self.offsets.astype(np.float64)  # (n,)
        out = np.empty((len(q), len(self.codes)), dtype=np.float64)
        for start in range(0, len(self.codes), 4096):
            block = self.codes[start:start + 4096].astype(np.float64)
            out[:, start:start + 4096] = (block @ weights.T).T + base[:, None]
        return out

    def to_bytes(self) -> bytes:
        codes = np.ascontiguousarray(self.codes, dtype=np.uint8)
        if self.bits == 4:
            if codes.shape[1] % 2:
                codes = np.pad(codes, ((0, 0), (0, 1)))
            codes = codes[:, 0::2] | (codes[:, 1::2] << 4)
        return (self.offsets.astype("<f4").tobytes() + self.scales.astype("<f4").tobytes()
                + np.ascontiguousarray(codes).tobytes())

    @classmethod
    def from_bytes(cls, data: bytes, count: int, dim: int, bits: int = 8) -> Quantized:
        if bits not in BITS:
            raise ValueError(f"vectors of {bits} bits are not supported; use 4 or 8")
        width = row_bytes(dim, bits)
        expected = 8 * dim + count * width
        if len(data) != expected:
            raise ValueError(f"vectors file has {len(data)} bytes; expected {expected} "
                             f"for {count} vectors of {dim} dimensions at {bits} bits")
        offsets = np.frombuffer(data, dtype="<f4", count=dim, offset=0).astype(np.float32)
        scales = np.frombuffer(data, dtype="<f4", count=dim, offset=4 * dim).astype(np.float32)
        packed = np.frombuffer(data, dtype=np.uint8, offset=8 * dim).reshape(count, width)
        if bits == 8:
            return cls(offsets, scales, packed, bits)
        codes = np.empty((count, 2 * width), dtype=np.uint8)
        codes[:, 0::2] = packed & 15
        codes[:, 1::2] = packed >> 4
        return cls(offsets, scales, codes[:, :dim], bits)


def quantize(vectors: np.ndarray, bits: int = 8) -> Quantized:
    """Calibrate each dimension on its min/max; codes = round((v - min) / scale)."""
    if bits not in BITS:
        raise ValueError(f"vectors of {bits} bits are not supported; use 4 or 8")
    top = 2 ** bits - 1
    v = np.asarray(vectors, dtype=np.float32)
    if v.ndim != 2:
        raise ValueError(f"vectors must be 2-D (n, dim), got shape {v.shape}")
    n, dim = v.shape
    if n == 0:
        return Quantized(np.zeros(dim, np.float32), np.ones(dim, np.float32),
                         np.zeros((0, dim), np.uint8), bits)
    low = v.min(axis=0)
    span = v.max(axis=0).astype(np.float64) - low.astype(np.float64)
    scales = np.where(span > 0, span / top, 1.0).astype(np.float32)
    scaled = (v.astype(np.float64) - low.astype(np.float64)) / scales.astype(np.float64)
    codes = np.clip(np.rint(scaled), 0, top).astype(np.uint8)
    return Quantized(low, scales, codes, bits)
