"""Where the good records of a telemetry log are, found with numpy: the records and ScanStats
that tools.tlmlog.scan gives, without a Python step per record.

Every `EB 90` in the file is a candidate head, and the head CRCs of all candidates are checked at
once (bulk.crc16_rows). Following lengths from the file header then steps from one candidate to
the next almost everywhere, so the walk only runs in Python where it does not: a false sync inside
a packet, damage (resumed exactly as scan resumes), a torn tail. Record CRC-32s are checked by zlib.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from tools.bulk import crc16_rows, gather_rows
from tools.tlmlog import (
    HEAD_SIZE,
    SYNC,
    TAIL,
    LogError,
    LogHeader,
    RecordType,
    ScanStats,
    decode_header,
    read_log_bytes,
)

KNOWN_TYPES = np.array([int(t) for t in RecordType], dtype=np.uint8)
CHUNK = 1 << 17
"""Records whose CRC-32 is checked between two progress reports."""

ProgressFn = Callable[[str, int, int], None]
"""Told (phase, done, total) as work goes on, for a progress bar."""


@dataclass
class RecordIndex:
    """The good records of a log, in file order, as parallel arrays."""

    offsets: np.ndarray  # int64: where each record starts in the file
    types: np.ndarray  # uint8: RecordType
    received_ns: np.ndarray  # int64: ground receive time, ns since 1970
    lengths: np.ndarray  # int64: packet length
    stats: ScanStats = field(default_factory=ScanStats)

    def __len__(self) -> int:
        return len(self.offsets)

    @property
    def packet_offsets(self) -> np.ndarray:
        """Where each record's packet starts in the file."""
        return self.offsets + HEAD_SIZE


def read_log(path: str | Path) -> tuple[bytes, LogHeader]:
    """A log file's bytes and its header, or a LogError saying why it is not a log."""
    p = Path(path)
    data = read_log_bytes(p)  # plain or gzip
    try:
        return data, decode_header(data)
    except LogError as err:
        raise LogError(f"{p}: {err}") from None


def _sync_positions(data: bytes, start: int) -> np.ndarray:
    """Offsets >= start of every `EB 90` followed by room for a whole head (sorted)."""
    found = []
    for parity in (0, 1):
        first = start + ((parity - start) % 2)
        words = (len(data) - first) // 2
        if words <= 0:
            continue
        view = np.frombuffer(data, dtype=">u2", count=words, offset=first)
        found.append(np.flatnonzero(view == SYNC) * 2 + first)
    if not found:
        return np.zeros(0, dtype=np.int64)
    heads = np.sort(np.concatenate(found)).astype(np.int64)
    return heads[heads + HEAD_SIZE <= len(data)]


class _Walk:
    """Trusted heads (sync, head CRC, length > 0) and the walk along them from `start`."""

    def __init__(self, data: bytes, start: int) -> None:
        self.data = data
        self.end = len(data)
        buf = np.frombuffer(data, dtype=np.uint8)
        heads = _sync_positions(data, start)
        rows = gather_rows(buf, heads, HEAD_SIZE)
        length = (rows[:, 12].astype(np.int64) << 8) | rows[:, 13]
        trusted = (crc16_rows(rows) == 0) & (length > 0)
        self.heads = heads[trusted]
        self.rows = rows[trusted]
        self.stops = self.heads + HEAD_SIZE + length[trusted] + TAIL.size
        following = np.searchsorted(self.heads, self.stops)
        inside = following < len(self.heads)
        self.followed = np.zeros(len(self.heads), dtype=bool)  # a trusted head at its stop
        self.followed[inside] = self.heads[following[inside]] == self.stops[inside]
        regular = self.followed & (following == np.arange(1, len(self.heads) + 1))
        self.irregular = np.flatnonzero(~regular)  # the last head is always among them

    def crc_ok(self, i: int) -> bool:
        """Whether record i (an index into heads) passes its CRC-32."""
        a, b = int(self.heads[i]), int(self.stops[i]) - TAIL.size
        (crc,) = TAIL.unpack_from(self.data, b)
        return zlib.crc32(memoryview(self.data)[a:b]) == crc

    def resync(self, pos: int) -> int | None:
        """Index of the first head at or after `pos` where reading can safely resume (as
        tlmlog's resync: the record fits, passes its CRC-32 and is followed by the end of the
        file or by another trusted head)."""
        for i in range(int(np.searchsorted(self.heads, pos)), len(self.heads)):
            stop = int(self.stops[i])
            if stop > self.end:
                continue
            if (stop == self.end or self.end - stop < HEAD_SIZE or self.followed[i]) and (
                self.crc_ok(i)
            ):
                return i
        return None

    def chain(self, start: int, stats: ScanStats) -> np.ndarray:
        """Indices of the heads reached by following lengths (and resyncing) from `start`."""
        parts: list[np.ndarray] = []
        pos = start
        while pos < self.end:
            i = int(np.searchsorted(self.heads, pos))
            if i == len(self.heads) or self.heads[i] != pos:  # sync lost here
                found = self.resync(pos + 1)
                if found is None:
                    stats.torn_tail_bytes += self.end - pos
                    break
                stats.skipped_bytes += int(self.heads[found]) - pos
                pos = int(self.heads[found])
                continue
            k = int(self.irregular[np.searchsorted(self.irregular, i)])
            if self.stops[k] > self.end:  # the file ends inside record k
                parts.append(np.arange(i, k))
                stats.torn_tail_bytes += self.end - int(self.heads[k])
                break
            parts.append(np.arange(i, k + 1))
            pos = int(self.stops[k])
        return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)


def index_records(data: bytes, start: int, progress: ProgressFn | None = None) -> RecordIndex:
    """The good records of a whole log's bytes from offset `start`, as scan() would find them."""
    stats = ScanStats()
    walk = _Walk(data, start)
    chain = walk.chain(start, stats)
    heads, stops, rows = walk.heads[chain], walk.stops[chain], walk.rows[chain]
    tails = stops - TAIL.size
    computed = np.zeros(len(heads), dtype=np.uint32)
    view = memoryview(data)
    for at in range(0, len(heads), CHUNK):
        part = zip(heads[at : at + CHUNK].tolist(), tails[at : at + CHUNK].tolist(), strict=True)
        computed[at : at + CHUNK] = [zlib.crc32(view[a:b]) for a, b in part]
        if progress is not None:
            progress("reading", min(at + CHUNK, len(heads)), len(heads))
    buf = np.frombuffer(data, dtype=np.uint8)
    stored = gather_rows(buf, tails, TAIL.size).view(">u4").reshape(-1) if len(tails) else tails
    crc_ok = computed == stored
    types = rows[:, 2]
    known = np.isin(types, KNOWN_TYPES)
    good = crc_ok & known
    stats.corrupt_records += int((~crc_ok).sum())
    stats.unknown_records += int((crc_ok & ~known).sum())
    stats.records += int(good.sum())
    received = np.ascontiguousarray(rows[good, 4:12]).view(">i8").reshape(-1)
    return RecordIndex(
        offsets=heads[good],
        types=types[good],
        received_ns=received.astype(np.int64),
        lengths=(stops - heads - HEAD_SIZE - TAIL.size)[good],
        stats=stats,
    )
