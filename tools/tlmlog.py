"""The telemetry log: an append-only file of packets with the ground time each was received.

Shared by the recorder, `rover run` and replay; documented byte by byte in docs/telemetry-log.md.
Each record head has its own CRC, so its length can be trusted: a record that runs past the end
of the file is a torn tail (power cut, kill -9), skipped and never read as data, and a writer
reopening the log cuts it off before appending. Each whole record ends with a CRC-32.
"""

from __future__ import annotations

import contextlib
import gzip
import os
import struct
import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from enum import IntEnum
from pathlib import Path

from fsw.packets.crc import crc16
from tools.merge import Merger

try:
    import fcntl
except ImportError:  # not POSIX: logs are not locked against a second writer
    fcntl = None  # type: ignore[assignment]

MAGIC = b"\x89RTLM\r\n\x1a"
FORMAT_VERSION = 1
HEADER = struct.Struct(">8sHHq8sI")  # magic, version, header size, created ns, dictionary, CRC-32
HEADER_SIZE = HEADER.size
SYNC = 0xEB90
SYNC_BYTES = SYNC.to_bytes(2, "big")
HEAD = struct.Struct(">HBBqHH")  # sync, type, flags, received ns, packet length, head CRC-16
HEAD_SIZE = HEAD.size
TAIL = struct.Struct(">I")  # CRC-32 of head and packet
RECORD_OVERHEAD = HEAD_SIZE + TAIL.size
MAX_PACKET = 0xFFFF


class RecordType(IntEnum):
    """Which way the recorded packet went."""

    DOWNLINK = 1  # received from the rover, live
    UPLINK = 2  # sent to the rover
    PLAYBACK = 3  # received from the rover in a playback (the packet unwrapped from its envelope)


class LogError(ValueError):
    """A file that is not a telemetry log this code can read or write, with why."""


class LogWriteError(LogError):
    """The log could not take a record (disk full, file too large); it was cut back to its
    last whole record and takes no more."""


@dataclass(frozen=True, slots=True)
class LogHeader:
    """What the file header says."""

    version: int
    created_ns: int
    dictionary: bytes
    size: int = HEADER_SIZE


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
    return body + TAIL.pack(zlib.crc32(body))


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
    packet: bytes,
    received_ns: int,
    record_type: RecordType = RecordType.DOWNLINK,
    flags: int = 0,
) -> bytes:
    """One record's bytes."""
    if not 0 < len(packet) <= MAX_PACKET:
        raise ValueError(f"a recorded packet is 1..{MAX_PACKET} bytes, not {len(packet)}")
    head = HEAD.pack(SYNC, record_type, flags, received_ns, len(packet), 0)[:-2]
    head += crc16(head).to_bytes(2, "big")
    return head + packet + TAIL.pack(zlib.crc32(head + packet))


@dataclass
class ScanStats:
    """What a read of the log found besides the records it returned."""

    records: int = 0
    corrupt_records: int = 0  # whole records whose CRC-32 failed, skipped exactly
    skipped_bytes: int = 0  # bytes with no trustworthy record head, passed over to the next one
    unknown_records: int = 0  # good records of a type this code does not know (a later writer's)
    torn_tail_bytes: int = 0  # an incomplete last record, as a crash leaves


def _trusted_head(data: bytes, pos: int) -> tuple[int, int, int, int] | None:
    """(type, flags, received ns, length) of a record head at `pos` whose CRC holds, else None."""
    if len(data) - pos < HEAD_SIZE or data[pos : pos + 2] != SYNC_BYTES:
        return None
    _, rtype, flags, received, length, crc = HEAD.unpack_from(data, pos)
    if not length or crc16(data[pos : pos + HEAD_SIZE - 2]) != crc:
        return None
    return rtype, flags, received, length


def scan(
    data: bytes | bytearray | memoryview, start: int = HEADER_SIZE, stats: ScanStats | None = None
) -> Iterator[Record]:
    """The good records in `data` (a whole log) from offset `start`, counting what was skipped.

    A head reached by following lengths from the start is in sync, and its length is trusted: a
    record that runs past the end is the torn tail, one whose CRC-32 fails is skipped exactly.
    After a damaged head, reading resumes only at a record that fits, passes its CRC-32 and is
    followed by the end of the file or another trusted head, so that a record carried inside a
    damaged record's packet is not taken for a real one.
    """
    stats = stats if stats is not None else ScanStats()
    data = data if isinstance(data, bytes) else bytes(data)
    end = len(data)
    pos = start
    while pos < end:
        head = _trusted_head(data, pos)
        if head is None:  # sync lost here (or a partial head at the very end)
            following = _resync(data, pos + 1)
            if following is None:
                stats.torn_tail_bytes += end - pos
                return
            stats.skipped_bytes += following - pos
            pos = following
            continue
        rtype, flags, received, length = head
        stop = pos + HEAD_SIZE + length + TAIL.size
        if stop > end:  # the head is whole and right, the record is not: the file ends inside it
            stats.torn_tail_bytes += end - pos
            return
        if not _record_crc_ok(data, pos, stop):
            stats.corrupt_records += 1
        elif rtype not in _TYPES:
            stats.unknown_records += 1
        else:
            stats.records += 1
            packet = data[pos + HEAD_SIZE : stop - TAIL.size]
            yield Record(received, packet, _TYPES[rtype], flags, pos)
        pos = stop


_TYPES = {int(t): t for t in RecordType}


def _record_crc_ok(data: bytes, pos: int, stop: int) -> bool:
    (crc,) = TAIL.unpack_from(data, stop - TAIL.size)
    return zlib.crc32(data[pos : stop - TAIL.size]) == crc


def _resync(data: bytes, pos: int) -> int | None:
    """Offset of the next place, at or after `pos`, where reading can safely resume."""
    end = len(data)
    while True:
        pos = data.find(SYNC_BYTES, pos)
        if pos < 0:
            return None
        head = _trusted_head(data, pos)
        if head is not None:
            stop = pos + HEAD_SIZE + head[3] + TAIL.size
            followed = (
                stop == end or end - stop < HEAD_SIZE or _trusted_head(data, stop) is not None
            )
            if stop <= end and followed and _record_crc_ok(data, pos, stop):
                return pos
        pos += 1


GZIP_MAGIC = b"\x1f\x8b"


def read_log_bytes(path: str | Path) -> bytes:
    """A log file's bytes, decompressed when the file is gzip (told by its magic bytes, not its
    name), or a LogError saying why they cannot be had."""
    p = Path(path)
    try:
        data = p.read_bytes()
    except OSError as err:
        raise LogError(f"{p}: cannot read ({err.strerror})") from None
    if not data.startswith(GZIP_MAGIC):
        return data
    try:
        return gzip.decompress(data)
    except EOFError:
        raise LogError(f"{p}: corrupt gzip (cut short before its end)") from None
    except (OSError, zlib.error) as err:  # BadGzipFile is an OSError
        raise LogError(f"{p}: corrupt gzip ({err})") from None


class LogReader:
    """Reads a telemetry log: its header, then its good records; `stats` says what was skipped.

    A gzip-compressed log (`run.tlm.gz`, told by its magic bytes, not its name) is read as the log
    it holds; writers never compress.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._data = read_log_bytes(self.path)
        try:
            self.header = decode_header(self._data)
        except LogError as err:
            raise LogError(f"{self.path}: {err}") from None
        self.stats = ScanStats()

    def __iter__(self) -> Iterator[Record]:
        self.stats = ScanStats()
        return scan(self._data, self.header.size, self.stats)

    def records(self) -> Iterator[Record]:
        """Another pass over the good records, leaving `stats` to the main reading."""
        return scan(self._data, self.header.size, ScanStats())


class LogWriter:
    """Appends records to a telemetry log, creating it or cutting a torn tail off first.

    Holds an exclusive lock on the file (POSIX), so a second writer is refused rather than
    interleaved. `receive` merges live and played-back packets into the one log without
    duplicates (tools.merge); its memory starts with the packets already in a reopened log.
    With `flush_each` (the default) every record is handed to the operating system as it is
    written, so a killed process loses nothing it wrote; `sync()` survives a power cut.

    A write that fails (ENOSPC, EFBIG) cuts the file back to its last whole record and raises
    LogWriteError; the writer is then `failed` (why) and refuses every later write alike."""

    BUFFER = 1 << 16  # bytes gathered before they go to the file, without flush_each

    def __init__(
        self,
        path: str | Path,
        dictionary: bytes,
        *,
        flush_each: bool = True,
        created_ns: int | None = None,
    ) -> None:
        self.path = Path(path)
        self.flush_each = flush_each
        self.recovered_bytes = 0
        self.records = 0  # records this writer handed to the operating system
        self.failed: str | None = None  # why writing stopped, once it has
        self.merger = Merger()
        self._pending = bytearray()  # records not yet handed to the operating system
        self._ends: list[int] = []  # where each pending record ends in it
        try:  # unbuffered, appending: every byte that reaches the file is accounted for
            self._file = self.path.open("a+b", buffering=0)
        except OSError as err:
            raise LogError(f"{self.path}: cannot write ({err.strerror})") from None
        try:
            self._lock()
            self._file.seek(0)
            existing = self._file.read()
            if existing:
                self._recover(existing, dictionary)
            else:
                created = time.time_ns() if created_ns is None else created_ns
                self._good = 0
                self._pending += encode_header(dictionary, created)
                self._drain()
        except BaseException:
            self._file.close()
            raise

    def _lock(self) -> None:
        if fcntl is None:
            return
        try:
            fcntl.flock(self._file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise LogError(f"{self.path}: another process is writing this log") from None

    def _recover(self, data: bytes, dictionary: bytes) -> None:
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
        for record in scan(data, header.size, stats):
            if record.type is not RecordType.UPLINK:
                self.merger.remember(record.packet)
        if stats.torn_tail_bytes:
            self.recovered_bytes = stats.torn_tail_bytes
            self._file.truncate(len(data) - stats.torn_tail_bytes)
        self._good = len(data) - stats.torn_tail_bytes

    def write(
        self,
        packet: bytes,
        received_ns: int | None = None,
        record_type: RecordType = RecordType.DOWNLINK,
    ) -> None:
        """Append one packet (as received, good or bad) with its receive time (default now)."""
        when = time.time_ns() if received_ns is None else received_ns
        self._pending += encode_record(packet, when, record_type)
        self._ends.append(len(self._pending))
        if self.flush_each or len(self._pending) >= self.BUFFER:
            self._drain()

    def _drain(self) -> None:
        """Hand the pending records to the operating system; if that fails, cut the file back
        to its last whole record, refuse every later write, and raise LogWriteError."""
        data, ends = bytes(self._pending), self._ends
        self._pending.clear()
        self._ends = []
        done = 0 if self.failed is None else len(data)
        try:  # unbuffered: a short write says how much reached the file
            while done < len(data):
                done += self._file.write(data[done:]) or 0
        except OSError as err:
            whole = [end for end in ends if end <= done]  # records that reached the file whole
            with contextlib.suppress(OSError):  # shrinking a file needs no space
                os.ftruncate(self._file.fileno(), self._good + (whole[-1] if whole else 0))
            self.records += len(whole)
            self.failed = (
                f"{self.path}: cannot write ({err.strerror or err}); the log is intact up to its "
                f"last whole record ({self.records} written) and takes no more"
            )
        if self.failed is not None:
            raise LogWriteError(self.failed)
        self._good += len(data)
        self.records += len(ends)

    def receive(self, packet: bytes, received_ns: int | None = None, played: bool = False) -> bool:
        """Record a packet received from the rover, merged: a playback envelope's packet as a
        PLAYBACK record, nothing for a packet already recorded. Whether it was recorded."""
        admitted = self.merger.admit(packet, played)
        if admitted.fresh:
            kind = RecordType.PLAYBACK if admitted.playback else RecordType.DOWNLINK
            self.write(admitted.packet, received_ns, kind)
        return admitted.fresh

    def flush(self) -> None:
        """Hand everything written so far to the operating system (LogWriteError if it fails)."""
        self._drain()

    def sync(self) -> None:
        """Flush and make it durable on disk."""
        self.flush()
        os.fsync(self._file.fileno())

    def close(self) -> None:
        """Flush what can be, unlock and close (a failure to flush is kept in `failed`)."""
        if not self._file.closed:
            with contextlib.suppress(LogWriteError):
                self.flush()
            self._file.close()

    def __enter__(self) -> LogWriter:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()
