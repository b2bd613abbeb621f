"""The executive: rate groups run at their periods on a clock, with load and overrun accounting.

Each group has its own period (the control loop at 10 Hz and housekeeping at 1 Hz by default) and
may be re-timed while running (housekeeping by command, the control loop while asleep). Groups due
at the same instant run in the order they were added.

The flight thread is the only one that runs flight code. Other threads hand it work in two ways:
call_soon() queues a call and wakes the clock; and `intake`, a function the flight software sets,
does one bounded slice of waiting uplink work and says whether it may do more now (its inbox and
per-cycle budget are its own). Woken early, the executive runs the queued calls and intake slices
until intake has nothing more or the next cycle is due, so a command is handled within a
millisecond, yet no flood can hold a cycle back by more than one slice. A simulated clock never
waits, so there the calls and intake run at the start of the next cycle.

On the real-time clock each cycle's lateness (how long after its deadline it started) is kept,
last and worst, and every deadline that passed while the flight thread was busy counts as an
overrun (a 32 s stall: 320 of the control group); the late cycle then runs once and the group goes
back on its grid. The simulated clock is never late (its runs stay the same run).
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from fsw.clock import Clock, to_ns

LATE_SHARE = 5
"""A cycle that starts over 1/LATE_SHARE of the shortest period late counts as late (20 ms at
10 Hz): the share of late cycles bounds the lateness percentile the ground can judge."""


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
        self.intake: Callable[[], bool] | None = None  # a slice of uplink work: True if more now
        self.late_last_ns = 0  # how late the last cycle started (real-time clock only)
        self.late_max_ns = 0  # the latest since take_late_max()
        self.late_cycles = 0  # cycles that started over LATE_SHARE of the shortest period late

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

    def take_late_max(self) -> int:
        """The latest start of a cycle since the last call (ns); starts a new window."""
        worst, self.late_max_ns = self.late_max_ns, self.late_last_ns
        return worst

    def run(self, until: float | None = None) -> None:
        """Run cycles until stop() or mission time `until` (s) has been reached."""
        self._stopped = False
        end_ns = None if until is None else to_ns(until)
        clock, groups = self.clock, self.groups
        measure = clock.measures_load
        while not self._stopped:
            due = min(g.next_ns for g in groups)
            target = due if end_ns is None or due <= end_ns else end_ns
            if measure:
                self._take_in(target)  # between cycles, never past the next one's deadline
            if not clock.wait_until(target):  # woken early: run the calls, then wait again
                self.wakeups += 1
                self._run_calls()
                continue
            if target < due:  # `until` came before the next cycle
                return
            if self._calls:
                self._run_calls()
            if not measure:
                self._take_in(due)  # simulated: what the budget allows, before the cycle
            started = time.perf_counter_ns() if measure else 0
            now = clock.now_ns() if measure else due  # a real clock wakes a little late
            self.late_last_ns = now - due
            self.late_max_ns = max(self.late_max_ns, self.late_last_ns)
            if self.late_last_ns * LATE_SHARE > min(g.period_ns for g in groups):
                self.late_cycles += 1
            for g in groups:
                if g.next_ns <= now:
                    skipped = (now - g.next_ns) // g.period_ns  # deadlines that came and went
                    self.overruns += skipped
                    g.next_ns += (skipped + 1) * g.period_ns
                    g.run()
            self.cycles += 1
            if measure:
                self._busy_ns += time.perf_counter_ns() - started
                self._count_overrun(clock.now_ns())

    def _take_in(self, deadline_ns: int) -> None:
        """Run intake slices until it has nothing more it may do now or, on a real clock, the
        deadline has come (each slice is bounded, so a cycle starts at most one slice late)."""
        intake = self.intake
        if intake is None:
            return
        clock, measure = self.clock, self.clock.measures_load
        started = time.perf_counter_ns()
        while intake() and not (measure and clock.now_ns() >= deadline_ns):
            pass
        self._busy_ns += time.perf_counter_ns() - started

    def _run_calls(self) -> None:
        """Run the queued calls (their wall time counted as busy)."""
        calls, started = self._calls, time.perf_counter_ns()
        while calls:
            calls.popleft()()
        self._busy_ns += time.perf_counter_ns() - started

    def _count_overrun(self, now_ns: int) -> None:
        """Count a group whose cycle ran past its next deadline (that cycle starts late; the
        deadlines after it that pass meanwhile are counted when it starts)."""
        for g in self.groups:
            if g.next_ns <= now_ns:
                self.overruns += 1
