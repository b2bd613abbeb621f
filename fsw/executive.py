"""The executive: rate groups run at their periods on a clock, with load and overrun accounting.

Each group has its own period (the control loop at 10 Hz and housekeeping at 1 Hz by default) and
may be re-timed while running (housekeeping by command, the control loop while asleep). Groups due
at the same instant run in the order they were added.

The flight thread is the only one that runs flight code. Other threads (the radio's reader) hand
it work with call_soon(): the call is queued and the clock woken; the executive, whose wait is cut
short, runs the queued calls and goes back to waiting, so a command is handled within a
millisecond rather than at the next cycle. Calls still queued when a cycle is due run first. A
simulated clock never waits, so there the calls run at the start of the next cycle.
"""

from __future__ import annotations

import time
from collections import deque
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
        self.wakeups = 0
        self._busy_ns = 0
        self._origin_ns = clock.now_ns()
        self._window_start_ns = time.perf_counter_ns()
        self._stopped = False
        self._calls: deque[Callable[[], None]] = deque()

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

    def call_soon(self, call: Callable[[], None]) -> None:
        """Run `call` on the flight thread as soon as it is between cycles (from any thread;
        calls run in the order they were made)."""
        self._calls.append(call)  # deque.append is atomic: no lock
        self.clock.wake()

    def stop(self) -> None:
        """Finish the present cycle and return from run() (from any thread: wakes the clock)."""
        self._stopped = True
        self.clock.wake()

    def load(self) -> float:
        """Share (%) of wall time spent in the rate groups and queued calls since the last
        call (wall time over wall time, whatever the clock's rate); 0 on a clock whose waits take
        no time (there it would only measure the host's speed)."""
        now = time.perf_counter_ns()
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
            target = due if end_ns is None or due <= end_ns else end_ns
            if not clock.wait_until(target):  # woken early: run the calls, then wait again
                self.wakeups += 1
                self._run_calls()
                continue
            if target < due:  # `until` came before the next cycle
                return
            if self._calls:
                self._run_calls()
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

    def _run_calls(self) -> None:
        """Run the queued calls (their wall time counted as busy)."""
        calls, started = self._calls, time.perf_counter_ns()
        while calls:
            calls.popleft()()
        self._busy_ns += time.perf_counter_ns() - started

    def _skip_missed(self, now_ns: int) -> None:
        """Count a cycle that ran past a deadline, and drop the deadlines already missed."""
        for g in self.groups:
            if g.next_ns <= now_ns:
                self.overruns += 1
                missed = (now_ns - g.next_ns) // g.period_ns + 1
                g.next_ns += missed * g.period_ns
