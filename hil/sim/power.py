"""Power and thermal models of the simulated rover, as pure functions plus a small battery.

Deliberately simple first-order models: solar power follows the sine of the sun's elevation, the
battery integrates energy, and every temperature relaxes exponentially toward an equilibrium set by
the sun, the power state and the motor current. Exponential relaxation is exact for a constant
target, so the rover can take long steps through a quiet lunar night.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

SOLAR_PEAK = 120.0
"""W from the panels with the sun at the zenith."""

AVIONICS_LOAD = 25.0
"""W drawn by computers, radios and sensors while powered."""

MOTOR_BUS = 24.0
"""V: the motors' supply, so their load is 24 V times the sum of their currents."""

HIBERNATION_LOAD = 0.5
"""W while hibernating: only the wake-up circuit."""

CELLS = 8
CAPACITY = 600.0
"""Wh for all CELLS cells."""

CELL_EMPTY, CELL_SPAN = 3.6, 0.5
"""V per cell: empty, and the rise from empty to full."""

EXTERIOR_TAU = 3 * 3600.0
ELECTRONICS_TAU = 2 * 3600.0
MOTOR_TAU = 1800.0
"""s: time constants of the sunlit side, the warm electronics box and each motor."""

MOTOR_HEATING = 0.5 / 60.0
"""deg C per s per A squared: a motor settles 15 deg C per A squared above the electronics box
(about 7 deg C driving on the flat, 35 deg C climbing 20 deg, over 100 deg C stalled)."""

SELF_HEATING = 24.0
"""deg C: how much warmer the powered electronics box sits than the unpowered one."""


def solar_power(elevation_deg: float) -> float:
    """Power (W) from the panels with the sun at `elevation_deg`; none below the horizon."""
    return SOLAR_PEAK * math.sin(math.radians(elevation_deg)) if elevation_deg > 0 else 0.0


def load_power(powered: bool, motor_currents: float) -> float:
    """Power (W) drawn: avionics plus motors while powered, the wake-up circuit otherwise."""
    return AVIONICS_LOAD + MOTOR_BUS * motor_currents if powered else HIBERNATION_LOAD


def exterior_equilibrium(elevation_deg: float) -> float:
    """Where the sunlit side's temperature (deg C) settles: -170 at night, past 100 at 45 deg."""
    if elevation_deg <= 0:
        return -170.0
    return -170.0 + 300.0 * math.sin(math.radians(elevation_deg)) ** 0.25


def electronics_equilibrium(exterior: float, powered: bool) -> float:
    """Where the warm electronics box settles (deg C): 40% coupled to the exterior around 20.

    Unpowered it loses the avionics' own heat and sits SELF_HEATING colder.
    """
    return 20.0 + 0.4 * (exterior - 20.0) - (0.0 if powered else SELF_HEATING)


def motor_equilibrium(environment: float, mean_square_current: float) -> float:
    """Where a motor settles (deg C) in a box at `environment` carrying a current whose mean
    square is `mean_square_current` (A^2)."""
    return environment + MOTOR_HEATING * MOTOR_TAU * mean_square_current


def relax(value: float, target: float, dt: float, tau: float) -> float:
    """First-order relaxation of `value` toward `target` over `dt` with time constant `tau`."""
    return target + (value - target) * math.exp(-dt / tau)


class Battery:
    """Cells in series: an energy store whose voltage rises with the state of charge."""

    __slots__ = ("capacity", "cells", "energy")

    def __init__(self, soc: float, cells: int = CELLS, capacity: float = CAPACITY) -> None:
        if not 0.0 <= soc <= 100.0:
            raise ValueError(f"battery soc {soc} % is not between 0 and 100")
        self.cells = cells
        self.capacity = capacity
        self.energy = capacity * soc / 100.0

    def charge(self, power: float, dt: float) -> None:
        """Add `power` (W, negative to discharge) for `dt` seconds, within empty and full."""
        energy = self.energy + power * dt / 3600.0
        self.energy = 0.0 if energy < 0.0 else min(energy, self.capacity)

    @property
    def soc(self) -> float:
        """State of charge (%)."""
        return 100.0 * self.energy / self.capacity

    @property
    def voltage(self) -> float:
        """Bus voltage (V): 3.6 V per cell when empty, 4.1 V when full."""
        return self.cells * (CELL_EMPTY + CELL_SPAN * self.energy / self.capacity)

    def lose_cell(self) -> None:
        """One cell drops out for good, taking its share of capacity and energy with it."""
        if self.cells > 1:
            share = (self.cells - 1) / self.cells
            self.cells -= 1
            self.capacity *= share
            self.energy *= share


class Thermal:
    """Temperatures (deg C) of the sunlit side, the warm electronics box and each motor."""

    __slots__ = ("electronics", "exterior", "motors")

    def __init__(self, exterior: float, motors: int) -> None:
        self.exterior = exterior
        self.electronics = electronics_equilibrium(exterior, True)
        self.motors = [self.electronics] * motors

    def update(self, dt: float, elevation_deg: float, powered: bool, heat: Sequence[float]) -> None:
        """Let `dt` seconds pass under the sun at `elevation_deg`.

        `heat` is each motor's mean squared current (A^2) over the interval.
        """
        target = exterior_equilibrium(elevation_deg)
        self.exterior = relax(self.exterior, target, dt, EXTERIOR_TAU)
        target = electronics_equilibrium(self.exterior, powered)
        self.electronics = env = relax(self.electronics, target, dt, ELECTRONICS_TAU)
        self.motors = [
            relax(t, motor_equilibrium(env, q), dt, MOTOR_TAU)
            for t, q in zip(self.motors, heat, strict=True)
        ]
