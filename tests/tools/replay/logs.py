"""Logs to replay: a shipped scenario's, and hand-made ones with exactly the damage a test needs."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from fsw.packets.crc import append_crc
from fsw.tables import CATALOG
from tools.dictionary import Dictionary
from tools.tlmlog import LogReader, LogWriter, Record, RecordType

ROOT = Path(__file__).resolve().parents[3]
SCENARIO = ROOT / "scenarios" / "rock-0.25m-stops.toml"
FINGERPRINT = Dictionary.from_flight().fingerprint
HK = CATALOG.telemetry_packet("HK")
EPOCH_NS = 1_546_482_360_000_000_000  # the mission epoch, 2019-01-03T02:26:00Z


def hk(seq: int, time: float, uptime: int = 0) -> bytes:
    """A housekeeping packet with every counter small and the given sequence count and time."""
    values = {f.name: 0 if f.enum is None else next(iter(f.enum)).value for f in HK.fields}
    values.update(uptime=uptime, healthy_wheels=6, mode=1)
    return CATALOG.encode_telemetry(HK, values, seq, time)


def event(name: str, args: dict, seq: int, time: float) -> bytes:
    """An event packet."""
    return CATALOG.encode_event(name, args, seq, time)


def write(path: Path, packets: Iterable[bytes | tuple[bytes, RecordType]]) -> Path:
    """A log of these packets, received one second apart from the mission epoch."""
    with LogWriter(path, FINGERPRINT) as log:
        for i, item in enumerate(packets):
            packet, kind = item if isinstance(item, tuple) else (item, RecordType.DOWNLINK)
            log.write(packet, EPOCH_NS + i * 1_000_000_000, kind)
    return path


def rewrite(source: Path, target: Path, change: Callable[[Record], bytes | None]) -> list[Record]:
    """A copy of a log with each packet replaced by `change(record)` (None drops it); returns
    the records kept, as written."""
    kept = []
    with LogWriter(target, FINGERPRINT) as log:
        for record in LogReader(source):
            packet = change(record)
            if packet is not None:
                log.write(packet, record.received_ns, record.type)
                kept.append(Record(record.received_ns, packet, record.type))
    return kept


def corrupt(packet: bytes, at: int = 20) -> bytes:
    """The packet with one data bit flipped and its old CRC kept: a link error."""
    damaged = bytearray(packet)
    damaged[at] ^= 0x04
    return bytes(damaged)


def reseal(body: bytes) -> bytes:
    """A packet body with a good CRC appended."""
    return append_crc(body)
