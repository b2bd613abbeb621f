"""The hardware port: the one small interface between the flight software and the rover.

The flight software commands wheel drive rates and corner steering angles and reads the sensors
below; it never knows whether a simulated rover (`hil.sim`) or a serial board (`hil.board`) answers.
Units are SI at the port (rad/s, rad, A, m), except temperatures in degrees C and power in W.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from fsw.tables.enums import FaultKind


@dataclass(slots=True)
class Sensors:
    """One sample of every sensor, taken at mission time `time` (s)."""

    time: float
    encoders: list[int]  # wheel encoder counts, one per wheel in the Wheel order; they wrap never
    currents: list[float]  # motor currents (A), one per wheel
    motor_temps: list[float]  # motor temperatures (deg C), one per wheel
    steer: list[float]  # measured corner steering angles (rad), in the CORNERS order
    pitch: float  # IMU attitude (rad): nose up positive
    roll: float  # left side up positive
    heading: float  # counter-clockwise from the site frame's x axis
    visual_odometry: float  # distance travelled over the ground (m), from the navigation cameras
    battery_soc: float  # state of charge (%)
    battery_voltage: float  # bus voltage (V)
    solar_power: float  # from the solar panels (W)
    load_power: float  # drawn by everything powered (W)
    sun_elevation: float  # sun elevation above the local horizon (deg)
    electronics_temp: float  # warm electronics box (deg C)
    exterior_temp: float  # sunlit side of the body (deg C)
    hazard_height: float  # tallest step ahead in the direction of travel (m), 0 when none
    hazard_distance: float  # how far ahead that step is (m); the sensor's reach when none


@dataclass(slots=True)
class Actuation:
    """What the flight software asks of the motors: wheel rates (rad/s) and corner angles (rad)."""

    drive: list[float] = field(default_factory=lambda: [0.0] * 6)
    steer: list[float] = field(default_factory=lambda: [0.0] * 4)
    powered: bool = True  # False while asleep: loads off, drive and steering motors unpowered


class FaultInjector(Protocol):
    """Test-only fault injection: only simulated hardware offers it."""

    def inject(self, kind: FaultKind, wheel: int, value: float) -> None:
        """Make the fault happen from now on (CLEAR removes every injected fault). `wheel` is
        the wheel index for wheel faults (ignored otherwise); `value` is the IMU bias in
        degrees, as the SIM_INJECT_FAULT command carries it."""


class HardwarePort(Protocol):
    """What any rover hardware, simulated or real, offers the flight software."""

    name: str
    faults: FaultInjector | None  # None on real hardware: SIM_INJECT_FAULT is refused there

    def sense(self) -> Sensors:
        """Every sensor, sampled now."""
        ...

    def actuate(self, command: Actuation) -> None:
        """Apply wheel rates, steering angles and the power state from now on."""
        ...
