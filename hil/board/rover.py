"""A rover whose wheels are a serial board's: the hardware port behind `--hardware serial://`.

The board answers for what it has: wheel encoders, motor currents and corner steering angles.
Everything a desk board lacks (IMU, battery and solar array, temperatures, hazard cameras,
visual odometry, the terrain) comes from the simulated rover, driven by the same commands, as a
hardware-in-the-loop bench feeds a real controller a simulated world. Units are converted here:
the board speaks whole mrad/s, mrad and mA; the port speaks rad/s, rad and A.
"""

from __future__ import annotations

from fsw.mobility.geometry import ENCODER_COUNTS_PER_REV
from fsw.port import Actuation, FaultInjector, LinkStatus, Sensors
from fsw.tables.enums import FaultKind, Hardware
from hil.board.link import BoardLink
from hil.board.protocol import (
    ANGLE_UNIT,
    CURRENT_UNIT,
    DRIVE_UNIT,
    MAX_DRIVE,
    MAX_STEER,
    BoardFault,
)
from hil.sim.rover import SimRover

_ON_BOARD = {
    FaultKind.WHEEL_STALL: BoardFault.STALL,
    FaultKind.WHEEL_OPEN_CIRCUIT: BoardFault.OPEN_CIRCUIT,
    FaultKind.ENCODER_LOSS: BoardFault.ENCODER_LOSS,
}


class BoardRover:
    """The hardware port over a board link, with the simulated world around the wheels."""

    name = "board"
    hardware = Hardware.SERIAL_BOARD

    def __init__(self, link: BoardLink, world: SimRover) -> None:
        self._link, self._world = link, world
        self.faults: FaultInjector | None = self  # wheel faults to the board, the rest to the world

    @property
    def link(self) -> LinkStatus:
        """The board link's state and statistics."""
        return self._link.status()

    def sense(self) -> Sensors:
        """The world's sensors with the board's wheels (the last STATUS it sent)."""
        s = self._world.sense()
        s.hardware_silence = self._link.silence()
        state = self._link.state
        if state is None:  # no board has answered yet: nothing turns, nothing draws
            s.encoders, s.currents, s.steer = [0] * 6, [0.0] * 6, [0.0] * 4
            return s
        info = self._link.info
        per_rev = info["counts_per_rev"] if info is not None else ENCODER_COUNTS_PER_REV
        if per_rev == ENCODER_COUNTS_PER_REV or per_rev <= 0:
            s.encoders = list(state.encoders)
        else:
            s.encoders = [round(n * ENCODER_COUNTS_PER_REV / per_rev) for n in state.encoders]
        s.currents = [ma * CURRENT_UNIT for ma in state.currents_ma]
        s.steer = [mrad * ANGLE_UNIT for mrad in state.steer_mrad]
        return s

    def actuate(self, command: Actuation) -> None:
        """Send the setpoints to the board (every control cycle: they feed its dead-man)."""
        self._world.actuate(command)
        info = self._link.info  # a board may take less than the protocol allows
        top = min(MAX_DRIVE, info["max_drive"]) if info is not None else MAX_DRIVE
        most = min(MAX_STEER, info["max_steer"]) if info is not None else MAX_STEER
        drive = [_whole(rate / DRIVE_UNIT, top) for rate in command.drive]
        steer = [_whole(angle / ANGLE_UNIT, most) for angle in command.steer]
        self._link.send_setpoint(drive, steer, command.powered)

    def inject(self, kind: FaultKind, wheel: int, value: float) -> None:
        """Wheel faults happen on the board; IMU and battery faults in the simulated world."""
        kind = FaultKind(kind)
        if kind in _ON_BOARD:
            if not 0 <= wheel < 6:
                raise ValueError(f"fault {kind.name}: wheel {wheel} is not 0-5")
            self._link.inject(_ON_BOARD[kind], wheel)
        elif kind is FaultKind.CLEAR:
            self._world.inject(kind, wheel, value)  # first: the world clears with no board
            self._link.inject(BoardFault.CLEAR, 0)
        else:
            self._world.inject(kind, wheel, value)


def _whole(value: float, limit: int) -> int:
    """A whole number of the board's units within its limit (the flight software never asks for
    more; clamped so that no command can make the link fail to encode)."""
    return max(-limit, min(limit, round(value)))
