"""Where a motor driver plugs into the Raspberry Pi agent.

The agent's board endpoint drives its motors through one `MotorDriver`: the simulated motors
(hil.board.motors.SimulatedMotors) unless `--driver module:Class` names another. A driver for real
motors (an H-bridge HAT through gpiozero, say) implements the five members below; README.md in
this directory has a worked skeleton. The agent calls them from one thread only, `advance` every
millisecond or two, so a driver needs no locks and must never block for long.
"""

from __future__ import annotations

import importlib
from typing import Protocol, runtime_checkable

from hil.board.motors import Motors, SimulatedMotors


@runtime_checkable
class MotorDriver(Motors, Protocol):
    """The six drive motors and four steering motors of a board (see hil.board.motors.Motors).

    - `simulated`: False for real motors (STATUS then has no SIMULATED flag).
    - `set_targets(drive, steer, powered)`: wheel rates in mrad/s (six, LF LM LR RF RM RR),
      corner angles in mrad (four, LF LR RF RR), already checked against MAX_DRIVE/MAX_STEER;
      `powered` False: every motor off. A dead-man stop arrives as drive targets of 0.
    - `advance(ms)`: `ms` milliseconds have passed: run the speed and angle control loops.
    - `inject(fault, wheel)`: test faults (BoardFault); real motors may fake them in software
      (e.g. a stall: hold the wheel's output at 0) or ignore them and report no fault bits.
    - `reading()`: encoder counts since start, currents in mA (0 where not measured), corner
      angles in mrad, and the fault masks.
    """


def load_driver(spec: str | None) -> MotorDriver:
    """The driver `spec` names ("package.module:Class", built with no arguments); the simulated
    motors when `spec` is None or empty."""
    if not spec:
        return SimulatedMotors()
    module_name, _, class_name = spec.partition(":")
    if not module_name or not class_name:
        raise ValueError(f"--driver {spec!r}: expected module:Class, e.g. mydrivers.hat:HatDriver")
    try:
        driver = getattr(importlib.import_module(module_name), class_name)()
    except (ImportError, AttributeError) as err:
        raise ValueError(f"--driver {spec!r}: {err}") from None
    if not isinstance(driver, MotorDriver):
        raise ValueError(f"--driver {spec!r}: {class_name} lacks members of MotorDriver")
    return driver
