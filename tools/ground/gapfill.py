"""Which downlink packets the ground is still missing, live, and the PLAYBACK_SEQ requests that
fetch them from the rover's store: the ground's half of store and forward on a lossy relay.

Sequence counts are 14 bits per APID and wrap at 16384. A count ahead of the next expected one
(by less than half the circle) marks the ones skipped as missing; a count behind it fills a gap
if it was missing (a playback) and is otherwise a duplicate. Each missing count also remembers
the time codes of the packets either side of it, so the gaps of every APID can be fetched with
a few PLAYBACK_TIME windows: the downlink is thousands of times faster than the 125 bit/s
uplink, so replaying a little too much costs far less than one command per gap. Pure.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from fsw.packets.ccsds import SEQ_COUNT_MODULO

HALF = SEQ_COUNT_MODULO // 2


@dataclass
class _Apid:
    next: int  # the count expected next
    last_time: float  # time code of the newest packet
    first_time: float  # and of the first heard
    missing: dict[int, tuple[float, float]] = field(default_factory=dict)  # count -> between


class GapTracker:
    """Missing sequence counts per APID, from every packet received (live or played back)."""

    def __init__(self) -> None:
        self._apids: dict[int, _Apid] = {}
        self.duplicates = 0

    def saw(self, apid: int, seq: int, time: float = 0.0) -> None:
        """A packet of `apid` with count `seq` and time code `time` arrived."""
        state = self._apids.get(apid)
        if state is None:
            self._apids[apid] = _Apid((seq + 1) % SEQ_COUNT_MODULO, time, time)
            return
        ahead = (seq - state.next) % SEQ_COUNT_MODULO
        if ahead < HALF:  # new: everything between was skipped
            for k in range(ahead):
                state.missing[(state.next + k) % SEQ_COUNT_MODULO] = (state.last_time, time)
            state.next = (seq + 1) % SEQ_COUNT_MODULO
            state.last_time = time
        elif state.missing.pop(seq, None) is None:
            self.duplicates += 1

    def missing(self, apid: int | None = None) -> int:
        """How many counts are missing (of one APID, or of all)."""
        if apid is not None:
            state = self._apids.get(apid)
            return len(state.missing) if state else 0
        return sum(len(s.missing) for s in self._apids.values())

    def ranges(self, apid: int) -> list[tuple[int, int]]:
        """The missing counts of `apid` as inclusive (first, last) ranges, oldest first, none
        crossing the wrap (PLAYBACK_SEQ takes first <= last)."""
        state = self._apids.get(apid)
        if state is None or not state.missing:
            return []
        # oldest first: by distance behind the next expected count
        order = sorted(state.missing, key=lambda s: (s - state.next) % SEQ_COUNT_MODULO)
        out: list[tuple[int, int]] = []
        for s in order:
            if out and s == out[-1][1] + 1:
                out[-1] = (out[-1][0], s)
            else:
                out.append((s, s))
        return out

    def apids(self) -> list[int]:
        """The APIDs with something missing."""
        return sorted(a for a, s in self._apids.items() if s.missing)

    def edges(self) -> tuple[float, float]:
        """Where losses leave no gap to see: before the latest first packet of any APID (a
        lost first packet), and after the earliest newest one (a lost last packet)."""
        states = self._apids.values()
        first = max((s.first_time for s in states), default=0.0)
        last = min((s.last_time for s in states), default=0.0)
        return first, last

    def windows(self, merge: float) -> list[tuple[float, float]]:
        """Time windows (start, end), both inclusive, holding every missing packet of every
        APID; windows less than `merge` seconds apart are joined."""
        spans = sorted(b for s in self._apids.values() for b in s.missing.values())
        out: list[tuple[float, float]] = []
        for start, end in spans:
            if out and start - out[-1][1] <= merge:
                out[-1] = (out[-1][0], max(out[-1][1], end))
            else:
                out.append((start, end))
        return out
