"""Odometry from wheel encoders: the body's forward travel and turn that best explain how far each
healthy wheel rolled (least squares over the wheel table)."""

from __future__ import annotations

import math
from collections.abc import Sequence

from fsw.mobility.geometry import METRES_PER_COUNT, WHEELS, WheelDef


def wheel_distances(before: Sequence[int], after: Sequence[int]) -> list[float]:
    """How far each wheel rolled (m) between two encoder readings."""
    return [(b - a) * METRES_PER_COUNT for a, b in zip(before, after, strict=True)]


def body_motion(
    rolled: Sequence[float],
    wheel_angles: Sequence[float],
    used: Sequence[bool],
    wheels: tuple[WheelDef, ...] = WHEELS,
) -> tuple[float, float]:
    """(forward distance m, turn rad) of the body from each wheel's rolled distance, its steering
    angle (0 for fixed wheels) and whether to trust it. Each wheel rolls the body's motion at its
    position projected on its direction: forward*cos(a) + turn*(x*sin(a) - y*cos(a))."""
    saa = sab = sbb = sad = sbd = 0.0
    for w, d, angle, ok in zip(wheels, rolled, wheel_angles, used, strict=True):
        if not ok:
            continue
        c, s = math.cos(angle), math.sin(angle)
        a, b = c, w.x * s - w.y * c
        saa += a * a
        sab += a * b
        sbb += b * b
        sad += a * d
        sbd += b * d
    det = saa * sbb - sab * sab
    if abs(det) < 1e-12:  # fewer than two independent wheels: forward travel only
        return (sad / saa if saa else 0.0), 0.0
    return (sad * sbb - sbd * sab) / det, (saa * sbd - sab * sad) / det
