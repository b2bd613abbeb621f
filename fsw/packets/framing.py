"""COBS framing for byte streams (serial, TCP, pty): one packet per frame, 0x00 delimits frames.

Each frame is sent as 0x00, the COBS-encoded packet, 0x00: the leading delimiter ends whatever
noise came before, so a frame after line noise still arrives whole. The deframer is incremental
and I/O-free: bytes in; whole packets and counts of discarded bytes, by reason, out. It holds at
most one maximum-size frame and never raises.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from cobs import cobs

from fsw.packets import ccsds
from fsw.packets.integrity import DEFAULT_MAX_PACKET_SIZE, verify
from fsw.packets.reasons import PacketError, Reason

DELIMITER = 0x00


def frame(packet: bytes) -> bytes:
    """The frame that carries `packet` on a byte stream."""
    return b"\x00" + cobs.encode(packet) + b"\x00"


def max_encoded_size(max_packet_size: int) -> int:
    """The longest COBS encoding of a packet of at most `max_packet_size` bytes."""
    return max_packet_size + max_packet_size // 254 + 1


def _any_apid(_packet_type: ccsds.PacketType, _apid: int) -> bool:
    return True


@dataclass
class FeedResult:
    """What one chunk of bytes gave: whole packets, and bytes thrown away by reason."""

    packets: list[bytes] = field(default_factory=list)
    discarded: Counter[Reason] = field(default_factory=Counter)


class Deframer:
    """Turns a byte stream into verified packets: COBS, size, CRC, header and APID checked."""

    def __init__(
        self,
        max_packet_size: int = DEFAULT_MAX_PACKET_SIZE,
        accepts: Callable[[ccsds.PacketType, int], bool] = _any_apid,
    ) -> None:
        self.max_packet_size = max_packet_size
        self.max_frame = max_encoded_size(max_packet_size)
        self.accepts = accepts
        self.packets = 0
        self.good_bytes = 0
        self.idle_packets = 0  # link fill, dropped without counting an error
        self.discarded_bytes: Counter[Reason] = Counter()
        self.discarded_frames: Counter[Reason] = Counter()
        self._buffer = bytearray()
        self._skipping = False

    @property
    def buffered(self) -> int:
        """Bytes held for a frame that has not ended yet."""
        return len(self._buffer)

    def feed(self, data: bytes | bytearray | memoryview) -> FeedResult:
        """Packets completed by `data`, and what was discarded on the way."""
        result = FeedResult()
        data = bytes(data)
        start = 0
        while True:
            end = data.find(DELIMITER, start)
            if end < 0:
                self._hold(data[start:], result)
                return result
            chunk = data[start:end]
            start = end + 1
            if self._skipping:
                self._skipping = False
                self._discard(Reason.OVERSIZE, len(chunk), result, frames=0)
                continue
            if self._buffer:
                self._buffer += chunk
                chunk = bytes(self._buffer)
                self._buffer.clear()
            if chunk:
                self._frame(chunk, result)

    def reset(self) -> None:
        """Forget a partial frame (e.g. after the link was reopened); counters are kept."""
        self._buffer.clear()
        self._skipping = False

    def _hold(self, tail: bytes, result: FeedResult) -> None:
        if self._skipping:
            self._discard(Reason.OVERSIZE, len(tail), result, frames=0)
            return
        if len(self._buffer) + len(tail) > self.max_frame:  # never copied: it cannot be a frame
            self._discard(Reason.OVERSIZE, len(self._buffer) + len(tail), result)
            self._buffer.clear()
            self._skipping = True
        else:
            self._buffer += tail

    def _discard(self, reason: Reason, count: int, result: FeedResult, frames: int = 1) -> None:
        if count:
            result.discarded[reason] += count
            self.discarded_bytes[reason] += count
        self.discarded_frames[reason] += frames

    def _frame(self, encoded: bytes, result: FeedResult) -> None:
        reason = Reason.OK
        if len(encoded) > self.max_frame:
            reason = Reason.OVERSIZE
        else:
            try:
                packet = cobs.decode(encoded)
            except cobs.DecodeError:
                reason = Reason.BAD_FRAME
            else:
                reason = self._check(packet)
        if reason is Reason.OK:
            self.packets += 1
            self.good_bytes += len(encoded)
            result.packets.append(packet)
        elif reason is Reason.IDLE_PACKET:
            self.idle_packets += 1
            self.good_bytes += len(encoded)
        else:
            self._discard(reason, len(encoded), result)

    def _check(self, packet: bytes) -> Reason:
        try:
            word0 = verify(packet, self.max_packet_size)
        except PacketError as err:
            return err.reason
        is_tc = word0 & ccsds.TYPE_BIT
        packet_type = ccsds.PacketType.TELECOMMAND if is_tc else ccsds.PacketType.TELEMETRY
        if not self.accepts(packet_type, word0 & ccsds.APID_MASK):
            return Reason.UNKNOWN_APID
        return Reason.OK
