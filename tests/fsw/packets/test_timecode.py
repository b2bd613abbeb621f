import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fsw.packets import timecode


def test_epoch_is_documented_touchdown():
    assert timecode.utc_iso(0) == "2019-01-03T02:26:00.000000Z"
    assert timecode.MISSION_EPOCH_ISO == "2019-01-03T02:26:00Z"


def test_fraction_is_in_65536ths():
    assert timecode.to_cuc(1.5) == (1, 0x8000)
    assert timecode.from_cuc(1, 0x4000) == 1.25


def test_fraction_that_rounds_up_carries_into_seconds():
    assert timecode.to_cuc(0.9999999) == (1, 0)


@pytest.mark.parametrize("bad", [-0.001, math.nan, math.inf, 2.0**32])
def test_times_the_code_cannot_carry(bad):
    with pytest.raises(timecode.TimeCodeError):
        timecode.to_cuc(bad)


def test_last_representable_second():
    assert timecode.to_cuc(2.0**32 - 1) == (2**32 - 1, 0)


@given(st.integers(0, 2**32 - 1), st.integers(0, 0xFFFF))
def test_round_trip_of_every_code(coarse, fine):
    assert timecode.to_cuc(timecode.from_cuc(coarse, fine)) == (coarse, fine)
