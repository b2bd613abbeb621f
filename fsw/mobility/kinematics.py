"""Six-wheel kinematics as pure functions over the wheel table: corner angles and wheel rates for
a straight line, an arc (Ackermann), or a turn in place.

Rates are wheel angular rates (rad/s, positive rolls forward); angles are corner steering angles
(rad, positive turns the wheel's front to the left), in the CORNERS order.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from fsw.mobility.geometry import CORNERS, WHEEL_RADIUS, WHEELS, WheelDef


@dataclass(frozen=True, slots=True)
class WheelPlan:
    """What every motor must do for one body motion."""

    rates: tuple[float, ...]  # per wheel, in Wheel order
    steer: tuple[float, ...]  # per corner, in CORNERS order
    speed: float  # body speed at the centre (m/s), negative backwards
    yaw_rate: float  # rad/s, positive to the left


def straight(speed: float, wheels: tuple[WheelDef, ...] = WHEELS) -> WheelPlan:
    """Every wheel at the body speed, corners straight."""
    rate = speed / WHEEL_RADIUS
    return WheelPlan(tuple(rate for _ in wheels), (0.0,) * len(CORNERS), speed, 0.0)


def arc(speed: float, radius: float, wheels: tuple[WheelDef, ...] = WHEELS) -> WheelPlan:
    """An arc of `radius` m about a centre on the body's y axis (positive: centre to the left),
    at body speed `speed`. Each wheel turns at its distance to the centre times the body rate,
    and each corner points square to that distance (Ackermann); radius 0 means straight."""
    if radius == 0:
        return straight(speed, wheels)
    yaw_rate = speed / radius
    rates = []
    for w in wheels:
        distance = math.hypot(w.x, radius - w.y)
        rates.append(speed * distance / abs(radius) / WHEEL_RADIUS)
    steer = tuple(math.atan(w.x / (radius - w.y)) for w in wheels if w.steered)
    return WheelPlan(tuple(rates), steer, speed, yaw_rate)


def turn_in_place(yaw_rate: float, wheels: tuple[WheelDef, ...] = WHEELS) -> WheelPlan:
    """Spin about the body centre at `yaw_rate` rad/s (positive: to the left). Corners point
    square to the centre; each wheel rolls at its distance from it times the rate, the left side
    backwards when turning left."""
    rates = []
    steer = []
    for w in wheels:
        # within +-90 deg: a wheel that would point backwards rolls the other way instead
        angle = math.atan(w.x / -w.y) if w.steered else 0.0
        if w.steered:
            steer.append(angle)
        vx, vy = -yaw_rate * w.y, yaw_rate * w.x  # the wheel's velocity over the ground
        rates.append((vx * math.cos(angle) + vy * math.sin(angle)) / WHEEL_RADIUS)
    return WheelPlan(tuple(rates), tuple(steer), 0.0, yaw_rate)


def wheel_angles(corner_angles: tuple[float, ...] | list[float]) -> tuple[float, ...]:
    """Steering angle of every wheel in Wheel order (0 for the fixed middle wheels)."""
    corners = iter(corner_angles)
    return tuple(next(corners) if w.steered else 0.0 for w in WHEELS)


def without(plan: WheelPlan, isolated: tuple[bool, ...]) -> WheelPlan:
    """The same plan with isolated wheels unpowered (rate 0): the others carry the load."""
    if not any(isolated):
        return plan
    rates = tuple(0.0 if off else r for r, off in zip(plan.rates, isolated, strict=True))
    return WheelPlan(rates, plan.steer, plan.speed, plan.yaw_rate)
