"""Six-wheel kinematics against tables of expected values worked out by hand from the geometry
(JPL Open Source Rover: corners 0.177 m lateral, front 0.274 m ahead, rear 0.310 m behind,
middle 0.253 m lateral)."""

import math

import pytest

from fsw.mobility.geometry import CORNERS, WHEEL_RADIUS, WHEELS
from fsw.mobility.kinematics import arc, straight, turn_in_place, wheel_angles, without

# speed 0.04 m/s; corner angles in CORNERS order (LF, LR, RF, RR) in degrees; wheel surface
# speeds in Wheel order (LF, LM, LR, RF, RM, RR) in m/s
ARCS = [
    (1.0, (18.41, -20.64, 13.10, -14.76), (0.03470, 0.02988, 0.03518, 0.04834, 0.05012, 0.04869)),
    (-2.0, (-7.17, 8.10, -8.55, 9.65), (0.04388, 0.04506, 0.04398, 0.03687, 0.03494, 0.03698)),
]


@pytest.mark.parametrize(("radius", "angles", "speeds"), ARCS)
def test_arc_follows_ackermann(radius, angles, speeds):
    plan = arc(0.04, radius)
    assert [round(math.degrees(a), 2) for a in plan.steer] == list(angles)
    assert [round(r * WHEEL_RADIUS, 5) for r in plan.rates] == list(speeds)
    assert plan.yaw_rate == pytest.approx(0.04 / radius)


def test_inner_wheels_turn_more_and_roll_slower():
    plan = arc(0.04, 1.0)  # centre to the left: the left side is inside
    lf, lr, rf, rr = plan.steer
    assert abs(lf) > abs(rf) and abs(lr) > abs(rr)
    assert plan.rates[1] < plan.rates[4]  # left middle slower than right middle


def test_straight_and_radius_zero_are_the_same():
    assert arc(0.03, 0.0) == straight(0.03)
    plan = straight(-0.0447)
    assert plan.steer == (0.0,) * 4
    assert all(r == pytest.approx(-0.0447 / WHEEL_RADIUS) for r in plan.rates)


def test_turn_in_place_points_every_corner_square_to_the_centre():
    plan = turn_in_place(0.1)
    assert [round(math.degrees(a), 2) for a in plan.steer] == [-57.14, 60.28, 57.14, -60.28]
    speeds = [round(r * WHEEL_RADIUS, 5) for r in plan.rates]
    # left side rolls backwards when turning left; each at its distance from the centre
    assert speeds == [-0.03262, -0.0253, -0.0357, 0.03262, 0.0253, 0.0357]
    assert plan.speed == 0.0


def test_isolated_wheels_are_unpowered_and_the_rest_unchanged():
    plan = straight(0.04)
    five = without(plan, (False, True, False, False, False, False))
    assert five.rates[1] == 0.0 and five.rates[0] == plan.rates[0]
    assert without(plan, (False,) * 6) is plan


def test_the_wheel_table_and_its_corners():
    assert len(WHEELS) == 6 and len(CORNERS) == 4
    assert wheel_angles((0.1, 0.2, 0.3, 0.4)) == (0.1, 0.0, 0.2, 0.3, 0.0, 0.4)
