"""The flight software's behaviour as the ground sees it in telemetry: climbing, limits exactly at
and just beyond, five-wheel driving, SAFE and its recovery, parameters, hibernation and naps."""

from dataclasses import replace
from typing import Any

import pytest

from fsw.clock import SimClock
from fsw.port import Actuation
from hil.sim import FixedSun, Rock, SimRover, Terrain
from hil.sim.terrain import Ramp
from tests.fsw.support import START, Rover

DRIVE = {"radius": 0.0, "speed": 0.0447}


def modes(r: Rover) -> list[str]:
    return [e.shown()["to_mode"] for e in r.events("MODE_CHANGED")]


def test_climb_is_entered_on_the_slope_slower_and_left_at_the_top():
    r = Rover(Terrain(ramps=(Ramp(1.0, 3.0, 15.0),)))
    r.send("DRIVE", distance=6.0, **DRIVE)
    r.run(60)
    assert r.last("HK")["mode"] == "CLIMB"
    assert r.last("MOBILITY")["speed"] == pytest.approx(0.0447)  # commanded; climbing caps it
    assert r.last("WHEELS")["rate_lm"] == pytest.approx(0.03 / 0.075, rel=0.05)
    r.run(200)
    assert modes(r) == ["STANDBY", "DRIVE", "CLIMB", "DRIVE", "STANDBY"]


@pytest.mark.parametrize(("height", "stops"), [(0.20, False), (0.201, True)])
def test_an_obstacle_exactly_at_the_limit_is_driven_over_just_beyond_it_stops(height, stops):
    r = Rover(Terrain(rocks=(Rock(4.0, 0.2, height, 0.3),)))
    seq = r.send("DRIVE", distance=7.0, **DRIVE)
    r.run(200)
    assert (r.stages(seq)[-1][0] == "FAILED") is stops
    assert bool(r.events("MONITOR_TRIPPED")) is stops


@pytest.mark.parametrize(("slope", "stops"), [(20.0, False), (20.01, True)])
def test_a_slope_exactly_at_the_tilt_limit_is_climbed_just_beyond_it_stops(slope, stops):
    r = Rover(Terrain(ramps=(Ramp(1.0, 3.0, slope),)))
    seq = r.send("DRIVE", distance=6.0, **DRIVE)
    r.run(300)
    assert (r.stages(seq)[-1][0] == "FAILED") is stops
    if stops:
        assert r.events("MONITOR_TRIPPED")[0].shown()["monitor"] == "TILT"


def test_one_wheel_lost_drives_on_five_a_second_one_safes_and_recovery_needs_a_wheel():
    r = Rover()
    seq = r.send("DRIVE", distance=3.0, **DRIVE)
    r.run(20)
    r.sim.inject(1, 0, 0.0)  # WHEEL_STALL on LF
    r.run(120)
    hk = r.last("HK")
    assert (hk["healthy_wheels"], hk["degraded"], r.stages(seq)[-1][0]) == (5, "YES", "COMPLETED")
    assert r.last("WHEELS")["isolated_lf"] == "YES"
    seq = r.send("DRIVE", distance=3.0, **DRIVE)
    r.run(10)
    assert r.last("WHEELS")["rate_rf"] == pytest.approx(0.03 / 0.075, rel=0.05)  # derated
    r.sim.inject(2, 4, 0.0)  # WHEEL_OPEN_CIRCUIT on RM
    r.run(10)
    assert r.last("HK")["mode"] == "SAFE" and r.stages(seq)[-1][:2] == ("FAILED", "FAULT_STOP")
    refused = r.send("SAFE_RECOVER")
    assert r.stages(refused) == [("REJECTED", "FAULT_ACTIVE", 255)]
    r.sim.inject(0, -1, 0.0)  # the ground fixes the wheel, then restores it
    assert r.stages(r.send_armed("WHEEL_RESTORE", wheel="RM"))[-1][0] == "COMPLETED"
    assert r.stages(r.send("SAFE_RECOVER"))[-1][0] == "COMPLETED"
    r.run(2)
    assert r.last("HK")["mode"] == "STANDBY"


def test_parameters_are_read_set_and_reported():
    r = Rover()
    r.send("GET_PARAM", param="TILT_LIMIT")
    r.send("SET_PARAM", param="TILT_LIMIT", value=25.0)
    r.send("GET_PARAM", param="TILT_LIMIT")
    values = [e.text() for e in r.events() if e.name in ("PARAM_VALUE", "PARAM_CHANGED")]
    assert values == ["TILT_LIMIT = 20.0", "TILT_LIMIT = 25.0 (was 20.0)", "TILT_LIMIT = 25.0"]


def test_housekeeping_period_and_monitor_switches_take_effect():
    r = Rover()
    r.send("SET_HK_PERIOD", period=5.0)
    r.send("MONITOR_ENABLE", monitor="TILT", enabled="NO")
    r.run(20.05)
    times = [p.time for p in r.packets if p.name == "HK"]
    assert [b - a for a, b in zip(times[-3:-1], times[-2:], strict=True)] == [5.0, 5.0]
    assert r.last("FDIR")["tilt"] == "DISABLED"


class Sluggish:
    """The simulated rover with every wheel turning at a fifth of its command (a failing motor
    supply, say): nothing slips, stalls or disagrees, the rover only goes slower than any limit."""

    def __init__(self, clock: SimClock) -> None:
        self.sim = SimRover(clock.now, Terrain())

    def __getattr__(self, name: str) -> Any:
        return getattr(self.sim, name)

    def actuate(self, command: Actuation) -> None:
        self.sim.actuate(replace(command, drive=[rate / 5 for rate in command.drive]))


def test_a_100m_drive_runs_to_its_end_with_the_ground_silent():
    r = Rover()
    seq = r.send("DRIVE", distance=100.0, **DRIVE)  # 2,237 s at top speed: past COMMAND_LOSS
    r.run(2400)
    assert r.stages(seq)[-1][:2] == ("COMPLETED", "OK")
    assert r.last("MOBILITY")["travelled"] == pytest.approx(100.0, abs=0.05)
    assert not r.events("MONITOR_TRIPPED")
    r.run(100)  # once the motion is over, the silence counts from its end again
    ended = r.events("MOTION_DONE")[0].time
    assert r.flight.readings.command_silence == pytest.approx(r.clock.now() - ended, abs=0.2)


def test_a_turn_longer_than_the_dead_man_limit_also_runs_to_its_end():
    r = Rover()
    r.send("SET_PARAM", param="COMMAND_LOSS_LIMIT", value=60.0)
    seq = r.send("TURN_IN_PLACE", angle=180.0)  # 90 s at TURN_RATE
    r.run(150)
    assert r.stages(seq)[-1][0] == "COMPLETED" and not r.events("MONITOR_TRIPPED")


def test_the_dead_man_stops_a_motion_that_runs_far_past_its_longest_time():
    r = Rover(hardware=Sluggish)
    r.send("SET_PARAM", param="COMMAND_LOSS_LIMIT", value=30.0)
    seq = r.send("DRIVE", distance=10.0, **DRIVE)  # at a fifth of 0.0447 m/s: 1,118 s
    # its longest: 10 s to steer, then 10 m at 0.03 m/s (CLIMB_SPEED) slipping 40% (SLIP_LIMIT)
    longest = 10.0 + 10.0 / (0.03 * 0.6)
    r.run(2000)
    assert r.stages(seq)[-1][:2] == ("FAILED", "FAULT_STOP")
    tripped = r.events("MONITOR_TRIPPED")
    assert [e.shown()["monitor"] for e in tripped] == ["COMMAND_LOSS"]
    assert tripped[0].time - START == pytest.approx(longest + 30.0, abs=1.0)
    assert r.last("MOBILITY")["travelled"] == pytest.approx((longest + 30) * 0.0447 / 5, abs=0.3)


def test_hibernation_wakes_at_sunrise_and_a_hot_noon_naps():
    r = Rover(sun=FixedSun(-10.0))
    r.send("HIBERNATE")
    r.run(600)
    assert r.last("HK")["mode"] == "HIBERNATE"
    assert r.packets[-1].time - r.packets[-3].time == pytest.approx(60.0)  # the slow beacon
    r.sim._sun = FixedSun(10.0)  # the sun rises
    r.run(120)
    assert modes(r)[-2:] == ["HIBERNATE", "STANDBY"]
    hot = Rover(sun=FixedSun(60.0), exterior_temp=101.0)
    hot.run(65)  # asleep, the beacon comes once a minute
    assert hot.last("HK")["mode"] == "NAP"
    assert hot.events("SLEEPING")[0].shown()["mode"] == "NAP"


def test_low_battery_hibernates():
    r = Rover(battery_soc=19.0, sun=FixedSun(-5.0))
    r.run(65)
    assert r.last("HK")["mode"] == "HIBERNATE"
    assert r.events("MONITOR_TRIPPED")[0].shown()["monitor"] == "BATTERY_LOW"


def test_review_findings_stay_fixed():
    # waking a rover with two wheels lost lands in SAFE, not STANDBY
    r = Rover()
    r.send_armed("WHEEL_ISOLATE", wheel="LF")
    r.send_armed("WHEEL_ISOLATE", wheel="RF")
    r.send("HIBERNATE")
    r.send("SET_MODE", mode="STANDBY")
    assert modes(r)[-1] == "SAFE"
    # a monitor that put the rover to sleep may trip again once it is woken
    low = Rover(battery_soc=15.0, sun=FixedSun(-5.0))
    low.run(3)
    low.send("SET_MODE", mode="STANDBY")
    low.run(5)
    assert modes(low)[-2:] == ["STANDBY", "HIBERNATE"]
    # f32 periods over 4 s are whole numbers of cycles too; hysteresis cannot be inverted
    assert r.stages(r.send("SET_HK_PERIOD", period=4.2))[-1][0] == "COMPLETED"
    bad = r.send("SET_PARAM", param="CLIMB_EXIT_PITCH", value=12.0)
    assert r.stages(bad) == [("REJECTED", "OUT_OF_RANGE", 1)]
    # too hot in SAFE naps as well
    hot = Rover(sun=FixedSun(60.0), exterior_temp=120.0)
    hot.send("SET_MODE", mode="SAFE")
    hot.run(3)
    assert modes(hot)[-1] == "NAP"
