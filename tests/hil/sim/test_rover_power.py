"""Sun, battery and temperatures of the simulated rover, over minutes and over a lunar night."""

import math
import time

import pytest

from fsw.port import Actuation
from fsw.tables.enums import FaultKind, Wheel
from hil.sim import FixedSun, SunModel
from hil.sim.power import MOTOR_HEATING, MOTOR_TAU
from hil.sim.sun import SYNODIC_PERIOD
from tests.hil.sim.support import rover, run, straight, wait

DAY = 86400.0
SUN = SunModel(sunrise=0.0, max_elevation_deg=45.0)
SUNSET = SYNODIC_PERIOD / 2


@pytest.mark.parametrize(
    ("elevation", "solar", "net"),
    [(-10.0, 0.0, -25.0), (0.0, 0.0, -25.0), (30.0, 60.0, 35.0), (90.0, 120.0, 95.0)],
)
def test_solar_charging_by_elevation(elevation, solar, net):
    sim, clock = rover(sun=FixedSun(elevation), battery_soc=50.0)
    s = wait(sim, clock, 3600.0)
    assert (s.solar_power, s.load_power, s.sun_elevation) == pytest.approx((solar, 25.0, elevation))
    assert s.battery_soc == pytest.approx(50.0 + 100 * net / 600)


def test_driving_draws_24_v_times_the_motor_currents():
    sim, clock = rover()
    s = run(sim, clock, 1.0, straight())
    assert s.load_power == pytest.approx(25.0 + 24.0 * sum(s.currents))
    assert sum(s.currents) > 3.5


def test_a_lunar_night_at_rest_is_cheap_and_costs_only_the_wake_up_circuit():
    start = SUNSET + 60.0
    sim, clock = rover(sun=SUN, t=start, battery_soc=80.0)
    sim.actuate(Actuation(powered=False))
    before = sim.sense()
    wall = time.perf_counter()
    clock.t = start + 14 * DAY
    after = sim.sense()
    assert time.perf_counter() - wall < 0.5
    used = 0.5 * 14 * 24  # Wh
    assert after.battery_soc == pytest.approx(before.battery_soc - 100 * used / 600)
    assert after.sun_elevation < 0 and after.solar_power == 0.0 and after.load_power == 0.5
    assert after.exterior_temp == pytest.approx(-170.0, abs=0.1)
    assert after.electronics_temp == pytest.approx(20 + 0.4 * (-190) - 24, abs=0.1)
    assert after.motor_temps == pytest.approx([after.electronics_temp] * 6, abs=0.1)
    assert sim.travelled == 0.0


def test_the_sunlit_side_passes_100_c_toward_local_noon():
    noon = SYNODIC_PERIOD / 4
    sim, clock = rover(sun=SUN, t=noon - 12 * 3600.0, exterior_temp=20.0)
    assert sim.sense().exterior_temp == 20.0
    clock.t = noon
    assert sim.sense().exterior_temp > 100.0


def test_the_sun_rises_at_the_end_of_the_night():
    sim, clock = rover(sun=SUN, t=SUNSET + DAY)
    sim.actuate(Actuation(powered=False))
    clock.t = SYNODIC_PERIOD + 3600.0
    s = sim.sense()
    assert s.sun_elevation > 0 and s.solar_power > 0


def test_a_stalled_motor_heats_up_and_cools_down():
    sim, clock = rover()
    cold = sim.sense().motor_temps[Wheel.RF]
    sim.inject(FaultKind.WHEEL_STALL, Wheel.RF, 0.0)
    hot = run(sim, clock, 60.0, straight()).motor_temps[Wheel.RF]
    rise = MOTOR_HEATING * MOTOR_TAU * 2.8**2  # where it would settle
    assert hot == pytest.approx(cold + rise * (1 - math.exp(-60 / MOTOR_TAU)), abs=0.5)
    cooled = wait(sim, clock, 4 * 3600.0, Actuation()).motor_temps[Wheel.RF]
    assert cooled == pytest.approx(cold, abs=0.5)


def test_battery_and_temperatures_catch_up_within_a_second_while_driving():
    sim, clock = rover(sun=FixedSun(0.0))
    s0 = run(sim, clock, 0.0, straight())
    s1 = run(sim, clock, 1.0)
    assert s1.battery_soc < s0.battery_soc
    assert s1.motor_temps[0] > s0.motor_temps[0]
