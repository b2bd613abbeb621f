"""Odometry from wheel encoders: the body's forward travel and turn that best explain how far each
healthy wheel rolled (least squares over the wheel table)."""

from __future__ import annotations

import math
from collections.abc import Sequence

from fsw.mobility.geometry import METRES_PER_COUNT, WHEELS, WheelDef


def wheel_distances(before: Sequence[int], after: Sequence[int]) -> list[float]:
    """How far each wheel rolled (m) between two encoder readings."""
    return [(b - a) * METRES_PER_COUNT for a, b in zip(before, after, strict=True)]


def fit_motion(rows: Sequence[tuple[float, float]], values: Sequence[float]) -> tuple[float, float]:
    """The (forward, turn) that best explains each wheel's value, least squares, where a wheel
    with row (a, b) sees a*forward + b*turn. Works for distances and for rates alike.

    When the rows cannot tell turning from driving (one wheel, or all on one line through the
    turn centre), the fit keeps the turn at 0 and matches forward alone.
    """
    saa = sab = sbb = sav = sbv = 0.0
    for (a, b), v in zip(rows, values, strict=True):
        saa += a * a
        sab += a * b
        sbb += b * b
        sav += a * v
        sbv += b * v
    det = saa * sbb - sab * sab
    if det > 1e-9 * (saa * sbb + 1e-12):
        return (sav * sbb - sbv * sab) / det, (sbv * saa - sav * sab) / det
    return (sav / saa if saa > 1e-12 else 0.0), 0.0


def wheel_row(wheel: WheelDef, angle: float) -> tuple[float, float]:
    """(a, b): how far a wheel steered to `angle` rolls per unit of forward motion and of turn:
    forward*cos(a) + turn*(x*sin(a) - y*cos(a))."""
    c, s = math.cos(angle), math.sin(angle)
    return c, wheel.x * s - wheel.y * c


def body_motion(
    rolled: Sequence[float],
    wheel_angles: Sequence[float],
    used: Sequence[bool],
    wheels: tuple[WheelDef, ...] = WHEELS,
) -> tuple[float, float]:
    """(forward distance m, turn rad) of the body from each wheel's rolled distance, its steering
    angle (0 for fixed wheels) and whether to trust it."""
    rows, values = [], []
    for w, d, angle, ok in zip(wheels, rolled, wheel_angles, used, strict=True):
        if ok:
            rows.append(wheel_row(w, angle))
            values.append(d)
    return fit_motion(rows, values)
