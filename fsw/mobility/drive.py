"""The drive controller: turns one DRIVE or TURN_IN_PLACE into wheel rates and corner angles,
cycle by cycle, until its goal is reached over the ground.

Steer first (wheels still), then roll. Progress is measured over the ground (visual odometry for
distance, the IMU for heading), so slip costs time, not accuracy. The last cycle slows to land on
the goal rather than overshoot it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum

from fsw.mobility.kinematics import WheelPlan, arc, turn_in_place, without
from fsw.tables.enums import Motion


class Status(Enum):
    """How the motion stands after a cycle."""

    IDLE = "idle"
    RUNNING = "running"
    DONE = "done"
    STEER_TIMEOUT = "steer timeout"


@dataclass(slots=True)
class Limits:
    """What bounds a cycle's motion, from parameters and mode."""

    speed: float  # m/s, the most the present mode and wheel count allow
    turn_rate: float  # rad/s
    steer_tolerance: float  # rad
    steer_timeout: float  # s


_STILL = (0.0,) * 6

MIN_PROGRESS = 0.1
"""The least share of its pace a motion is taken to keep when the SLIP limit is set near 1."""


def longest(args: Mapping[str, float], params: Mapping[str, float]) -> float:
    """The longest a DRIVE or TURN_IN_PLACE (`args`) may rightly take (s): steering for up to
    STEER_TIMEOUT, then its goal at the slowest pace its limits may hold it to (a drive: its own
    speed, CLIMB_SPEED, FIVE_WHEEL_SPEED; a turn: TURN_RATE), slowed by the most slip the SLIP
    monitor lets pass (SLIP_LIMIT). A motion the ground commanded is proof of contact for that
    long: the dead-man (COMMAND_LOSS) counts silence only after it."""
    if "angle" in args:
        goal, slowest = abs(args["angle"]), params["TURN_RATE"]
    else:
        goal = abs(args["distance"])
        slowest = min(args["speed"], params["CLIMB_SPEED"], params["FIVE_WHEEL_SPEED"])
    slip = max(1.0 - params["SLIP_LIMIT"], MIN_PROGRESS)
    return params["STEER_TIMEOUT"] + goal / (slowest * slip)


class DriveController:
    """One motion at a time: its goal, its progress, and the wheel plan for this cycle."""

    def __init__(self) -> None:
        self.motion = Motion.IDLE
        self.goal = 0.0  # m or rad, magnitude
        self.sign = 1.0
        self.radius = 0.0
        self.speed = 0.0
        self.done = 0.0  # m or rad covered
        self.goal_is_angle = False
        self._start = 0.0  # travelled (m) or heading (rad) at the start of rolling
        self._steer_since = 0.0
        self._plan: WheelPlan | None = None
        self._plan_key: tuple[float, tuple[bool, ...]] | None = None
        self.steer_target: tuple[float, ...] = (0.0,) * 4

    @property
    def remaining(self) -> float:
        """What is left of the goal (m, or deg for a turn)."""
        left = max(0.0, self.goal - self.done)
        return math.degrees(left) if self.goal_is_angle else left

    def start_drive(self, distance: float, radius: float, speed: float, now: float) -> None:
        """Begin a drive of `distance` m (negative: backwards) on an arc of `radius` m
        (0: straight)."""
        self._begin(abs(distance), math.copysign(1.0, distance), now, angle=False)
        self.radius, self.speed = radius, speed
        self.steer_target = arc(self.sign * speed, radius).steer

    def start_turn(self, angle_deg: float, now: float) -> None:
        """Begin a turn in place by `angle_deg` (positive: to the left)."""
        self._begin(math.radians(abs(angle_deg)), math.copysign(1.0, angle_deg), now, angle=True)
        self.radius, self.speed = 0.0, 0.0
        self.steer_target = turn_in_place(self.sign).steer

    def _begin(self, goal: float, sign: float, now: float, *, angle: bool) -> None:
        self.motion = Motion.STEERING
        self.goal, self.sign, self.done = goal, sign, 0.0
        self.goal_is_angle = angle
        self._steer_since = now
        self._plan_key = None

    def resume(self, now: float) -> None:
        """Start the rest of the motion afresh (steer again, then roll what is left), as after
        fault protection stopped it to isolate a wheel."""
        if self.motion is Motion.IDLE:
            return
        self.goal = max(0.0, self.goal - self.done)
        self.done = 0.0
        self.motion = Motion.STEERING
        self._steer_since = now
        self._plan_key = None

    def stop(self) -> None:
        """End the motion where it is."""
        self.motion = Motion.IDLE

    def step(
        self,
        now: float,
        dt: float,
        travelled: float,
        heading: float,
        steer: list[float],
        isolated: tuple[bool, ...],
        limits: Limits,
    ) -> tuple[Status, tuple[float, ...], tuple[float, ...]]:
        """Advance one cycle: the status, the wheel rates and the corner angles to command.
        `travelled` is distance over the ground (m) and `heading` the unwrapped heading (rad)."""
        if self.motion is Motion.IDLE:
            return Status.IDLE, _STILL, self.steer_target
        if self.motion is Motion.STEERING:
            pairs = zip(steer, self.steer_target, strict=True)
            if all(abs(m - t) <= limits.steer_tolerance for m, t in pairs):
                self.motion = Motion.TURNING if self.goal_is_angle else Motion.DRIVING
                self._start = heading if self.goal_is_angle else travelled
            elif now - self._steer_since > limits.steer_timeout:
                self.motion = Motion.IDLE
                return Status.STEER_TIMEOUT, _STILL, self.steer_target
            else:
                return Status.RUNNING, _STILL, self.steer_target
        if self.goal_is_angle:
            self.done = abs(heading - self._start)
            rate = limits.turn_rate
        else:
            self.done = travelled - self._start
            rate = min(self.speed, limits.speed)
        left = self.goal - self.done
        if left <= 1e-9:
            self.motion = Motion.IDLE
            return Status.DONE, _STILL, self.steer_target
        rate = min(rate, left / dt)  # land on the goal
        return Status.RUNNING, self._plan_for(rate, isolated).rates, self.steer_target

    def _plan_for(self, rate: float, isolated: tuple[bool, ...]) -> WheelPlan:
        key = (rate, isolated)
        if key != self._plan_key or self._plan is None:
            if self.goal_is_angle:
                plan = turn_in_place(self.sign * rate)
            else:
                plan = arc(self.sign * rate, self.radius)
            self._plan, self._plan_key = without(plan, isolated), key
        return self._plan
