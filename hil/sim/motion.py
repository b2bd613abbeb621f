"""Rover kinematics and loads as pure functions over the wheel table.

The body moves forward at vx (m/s) and turns at w (rad/s) with no sideways speed. A wheel at body
position (x_i, y_i) then moves at (vx - w*y_i, w*x_i); its rolling speed is that velocity along the
direction its steering points. Given what the wheels try to do, the body does the least-squares
best fit; slip and loads depend on the pitch.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from fsw.mobility.geometry import WHEEL_RADIUS, WHEELS
from fsw.tables.enums import Wheel

STEER_RATE = 1.0
"""rad/s: how fast a corner steering motor turns."""

MASS, GRAVITY = 140.0, 1.62
"""kg and m/s^2 (the Moon)."""

ROLLING_RESISTANCE = 0.15
"""Fraction of the weight needed to roll on regolith."""

DRAG = 0.4
"""Fraction of a wheel's share of the weight needed to drag it locked through the regolith."""

NO_LOAD_CURRENT = 0.3
TORQUE_CONSTANT = 1.14
"""A and N*m/A (including the gearbox)."""

STALL_CURRENT = 2.8
CURRENT_LIMIT = 2.6
"""A: a locked motor draws STALL_CURRENT; the motor driver holds a turning one to CURRENT_LIMIT."""

BASE_SLIP = 0.03
SLOPE_SLIP = 1.5
MAX_SLIP = 0.95
"""slip = BASE_SLIP + SLOPE_SLIP * sin(pitch)^2, clamped to [0, MAX_SLIP]."""

FRONT = (Wheel.LF, Wheel.RF)
REAR = (Wheel.LR, Wheel.RR)
LEFT = (Wheel.LF, Wheel.LM, Wheel.LR)
RIGHT = (Wheel.RF, Wheel.RM, Wheel.RR)


def _mean(values: Sequence[float]) -> float:
    return sum(values) / len(values)


WHEELBASE = _mean([WHEELS[i].x for i in FRONT]) - _mean([WHEELS[i].x for i in REAR])
"""m: front axle to rear axle (0.584)."""

TRACK = _mean([WHEELS[i].y for i in LEFT]) - _mean([WHEELS[i].y for i in RIGHT])
"""m: between the mean left and the mean right wheel."""


def slip(pitch: float, noise: float = 0.0) -> float:
    """Fraction of the wheels' motion lost on regolith at `pitch` (rad), plus `noise`."""
    s = math.sin(pitch)
    value = BASE_SLIP + SLOPE_SLIP * s * s + noise
    return 0.0 if value < 0.0 else min(value, MAX_SLIP)


def drive_current(pitch: float, driving: int, dragged: int) -> float:
    """Current (A) of each of the `driving` motors pulling the rover at `pitch` (rad).

    The load is rolling resistance plus the weight along the slope (downhill the motors brake, so
    the magnitude counts), plus the drag of `dragged` locked wheels; the driving motors share it.
    """
    if driving <= 0:
        return 0.0
    weight = MASS * GRAVITY
    force = abs(weight * (ROLLING_RESISTANCE * math.cos(pitch) + math.sin(pitch)))
    force += DRAG * weight / len(WHEELS) * dragged
    current = NO_LOAD_CURRENT + force / driving * WHEEL_RADIUS / TORQUE_CONSTANT
    return min(current, CURRENT_LIMIT)


def attitude(z: Sequence[float]) -> tuple[float, float]:
    """(pitch, roll) in rad of the body resting on wheels at contact heights `z` (Wheel order)."""
    lf, lm, lr, rf, rm, rr = z
    pitch = math.atan(((lf + rf) - (lr + rr)) / (2.0 * WHEELBASE))
    return pitch, math.atan(((lf + lm + lr) - (rf + rm + rr)) / (3.0 * TRACK))


assert [WHEELS[i].wheel for i in range(6)] == [
    Wheel.LF, Wheel.LM, Wheel.LR, Wheel.RF, Wheel.RM, Wheel.RR,
], "attitude() unpacks the contact heights in this order"  # fmt: skip
