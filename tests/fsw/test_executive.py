"""The executive on the real-time clock: woken for uplink between cycles, paced at any time scale,
with its load measured in wall time; on the simulated clock, post() waits for the next cycle."""

import itertools
import threading
import time

from fsw.clock import NS, RealTimeClock, SimClock
from fsw.executive import Executive
from fsw.flight import FlightSoftware
from fsw.packets.framing import frame
from fsw.tables import CATALOG
from hil.sim import SimRover, Terrain
from tests.fsw.support import Rover, SteppedClock


def ping(seq: int) -> bytes:
    return frame(CATALOG.encode_command("PING", {"token": seq}, seq))


def test_a_post_between_cycles_is_dispatched_before_the_next_cycle_is_due():
    clock = RealTimeClock(1000.0)
    completed: dict[int, int] = {}

    def downlink(packet: bytes) -> None:
        p = CATALOG.decode(packet)
        if p.name == "CMD_VERIFY" and p.shown()["stage"] == "COMPLETED":
            completed[p.values["cmd_seq"]] = clock.now_ns()

    flight = FlightSoftware(SimRover(clock.now, Terrain()), clock, downlink)
    cycled = threading.Event()
    control = flight.control_group.run

    def control_then_tell() -> None:
        control()
        cycled.set()

    flight.control_group.run = control_then_tell
    thread = threading.Thread(target=flight.run, daemon=True)
    thread.start()
    try:
        for seq in range(3):
            cycled.clear()
            assert cycled.wait(2)  # a cycle has just run: the next is ~100 ms away
            due = flight.control_group.next_ns
            posted = clock.now_ns()
            flight.post(ping(seq))  # from this thread, as the radio's reader would
            deadline = time.monotonic() + 2
            while seq not in completed and time.monotonic() < deadline:
                time.sleep(0.001)
            assert posted < completed[seq] < due  # served at once, not at the next cycle
        assert flight.executive.wakeups >= 3
    finally:
        flight.executive.stop()
        thread.join(2)
    assert not thread.is_alive()  # stop() from another thread wakes the wait


def test_the_time_scale_paces_mission_time():
    clock = RealTimeClock(500.0, rate=20)
    wall = time.monotonic()
    assert clock.wait_until(clock.now_ns() + 2 * NS)  # 2 mission seconds
    took = time.monotonic() - wall
    assert 0.095 < took < 0.5
    assert 500.0 + 2 <= clock.now() < 500.0 + 20 * 0.6


def test_wake_cuts_a_wait_short_and_is_not_lost_if_early():
    clock = RealTimeClock(0.0)
    clock.wake()  # before the wait: the wait still returns at once
    assert clock.wait_until(clock.now_ns() + 10 * NS) is False
    threading.Timer(0.02, clock.wake).start()
    started = time.monotonic()
    assert clock.wait_until(clock.now_ns() + 10 * NS) is False
    assert time.monotonic() - started < 2
    assert clock.wait_until(clock.now_ns() + NS // 100) is True


def test_load_is_wall_time_busy_over_wall_time_at_any_time_scale():
    clock = RealTimeClock(0.0, rate=10)
    executive = Executive(clock)
    spent = [0.0]  # wall time the work itself took, as this test measures it

    def busy() -> None:  # 4 ms of work every 0.1 mission s = every 10 ms of wall time
        start = time.perf_counter()
        while time.perf_counter() < start + 0.004:
            pass
        spent[0] += time.perf_counter() - start

    executive.add("busy", 0.1, busy)
    executive.load()
    started = time.perf_counter()
    executive.run(3.0)
    wall = time.perf_counter() - started
    load = executive.load()
    # the work's own share of the wall time (about 40 %, more on a busy machine where the work
    # is preempted); mission time in the denominator would say a tenth of it
    expected = 100 * spent[0] / wall
    assert expected > 25
    assert 0.8 * expected < load <= min(100.0, 1.25 * expected + 5)


def test_on_the_simulated_clock_a_post_waits_for_the_next_control_cycle():
    rover = Rover()
    rover.flight.post(ping(1))
    assert rover.stages(1) == []
    rover.run(0.1)
    assert [s for s, _, _ in rover.stages(1)] == ["ACCEPTED", "STARTED", "COMPLETED"]


def test_a_link_reset_forgets_a_partial_frame_in_order():
    rover = Rover()
    rover.flight.post(ping(2)[:5])  # the old connection's last bytes
    rover.flight.post_link_reset()
    rover.flight.post(ping(3))
    rover.run(0.1)
    assert rover.events("UPLINK_DISCARDED") == []
    assert rover.stages(2) == [] and rover.stages(3)[-1][0] == "COMPLETED"


def test_the_simulated_clock_is_never_woken():
    clock = SimClock(5.0)
    clock.wake()
    assert clock.wait_until(6 * NS) is True and clock.now() == 6.0


def test_a_stall_counts_every_deadline_it_missed_and_how_late_the_cycle_started():
    clock = SteppedClock(0.0)
    executive = Executive(clock)
    cycles: list[int] = []

    def control() -> None:
        cycles.append(clock.now_ns())
        if len(cycles) == 5:
            clock.stall(3.2)  # the flight thread held for 3.2 s: 32 control deadlines

    executive.add("control", 0.1, control)
    executive.run(5.0)
    assert executive.overruns >= 31  # not 1 or 2: the stall shows in proportion
    gaps = [b - a for a, b in itertools.pairwise(cycles)]
    assert max(gaps) >= 3.2 * NS
    assert executive.take_late_max() >= 3.1 * NS  # the cycle after the stall started late
    assert executive.late_cycles == 1  # that one; the rest were on time
    assert executive.late_last_ns == 0 and executive.take_late_max() == 0  # a new window


def test_the_simulated_clock_is_never_late():
    rover = Rover()
    rover.run(3.0)
    hk = rover.last("HK")
    assert hk["cycle_late_last"] == 0.0 and hk["cycle_late_max"] == 0.0
    assert hk["cycle_overruns"] == 0 and hk["cycles_late"] == 0
