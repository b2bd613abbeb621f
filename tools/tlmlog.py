"""The telemetry log: an append-only file of packets with the ground time each was received.

Shared by the recorder, `rover run` and replay; documented byte by byte in docs/telemetry-log.md.
Every record ends with a CRC-32, so a torn last record (power cut, kill -9) is recognised and
skipped, and a writer that reopens the log cuts the torn tail off before appending.
"""

from __future__ import annotations

import os
import struct
import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from enum import IntEnum
from pathlib import Path
from types import TracebackType

MAGIC = b"\x89RTLM\r\n\x1a"
FORMAT_VERSION = 1
HEADER = struct.Struct(">8sHHq8sI")  # magic, version, header size, created ns, dictionary, CRC-32
HEADER_SIZE = HEADER.size
SYNC = 0xEB90
RECORD_HEAD = struct.Struct(">HBBqH")  # sync, type, flags, received ns, packet length
RECORD_TAIL = struct.Struct(">I")  # CRC-32 of head and packet
RECORD_OVERHEAD = RECORD_HEAD.size + RECORD_TAIL.size
MAX_PACKET = 0xFFFF


class RecordType(IntEnum):
    """Which way the recorded packet went."""

    DOWNLINK = 1  # received from the rover
    UPLINK = 2  # sent to the rover


class LogError(ValueError):
    """A file that is not a telemetry log this code can read, with why."""


@dataclass(frozen=True, slots=True)
class LogHeader:
    """What the file header says."""

    version: int
    created_ns: int
    dictionary: bytes
    size: int = 32


@dataclass(frozen=True, slots=True)
class Record:
    """One recorded packet."""

    received_ns: int
    packet: bytes
    type: RecordType = RecordType.DOWNLINK
    flags: int = 0
    offset: int = 0

    @property
    def received(self) -> float:
        """Ground receive time, seconds since 1970-01-01 UTC."""
        return self.received_ns / 1e9


def encode_header(dictionary: bytes, created_ns: int) -> bytes:
    """The 32-byte file header."""
    if len(dictionary) != 8:
        raise ValueError("the dictionary fingerprint is 8 bytes")
    body = HEADER.pack(MAGIC, FORMAT_VERSION, HEADER_SIZE, created_ns, dictionary, 0)[:-4]
    return body + RECORD_TAIL.pack(zlib.crc32(body))


def decode_header(data: bytes) -> LogHeader:
    """The file header at the start of `data`, or a LogError."""
    if len(data) < HEADER_SIZE or not data.startswith(MAGIC):
        raise LogError("not a telemetry log (no log header)")
    _, version, size, created, dictionary, crc = HEADER.unpack_from(data)
    if zlib.crc32(data[: HEADER_SIZE - 4]) != crc:
        raise LogError("telemetry log header is corrupt (CRC-32 mismatch)")
    if version > FORMAT_VERSION:
        raise LogError(
            f"telemetry log format version {version}; this code reads up to {FORMAT_VERSION}"
        )
    if not HEADER_SIZE <= size <= len(data):
        raise LogError(f"telemetry log header size {size} is impossible")
    return LogHeader(version, created, dictionary, size)


def encode_record(
    packet: bytes, received_ns: int, record_type: RecordType = RecordType.DOWNLINK, flags: int = 0
) -> bytes:
    """One record's bytes."""
    if not 0 < len(packet) <= MAX_PACKET:
        raise ValueError(f"a recorded packet is 1..{MAX_PACKET} bytes, not {len(packet)}")
    head = RECORD_HEAD.pack(SYNC, record_type, flags, received_ns, len(packet)) + packet
    return head + RECORD_TAIL.pack(zlib.crc32(head))


@dataclass
class ScanStats:
    """What a read of the log found besides good records."""

    records: int = 0
    corrupt_records: int = 0  # records whose CRC-32 failed in the middle of the file
    skipped_bytes: int = 0  # bytes passed over to find the next record after corruption
    torn_tail_bytes: int = 0  # an incomplete or corrupt last record, as left by a crash


def scan(
    data: bytes | memoryview, start: int = HEADER_SIZE, stats: ScanStats | None = None
) -> Iterator[Record]:
    """The good records in `data` (a whole log) from offset `start`, counting what was skipped."""
    stats = stats if stats is not None else ScanStats()
    view = memoryview(data)
    end = len(view)
    pos = start
    head_size, unpack_head = RECORD_HEAD.size, RECORD_HEAD.unpack_from
    while pos < end:
        record = None
        if end - pos >= RECORD_OVERHEAD:
            sync, rtype, flags, received, length = unpack_head(view, pos)
            stop = pos + head_size + length + 4
            if sync == SYNC and length and stop <= end:
                (crc,) = RECORD_TAIL.unpack_from(view, stop - 4)
                if zlib.crc32(view[pos : stop - 4]) == crc and rtype in _TYPES:
                    record = Record(
                        received, bytes(view[pos + head_size : stop - 4]), _TYPES[rtype], flags, pos
                    )
        if record is not None:
            stats.records += 1
            yield record
            pos = stop
            continue
        following = _next_record(view, pos + 1)
        if following is None:
            stats.torn_tail_bytes += end - pos
            return
        stats.corrupt_records += 1
        stats.skipped_bytes += following - pos
        pos = following


_TYPES = {int(t): t for t in RecordType}


def _next_record(view: memoryview, pos: int) -> int | None:
    """Offset of the next place a whole, CRC-good record starts, if any."""
    data = view.obj if isinstance(view.obj, bytes) else bytes(view)
    marker = SYNC.to_bytes(2, "big")
    end = len(view)
    while True:
        pos = data.find(marker, pos)
        if pos < 0 or end - pos < RECORD_OVERHEAD:
            return None
        _, rtype, _, _, length = RECORD_HEAD.unpack_from(view, pos)
        stop = pos + RECORD_HEAD.size + length + 4
        if length and stop <= end and rtype in _TYPES:
            (crc,) = RECORD_TAIL.unpack_from(view, stop - 4)
            if zlib.crc32(view[pos : stop - 4]) == crc:
                return pos
        pos += 1


class LogReader:
    """Reads a telemetry log: its header, then its good records; `stats` says what was skipped."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        try:
            self._data = self.path.read_bytes()
        except OSError as err:
            raise LogError(f"{self.path}: cannot read ({err.strerror})") from None
        try:
            self.header = decode_header(self._data)
        except LogError as err:
            raise LogError(f"{self.path}: {err}") from None
        self.stats = ScanStats()

    def __iter__(self) -> Iterator[Record]:
        self.stats = ScanStats()
        return scan(self._data, self.header.size, self.stats)


class LogWriter:
    """Appends records to a telemetry log, creating it or cutting a torn tail off first.

    With `flush_each` (the default) every record is handed to the operating system as it is
    written, so a killed process loses nothing it wrote; `sync()` also survives a power cut.
    """

    def __init__(self, path: str | Path, dictionary: bytes, *, flush_each: bool = True) -> None:
        self.path = Path(path)
        self.flush_each = flush_each
        self.recovered_bytes = 0
        exists = self.path.exists() and self.path.stat().st_size > 0
        self._file = self.path.open("r+b" if exists else "wb")
        try:
            if exists:
                self._recover(dictionary)
            else:
                self._file.write(encode_header(dictionary, time.time_ns()))
                self._file.flush()
        except BaseException:
            self._file.close()
            raise

    def _recover(self, dictionary: bytes) -> None:
        data = self._file.read()
        try:
            header = decode_header(data)
        except LogError as err:
            raise LogError(f"{self.path}: {err}; not appending to it") from None
        if header.dictionary != dictionary:
            raise LogError(
                f"{self.path}: recorded with dictionary {header.dictionary.hex()}, "
                f"not {dictionary.hex()}; start a new log"
            )
        stats = ScanStats()
        last_end = header.size
        for record in scan(data, header.size, stats):
            last_end = record.offset + RECORD_OVERHEAD + len(record.packet)
        if stats.torn_tail_bytes:
            self.recovered_bytes = len(data) - last_end
            self._file.truncate(last_end)
        self._file.seek(last_end)

    def write(
        self,
        packet: bytes,
        received_ns: int | None = None,
        record_type: RecordType = RecordType.DOWNLINK,
    ) -> None:
        """Append one packet (as received, good or bad) with its receive time (default now)."""
        self._file.write(
            encode_record(
                packet, time.time_ns() if received_ns is None else received_ns, record_type
            )
        )
        if self.flush_each:
            self._file.flush()

    def flush(self) -> None:
        """Hand everything written so far to the operating system."""
        self._file.flush()

    def sync(self) -> None:
        """Flush and make it durable on disk."""
        self._file.flush()
        os.fsync(self._file.fileno())

    def close(self) -> None:
        """Flush and close."""
        if not self._file.closed:
            self._file.flush()
            self._file.close()

    def __enter__(self) -> LogWriter:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
