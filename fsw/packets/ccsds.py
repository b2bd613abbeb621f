"""CCSDS Space Packet primary header (CCSDS 133.0-B-2), as three big-endian words with bit masks.

    word 0, packet_id:        version (3 bits, 0) | type (1; 1 = TC) | sec. header (1) | APID (11)
    word 1, sequence_control: sequence flags (2; 3 = unsegmented) | sequence count (14, mod 16384)
    word 2, data_length:      total packet length - 7

Byte-aligned words keep every packet Struct compilable by construct (BitStruct does not compile).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

import construct as cs

HEADER_SIZE = 6
VERSION = 0
MAX_APID = 0x7FF
IDLE_APID = 0x7FF
SEQ_COUNT_MODULO = 1 << 14
SEQ_UNSEGMENTED = 0b11


@dataclass(frozen=True)
class BitField:
    """A field packed into one of the header words: (word >> shift) & mask."""

    name: str
    word: str
    shift: int
    mask: int


BIT_FIELDS: tuple[BitField, ...] = (
    BitField("version", "packet_id", 13, 0x7),
    BitField("type", "packet_id", 12, 0x1),
    BitField("secondary_header_flag", "packet_id", 11, 0x1),
    BitField("apid", "packet_id", 0, 0x7FF),
    BitField("sequence_flags", "sequence_control", 14, 0x3),
    BitField("sequence_count", "sequence_control", 0, 0x3FFF),
)
"""The primary header's bit fields, declared once; the constants below and the dictionary are
derived from this table."""

_BITS = {b.name: b for b in BIT_FIELDS}
VERSION_SHIFT = _BITS["version"].shift
TYPE_BIT = _BITS["type"].mask << _BITS["type"].shift
SEC_HEADER_BIT = _BITS["secondary_header_flag"].mask << _BITS["secondary_header_flag"].shift
APID_MASK = _BITS["apid"].mask
SEQ_FLAGS_SHIFT = _BITS["sequence_flags"].shift
SEQ_COUNT_MASK = _BITS["sequence_count"].mask


class PacketType(IntEnum):
    """The type bit: what a packet is."""

    TELEMETRY = 0
    TELECOMMAND = 1


HEADER_FIELDS: tuple[cs.Subconstruct, ...] = (
    "packet_id" / cs.Int16ub,
    "sequence_control" / cs.Int16ub,
    "data_length" / cs.Int16ub,
)
"""The primary header as construct fields, spliced at the start of every packet's Struct."""


@dataclass(frozen=True, slots=True)
class Header:
    """A primary header with its bit fields separated."""

    version: int
    packet_type: PacketType
    secondary_header: bool
    apid: int
    seq_flags: int
    seq_count: int
    data_length: int

    @property
    def packet_length(self) -> int:
        """Total packet length in bytes that the data length field announces."""
        return self.data_length + 7


def packet_id(packet_type: PacketType, apid: int, secondary_header: bool = True) -> int:
    """Word 0 for a packet type and APID (version 0)."""
    if not 0 <= apid <= MAX_APID:
        raise ValueError(f"APID {apid} is outside 0..{MAX_APID}")
    return (
        (VERSION << VERSION_SHIFT)
        | (TYPE_BIT if packet_type == PacketType.TELECOMMAND else 0)
        | (SEC_HEADER_BIT if secondary_header else 0)
        | apid
    )


def sequence_control(seq_count: int, seq_flags: int = SEQ_UNSEGMENTED) -> int:
    """Word 1: sequence flags and the count, which wraps modulo 16384."""
    return (seq_flags << SEQ_FLAGS_SHIFT) | (seq_count % SEQ_COUNT_MODULO)


def split(word0: int, word1: int, word2: int) -> Header:
    """The bit fields of the three header words."""
    return Header(
        version=word0 >> VERSION_SHIFT,
        packet_type=PacketType((word0 >> 12) & 1),
        secondary_header=bool(word0 & SEC_HEADER_BIT),
        apid=word0 & APID_MASK,
        seq_flags=word1 >> SEQ_FLAGS_SHIFT,
        seq_count=word1 & SEQ_COUNT_MASK,
        data_length=word2,
    )


def peek(packet: bytes) -> Header:
    """The primary header at the start of `packet` (at least 6 bytes)."""
    if len(packet) < HEADER_SIZE:
        raise ValueError(f"{len(packet)} bytes is shorter than a primary header ({HEADER_SIZE})")
    return split(
        (packet[0] << 8) | packet[1], (packet[2] << 8) | packet[3], (packet[4] << 8) | packet[5]
    )


def apid_of(packet: bytes) -> int:
    """The APID of a packet (its first two bytes at least), without checking anything."""
    return ((packet[0] << 8) | packet[1]) & APID_MASK


def seq_count_of(packet: bytes) -> int:
    """The sequence count of a packet (its first four bytes at least), without checking."""
    return ((packet[2] << 8) | packet[3]) & SEQ_COUNT_MASK


def length_of(data: bytes, at: int = 0) -> int:
    """The total length its length field gives the packet starting at `data[at]` (unchecked)."""
    return ((data[at + 4] << 8) | data[at + 5]) + 7


def data_length_for(total_length: int) -> int:
    """The data length field for a packet of `total_length` bytes."""
    return total_length - 7
