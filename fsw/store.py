"""The onboard store: every telemetry packet the flight software sends is also kept here, within
a size in bytes, so that what the relay did not carry can be played back later.

Policy when full (said in the STORE_OVERFLOW event and counted in STORE telemetry):
- events and command verification reports ("precious") are kept before housekeeping;
- a packet that does not fit makes room by evicting the oldest housekeeping packets first, and
  only when no housekeeping is left, the oldest precious packets;
- a housekeeping packet never evicts a precious one: with no housekeeping left to evict, the new
  housekeeping packet is not kept (and counted as evicted housekeeping);
- a packet larger than the whole store is not kept (counted by its class).

Sizes count the packets' bytes. Each class is a deque of entry indices (oldest first) and entries
are a dict by index: adding and evicting are O(1), for days of six packets a second. Entries can
be queued for playback (`queue`/`unqueue`): the store keeps the count of queued entries exact,
even when one is evicted before its turn. Pure and I/O-free.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from fsw.packets import ccsds
from fsw.packets.timecode import FINE_PER_SECOND

DEFAULT_SIZE = 4 * 1024 * 1024
"""Default store size (bytes): about 60,000 packets, some three hours of telemetry."""
MIN_SIZE = 1024
"""The smallest store: it must hold at least one packet of the maximum size."""
MAX_SIZE = 0xFFFF_FFFF
"""The largest store STORE telemetry can state (its size is a u32)."""
_TIMED = ccsds.HEADER_SIZE + 6  # bytes up to the end of the time code


@dataclass(slots=True)
class Stored:
    """One stored packet, with what playback selects it by."""

    index: int  # position in the order packets were stored (never reused)
    time: float  # its time code (mission s)
    apid: int
    seq: int
    packet: bytes
    precious: bool  # an event or verification report: kept before housekeeping
    queued: int = 0  # playback jobs waiting to send it


def header_of(packet: bytes) -> tuple[float, int, int]:
    """(time, APID, sequence count) read from a telemetry packet's headers."""
    apid = ccsds.apid_of(packet)
    seq = ccsds.seq_count_of(packet)
    if len(packet) < _TIMED:
        return 0.0, apid, seq
    coarse = int.from_bytes(packet[6:10], "big")
    fine = (packet[10] << 8) | packet[11]
    return coarse + fine / FINE_PER_SECOND, apid, seq


class Store:
    """A bounded store of telemetry packets with the eviction policy of the module docstring."""

    def __init__(self, size: int = DEFAULT_SIZE) -> None:
        if size < MIN_SIZE:
            raise ValueError(f"store size {size} bytes is below the minimum {MIN_SIZE}")
        self.size = size
        self.used = 0  # bytes of packets held
        self._bytes = [0, 0]  # of them, by class: [housekeeping, precious]
        self.entries: dict[int, Stored] = {}
        self._order: tuple[deque[int], deque[int]] = (deque(), deque())  # housekeeping, precious
        self.evicted = [0, 0]  # packets lost, by class: [housekeeping, precious]
        self.overflowed = False  # whether any packet was lost since boot (or STORE_CLEAR)
        self.pending = 0  # queued entries still held (what playback has left to send)
        self._next = 0

    def __len__(self) -> int:
        return len(self.entries)

    @property
    def evicted_housekeeping(self) -> int:
        """Housekeeping packets lost to the size limit."""
        return self.evicted[0]

    @property
    def evicted_precious(self) -> int:
        """Events and verification reports lost to the size limit."""
        return self.evicted[1]

    def add(self, packet: bytes, precious: bool) -> Stored | None:
        """Keep `packet`, evicting as the policy says; the entry, or None if it was not kept."""
        n = len(packet)
        kind = int(precious)
        if n > self.size or (not precious and self.used - self._bytes[0] + n > self.size):
            self._lose(kind)  # no eviction could make room: lose this one, not older ones too
            return None
        while self.used + n > self.size:
            if self._order[0]:
                self._evict(0)
            elif precious:
                self._evict(1)
            else:  # housekeeping never pushes out an event
                self._lose(0)
                return None
        time, apid, seq = header_of(packet)
        entry = Stored(self._next, time, apid, seq, packet, precious)
        self._next += 1
        self.entries[entry.index] = entry
        self._order[kind].append(entry.index)
        self.used += n
        self._bytes[kind] += n
        return entry

    def _evict(self, kind: int) -> None:
        entry = self.entries.pop(self._order[kind].popleft())
        self.used -= len(entry.packet)
        self._bytes[kind] -= len(entry.packet)
        self.pending -= entry.queued
        self._lose(kind)

    def _lose(self, kind: int) -> None:
        self.evicted[kind] += 1
        self.overflowed = True

    def oldest(self) -> Stored | None:
        """The oldest packet held (None when empty)."""
        firsts = [self.entries[q[0]] for q in self._order if q]
        return min(firsts, key=lambda e: e.index) if firsts else None

    def select_time(self, start: float, end: float) -> list[int]:
        """Indices of the packets with start <= time code < end, in the order they were stored."""
        return [i for i, e in self.entries.items() if start <= e.time < end]

    def select_seq(self, apid: int, first: int, last: int) -> list[int]:
        """Indices of the packets of `apid` with first <= sequence count <= last, in the order
        they were stored (after a wrap the store may hold two packets with one count: both)."""
        return [i for i, e in self.entries.items() if e.apid == apid and first <= e.seq <= last]

    def queue(self, index: int) -> bool:
        """Mark an entry as waiting for playback; False if it is no longer held."""
        entry = self.entries.get(index)
        if entry is None:
            return False
        entry.queued += 1
        self.pending += 1
        return True

    def unqueue(self, index: int) -> Stored | None:
        """Take an entry off the playback queue (sent or aborted); None if it was evicted."""
        entry = self.entries.get(index)
        if entry is not None:
            entry.queued -= 1
            self.pending -= 1
        return entry

    def clear(self) -> int:
        """Drop every packet (STORE_CLEAR) and start counting afresh; how many were dropped."""
        dropped = len(self.entries)
        self.entries.clear()
        for q in self._order:
            q.clear()
        self.used = self.pending = 0
        self._bytes = [0, 0]
        self.evicted = [0, 0]
        self.overflowed = False
        return dropped
