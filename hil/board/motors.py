"""The six drive motors and four steering motors a board drives, as the board protocol sees them.

`Motors` is what a board's protocol endpoint (hil.board.endpoint) needs from its motors: take
targets, let time pass, inject a test fault, read encoders, currents, corner angles and fault
masks. `SimulatedMotors` is the reference model every board of this project carries when no motor
driver is attached; the Arduino firmware implements the same model in C, to the count.

The model, in integers (hil.board.model holds the constants), advanced per elapsed millisecond:

- unpowered: drive targets count as 0, corners do not move, every current is 0;
- each wheel's rate moves toward its target by DRIVE_ACCEL/1000 mrad/s per ms, then its encoder
  integrates the new rate: acc += rate * COUNTS_PER_REV; a count is added (or taken) each time acc
  reaches +MICRORAD_PER_REV (or -MICRORAD_PER_REV), which is taken off (or added to) acc;
- a stalled wheel's rate is 0 at once and stays 0; it draws STALL_CURRENT while powered and its
  target is not 0;
- an open-circuit wheel draws 0 (also when stalled: no current flows through an open winding) and
  its rate still follows its target (the body drags it along);
- otherwise a wheel draws RUN_CURRENT while powered and turning, else 0;
- a wheel whose encoder is lost neither counts nor integrates (acc holds still), so after CLEAR
  it counts on from the frozen count and the held fraction;
- each corner moves toward its target by STEER_RATE/1000 mrad per ms while powered.

`advance(n)` gives exactly what n calls of `advance(1)` give: the ramps run per millisecond, the
steady part after them in closed form, so a long gap costs no more than a short one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from hil.board import model
from hil.board.protocol import CORNERS, WHEELS, BoardFault

DRIVE_STEP = model.DRIVE_ACCEL // 1000
"""mrad/s a wheel's rate moves toward its target per ms."""

STEER_STEP = model.STEER_RATE // 1000
"""mrad a corner moves toward its target per ms."""


@dataclass(frozen=True, slots=True)
class MotorReading:
    """What a board reports of its motors (the motor part of a STATUS message)."""

    encoders: tuple[int, ...]  # counts since boot per wheel, LF LM LR RF RM RR (+ forward)
    currents: tuple[int, ...]  # mA per wheel
    steer: tuple[int, ...]  # measured corner angles, mrad, LF LR RF RR
    stalled: int  # bit i: wheel i stalled
    open_circuit: int  # bit i: wheel i open circuit
    encoder_lost: int  # bit i: wheel i encoder not counting


class Motors(Protocol):
    """What a board endpoint drives: simulated motors, or a driver for real ones."""

    @property
    def simulated(self) -> bool:
        """True when nothing physical moves (STATUS flag SIMULATED)."""
        ...

    def set_targets(self, drive: Sequence[int], steer: Sequence[int], powered: bool) -> None:
        """New wheel rates (mrad/s, six) and corner angles (mrad, four), already range-checked;
        `powered` False switches every motor off."""
        ...

    def advance(self, ms: int) -> None:
        """`ms` milliseconds have passed since the last call (run control loops, read sensors)."""
        ...

    def inject(self, fault: BoardFault, wheel: int) -> None:
        """Make `fault` happen on `wheel` (0-5), or clear every injected fault (CLEAR)."""
        ...

    def reading(self) -> MotorReading:
        """Encoders, currents, corner angles and fault masks now."""
        ...


def _toward(value: int, target: int, step: int) -> int:
    """`value` moved toward `target` by at most `step`."""
    if value < target:
        return min(value + step, target)
    return max(value - step, target)


class SimulatedMotors:
    """The reference motor model (see the module's docstring), all integers."""

    simulated = True

    def __init__(self) -> None:
        self.powered = True
        self.drive_targets = [0] * WHEELS  # mrad/s, as commanded
        self.steer_targets = [0] * CORNERS  # mrad, as commanded
        self.rates = [0] * WHEELS  # mrad/s, actual
        self.steer = [0] * CORNERS  # mrad, actual
        self.encoders = [0] * WHEELS  # counts
        self.stalled = 0  # fault masks, bit i = wheel i
        self.open_circuit = 0
        self.encoder_lost = 0
        self._acc = [0] * WHEELS  # encoder fraction, in (-MICRORAD_PER_REV, MICRORAD_PER_REV)

    def set_targets(self, drive: Sequence[int], steer: Sequence[int], powered: bool) -> None:
        """New targets; the rates and corners move toward them as time passes."""
        if len(drive) != WHEELS or len(steer) != CORNERS:
            raise ValueError(f"{WHEELS} drive and {CORNERS} steering targets expected")
        self.drive_targets = [int(x) for x in drive]
        self.steer_targets = [int(x) for x in steer]
        self.powered = bool(powered)

    def inject(self, fault: BoardFault, wheel: int) -> None:
        """Add a fault to `wheel`'s masks, or clear all of them."""
        if fault == BoardFault.CLEAR:
            self.stalled = self.open_circuit = self.encoder_lost = 0
            return
        if not 0 <= wheel < WHEELS:
            raise ValueError(f"wheel {wheel} is not 0-{WHEELS - 1}")
        bit = 1 << wheel
        if fault == BoardFault.STALL:
            self.stalled |= bit
            self.rates[wheel] = 0
        elif fault == BoardFault.OPEN_CIRCUIT:
            self.open_circuit |= bit
        elif fault == BoardFault.ENCODER_LOSS:
            self.encoder_lost |= bit
        else:
            raise ValueError(f"no such fault {fault}")

    def target(self, wheel: int) -> int:
        """The rate `wheel` is heading for: its command, or 0 when unpowered."""
        return self.drive_targets[wheel] if self.powered else 0

    def advance(self, ms: int) -> None:
        """Let `ms` milliseconds pass (exactly as `ms` steps of one)."""
        if ms <= 0:
            return
        for wheel in range(WHEELS):
            self._advance_wheel(wheel, ms)
        if self.powered:
            for corner in range(CORNERS):
                self.steer[corner] = _toward(
                    self.steer[corner], self.steer_targets[corner], STEER_STEP * ms
                )

    def _advance_wheel(self, wheel: int, ms: int) -> None:
        bit = 1 << wheel
        if self.stalled & bit:
            self.rates[wheel] = 0
            return
        target, counting = self.target(wheel), not self.encoder_lost & bit
        while ms > 0 and self.rates[wheel] != target:  # the ramp, a millisecond at a time
            self.rates[wheel] = _toward(self.rates[wheel], target, DRIVE_STEP)
            if counting:
                self._count(wheel, self.rates[wheel] * model.COUNTS_PER_REV)
            ms -= 1
        if ms > 0 and counting and target:  # steady: `ms` equal steps at once
            self._count(wheel, target * model.COUNTS_PER_REV * ms)

    def _count(self, wheel: int, step: int) -> None:
        """Add `step` (all of one sign) to the wheel's fraction; whole revolutions of it count."""
        acc, rev = self._acc[wheel] + step, model.MICRORAD_PER_REV
        if acc >= rev:
            self.encoders[wheel] += acc // rev
            acc %= rev
        elif acc <= -rev:
            whole = -acc // rev
            self.encoders[wheel] -= whole
            acc += whole * rev
        self._acc[wheel] = acc

    def currents(self) -> list[int]:
        """mA per wheel now."""
        out = []
        for wheel in range(WHEELS):
            bit = 1 << wheel
            if not self.powered or self.open_circuit & bit:
                out.append(0)
            elif self.stalled & bit:
                out.append(model.STALL_CURRENT if self.drive_targets[wheel] else 0)
            else:
                out.append(model.RUN_CURRENT if self.rates[wheel] else 0)
        return out

    def reading(self) -> MotorReading:
        """Everything a STATUS reports of the motors."""
        return MotorReading(
            encoders=tuple(self.encoders),
            currents=tuple(self.currents()),
            steer=tuple(self.steer),
            stalled=self.stalled,
            open_circuit=self.open_circuit,
            encoder_lost=self.encoder_lost,
        )
