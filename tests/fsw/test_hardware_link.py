"""The flight software over a board link: a board gone silent safes the rover within a control
cycle of the HARDWARE_LINK limit, SAFE is left only once it answers again, HW_LINK telemetry
reports the link, and fault injection into an absent board fails instead of crashing."""

from __future__ import annotations

from fsw.port import LinkStatus, Sensors
from fsw.tables.enums import BoardKind, FaultKind, Hardware
from hil.sim import SimRover, Terrain
from tests.fsw.support import Rover


class Board:
    """A hardware port as a serial board is: the simulated rover, with a link whose silence the
    test sets, and fault injection that fails while the board is away."""

    name, hardware = "board", Hardware.SERIAL_BOARD

    def __init__(self, now) -> None:
        self.sim = SimRover(now, Terrain())
        self.faults = self
        self.quiet = 0.0
        self.unplugged = False  # the link knows the board is gone (its port failed)
        self.injected: list[FaultKind] = []

    @property
    def link(self) -> LinkStatus:
        return LinkStatus(
            connected=self.quiet < 0.5 and not self.unplugged, board=BoardKind.ARDUINO_UNO,
            firmware=(1, 2, 3),
            board_uptime=12.5, frames_sent=100, frames_received=99, crc_errors=1, bad_frames=2,
            rejects=3, board_rx_errors=4, timeouts=5, connects=6, rtt_last=8.5, rtt_mean=8.25,
            rtt_max=11.0, silence=self.quiet,
        )  # fmt: skip

    def sense(self) -> Sensors:
        s = self.sim.sense()
        s.hardware_silence = self.quiet
        return s

    def actuate(self, command) -> None:
        self.sim.actuate(command)

    def inject(self, kind: FaultKind, wheel: int, value: float) -> None:
        if self.quiet >= 0.5:
            raise ConnectionError("no board is connected")
        self.injected.append(kind)


def board_rover() -> tuple[Rover, Board]:
    rover = Rover(hardware=lambda clock: Board(clock.now))
    return rover, rover.sim


def test_a_silent_board_safes_the_rover_mid_drive_and_the_drive_fails():
    r, board = board_rover()
    seq = r.send("DRIVE", distance=1.0, radius=0.0, speed=0.0447)
    r.run(3.0)
    assert r.last("MOBILITY")["motion"] == "DRIVING"
    board.quiet = 0.51  # past HARDWARE_LINK_LIMIT (0.5 s), persistence one cycle
    r.run(0.1)
    tripped = [e.shown() for e in r.events("MONITOR_TRIPPED")]
    assert [(t["monitor"], t["response"]) for t in tripped] == [("HARDWARE_LINK", "SAFE")]
    assert r.flight.mode.name == "SAFE"
    assert r.stages(seq)[-1][:2] == ("FAILED", "FAULT_STOP")
    assert r.flight.actuation.drive == [0.0] * 6


def test_safe_is_left_only_once_the_board_answers_again():
    r, board = board_rover()
    board.quiet = 2.0
    r.run(0.5)
    assert r.flight.mode.name == "SAFE"
    refused = r.send("SAFE_RECOVER")
    r.run(0.2)
    assert r.stages(refused)[-1][:2] == ("REJECTED", "FAULT_ACTIVE")
    board.quiet = 0.05
    r.run(0.2)
    assert [e.shown()["monitor"] for e in r.events("MONITOR_CLEARED")] == ["HARDWARE_LINK"]
    recovered = r.send("SAFE_RECOVER")
    r.run(0.2)
    assert r.stages(recovered)[-1][:2] == ("COMPLETED", "OK")
    assert r.flight.mode.name == "STANDBY"


def test_safe_recover_is_refused_once_the_board_is_known_gone_before_its_silence_limit():
    """The race the emulated-Uno full loop once lost: the rover SAFE after the board fell silent
    for a while and came back; then the board is unplugged and SAFE_RECOVER arrives before
    HARDWARE_LINK's 0.5 s of silence has passed. The link already knows the port failed: the
    recovery must be refused, not completed onto a board that is not there."""
    r, board = board_rover()
    board.quiet = 0.6
    r.run(0.3)
    board.quiet = 0.05  # back: the monitor clears, the rover stays SAFE until recovered
    r.run(0.3)
    assert r.flight.mode.name == "SAFE"
    board.unplugged = True  # pulled; 0.1 s of silence so far, well within the limit
    board.quiet = 0.1
    refused = r.send("SAFE_RECOVER")
    r.run(0.2)
    assert r.stages(refused)[-1][:2] == ("REJECTED", "FAULT_ACTIVE")
    assert r.flight.mode.name == "SAFE"
    board.unplugged, board.quiet = False, 0.02  # plugged in again and greeted
    r.run(0.2)
    recovered = r.send("SAFE_RECOVER")
    r.run(0.2)
    assert r.stages(recovered)[-1][:2] == ("COMPLETED", "OK")


def test_hw_link_telemetry_reports_the_board_and_only_when_there_is_one():
    r, _ = board_rover()
    r.run(2.0)
    v = r.last("HW_LINK")
    assert (v["connected"], v["board"], v["fw_major"], v["fw_minor"], v["fw_patch"]) == (
        "YES", "ARDUINO_UNO", 1, 2, 3,
    )  # fmt: skip
    assert (v["frames_sent"], v["crc_errors"], v["rejects"], v["connects"]) == (100, 1, 3, 6)
    assert v["rtt_mean"] == 8.25
    booted = r.events("BOOTED")[0].shown()
    assert booted["hardware"] == "SERIAL_BOARD"
    sim = Rover()
    sim.run(2.0)
    assert not [p for p in sim.packets if p.name == "HW_LINK"]
    assert sim.events("BOOTED")[0].shown()["hardware"] == "SIMULATED"


def test_a_fault_injected_into_an_absent_board_fails_and_names_why():
    r, board = board_rover()
    r.run(0.5)
    ok = r.send("SIM_INJECT_FAULT", fault="WHEEL_STALL", wheel="LM", value=0.0)
    r.run(0.2)
    assert r.stages(ok)[-1][:2] == ("COMPLETED", "OK")
    assert board.injected == [FaultKind.WHEEL_STALL]
    board.quiet = 1.0
    r.run(0.2)
    failed = r.send("SIM_INJECT_FAULT", fault="WHEEL_STALL", wheel="LM", value=0.0)
    r.run(0.2)
    assert r.stages(failed)[-1][:2] == ("FAILED", "EXECUTION_ERROR")
