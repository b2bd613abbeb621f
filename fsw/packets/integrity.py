"""Is a packet whole and intact? The checks every receiver runs before looking inside a packet.

Pure: bytes in, word 0 or a PacketError with the reason out. The deframer and the decoder both
use it, so a link counter and a decode error always agree on why a packet was refused.
"""

from __future__ import annotations

from fsw.packets import ccsds
from fsw.packets.crc import CRC_SIZE, crc16
from fsw.packets.reasons import PacketError, Reason

DEFAULT_MAX_PACKET_SIZE = 1024
MIN_PACKET_SIZE = ccsds.HEADER_SIZE + 1 + CRC_SIZE  # a telecommand with no arguments


def verify(packet: bytes, max_packet_size: int = DEFAULT_MAX_PACKET_SIZE) -> int:
    """Word 0 of a packet that is whole and intact, or a PacketError saying why it is not.

    Size first, then the length field (so a truncated packet reads as BAD_LENGTH), then the CRC,
    then the idle APID (link fill: IDLE_PACKET, which receivers drop without counting an error),
    then the header's version, secondary-header flag and sequence flags.
    """
    n = len(packet)
    if n < MIN_PACKET_SIZE:
        raise PacketError(
            Reason.BAD_LENGTH,
            f"{n} bytes is shorter than the smallest packet ({MIN_PACKET_SIZE} bytes)",
        )
    if n > max_packet_size:
        raise PacketError(
            Reason.OVERSIZE,
            f"{n} bytes is over the maximum packet size ({max_packet_size} bytes)",
        )
    length = ccsds.length_of(packet)
    if length != n:
        raise PacketError(Reason.BAD_LENGTH, f"length field says {length} bytes, packet has {n}")
    if crc16(packet):
        got = int.from_bytes(packet[-CRC_SIZE:], "big")
        computed = crc16(packet[:-CRC_SIZE])
        raise PacketError(
            Reason.BAD_CRC, f"CRC mismatch: got 0x{got:04X}, computed 0x{computed:04X}"
        )
    word0 = (packet[0] << 8) | packet[1]
    if word0 & ccsds.APID_MASK == ccsds.IDLE_APID:
        raise PacketError(Reason.IDLE_PACKET, "idle packet (APID 2047): link fill, carries nothing")
    if word0 >> ccsds.VERSION_SHIFT:
        raise PacketError(
            Reason.BAD_HEADER, f"packet version {word0 >> ccsds.VERSION_SHIFT}, expected 0"
        )
    if not word0 & ccsds.SEC_HEADER_BIT:
        raise PacketError(
            Reason.BAD_HEADER, "secondary header flag is 0; every packet here has one"
        )
    flags = packet[2] >> 6
    if flags != ccsds.SEQ_UNSEGMENTED:
        raise PacketError(
            Reason.BAD_HEADER, f"sequence flags {flags}, expected 3: every packet here is whole"
        )
    return word0
