"""The flight software on a board (the Raspberry Pi agent over a pty) in the simulated world, in
real time: it drives on the board's encoders, a stall injected through the board is isolated and
the drive finishes on five wheels, and the board unplugged safes the rover within 1 s; plugged in
again, the operator recovers it. The same fault table as in simulation, unchanged."""

from __future__ import annotations

import pytest

from hil.board.link import BoardLink
from hil.board.rover import BoardRover
from hil.sim import SimRover, Terrain
from tests.hil.board.pi_board import PiBoard
from tests.hil.board.realtime import Flight


@pytest.fixture
def rig(tmp_path):
    said: list[str] = []
    board = PiBoard(tmp_path / "board").plug()
    link = BoardLink(str(board.link), say=said.append, retry=0.1)
    link.start()
    assert link.wait_connected(3.0), said
    flight = Flight(lambda clock: BoardRover(link, SimRover(clock.now, Terrain())))
    yield flight, board, link, said
    link.close()
    board.unplug()


def test_drive_stall_five_wheels_unplug_safe_replug_recover(rig):
    flight, board, link, said = rig
    booted = flight.events("BOOTED")[0].shown()
    assert booted["hardware"] == "SERIAL_BOARD"

    first = flight.send("DRIVE", distance=0.1, radius=0.0, speed=0.0447)
    assert flight.run_until(lambda: flight.final(first) is not None, 10.0)
    assert flight.final(first) == ("COMPLETED", "OK")
    hw = flight.last("HW_LINK")
    assert (hw["connected"], hw["board"]) == ("YES", "RASPBERRY_PI")
    assert hw["rtt_mean"] < 50.0 and hw["timeouts"] == 0
    odometry = flight.fsw.nav.odometry  # metres the wheels rolled: the board's encoders
    assert 0.08 < odometry < 0.14

    second = flight.send("DRIVE", distance=0.2, radius=0.0, speed=0.0447)
    flight.run_for(1.0)
    stall = flight.send("SIM_INJECT_FAULT", fault="WHEEL_STALL", wheel="RM", value=0.0)
    assert flight.run_until(lambda: flight.events("WHEEL_ISOLATED"), 3.0)
    assert flight.final(stall) == ("COMPLETED", "OK")
    assert flight.events("WHEEL_ISOLATED")[0].shown()["wheel"] == "RM"
    assert flight.run_until(lambda: flight.final(second) is not None, 15.0)
    assert flight.final(second) == ("COMPLETED", "OK")
    assert flight.fsw.mode.name == "STANDBY" and flight.fsw.isolated == [0, 0, 0, 0, 1, 0]

    flight.assert_unplugging_safes(board.unplug, distance=1.0, after=0.5, said=said)

    board.plug()
    assert link.wait_connected(3.0), said
    flight.run_until(lambda: flight.events("MONITOR_CLEARED"), 1.0)
    recovered = flight.send("SAFE_RECOVER")
    assert flight.run_until(lambda: flight.final(recovered) is not None, 1.0)
    assert flight.final(recovered) == ("COMPLETED", "OK")
    assert flight.fsw.mode.name == "STANDBY"
    assert flight.run_until(lambda: flight.last("HW_LINK")["connects"] == 2, 1.5)  # 1 Hz
