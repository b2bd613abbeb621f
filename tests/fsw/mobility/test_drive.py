"""The longest a motion may rightly take: what the dead-man counts as contact."""

import pytest

from fsw.mobility.drive import MIN_PROGRESS, longest
from fsw.tables.params import PARAMS

DEFAULTS = {p.name: p.default for p in PARAMS}


def test_the_longest_drive_is_steering_then_the_goal_at_its_slowest_pace_with_slip():
    # 100 m held to CLIMB_SPEED 0.03 m/s, slipping 40%: 5,556 s, after 10 s of steering
    drive = {"distance": -100.0, "radius": 0.0, "speed": 0.0447}
    assert longest(drive, DEFAULTS) == pytest.approx(10.0 + 100.0 / (0.03 * 0.6))
    slow = {**drive, "speed": 0.01}  # slower than any limit: its own speed
    assert longest(slow, DEFAULTS) == pytest.approx(10.0 + 100.0 / (0.01 * 0.6))


def test_the_longest_turn_is_its_angle_at_turn_rate_with_slip():
    assert longest({"angle": -90.0}, DEFAULTS) == pytest.approx(10.0 + 90.0 / (2.0 * 0.6))


def test_a_slip_limit_near_1_still_gives_a_finite_time():
    params = {**DEFAULTS, "SLIP_LIMIT": 1.0}
    drive = {"distance": 1.0, "radius": 0.0, "speed": 0.01}
    assert longest(drive, params) == pytest.approx(10.0 + 1.0 / (0.01 * MIN_PROGRESS))
