"""What the fault monitors watch: pure functions of one control cycle's readings.

A quantity returns None when it means nothing this cycle (a wheel not commanded, no distance to
judge slip by); the monitor then forgets its count instead of judging.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field


def _six() -> list[float]:
    return [0.0] * 6


@dataclass(slots=True)
class Readings:
    """One control cycle as fault protection sees it (filled by the flight software)."""

    tilt: float = 0.0  # deg
    hazard_height: float = 0.0  # m
    currents: list[float] = field(default_factory=_six)  # A
    motor_temps: list[float] = field(default_factory=_six)  # deg C
    applied: list[float] = field(default_factory=_six)  # rates commanded over the last cycle
    measured: list[float] = field(default_factory=_six)  # rates the encoders saw over it
    slip: float | None = None
    battery_soc: float = 100.0
    battery_voltage: float = 32.0
    electronics_temp: float = 20.0
    exterior_temp: float = 20.0
    command_silence: float = 0.0  # s since the last command arrived
    hardware_silence: float = 0.0  # s since the motor board last answered
    control_lateness: float = 0.0  # s this cycle started after its deadline (0 when simulated)
    stall_fraction: float = 0.1  # below this share of its command a wheel counts as still


RoverQuantity = Callable[[Readings], float | None]
WheelQuantity = Callable[[Readings], list[float | None]]
"""A per-wheel quantity gives all six wheels at once (None where it means nothing)."""


def stall_current(r: Readings) -> list[float | None]:
    """The current of each commanded wheel that is not turning; 0 when it turns."""
    out: list[float | None] = []
    for cmd, rate, current in zip(r.applied, r.measured, r.currents, strict=True):
        if cmd == 0.0:
            out.append(None)
        else:
            out.append(current if abs(rate) < r.stall_fraction * abs(cmd) else 0.0)
    return out


def commanded_current(r: Readings) -> list[float | None]:
    """The current of each commanded wheel."""
    return [c if cmd != 0.0 else None for cmd, c in zip(r.applied, r.currents, strict=True)]


def encoder_shortfall(r: Readings) -> list[float | None]:
    """Share of its commanded rotation each wheel's encoder missed, while the other commanded
    wheels turned (on average at least half their command); None otherwise."""
    ratios = [m / c if c != 0.0 else None for m, c in zip(r.measured, r.applied, strict=True)]
    known = [x for x in ratios if x is not None]
    total, count = sum(known), len(known)
    out: list[float | None] = []
    for ratio in ratios:
        if ratio is None or count < 2 or (total - ratio) / (count - 1) < 0.5:
            out.append(None)
        else:
            out.append(max(0.0, 1.0 - ratio))
    return out


ROVER_QUANTITIES: dict[str, RoverQuantity] = {
    "tilt": lambda r: r.tilt,
    "hazard_height": lambda r: r.hazard_height,
    "slip": lambda r: r.slip,
    "battery_soc": lambda r: r.battery_soc,
    "battery_voltage": lambda r: r.battery_voltage,
    "electronics_temp": lambda r: r.electronics_temp,
    "exterior_temp": lambda r: r.exterior_temp,
    "command_silence": lambda r: r.command_silence,
    "hardware_silence": lambda r: r.hardware_silence,
    "control_lateness": lambda r: r.control_lateness,
}

WHEEL_QUANTITIES: dict[str, WheelQuantity] = {
    "current": lambda r: list(r.currents),
    "stall_current": stall_current,
    "commanded_current": commanded_current,
    "encoder_shortfall": encoder_shortfall,
    "motor_temp": lambda r: list(r.motor_temps),
}
