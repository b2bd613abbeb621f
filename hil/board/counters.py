"""What crossed a board link, and how long the round trips took: the numbers HW_LINK reports."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

RTT_KEPT = 4096
"""Round trips kept for their distribution (the benchmark reads them)."""


@dataclass
class LinkCounters:
    """Counts since the link started, and round trips (s) since the board last connected.
    Each counter is written by the link's thread only."""

    frames_sent: int = 0
    frames_received: int = 0
    crc_errors: int = 0
    bad_frames: int = 0
    rejects: int = 0
    timeouts: int = 0
    connects: int = 0
    board_reboots: int = 0
    board_rx_errors: int = 0  # as the board last reported it
    rtts: deque[float] = field(default_factory=lambda: deque(maxlen=RTT_KEPT))
    rtt_last: float = 0.0
    rtt_max: float = 0.0
    _rtt_sum: float = 0.0
    _rtt_count: int = 0

    def answered(self, rtt: float) -> None:
        """A setpoint was answered `rtt` seconds after it was written."""
        self.rtts.append(rtt)
        self.rtt_last = rtt
        self.rtt_max = max(self.rtt_max, rtt)
        self._rtt_sum += rtt
        self._rtt_count += 1

    def new_link(self) -> None:
        """A board (re)connected: round-trip statistics start afresh."""
        self.rtt_last = self.rtt_max = self._rtt_sum = 0.0
        self._rtt_count = 0
        self.rtts.clear()

    @property
    def rtt_mean(self) -> float:
        """Mean round trip (s) since the board connected; 0 before any."""
        return self._rtt_sum / self._rtt_count if self._rtt_count else 0.0
