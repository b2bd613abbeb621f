"""Mission time: a simulated clock that jumps to each deadline (as fast as the CPU allows, the same
run every time) and a real-time clock that waits for the wall clock.

Both count integer nanoseconds since the mission epoch, so a day of 10 Hz cycles lands exactly on
its deadlines with no floating-point drift.
"""

from __future__ import annotations

import time
from typing import Protocol

from fsw.packets.timecode import MISSION_EPOCH

NS = 1_000_000_000


def to_ns(seconds: float) -> int:
    """Seconds as whole nanoseconds."""
    return round(seconds * NS)


class Clock(Protocol):
    """What the executive and the hardware read mission time from."""

    measures_load: bool  # whether wall time spent in the rate groups means anything

    def now_ns(self) -> int:
        """Mission time now, in nanoseconds since the epoch."""
        ...

    def now(self) -> float:
        """Mission time now, in seconds since the epoch."""
        ...

    def wait_until(self, deadline_ns: int) -> None:
        """Return at `deadline_ns` (or at once if it has passed)."""
        ...


class SimClock:
    """Simulated time: waiting is instant, so a run takes only the CPU time it needs."""

    measures_load = False

    def __init__(self, start: float = 0.0) -> None:
        self._ns = to_ns(start)

    def now_ns(self) -> int:
        """Mission time now (ns)."""
        return self._ns

    def now(self) -> float:
        """Mission time now (s)."""
        return self._ns / NS

    def wait_until(self, deadline_ns: int) -> None:
        """Jump to the deadline; time never runs backwards."""
        self._ns = max(self._ns, deadline_ns)


class RealTimeClock:
    """Mission time paced by the wall clock (monotonic, so a clock step does not disturb it)."""

    measures_load = True

    def __init__(self, start: float | None = None) -> None:
        """Start at mission time `start`, or at the mission time of the wall clock now."""
        begin = time.time() - MISSION_EPOCH.timestamp() if start is None else start
        self._offset = to_ns(begin) - time.monotonic_ns()

    def now_ns(self) -> int:
        """Mission time now (ns)."""
        return time.monotonic_ns() + self._offset

    def now(self) -> float:
        """Mission time now (s)."""
        return self.now_ns() / NS

    def wait_until(self, deadline_ns: int) -> None:
        """Sleep until the deadline."""
        while (left := deadline_ns - self.now_ns()) > 0:
            time.sleep(left / NS)
