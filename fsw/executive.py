"""The executive: rate groups run at their periods on a clock, with load and overrun accounting.

Each group has its own period (the control loop at 10 Hz and housekeeping at 1 Hz by default) and
may be re-timed while running (housekeeping by command, the control loop while asleep). Groups due
at the same instant run in the order they were added.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from fsw.clock import Clock, to_ns


@dataclass(slots=True)
class RateGroup:
    """A function run every `period_ns`."""

    name: str
    period_ns: int
    run: Callable[[], None]
    next_ns: int = 0


class Executive:
    """Runs rate groups on a clock until told to stop."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.groups: list[RateGroup] = []
        self.overruns = 0
        self.cycles = 0
        self._busy_ns = 0
        self._origin_ns = self._window_start_ns = clock.now_ns()
        self._stopped = False

    def _next_due(self, period_ns: int) -> int:
        """The first instant after now on the grid of `period_ns` from the executive's start:
        groups whose periods are multiples of each other stay in step."""
        elapsed = self.clock.now_ns() - self._origin_ns
        return self._origin_ns + (elapsed // period_ns + 1) * period_ns

    def add(self, name: str, period: float, run: Callable[[], None]) -> RateGroup:
        """Add a rate group, first due one period from now."""
        period_ns = to_ns(period)
        if period_ns <= 0:
            raise ValueError(f"rate group {name}: period must be positive")
        group = RateGroup(name, period_ns, run, self._next_due(period_ns))
        self.groups.append(group)
        return group

    def retime(self, group: RateGroup, period: float) -> None:
        """Run `group` every `period` s from now on (next due on the new period's grid)."""
        group.period_ns = to_ns(period)
        group.next_ns = self._next_due(group.period_ns)

    def stop(self) -> None:
        """Finish the present cycle and return from run()."""
        self._stopped = True

    def load(self) -> float:
        """Share (%) of wall time spent in the rate groups since the last call; 0 on a clock
        whose waits take no time (there it would only measure the host's speed)."""
        now = self.clock.now_ns()
        elapsed = now - self._window_start_ns
        busy, self._busy_ns, self._window_start_ns = self._busy_ns, 0, now
        if not self.clock.measures_load or elapsed <= 0:
            return 0.0
        return min(100.0, 100.0 * busy / elapsed)

    def run(self, until: float | None = None) -> None:
        """Run cycles until stop() or mission time `until` (s) has been reached."""
        self._stopped = False
        end_ns = None if until is None else to_ns(until)
        clock, groups = self.clock, self.groups
        measure = clock.measures_load
        while not self._stopped:
            due = min(g.next_ns for g in groups)
            if end_ns is not None and due > end_ns:
                clock.wait_until(end_ns)
                return
            clock.wait_until(due)
            started = time.perf_counter_ns() if measure else 0
            now = clock.now_ns() if measure else due  # a real clock wakes a little late
            for g in groups:
                if g.next_ns <= now:
                    g.next_ns += g.period_ns
                    g.run()
            self.cycles += 1
            if measure:
                self._busy_ns += time.perf_counter_ns() - started
                self._skip_missed(clock.now_ns())

    def _skip_missed(self, now_ns: int) -> None:
        """Count a cycle that ran past a deadline, and drop the deadlines already missed."""
        for g in self.groups:
            if g.next_ns <= now_ns:
                self.overruns += 1
                missed = (now_ns - g.next_ns) // g.period_ns + 1
                g.next_ns += missed * g.period_ns
