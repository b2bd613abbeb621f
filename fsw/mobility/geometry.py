"""The wheel table: where each wheel sits and whether it steers (JPL Open Source Rover geometry).

Body frame: x forward, y to the left, origin at the centre of the middle axle, metres.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from fsw.tables.enums import Wheel


@dataclass(frozen=True)
class WheelDef:
    """One wheel: which it is, where it is, and whether a corner motor steers it."""

    wheel: Wheel
    x: float
    y: float
    steered: bool


WHEEL_RADIUS = 0.075
"""m."""

ENCODER_COUNTS_PER_REV = 4096
"""Encoder counts per wheel revolution."""

METRES_PER_COUNT = 2 * math.pi * WHEEL_RADIUS / ENCODER_COUNTS_PER_REV

WHEELS: tuple[WheelDef, ...] = (
    WheelDef(Wheel.LF, 0.274, 0.177, True),
    WheelDef(Wheel.LM, 0.0, 0.253, False),
    WheelDef(Wheel.LR, -0.310, 0.177, True),
    WheelDef(Wheel.RF, 0.274, -0.177, True),
    WheelDef(Wheel.RM, 0.0, -0.253, False),
    WheelDef(Wheel.RR, -0.310, -0.177, True),
)
"""In Wheel order: index i is Wheel(i)."""

CORNERS: tuple[WheelDef, ...] = tuple(w for w in WHEELS if w.steered)
"""The steered corner wheels, in the order of steering angles at the port."""

TOP_SPEED = 0.0447
"""m/s: 0.1 mph, the rover's design maximum."""

if [w.wheel for w in WHEELS] != [w for w in Wheel if w is not Wheel.NONE]:
    raise ImportError("the wheel table must follow the Wheel enum's order")
