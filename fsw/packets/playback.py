"""The playback envelope: a stored telemetry packet sent down again, marked as playback.

    primary header (6, TM, APID TLM_PLAYBACK) | playback time (CUC, 6) | original packet | CRC (2)

The original packet travels byte for byte (its own header, time code and CRC intact), so a packet
that reached the ground live and again in a playback is the same bytes twice: the ground keeps one.
The envelope's sequence count is its own (APID TLM_PLAYBACK), and its time is when it was sent.
Variable length, so it lives outside the fixed-layout catalog; flight and ground both use this.
Pure: bytes in, bytes or a PacketError out.
"""

from __future__ import annotations

from dataclasses import dataclass

import construct as cs

from fsw.packets import ccsds
from fsw.packets.crc import CRC_SIZE, append_crc
from fsw.packets.headers import TM_SECONDARY
from fsw.packets.integrity import DEFAULT_MAX_PACKET_SIZE, MIN_PACKET_SIZE, verify
from fsw.packets.reasons import PacketError, Reason
from fsw.packets.timecode import from_cuc, to_cuc

APID = 0x108
"""The envelope's APID (Apid.TLM_PLAYBACK in the tables)."""
_PACKET_ID = ccsds.packet_id(ccsds.PacketType.TELEMETRY, APID)
_HEAD = cs.Struct(*ccsds.HEADER_FIELDS, *TM_SECONDARY).compile()
HEADER_SIZE = _HEAD.sizeof()
OVERHEAD = HEADER_SIZE + CRC_SIZE
"""Bytes the envelope adds to the packet it carries (14)."""


@dataclass(frozen=True, slots=True)
class Envelope:
    """An envelope taken apart: its own sequence count and time, and the packet it carries."""

    seq_count: int
    time: float  # mission time the playback was sent (s since the epoch)
    packet: bytes


def room(max_packet_size: int = DEFAULT_MAX_PACKET_SIZE) -> int:
    """The largest packet an envelope of at most `max_packet_size` bytes can carry."""
    return max_packet_size - OVERHEAD


def wrap(
    packet: bytes, seq_count: int, time: float, max_packet_size: int = DEFAULT_MAX_PACKET_SIZE
) -> bytes:
    """The envelope carrying `packet` (a whole telemetry packet with its CRC), sent at `time`."""
    if not MIN_PACKET_SIZE <= len(packet) <= room(max_packet_size):
        raise ValueError(
            f"a packet of {len(packet)} bytes cannot be played back "
            f"({MIN_PACKET_SIZE}..{room(max_packet_size)} bytes fit an envelope)"
        )
    coarse, fine = to_cuc(time)
    total = OVERHEAD + len(packet)
    head = _HEAD.build(
        {
            "packet_id": _PACKET_ID,
            "sequence_control": ccsds.sequence_control(seq_count),
            "data_length": ccsds.data_length_for(total),
            "time_coarse": coarse,
            "time_fine": fine,
        }
    )
    return append_crc(head + packet)


def is_envelope(packet: bytes) -> bool:
    """Whether `packet`'s header names it a playback envelope (nothing else is checked)."""
    return len(packet) >= 2 and ((packet[0] << 8) | packet[1]) == _PACKET_ID


def unwrap(envelope: bytes, max_packet_size: int = DEFAULT_MAX_PACKET_SIZE) -> Envelope:
    """The parts of an envelope, or a PacketError saying why it is not a good one: the envelope
    and the packet inside are each checked whole (size, length field, CRC, header)."""
    verify(envelope, max_packet_size)
    if not is_envelope(envelope):
        apid = ccsds.apid_of(envelope)
        raise PacketError(Reason.BAD_HEADER, f"APID {apid:#05x} is not a playback envelope")
    inner = envelope[HEADER_SIZE:-CRC_SIZE]
    if len(inner) < MIN_PACKET_SIZE:
        raise PacketError(
            Reason.BAD_LENGTH,
            f"a playback envelope of {len(envelope)} bytes cannot hold a packet "
            f"(at least {OVERHEAD + MIN_PACKET_SIZE})",
        )
    try:
        word0 = verify(inner, max_packet_size)
    except PacketError as err:
        raise PacketError(err.reason, f"the packet played back: {err.message}") from None
    if word0 & ccsds.TYPE_BIT:
        raise PacketError(Reason.BAD_HEADER, "the packet played back is a telecommand")
    head = _HEAD.parse(envelope[:HEADER_SIZE])
    seq_count = head.sequence_control & ccsds.SEQ_COUNT_MASK
    return Envelope(seq_count, from_cuc(head.time_coarse, head.time_fine), bytes(inner))
