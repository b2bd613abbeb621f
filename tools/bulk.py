"""Bulk decoding of many telemetry packets at once with numpy, for replay and export.

The record layout of each packet kind comes from the same tables as the packet codec (through the
catalog's layouts), and every packet's CRC is verified, 16 bits per step across all packets of a
kind at once, with a table derived from crcmod's own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from fsw.packets import ccsds
from fsw.packets.catalog import Catalog
from fsw.packets.crc import CRC_FIELD, INIT, TABLE
from fsw.packets.layout import Layout
from fsw.packets.schema import TelemetryDef
from fsw.packets.types import TYPES


def dtype_of(layout: Layout) -> np.dtype:
    """The numpy record type of a packet layout, CRC included (big-endian, no padding)."""
    names = [(s.name, TYPES[s.type].numpy_dtype) for s in layout.slots]
    return np.dtype([*names, (CRC_FIELD, ">u2")])


@cache
def _tables() -> tuple[np.ndarray, np.ndarray]:
    """crcmod's byte table, and the 16-bit-at-a-time table derived from it."""
    t8 = np.array(TABLE, dtype=np.uint16)
    x = np.arange(1 << 16, dtype=np.uint32)
    high = t8[x >> 8].astype(np.uint32)
    t16 = (((high & 0xFF) << 8) ^ t8[(x & 0xFF) ^ (high >> 8)]).astype(np.uint16)
    return t8, t16


def crc16_rows(rows: np.ndarray) -> np.ndarray:
    """CRC-16/CCITT-FALSE of each row of a 2-D uint8 array (0 for a row ending in its good CRC).

    One step per 16-bit word across all rows at once, reading the words through an unaligned
    strided view of the rows (no copies), with preallocated outputs.
    """
    t8, t16 = _tables()
    rows = np.ascontiguousarray(rows, dtype=np.uint8)
    n, width = rows.shape
    crc = np.full(n, INIT, dtype=np.uint16)
    start = width % 2
    if start:
        crc = (crc << 8) ^ t8[(crc >> 8) ^ rows[:, 0]]
    count = (width - start) // 2
    if not n or not count:
        return crc
    words = np.ndarray((count, n), dtype=">u2", buffer=rows, offset=start, strides=(2, width))
    scratch = np.empty(n, dtype=np.uint16)
    for column in words:
        np.bitwise_xor(crc, column, out=scratch)
        np.take(t16, scratch, out=crc)
    return crc


def gather_rows(buf: np.ndarray, offsets: np.ndarray, size: int) -> np.ndarray:
    """The `size` bytes at each offset, as rows (a view when the offsets are evenly spaced)."""
    n = len(offsets)
    if n and offsets[0] + (n - 1) * size == offsets[-1] and np.all(np.diff(offsets) == size):
        return buf[offsets[0] : offsets[0] + n * size].reshape(n, size)
    if not n:
        return np.zeros((0, size), dtype=np.uint8)
    return sliding_window_view(buf, size)[offsets]  # one row copy per packet


@dataclass
class BulkResult:
    """Good packets per telemetry packet name (numpy record arrays), and what was refused."""

    packets: dict[str, np.ndarray] = field(default_factory=dict)
    crc_errors: int = 0
    unknown: int = 0  # events, commands and unknown APIDs, which have no fixed layout here
    bad_headers: int = 0  # a known packet whose sequence flags are not 3 (verify() refuses it)
    truncated_bytes: int = 0  # an incomplete packet at the end


RUN_TO_VECTORISE = 32  # equal sizes in a row before trying to take a whole run at once
FIRST_WINDOW = 32  # packets checked by the first vectorised step; each full window doubles it


def packet_offsets(data: bytes) -> tuple[np.ndarray, int]:
    """Start offsets of concatenated CCSDS packets, and the bytes left over at the end.

    Walks the length fields one by one, but once a run of packets of one size shows (housekeeping
    between events), takes the rest of the run in vectorised steps of doubling size, checking the
    length field at every stride at once.
    """
    buf = np.frombuffer(data, dtype=np.uint8)
    n = len(data)
    runs: list[np.ndarray] = []
    steps: list[int] = []
    same, last = 0, -1
    pos = 0
    while n - pos >= ccsds.HEADER_SIZE:
        size = ccsds.length_of(data, pos)
        if pos + size > n:
            break
        same = same + 1 if size == last else 1
        last = size
        if same < RUN_TO_VECTORISE:
            steps.append(pos)
            pos += size
            continue
        runs.append(np.array(steps, dtype=np.int64))
        steps = []
        window = FIRST_WINDOW
        high, low = data[pos + 4], data[pos + 5]  # the run's length field, fixed for the run
        while True:
            count = min((n - pos) // size, window)
            starts = pos + np.arange(count, dtype=np.int64) * size
            equal = (buf[starts + 4] == high) & (buf[starts + 5] == low)
            run = count if equal.all() else int(equal.argmin())
            runs.append(starts[:run])
            pos += run * size
            if run < window or n - pos < size:
                break
            window *= 2
        same, last = 0, -1
    runs.append(np.array(steps, dtype=np.int64))
    return np.concatenate(runs), n - pos


def decode_stream(data: bytes, catalog: Catalog) -> BulkResult:
    """Every fixed-layout telemetry packet in a file of concatenated CCSDS packets."""
    result = BulkResult()
    offsets, result.truncated_bytes = packet_offsets(data)
    if not len(offsets):
        return result
    buf = np.frombuffer(data, dtype=np.uint8)
    packet_ids = (buf[offsets].astype(np.uint16) << 8) | buf[offsets + 1]
    lengths = ((buf[offsets + 4].astype(np.int64) << 8) | buf[offsets + 5]) + 7
    whole = (buf[offsets + 2] >> 6) == ccsds.SEQ_UNSEGMENTED
    handled = np.zeros(len(offsets), dtype=bool)
    for tm in catalog.telemetry:
        layout = catalog.layout(tm)
        known = (packet_ids == layout.packet_id) & (lengths == layout.size)
        handled |= known
        result.bad_headers += int((known & ~whole).sum())
        mine = known & whole
        if not mine.any():
            continue
        rows = gather_rows(buf, offsets if mine.all() else offsets[mine], layout.size)
        good = crc16_rows(rows) == 0
        if not good.all():
            result.crc_errors += int((~good).sum())
            rows = rows[good]
        result.packets[tm.name] = np.ascontiguousarray(rows).view(dtype_of(layout)).reshape(-1)
    result.unknown = int((~handled).sum())
    return result


def decode_uniform(
    data: bytes, catalog: Catalog, packet: TelemetryDef
) -> tuple[np.ndarray, np.ndarray]:
    """All packets of one kind from a file holding only that kind: (records, crc_ok per record)."""
    layout = catalog.layout(packet)
    if len(data) % layout.size:
        raise ValueError(
            f"{len(data)} bytes is not a whole number of {packet.name} packets "
            f"({layout.size} bytes each)"
        )
    rows = np.frombuffer(data, dtype=np.uint8).reshape(-1, layout.size)
    return rows.view(dtype_of(layout)).reshape(-1), crc16_rows(rows) == 0
