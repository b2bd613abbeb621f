"""The lunar day and the power and thermal models, as pure functions."""

import math

import pytest

from hil.sim import power
from hil.sim.sun import SYNODIC_PERIOD, FixedSun, SunModel

DAY = 86400.0
SUN = SunModel(sunrise=1000.0, max_elevation_deg=45.0)


@pytest.mark.parametrize(
    ("t", "elevation"),
    [
        (1000.0, 0.0),  # sunrise
        (1000.0 + SYNODIC_PERIOD / 4, 45.0),  # local noon
        (1000.0 + SYNODIC_PERIOD / 2, 0.0),  # sunset
        (1000.0 + 3 * SYNODIC_PERIOD / 4, -45.0),  # midnight
        (1000.0 + SYNODIC_PERIOD, 0.0),  # the next sunrise
        (1000.0 - SYNODIC_PERIOD / 4, -45.0),  # before the given sunrise
    ],
)
def test_sun_elevation_over_a_lunar_day(t, elevation):
    assert SUN.elevation(t) == pytest.approx(elevation, abs=1e-9)


def test_day_and_night_last_about_fourteen_and_three_quarter_days():
    assert SUN.next_sunset(1000.0) - 1000.0 == pytest.approx(14.765 * DAY)
    assert SUN.next_sunrise(1001.0) - SUN.next_sunset(1001.0) == pytest.approx(14.765 * DAY)
    assert SUN.elevation(1000.0 + 14.7 * DAY) > 0 > SUN.elevation(1000.0 + 14.8 * DAY)
    assert SUN.next_sunrise(1000.0) == 1000.0
    assert FixedSun(12.0).elevation(5 * DAY) == 12.0


@pytest.mark.parametrize(
    "bad", [lambda: SunModel(0.0, 0.0), lambda: SunModel(math.nan, 30.0), lambda: FixedSun(91.0)]
)
def test_bad_sun_is_refused(bad):
    with pytest.raises(ValueError, match="sun"):
        bad()


@pytest.mark.parametrize(
    ("elevation", "solar", "exterior"),
    [
        (-30.0, 0.0, -170.0),
        (0.0, 0.0, -170.0),
        (30.0, 60.0, -170.0 + 300.0 * 0.5**0.25),
        (90.0, 120.0, 130.0),
    ],
)
def test_sunlight(elevation, solar, exterior):
    assert power.solar_power(elevation) == pytest.approx(solar)
    assert power.exterior_equilibrium(elevation) == pytest.approx(exterior)


def test_noon_at_45_degrees_passes_100_c_and_power_warms_the_box():
    assert power.exterior_equilibrium(45.0) > 100.0
    night = power.exterior_equilibrium(-1.0)
    assert power.electronics_equilibrium(night, True) > power.electronics_equilibrium(night, False)


def test_battery_voltage_and_cell_loss():
    b = power.Battery(100.0)
    assert b.voltage == pytest.approx(8 * 4.1)
    b.charge(-300.0, 3600.0)
    assert b.soc == pytest.approx(50.0)
    b.charge(-1e6, 3600.0)
    assert (b.soc, b.voltage) == (0.0, pytest.approx(28.8))
    b.charge(1e6, 3600.0)
    assert b.soc == 100.0
    b.lose_cell()
    assert (b.cells, b.soc, b.capacity) == (7, pytest.approx(100.0), pytest.approx(525.0))
    assert b.voltage == pytest.approx(7 * 4.1) and b.voltage < 28.8
    with pytest.raises(ValueError, match="battery soc 120"):
        power.Battery(120.0)


def test_relaxation_is_exact_for_a_constant_target():
    once = power.relax(100.0, 0.0, 3600.0, 1800.0)
    twice = power.relax(power.relax(100.0, 0.0, 1800.0, 1800.0), 0.0, 1800.0, 1800.0)
    assert once == pytest.approx(twice) == pytest.approx(100.0 * math.exp(-2))
