"""The full loop against the real Arduino firmware on an emulated Uno (simavr, paced to the wall
clock, 115200 baud), in real time: boot and handshake; a 1 m drive with the board's encoders
moving as commanded; a stall injected on one wheel through the board, which the flight software
isolates and finishes on five wheels; the runner killed mid-drive (the board unplugged) safes the
rover within 1 s; a new runner (plugged in again) lets the operator recover it and drive on."""

from __future__ import annotations

import pytest

from fsw.mobility.geometry import METRES_PER_COUNT
from hil.board.link import BoardLink
from hil.board.rover import BoardRover
from hil.sim import SimRover, Terrain
from tests.hil.board.realtime import Flight

pytestmark = pytest.mark.hardware_emulation

RM = 4  # the wheel the stall is injected on


def test_drive_stall_unplug_replug_on_the_emulated_uno(emulated_uno):
    said: list[str] = []
    link = BoardLink(str(emulated_uno.link), say=said.append, retry=0.2)
    link.start()
    try:
        assert link.wait_connected(8.0), said
        flight = Flight(lambda clock: BoardRover(link, SimRover(clock.now, Terrain())))
        assert flight.events("BOOTED")[0].shown()["hardware"] == "SERIAL_BOARD"
        hw_up = flight.run_until(lambda: any(p.name == "HW_LINK" for p in flight.packets), 2.0)
        assert hw_up and flight.last("HW_LINK")["board"] == "ARDUINO_UNO"

        # a 1 m drive; at 0.6 m the right middle wheel locks on the board
        start = link.state.encoders
        drive = flight.send("DRIVE", distance=1.0, radius=0.0, speed=0.0447)
        assert flight.run_until(lambda: flight.fsw.nav.travelled >= 0.6, 20.0)
        at_stall = link.state.encoders
        stall = flight.send("SIM_INJECT_FAULT", fault="WHEEL_STALL", wheel="RM", value=0.0)
        assert flight.run_until(lambda: flight.events("WHEEL_ISOLATED"), 3.0), said
        assert flight.events("WHEEL_ISOLATED")[0].shown()["wheel"] == "RM"
        assert flight.final(stall) == ("COMPLETED", "OK")
        tripped = [e.shown()["monitor"] for e in flight.events("MONITOR_TRIPPED")]
        assert tripped == ["WHEEL_STALL"]
        assert flight.run_until(lambda: flight.final(drive) is not None, 30.0)
        assert flight.final(drive) == ("COMPLETED", "OK")
        assert flight.fsw.isolated == [False] * 4 + [True, False]
        done = flight.events("MOTION_DONE")[-1].shown()
        assert done["travelled"] == pytest.approx(1.0, abs=0.01)

        # the encoders turned as commanded: wheel travel = ground travel / (1 - slip)
        end = link.state.encoders
        rolled = [(e - s) * METRES_PER_COUNT for s, e in zip(start, end, strict=True)]
        for i, metres in enumerate(rolled):
            if i != RM:
                assert 0.95 < metres < 1.15, (i, rolled)
        assert (at_stall[RM] - start[RM]) * METRES_PER_COUNT > 0.55  # it turned until it locked
        assert end[RM] - at_stall[RM] < 0.02 / METRES_PER_COUNT  # then stopped counting
        assert link.state.stalled == 1 << RM and link.state.currents_ma[RM] == 0  # not commanded

        # unplugged mid-drive: SAFE within 1 s
        flight.assert_unplugging_safes(emulated_uno.unplug, distance=0.5, after=1.0, said=said)

        # plugged in again: a new board, greeted; the operator recovers and drives on
        before = link.state.encoders
        emulated_uno.restart()
        assert flight.run_until(lambda: link.connected, 8.0), said
        assert flight.run_until(lambda: flight.events("MONITOR_CLEARED"), 2.0)
        recovered = flight.send("SAFE_RECOVER")
        assert flight.run_until(lambda: flight.final(recovered) is not None, 1.0)
        assert flight.final(recovered) == ("COMPLETED", "OK")
        again = flight.send("DRIVE", distance=0.05, radius=0.0, speed=0.0447)
        assert flight.run_until(lambda: flight.final(again) is not None, 5.0)
        assert flight.final(again) == ("COMPLETED", "OK")
        after = link.state.encoders
        assert all(
            a > b for i, (a, b) in enumerate(zip(after, before, strict=True)) if i != RM
        )  # continued
        assert link.status().connects == 2
    finally:
        link.close()
