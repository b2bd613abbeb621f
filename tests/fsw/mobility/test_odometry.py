"""Odometry from encoders: the body motion that explains how far each wheel rolled."""

import math

import pytest

from fsw.mobility.geometry import ENCODER_COUNTS_PER_REV, METRES_PER_COUNT, WHEEL_RADIUS
from fsw.mobility.kinematics import arc, turn_in_place, wheel_angles
from fsw.mobility.odometry import body_motion, wheel_distances

ALL = [True] * 6


def rolled(plan, seconds):
    return [r * WHEEL_RADIUS * seconds for r in plan.rates]


@pytest.mark.parametrize(("speed", "radius"), [(0.04, 0.0), (0.04, 1.0), (-0.03, -2.5)])
def test_arc_motion_comes_back_out(speed, radius):
    plan = arc(speed, radius)
    forward, turn = body_motion(rolled(plan, 10.0), wheel_angles(plan.steer), ALL)
    assert forward == pytest.approx(speed * 10.0)
    assert turn == pytest.approx(plan.yaw_rate * 10.0)


def test_turn_in_place_is_all_turn():
    plan = turn_in_place(math.radians(2.0))
    forward, turn = body_motion(rolled(plan, 45.0), wheel_angles(plan.steer), ALL)
    assert forward == pytest.approx(0.0, abs=1e-12)
    assert math.degrees(turn) == pytest.approx(90.0)


def test_an_untrusted_wheel_does_not_spoil_it():
    plan = arc(0.04, 0.0)
    distances = rolled(plan, 10.0)
    distances[1] = 0.0  # a wheel that lost its encoder
    used = [True, False, True, True, True, True]
    assert body_motion(distances, wheel_angles(plan.steer), used)[0] == pytest.approx(0.4)


def test_encoder_counts_become_metres():
    one_turn = ENCODER_COUNTS_PER_REV
    assert wheel_distances([0] * 6, [one_turn] * 6)[0] == pytest.approx(2 * math.pi * WHEEL_RADIUS)
    assert pytest.approx(2 * math.pi * 0.075 / 4096) == METRES_PER_COUNT
