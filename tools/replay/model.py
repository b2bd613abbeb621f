"""What a replayed log holds: telemetry as numpy arrays per packet type, events and commands as
objects (there are few of them), and every packet that could not be used, with why."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np

from fsw.packets import ccsds
from fsw.packets.schema import Field, TelemetryDef
from fsw.packets.timecode import FINE_PER_SECOND
from tools.dictionary import Dictionary
from tools.replay.index import RecordIndex
from tools.tlmlog import LogHeader, RecordType


def native(values: np.ndarray) -> np.ndarray:
    """A column in the machine's byte order (the packets' own arrays are big-endian views)."""
    return values.astype(values.dtype.newbyteorder("="), copy=False)


@dataclass
class PacketTable:
    """Every good packet of one telemetry type, in log order.

    `packets` is a numpy record array of the packets' bytes (bulk.dtype_of the layout: headers,
    fields, CRC); `record` is each packet's index in the log's good records.
    """

    definition: TelemetryDef
    packets: np.ndarray
    received_ns: np.ndarray
    record: np.ndarray

    @property
    def name(self) -> str:
        """The packet type's name."""
        return self.definition.name

    @property
    def fields(self) -> tuple[Field, ...]:
        """The packet type's fields, in wire order."""
        return self.definition.fields

    def __len__(self) -> int:
        return len(self.packets)

    @cached_property
    def time(self) -> np.ndarray:
        """Mission time of each packet from its time code, seconds since the mission epoch."""
        coarse = self.packets["time_coarse"].astype(np.float64)
        return coarse + self.packets["time_fine"] / FINE_PER_SECOND

    @cached_property
    def seq_count(self) -> np.ndarray:
        """Each packet's 14-bit sequence count."""
        return native(self.packets["sequence_control"]) & ccsds.SEQ_COUNT_MASK

    def column(self, name: str) -> np.ndarray:
        """One field's wire values, in the machine's byte order."""
        return native(self.packets[name])


@dataclass(frozen=True)
class Event:
    """One event packet, decoded; `args` shown as a person reads them (enums by name)."""

    record: int
    time: float
    received_ns: int
    seq_count: int
    name: str
    severity: str
    text: str
    args: dict[str, Any]


@dataclass(frozen=True)
class Command:
    """One uplinked command, decoded; `args` shown as a person reads them."""

    record: int
    received_ns: int
    seq_count: int
    name: str
    apid: int
    code: int
    args: dict[str, Any]


@dataclass(frozen=True)
class BadPacket:
    """A recorded packet that could not be used: its place, which way it went, and why."""

    record: int
    offset: int  # the record's byte offset in the file
    direction: RecordType
    received_ns: int
    apid: int | None  # from its header, when it has one
    reason: str  # a fsw.packets.reasons.Reason name
    message: str


@dataclass
class SeqCounts:
    """Downlink packets whose CRC held (so their headers can be trusted), in log order: what
    sequence-count gaps are measured on, per APID."""

    record: np.ndarray  # int64
    apid: np.ndarray  # int64
    seq_count: np.ndarray  # int64
    time: np.ndarray  # float64 mission time from the time code (NaN when too short to hold one)


@dataclass
class Replay:
    """A telemetry log, read and decoded with one dictionary."""

    path: Path
    size: int
    header: LogHeader
    dictionary: Dictionary
    records: RecordIndex
    telemetry: dict[str, PacketTable]
    events: list[Event]
    commands: list[Command]
    crc_errors: list[BadPacket]
    undecodable: list[BadPacket]
    idle: int
    seq_counts: SeqCounts
    intact: np.ndarray  # per record: the packet's length field and CRC hold, and it is not fill
    data: bytes = field(repr=False, default=b"")

    @property
    def dictionary_matches(self) -> bool:
        """Whether the log was recorded with the dictionary it is decoded with."""
        return self.header.dictionary == self.dictionary.fingerprint

    def packet(self, record: int) -> bytes:
        """The bytes of the packet in good record number `record`."""
        start = int(self.records.packet_offsets[record])
        return self.data[start : start + int(self.records.lengths[record])]
