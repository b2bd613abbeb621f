"""Live and played-back telemetry merged into one stream without duplicates.

The rover plays stored packets back inside envelopes (fsw.packets.playback) that carry the
original bytes, so a packet heard live and again in a playback is the same bytes twice. The
merger unwraps envelopes and remembers a bounded number of the intact packets it has let through
(a 64-bit hash of their bytes, oldest forgotten first): the same bytes again are a duplicate.
Damaged packets are never taken for duplicates: they are evidence, and kept. Pure, no I/O.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from fsw.packets import ccsds, playback
from fsw.packets.crc import crc16
from fsw.packets.reasons import PacketError

MEMORY = 1 << 18
"""Packets remembered (about 12 hours of telemetry at six a second; the onboard store holds
about 60,000 by default, so anything it can play back is still remembered)."""


@dataclass(frozen=True, slots=True)
class Admitted:
    """What the merger made of one received packet."""

    packet: bytes  # what to record and decode: the played-back packet, unwrapped
    playback: bool  # it came in a playback envelope (or from a log's playback record)
    fresh: bool  # not a duplicate of a packet already let through
    error: PacketError | None = None  # an envelope that could not be unwrapped, and why


class Merger:
    """Unwraps playback envelopes and lets each intact packet through once."""

    def __init__(self, memory: int = MEMORY) -> None:
        if memory < 1:
            raise ValueError(f"a merger remembers at least one packet, not {memory}")
        self.memory = memory
        self.duplicates = 0  # packets dropped as already seen
        self.played = 0  # played-back packets let through
        self._seen: set[int] = set()
        self._order: deque[int] = deque()

    def __len__(self) -> int:
        return len(self._order)

    def admit(self, packet: bytes, played: bool = False) -> Admitted:
        """The packet to use, whether it is a playback, and whether it is new."""
        if playback.is_envelope(packet):
            try:
                packet = playback.unwrap(packet).packet
            except PacketError as err:
                return Admitted(packet, False, True, err)
            played = True
        fresh = self.remember(packet)
        if not fresh:
            self.duplicates += 1
        elif played:
            self.played += 1
        return Admitted(packet, played, fresh)

    def remember(self, packet: bytes) -> bool:
        """Note an intact packet as seen; False if it was seen already (damaged ones: True)."""
        if not _intact(packet):
            return True
        key = hash(packet)
        if key in self._seen:
            return False
        self._seen.add(key)
        self._order.append(key)
        if len(self._order) > self.memory:
            self._seen.discard(self._order.popleft())
        return True


def _intact(packet: bytes) -> bool:
    return len(packet) >= 8 and ccsds.length_of(packet) == len(packet) and not crc16(packet)
