"""Navigation: what one sample of the sensors says about motion, in the units telemetry and
fault protection use. Odometry from the encoders, distance over the ground from visual odometry,
position by dead reckoning with the IMU heading, smoothed slip, and attitude quantised to the
IMU's resolution (so a plane of exactly 20 deg reads exactly 20.000)."""

from __future__ import annotations

import math

from fsw.mobility.geometry import ENCODER_COUNTS_PER_REV, METRES_PER_COUNT
from fsw.mobility.kinematics import wheel_angles
from fsw.mobility.odometry import body_motion
from fsw.port import Sensors

IMU_RESOLUTION_DIGITS = 3
"""Attitude is reported to 0.001 deg."""

_RAD_PER_COUNT = 2 * math.pi / ENCODER_COUNTS_PER_REV
_MIN_ROLL = 1e-4  # m per cycle of smoothed wheel travel below which slip means nothing


class Navigation:
    """Running estimates from the sensor samples, one update per control cycle."""

    def __init__(self, first: Sensors) -> None:
        self._encoders = list(first.encoders)
        self._vo = first.visual_odometry
        self._vo0 = first.visual_odometry
        self._raw_heading = first.heading
        self.heading = first.heading  # unwrapped (rad)
        self.x = 0.0
        self.y = 0.0
        self.odometry = 0.0  # m the wheels rolled (encoders)
        self.travelled = 0.0  # m over the ground (visual odometry)
        self.rates = [0.0] * 6  # rad/s per wheel over the last cycle
        self.slip: float | None = None
        self.pitch = self.roll = self.tilt = 0.0  # deg
        self._wheel_f = 0.0
        self._ground_f = 0.0

    def update(self, s: Sensors, dt: float, trusted: list[bool], smoothing: float) -> None:
        """Take in one sample `dt` seconds after the last; `trusted` wheels feed odometry;
        `smoothing` is the slip filter's weight of the new cycle (dt / time constant)."""
        rolled = []
        for i, count in enumerate(s.encoders):
            delta = count - self._encoders[i]
            self.rates[i] = delta * _RAD_PER_COUNT / dt
            rolled.append(delta * METRES_PER_COUNT)
        self._encoders = list(s.encoders)
        forward, _ = body_motion(rolled, wheel_angles(s.steer), trusted)
        self.odometry += abs(forward)
        ground = s.visual_odometry - self._vo
        self._vo = s.visual_odometry
        self.travelled = s.visual_odometry - self._vo0
        turn = (s.heading - self._raw_heading + math.pi) % (2 * math.pi) - math.pi
        self._raw_heading = s.heading
        self.heading += turn
        step = math.copysign(ground, forward)
        self.x += step * math.cos(s.heading)
        self.y += step * math.sin(s.heading)
        self._wheel_f += smoothing * (abs(forward) - self._wheel_f)
        self._ground_f += smoothing * (ground - self._ground_f)
        self.slip = 1.0 - self._ground_f / self._wheel_f if self._wheel_f > _MIN_ROLL else None
        self.pitch = round(math.degrees(s.pitch), IMU_RESOLUTION_DIGITS)
        self.roll = round(math.degrees(s.roll), IMU_RESOLUTION_DIGITS)
        tilt = math.acos(min(1.0, math.cos(s.pitch) * math.cos(s.roll)))
        self.tilt = round(math.degrees(tilt), IMU_RESOLUTION_DIGITS)
