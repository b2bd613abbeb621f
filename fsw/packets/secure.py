"""The authenticated envelope a command (or a telemetry packet) travels in: the fields CCSDS SDLS
adds for authentication (a security header with the key's SPI and an anti-replay sequence number,
and a truncated MAC trailer), carried here around a space packet because this link has no transfer
frames.

    primary header (6, TC, APID CMD_SECURE) | SPI u16 | SN u64 | command packet | MAC (16) | CRC (2)
    primary header (6, TM, APID TLM_SECURE) | SPI u16 | SN u64 | telemetry pkt  | MAC (16) | CRC (2)

The downlink's envelope is the same layout with its own APID, packet type, key and sequence
numbers (fsw.downlink_auth), so a MAC made for one direction is never valid in the other.

The MAC is HMAC-SHA256 over everything before it (primary header, security header, command),
truncated to its first 128 bits as SDLS truncates MACs. The outer CRC lets every receiver drop
line noise as a bad CRC before security judges anything, so bit errors are never "forgeries".
Pure: bytes and keys in, bytes or a PacketError out.
"""

from __future__ import annotations

import hashlib
import hmac
import struct
from collections.abc import Callable
from dataclasses import dataclass

import construct as cs

from fsw.packets import ccsds
from fsw.packets.crc import CRC_SIZE, append_crc
from fsw.packets.integrity import MIN_PACKET_SIZE
from fsw.packets.reasons import PacketError, Reason

APID = 0x0F0
"""The envelope's APID (Apid.CMD_SECURE in the tables)."""
TM_APID = 0x10C
"""The telemetry envelope's APID (Apid.TLM_SECURE in the tables)."""
_TM_PACKET_ID = ccsds.packet_id(ccsds.PacketType.TELEMETRY, TM_APID)
_TC_PACKET_ID = ccsds.packet_id(ccsds.PacketType.TELECOMMAND, APID)
KEY_SIZE = 32
"""Bytes of key: HMAC-SHA256 keys as long as the hash."""
MAC_SIZE = 16
"""Bytes of MAC kept: HMAC-SHA256 truncated to 128 bits."""
MAX_SN = (1 << 64) - 1

SECURITY_HEADER: tuple[cs.Subconstruct, ...] = ("spi" / cs.Int16ub, "sn" / cs.Int64ub)
"""What SDLS puts before the data: which security association (key), and the sequence number."""
_HEAD = cs.Struct(*ccsds.HEADER_FIELDS, *SECURITY_HEADER).compile()
HEADER_SIZE = _HEAD.sizeof()
_PACK_HEAD = struct.Struct(">HHHHQ").pack
_UNPACK_SECURITY = struct.Struct(">HQ").unpack_from
assert struct.calcsize(">HHHHQ") == HEADER_SIZE
OVERHEAD = HEADER_SIZE + MAC_SIZE + CRC_SIZE
"""Bytes the envelope adds to a command (34)."""


@dataclass(frozen=True, slots=True)
class Envelope:
    """An envelope taken apart (its CRC held; the MAC not yet judged)."""

    spi: int
    sn: int
    seq_count: int
    command: bytes
    signed: bytes  # the bytes the MAC covers
    mac: bytes


def mac(key: bytes, data: bytes) -> bytes:
    """The truncated HMAC-SHA256 of `data` under `key`."""
    return hmac.new(key, data, hashlib.sha256).digest()[:MAC_SIZE]


MacOf = Callable[[bytes], bytes]
"""mac(key, data) as a function of data, for one key."""


def keyed_mac(key: bytes) -> MacOf:
    """mac(key, ·) with the key's HMAC state made once and copied per packet (about half the
    cost of mac() for a telemetry packet: the downlink seals and verifies every one)."""
    base = hmac.new(key, digestmod=hashlib.sha256)

    def mac_of(data: bytes) -> bytes:
        h = base.copy()
        h.update(data)
        return h.digest()[:MAC_SIZE]

    return mac_of


def seal(
    command: bytes, key: bytes | MacOf, spi: int, sn: int, *, telemetry: bool = False
) -> bytes:
    """The envelope carrying `command` (a whole packet with its CRC), signed with `key` (or a
    keyed_mac of it);
    `telemetry`: a telemetry envelope (APID TLM_SECURE) around a telemetry packet.

    The envelope's sequence count is the packet's, so a report about either names the same."""
    if not 0 <= spi <= 0xFFFF:
        raise ValueError(f"SPI {spi} does not fit in 16 bits")
    if not 1 <= sn <= MAX_SN:
        raise ValueError(f"sequence number {sn} is outside 1..2**64-1")
    total = OVERHEAD + len(command)
    if total > 0xFFFF + 7:
        raise ValueError(f"a packet of {len(command)} bytes is too long for an envelope")
    word0 = _TM_PACKET_ID if telemetry else _TC_PACKET_ID
    word1 = ccsds.sequence_control(ccsds.seq_count_of(command))
    # struct, not construct: this runs for every telemetry packet (same bytes as _HEAD)
    header = _PACK_HEAD(word0, word1, ccsds.data_length_for(total), spi, sn)
    signed = header + command
    return append_crc(signed + (key(signed) if callable(key) else mac(key, signed)))


def is_telemetry_envelope(packet: bytes) -> bool:
    """Whether `packet`'s header names it a telemetry envelope (nothing else is checked)."""
    return len(packet) >= 2 and ((packet[0] << 8) | packet[1]) == _TM_PACKET_ID


def unseal(packet: bytes) -> Envelope:
    """An envelope's parts, from a packet whose size, CRC and header the deframer checked.

    A PacketError (BAD_LENGTH) when it is too short to hold a command."""
    if len(packet) < OVERHEAD + MIN_PACKET_SIZE:
        raise PacketError(
            Reason.BAD_LENGTH,
            f"an authenticated envelope of {len(packet)} bytes cannot hold a command "
            f"(at least {OVERHEAD + MIN_PACKET_SIZE})",
        )
    spi, sn = _UNPACK_SECURITY(packet, ccsds.HEADER_SIZE)  # struct: every telemetry packet
    end = len(packet) - CRC_SIZE - MAC_SIZE
    seq_count = ccsds.seq_count_of(packet)
    return Envelope(
        spi,
        sn,
        seq_count,
        packet[HEADER_SIZE:end],
        packet[:end],
        packet[end : end + MAC_SIZE],
    )


def authentic(envelope: Envelope, key: bytes | MacOf) -> bool:
    """Whether the envelope's MAC is the one `key` (or a keyed_mac of it) gives (compared in
    constant time)."""
    expected = key(envelope.signed) if callable(key) else mac(key, envelope.signed)
    return hmac.compare_digest(envelope.mac, expected)
