"""The lunar day as pure functions: where the sun stands at a given mission time.

A synodic month of 29.53 Earth days makes day and night each about 14.77 days long. The model is a
sine: good enough to drive the rover's solar power, thermal nap at noon and wake-up at sunrise.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

SYNODIC_PERIOD = 29.53 * 86400.0
"""s: one lunar day and night."""

FIXED_ELEVATION = 30.0
"""deg: where the sun stands when a scenario gives no sun model."""


def elevation(t: float, sunrise: float, max_elevation_deg: float) -> float:
    """Sun elevation (deg) at mission time `t` (s), negative at night."""
    return max_elevation_deg * math.sin(2.0 * math.pi * (t - sunrise) / SYNODIC_PERIOD)


def next_sunrise(t: float, sunrise: float) -> float:
    """The first sunrise at or after mission time `t` (s)."""
    return sunrise + math.ceil((t - sunrise) / SYNODIC_PERIOD) * SYNODIC_PERIOD


def next_sunset(t: float, sunrise: float) -> float:
    """The first sunset at or after mission time `t` (s)."""
    half = SYNODIC_PERIOD / 2.0
    return next_sunrise(t - half, sunrise) + half


@dataclass(frozen=True)
class SunModel:
    """The sun over the landing site: `sunrise` is the mission time (s) of one sunrise."""

    sunrise: float
    max_elevation_deg: float

    def __post_init__(self) -> None:
        if not math.isfinite(self.sunrise):
            raise ValueError(f"sun sunrise {self.sunrise} s is not finite")
        if not 0 < self.max_elevation_deg <= 90:
            raise ValueError(f"sun max_elevation_deg {self.max_elevation_deg} is not in (0, 90]")

    def elevation(self, t: float) -> float:
        """Sun elevation (deg) at mission time `t` (s)."""
        return elevation(t, self.sunrise, self.max_elevation_deg)

    def next_sunrise(self, t: float) -> float:
        """The first sunrise at or after mission time `t` (s)."""
        return next_sunrise(t, self.sunrise)

    def next_sunset(self, t: float) -> float:
        """The first sunset at or after mission time `t` (s)."""
        return next_sunset(t, self.sunrise)


@dataclass(frozen=True)
class FixedSun:
    """A sun that stands still at `elevation_deg`: for short scenarios and tests."""

    elevation_deg: float = FIXED_ELEVATION

    def __post_init__(self) -> None:
        if not -90 <= self.elevation_deg <= 90:
            raise ValueError(f"sun elevation {self.elevation_deg} deg is not in [-90, 90]")

    def elevation(self, t: float) -> float:
        """Sun elevation (deg), whatever the time `t` (s)."""
        return self.elevation_deg
