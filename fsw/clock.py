"""Mission time: a simulated clock that jumps to each deadline (as fast as the CPU allows, the same
run every time) and a real-time clock that waits for the wall clock.

Both count integer nanoseconds since the mission epoch, so a day of 10 Hz cycles lands exactly on
its deadlines with no floating-point drift. The real-time clock's wait can be cut short from
another thread (`wake()`, when the radio has uplink bytes), so a command is handled at once rather
than at the next cycle; the simulated clock never waits, so it has nothing to interrupt.
"""

from __future__ import annotations

import math
import threading
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

    def wait_until(self, deadline_ns: int) -> bool:
        """Return at `deadline_ns` (at once if it has passed): True; or earlier, False, when
        wake() was called meanwhile (or before, since the last early return)."""
        ...

    def wake(self) -> None:
        """Cut the present or next wait short (thread-safe)."""
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

    def wait_until(self, deadline_ns: int) -> bool:
        """Jump to the deadline; time never runs backwards."""
        self._ns = max(self._ns, deadline_ns)
        return True

    def wake(self) -> None:
        """Nothing to do: a simulated wait takes no time."""


class RealTimeClock:
    """Mission time paced by the wall clock (monotonic, so a clock step does not disturb it),
    `rate` mission seconds per wall second (10: rehearse a drive ten times faster)."""

    measures_load = True

    def __init__(self, start: float | None = None, rate: float = 1.0) -> None:
        """Start at mission time `start`, or at the mission time of the wall clock now."""
        if not (math.isfinite(rate) and rate > 0):
            raise ValueError(f"time scale {rate} must be a positive number")
        begin = time.time() - MISSION_EPOCH.timestamp() if start is None else start
        self.rate = rate
        self._start_ns = to_ns(begin)
        self._wall0 = time.monotonic_ns()
        self._woken = threading.Event()

    def now_ns(self) -> int:
        """Mission time now (ns)."""
        wall = time.monotonic_ns() - self._wall0
        return self._start_ns + (wall if self.rate == 1.0 else round(wall * self.rate))

    def now(self) -> float:
        """Mission time now (s)."""
        return self.now_ns() / NS

    def wait_until(self, deadline_ns: int) -> bool:
        """Sleep until the deadline (True), or until wake() is called (False)."""
        while (left := deadline_ns - self.now_ns()) > 0:
            if self._woken.wait(left / self.rate / NS):
                self._woken.clear()  # before the caller looks for work: a later wake() counts
                return False
        return True

    def wake(self) -> None:
        """Cut the present or next wait short (thread-safe; the radio's reader calls it)."""
        self._woken.set()
