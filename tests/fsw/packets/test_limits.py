import math

import pytest

from fsw.packets.limits import Limits, LimitState


def test_limits_at_exact_thresholds():
    lim = Limits(red_low=10, yellow_low=20, yellow_high=80, red_high=90)
    assert lim.check(20) == (LimitState.NOMINAL, None)
    assert lim.check(80) == (LimitState.NOMINAL, None)
    assert lim.check(19.9) == (LimitState.YELLOW_LOW, 20)
    assert lim.check(80.1) == (LimitState.YELLOW_HIGH, 80)
    assert lim.check(10) == (LimitState.YELLOW_LOW, 20)
    assert lim.check(9.9) == (LimitState.RED_LOW, 10)
    assert lim.check(90.1) == (LimitState.RED_HIGH, 90)


def test_limits_must_be_ordered_and_present():
    with pytest.raises(ValueError, match="red_low <= yellow_low"):
        Limits(yellow_high=90, red_high=80)
    with pytest.raises(ValueError, match="at least one"):
        Limits()


@pytest.mark.parametrize("bad", ["80", math.nan, math.inf, True])
def test_limits_are_finite_numbers(bad):
    with pytest.raises(ValueError, match="finite number"):
        Limits(yellow_high=bad)
