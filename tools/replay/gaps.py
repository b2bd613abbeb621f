"""Sequence-count gaps per APID: how many downlink packets never arrived, and where.

The count is 14 bits and wraps at 16384, so 16383 followed by 0 is no gap. A jump to 0 with a
BOOTED event in between (by packet time) is the flight software restarting its counters, not a
loss. Only packets whose CRC held are counted on (a bad CRC means the header cannot be trusted),
so a packet received with a bad CRC also shows as a gap of one.

Each APID's packets are put in packet-time order first (ties by sequence count, read across the
wrap), so packets the rover played back after an outage fill the gaps the outage left, wherever
they are in the log. The recorder merges live and played-back packets without duplicates; a
duplicate in an older log counts as a repeat, never as a gap.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from fsw.packets import ccsds
from tools.replay.model import Replay

FIRST_GAPS = 5
"""Gaps listed per APID (the rest are counted)."""


@dataclass(frozen=True)
class Gap:
    """Packets missing between two received packets of one APID."""

    after_seq: int
    next_seq: int
    missing: int
    after_time: float  # mission time of the packet before the gap
    next_time: float  # and of the packet after it


@dataclass
class ApidSequence:
    """What the sequence counts of one APID say."""

    apid: int
    name: str
    packets: int
    missing: int = 0
    gap_count: int = 0
    restarts: int = 0  # counters restarted by a reboot
    repeats: int = 0  # the same count twice in a row (a duplicate or a replayed packet)
    gaps: list[Gap] = field(default_factory=list)  # the first FIRST_GAPS


def apid_names(replay: Replay) -> dict[int, str]:
    """A name for each APID the dictionary knows."""
    catalog = replay.dictionary.catalog
    names = {t.apid: t.name for t in catalog.telemetry}
    names[catalog.event_apid] = "events"
    return names


def sequences(replay: Replay, first: int = FIRST_GAPS) -> list[ApidSequence]:
    """Gaps, restarts and repeats of every downlink APID, lowest APID first."""
    seq = replay.seq_counts
    boots = np.array(sorted(e.time for e in replay.events if e.name == "BOOTED"), dtype=float)
    names = apid_names(replay)
    out = []
    for apid in np.unique(seq.apid).tolist():
        mine = np.flatnonzero(seq.apid == apid)
        mine = mine[_time_order(seq.time[mine], seq.seq_count[mine], seq.record[mine])]
        count, time = seq.seq_count[mine], seq.time[mine]
        result = ApidSequence(apid, names.get(apid, f"APID {apid}"), len(count))
        step = (count[1:] - count[:-1]) % ccsds.SEQ_COUNT_MODULO
        era = np.searchsorted(boots, time, "right")  # BOOTED events at or before each packet
        booted = era[1:] > era[:-1]
        restart = (count[1:] == 0) & (step != 1) & booted
        gap = (step > 1) & ~restart
        result.restarts = int(restart.sum())
        result.repeats = int((step == 0).sum())
        result.gap_count = int(gap.sum())
        result.missing = int((step[gap] - 1).sum())
        for i in np.flatnonzero(gap)[:first].tolist():
            result.gaps.append(
                Gap(
                    int(count[i]),
                    int(count[i + 1]),
                    int(step[i]) - 1,
                    float(time[i]),
                    float(time[i + 1]),
                )
            )
        out.append(result)
    return out


def _time_order(time: np.ndarray, count: np.ndarray, record: np.ndarray) -> np.ndarray:
    """The order of one APID's packets by packet time; packets of the same time by sequence
    count (a same-time group whose counts span more than half the circle straddles the wrap, and
    is ordered from the far side: 16383 before 0); no time code (NaN): last, in log order."""
    by_time = np.lexsort((record, time))
    if not len(by_time):
        return by_time
    t, c = time[by_time], count[by_time]
    starts = np.ones(len(t), dtype=bool)
    starts[1:] = t[1:] != t[:-1]
    group = np.cumsum(starts) - 1
    at = np.flatnonzero(starts)
    half = ccsds.SEQ_COUNT_MODULO // 2
    wraps = (np.maximum.reduceat(c, at) - np.minimum.reduceat(c, at)) > half
    key = np.where(wraps[group], (c + half) % ccsds.SEQ_COUNT_MODULO, c)
    return by_time[np.lexsort((key, group))]
